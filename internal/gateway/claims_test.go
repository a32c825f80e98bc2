package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/memory"
)

// Claim feedback follows the rules of runs: only the owner gives it
// (others get 404), only on a completed run (409), bad input is a 400, a
// claim the report does not hold a 404, and nothing is started for any of
// them; a dispute starts the review that writes revision 2, with the
// owner, the claim and the reason.
func TestClaimFeedbackRules(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What is the log retention policy?")
	const claim = "claim-0123456789ab"
	path := "/v1/research/" + id + "/claims/" + claim + "/feedback"
	body := `{"verdict":"dispute","reason":"the policy changed"}`
	if rec := h.do("POST", path, aliceKey, body); rec.Code != http.StatusConflict || errorCode(t, rec) != "not_finished" {
		t.Fatalf("feedback on a running run: %d %s", rec.Code, rec.Body)
	}
	h.fake.complete(id, rf.ResearchResult{ResearchID: id, Title: "R", Report: "# R\n\nLogs are kept 30 days [1].\n",
		Claims: []rf.Claim{{ID: claim, Text: "Logs are kept 30 days.", Cites: []int{1}}}})
	starts := h.fake.starts
	if rec := h.do("POST", path, bobKey, body); rec.Code != http.StatusNotFound {
		t.Errorf("another owner: %d %s", rec.Code, rec.Body)
	}
	for _, c := range []struct{ path, body string }{
		{path, `{"verdict":"maybe"}`},
		{path, `{"verdict":"dispute","reason":`},
		{"/v1/research/" + id + "/claims/not-a-claim/feedback", body},
	} {
		if rec := h.do("POST", c.path, aliceKey, c.body); rec.Code != http.StatusBadRequest {
			t.Errorf("POST %s %s: %d %s, want 400", c.path, c.body, rec.Code, rec.Body)
		}
	}
	if rec := h.do("POST", "/v1/research/"+id+"/claims/claim-ffffffffffff/feedback", aliceKey, body); rec.Code != http.StatusNotFound || errorCode(t, rec) != "claim_not_found" {
		t.Errorf("unknown claim: %d %s, want 404 claim_not_found", rec.Code, rec.Body)
	}
	if h.fake.starts != starts {
		t.Fatalf("refused requests started %d workflows", h.fake.starts-starts)
	}
	rec := h.do("POST", path, aliceKey, body)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("dispute: %d %s", rec.Code, rec.Body)
	}
	var out FeedbackResponse
	decode(t, rec, &out)
	if out.ID != claims.RevisionWorkflowID(id, 2) || out.Revision != 2 || out.Report != "/v1/research/"+id+"/report?revision=2" ||
		rec.Header().Get("Location") != out.Report {
		t.Errorf("response %+v (Location %q)", out, rec.Header().Get("Location"))
	}
	w := h.fake.get(out.ID)
	in, ok := w.input.(claims.ReviewInput)
	if w.typ != claims.WorkflowType || !ok || in.ClaimID != claim || in.Owner != "alice" || in.Reason != "the policy changed" || in.Revision != 2 || w.followUpOf != id {
		t.Errorf("started %s with %+v", w.typ, w.input)
	}
	// A revision never written is a 404; a bad one a 400; revision 1 is
	// the run's report.
	if rec := h.do("GET", "/v1/research/"+id+"/report?revision=2", aliceKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("revision 2 (never written here): %d", rec.Code)
	}
	if rec := h.do("GET", "/v1/research/"+id+"/report?revision=zero", aliceKey, ""); rec.Code != http.StatusBadRequest {
		t.Errorf("revision=zero: %d", rec.Code)
	}
	if rec := h.do("GET", "/v1/research/"+id+"/report?revision=1", aliceKey, ""); rec.Code != http.StatusOK || rec.Body.String() != "# R\n\nLogs are kept 30 days [1].\n" {
		t.Errorf("revision 1: %d %s", rec.Code, rec.Body)
	}
	rec = h.do("GET", "/v1/research/"+id+"/feedback", aliceKey, "")
	var list FeedbackListResponse
	decode(t, rec, &list)
	if len(list.Reviews) != 1 || list.Reviews[0].ID != out.ID {
		t.Errorf("feedback %+v", list)
	}
}

