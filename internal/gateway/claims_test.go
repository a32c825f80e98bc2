package gateway

import (
	"net/http"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
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
