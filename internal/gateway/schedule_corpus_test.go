package gateway

import (
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