// A user edited a note after the run: its citation opened empty
// ("passages":[],"passagesAvailable":true) and the web app highlighted
// nothing. The passages the run read are gone: say so.
func TestSourceOfAnEditedNote(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Channels?")
	h.fake.complete(id, completedResult(id)) // source 1 read chunks c1 and c2, no longer stored
	rec := h.do("GET", "/v1/research/"+id+"/sources/1", aliceKey, "")
	var src struct {
		Passages          []Passage `json:"passages"`
		PassagesAvailable bool      `json:"passagesAvailable"`
		Reason            string    `json:"reason"`
	}
	decode(t, rec, &src)
	if rec.Code != 200 || src.PassagesAvailable || len(src.Passages) != 0 || !strings.Contains(src.Reason, "changed") {
		t.Errorf("edited note: %d %s", rec.Code, rec.Body)
	}
}

// A user replaced an uploaded note and disputed its claim: revision 2
// cited the new passage, yet GET /sources/1 read the run's report and said
// the passages were gone. A number resolves to what the latest revision
// cites; "gone" is said only when nothing the run or its revisions cite
// is stored. A number only a revision gives (a correction's new source)
// resolves too, and one a revision no longer lists is still the run's.
func TestSourceOfARevisionCitesItsPassage(t *testing.T) {
	h := newHarness(t, nil)
	h.chunks.chunks["c9"] = memory.Chunk{ID: "c9", Text: "A send happens before the receive completes, always."}
	h.chunks.chunks["c7"] = memory.Chunk{ID: "c7", Text: "Effective Go says to share memory by communicating."}
	id := h.start(aliceKey, "Channels?")
	run := completedResult(id) // source 1 read chunks c1 and c2, no longer stored
	h.fake.complete(id, run)
	rev2 := claims.Revision{Revision: 2, Report: "# R\n\nA send happens before the receive completes, always [1].\n",
		Sources: []rf.Source{{N: 1, SourceID: "s1", Title: "The Go Memory Model", Location: "/doc/go_mem.html", ChunkIDs: []string{"c9", "c1", "c2"}}}}
	rev3 := rev2
	rev3.Revision = 3
	rev3.Sources = append(slices.Clone(rev2.Sources), rf.Source{N: 3, SourceID: "s7", Title: "Effective Go, 2nd", Location: "/doc/eg2.md", ChunkIDs: []string{"c7"}})
	h.fake.mu.Lock()
	h.fake.revisions = map[string][]claims.Revision{id: {rev2, rev3}}
	h.fake.mu.Unlock()
	type sourceJSON struct {
		Title             string    `json:"title"`
		Passages          []Passage `json:"passages"`
		PassagesAvailable bool      `json:"passagesAvailable"`
		Reason            string    `json:"reason"`
	}
	get := func(n string) (int, sourceJSON) {
		rec := h.do("GET", "/v1/research/"+id+"/sources/"+n, aliceKey, "")
		var src sourceJSON
		if rec.Code == http.StatusOK {
			decode(t, rec, &src)
		}
		return rec.Code, src
	}
	if code, src := get("1"); code != 200 || !src.PassagesAvailable || len(src.Passages) != 1 || src.Passages[0].ChunkID != "c9" || src.Reason != "" {
		t.Errorf("source 1 of revision 3: %d %+v, want the passage c9 the correction cites", code, src)
	}
	if code, src := get("3"); code != 200 || src.Title != "Effective Go, 2nd" || len(src.Passages) != 1 || src.Passages[0].ChunkID != "c7" {
		t.Errorf("source 3, first numbered by revision 3: %d %+v", code, src)
	}
	// Source 2 is cited by the run's report only (the revisions dropped it).
	if code, src := get("2"); code != 200 || src.Title != "Effective Go" {
		t.Errorf("source 2 of the run: %d %+v", code, src)
	}
	// The corrected passage deleted too: now nothing cited is stored.
	delete(h.chunks.chunks, "c9")
	if code, src := get("1"); code != 200 || src.PassagesAvailable || len(src.Passages) != 0 || !strings.Contains(src.Reason, "changed") {
		t.Errorf("source 1 with nothing stored: %d %+v", code, src)
	}
}

