package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
)

// newCountingScheduleHarness is a gateway with schedules and a memory that
// counts the given corpora's passages.
func newCountingScheduleHarness(t *testing.T, env map[string]string, corpora map[string]int) (*harness, *fakeSchedules) {
	t.Helper()
	h := &harness{t: t, fake: newMemRuns(), cfg: testConfig(t, env)}
	cc := &countingChunks{fakeChunks: fakeChunks{chunks: map[string]memory.Chunk{}}, corpora: corpora}
	h.chunks = &cc.fakeChunks
	f := &fakeSchedules{specs: map[string]rf.ScheduleSpec{}}
	handler, err := New(h.cfg, Deps{Runs: h.fake, Chunks: cc, Schedules: f, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.h = handler
	return h, f
}

// A schedule on a corpus nobody filled is refused when it is made, with
// the same 404 corpus_not_found and fix as POST /v1/research: a trial's
// schedule on "nosuch" was created (201) and every run it started failed.
func TestScheduleCorpusCheckedAtCreate(t *testing.T) {
	h, f := newCountingScheduleHarness(t, nil, map[string]int{"alice--notes": 3})
	research := h.do("POST", "/v1/research", aliceKey, `{"question":"When is the deploy freeze?","corpus":"nosuch"}`)
	for _, body := range []string{
		`{"question":"When is the deploy freeze?","corpus":"nosuch","every":"24h"}`,
		`{"question":"When is the deploy freeze?","corpus":"nosuch","cron":"0 7 * * 1","paused":true}`,
	} {
		rec := h.do("POST", "/v1/schedules", aliceKey, body)
		if rec.Code != http.StatusNotFound || errorCode(t, rec) != "corpus_not_found" {
			t.Errorf("%s: %d %s, want 404 corpus_not_found", body, rec.Code, rec.Body)
		}
		if got, want := errorMessage(t, rec.Body.Bytes()), errorMessage(t, research.Body.Bytes()); got != want {
			t.Errorf("%s: message %q, want POST /v1/research's %q", body, got, want)
		}
	}
	if len(f.specs) != 0 {
		t.Fatalf("schedules created on an unknown corpus: %v", f.specs)
	}
	// Her own corpus, the Go documentation and a run that does not search
	// the corpus are let through.
	var id string
	for _, body := range []string{
		`{"question":"When is the deploy freeze?","corpus":"notes","every":"24h"}`,
		`{"question":"How do channels synchronize?","every":"24h"}`,
		`{"question":"When is the deploy freeze?","corpus":"nosuch","sources":["wikipedia"],"every":"24h"}`,
	} {
		rec := h.do("POST", "/v1/schedules", aliceKey, body)
		if rec.Code != http.StatusCreated {
			t.Errorf("%s: %d %s", body, rec.Code, rec.Body)
		}
		var created ScheduleResponse
		decode(t, rec, &created)
		if id == "" {
			id = created.ID
		}
	}
	// A change to the corpus is checked the same way; other changes are not.
	rec := h.do("PATCH", "/v1/schedules/"+id, aliceKey, `{"corpus":"nosuch"}`)
	if rec.Code != http.StatusNotFound || errorCode(t, rec) != "corpus_not_found" {
		t.Errorf("PATCH corpus nosuch: %d %s", rec.Code, rec.Body)
	}
	if got := f.specs[id].Research.Corpus; !strings.HasSuffix(got, "notes") {
		t.Errorf("a refused PATCH changed the corpus to %q", got)
	}
	if rec := h.do("PATCH", "/v1/schedules/"+id, aliceKey, `{"notify":"always"}`); rec.Code != http.StatusOK {
		t.Errorf("PATCH notify: %d %s", rec.Code, rec.Body)
	}
}

// A corpus named with a typo ("hanbook" for "handbook") or in other case
// ("Notes" for "notes") is refused by POST /v1/research and POST
// /v1/schedules with the corpus meant, as the starter suggests it
// (corpora.Suggest): a trial's starter said `did you mean "handbook"`
// while the API and the web app said only that there was no corpus. The
// body carries the corpus and the suggestion apart, for the web app's
// own words; a name near nothing suggests nothing.
func TestUnknownCorpusSuggestedEverywhere(t *testing.T) {
	h, _ := newCountingScheduleHarness(t, nil, map[string]int{"alice--handbook": 4, "alice--notes": 3, "alice--emptyish": 0})
	for _, corpus := range []string{"handbook", "notes", "emptyish"} {
		if _, err := h.fake.StartIngest(context.Background(), "ingest-"+corpus, rf.IngestInput{Corpus: rf.ScopedCorpus("alice", corpus), Path: "/tmp/" + corpus, Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ corpus, want string }{
		{"hanbook", "handbook"},
		{"Notes", "notes"},
		{"emptyis", ""}, // near a corpus that has no documents either
		{"weather", ""},
	} {
		for _, req := range []struct{ path, body string }{
			{"/v1/research", `{"question":"How many vacation days?","corpus":"` + tt.corpus + `"}`},
			{"/v1/schedules", `{"question":"How many vacation days?","corpus":"` + tt.corpus + `","every":"24h"}`},
		} {
			rec := h.do("POST", req.path, aliceKey, req.body)
			var b errorBody
			decode(t, rec, &b)
			if rec.Code != http.StatusNotFound || b.Error.Code != "corpus_not_found" {
				t.Errorf("%s on %s: %d %s, want 404 corpus_not_found", req.path, tt.corpus, rec.Code, rec.Body)
				continue
			}
			if b.Error.Corpus != tt.corpus || b.Error.Suggestion != tt.want {
				t.Errorf("%s on %s: corpus %q, suggestion %q, want %q and %q", req.path, tt.corpus, b.Error.Corpus, b.Error.Suggestion, tt.corpus, tt.want)
			}
			said := strings.Contains(b.Error.Message, `did you mean "`+tt.want+`"?`)
			if tt.want != "" && !said || tt.want == "" && strings.Contains(b.Error.Message, "did you mean") {
				t.Errorf("%s on %s: %q, want the suggestion %q said", req.path, tt.corpus, b.Error.Message, tt.want)
			}
		}
	}
}