// A revision that withdrew a sub-question's last claim lists it as a gap:
// the report's JSON shows the revision's gaps, and a revision written
// before revisions kept their gaps shows the run's.
func TestRevisionGapsInJSON(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Channels?")
	run := completedResult(id)
	h.fake.complete(id, run)
	withdrawn := rf.Gap{SubQuestion: "When does a send happen?", Reason: "its claim was withdrawn in re-verification (revision 2): no source states it"}
	rev2 := claims.Revision{Revision: 2, Report: "# R\n\n## Gaps\n\n- **When does a send happen?** — …\n", Sources: []rf.Source{},
		Claims: []rf.Claim{}, Gaps: append(slices.Clone(run.Gaps), withdrawn)}
	old := claims.Revision{Revision: 3, Report: "# R\n", Sources: []rf.Source{}, Claims: []rf.Claim{}}
	h.fake.mu.Lock()
	h.fake.revisions = map[string][]claims.Revision{id: {rev2, old}}
	h.fake.mu.Unlock()
	for rev, want := range map[string][]rf.Gap{"2": rev2.Gaps, "3": run.Gaps, "1": run.Gaps} {
		rec := h.do("GET", "/v1/research/"+id+"/report?revision="+rev, aliceKey, "", "Accept", "application/json")
		var out ReportJSON
		decode(t, rec, &out)
		if !slices.Equal(out.Gaps, want) {
			t.Errorf("revision %s: gaps %+v, want %+v", rev, out.Gaps, want)
		}
	}
}

// listedChunks is fakeChunks that lists documents too (memory.DocumentLister),
// as the embedded and Qdrant stores do.
type listedChunks struct{ *fakeChunks }

func (c listedChunks) Documents(_ context.Context, f memory.Filter) ([]memory.Document, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return memory.Documents(func(yield func(memory.Chunk) bool) {
		for _, ch := range c.chunks {
			if (f.SourceID == "" || ch.SourceID == f.SourceID) && !yield(ch) {
				return
			}
		}
	}), nil
}

// A trial replaced an uploaded note (?replace=true) after the run: GET
// /sources/1 said only that the passages were no longer stored. It says
// the document was replaced, and when; a deleted one, that it was deleted.
func TestSourceOfAReplacedNoteSaysWhen(t *testing.T) {
	h := newHarness(t, nil)
	handler, err := New(h.cfg, Deps{Runs: h.fake, Chunks: listedChunks{h.chunks}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ReadDocument: readAsText})
	if err != nil {
		t.Fatal(err)
	}
	h.h = handler
	id := h.start(aliceKey, "Channels?")
	h.fake.complete(id, completedResult(id)) // source 1 (s1) read chunks c1 and c2, no longer stored
	type sourceJSON struct {
		PassagesAvailable bool       `json:"passagesAvailable"`
		Reason            string     `json:"reason"`
		ReplacedAt        *time.Time `json:"replacedAt"`
	}
	get := func() sourceJSON {
		rec := h.do("GET", "/v1/research/"+id+"/sources/1", aliceKey, "")
		var src sourceJSON
		decode(t, rec, &src)
		return src
	}
	if src := get(); src.PassagesAvailable || src.ReplacedAt != nil || !strings.Contains(src.Reason, "deleted") {
		t.Errorf("deleted note: %+v, want it said deleted", src)
	}
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	h.chunks.mu.Lock()
	h.chunks.chunks["c1-new"] = memory.Chunk{ID: "c1-new", SourceID: "s1", Text: "Backups are kept for 60 days in Dublin.", IngestedAt: at}
	h.chunks.mu.Unlock()
	src := get()
	if src.PassagesAvailable || src.ReplacedAt == nil || !src.ReplacedAt.Equal(at) ||
		!strings.Contains(src.Reason, "replaced") || !strings.Contains(src.Reason, "2026-12-07 09:30 UTC") {
		t.Errorf("replaced note: %+v, want it said replaced at %s", src, at)
	}
}
