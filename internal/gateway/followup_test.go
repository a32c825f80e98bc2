package gateway

import (
	"net/http"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
)

// Follow-ups follow the rules of runs: only the owner asks and reads the
// thread (others get 404), only a completed run is asked (409), bad input
// is a 400, and the follow-up started carries the run's ID, the owner and
// the question.
func TestFollowUpRules(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What is the log retention policy?")
	body := `{"question":"How long are audit logs kept?"}`
	rec := h.do("POST", "/v1/research/"+id+"/followups", aliceKey, body)
	if rec.Code != http.StatusConflict || errorCode(t, rec) != "not_finished" {
		t.Fatalf("follow-up of a running run: %d %s", rec.Code, rec.Body)
	}
	h.fake.complete(id, rf.ResearchResult{ResearchID: id, Title: "R"})
	starts := h.fake.starts
	for _, path := range []string{"/followups", "/thread"} {
		method := "POST"
		if path == "/thread" {
			method = "GET"
		}
		if rec := h.do(method, "/v1/research/"+id+path, bobKey, body); rec.Code != http.StatusNotFound {
			t.Errorf("%s %s as another owner: %d %s", method, path, rec.Code, rec.Body)
		}
	}
	for _, bad := range []string{`{"question":"?"}`, `{"question":"ok then","maxTokens":-1}`, `{"question":`} {
		if rec := h.do("POST", "/v1/research/"+id+"/followups", aliceKey, bad); rec.Code != http.StatusBadRequest {
			t.Errorf("body %s: %d %s, want 400", bad, rec.Code, rec.Body)
		}
	}
	if h.fake.starts != starts {
		t.Fatalf("refused requests started %d workflows", h.fake.starts-starts)
	}
	rec = h.do("POST", "/v1/research/"+id+"/followups", aliceKey, body, "Idempotency-Key", "fu-1")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("follow-up: %d %s", rec.Code, rec.Body)
	}
	var out FollowUpResponse
	decode(t, rec, &out)
	if out.ResearchID != id || !strings.HasPrefix(out.ID, id+"-followup-") || out.Thread != "/v1/research/"+id+"/thread" {
		t.Errorf("response %+v", out)
	}
	w := h.fake.get(out.ID)
	in, ok := w.input.(rf.FollowUpInput)
	if w.typ != rf.ResearchFollowUpWorkflowType || !ok || in.ResearchID != id || in.Owner != "alice" || in.Question != "How long are audit logs kept?" {
		t.Errorf("started %s with %+v", w.typ, w.input)
	}
	if w.followUpOf != id || w.owner != "alice" {
		t.Errorf("follow-up of %q by %q, want of %s by alice", w.followUpOf, w.owner, id)
	}
	// The same Idempotency-Key is the same follow-up.
	rec = h.do("POST", "/v1/research/"+id+"/followups", aliceKey, body, "Idempotency-Key", "fu-1")
	var again FollowUpResponse
	decode(t, rec, &again)
	if again.ID != out.ID {
		t.Errorf("retried request started %s, first %s", again.ID, out.ID)
	}
	// The thread is listed by run and owner: bob's key sees none of it.
	rec = h.do("GET", "/v1/research/"+id+"/thread", aliceKey, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), out.ID) {
		t.Fatalf("thread: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("GET", "/v1/research/"+id+"/thread", bobKey, ""); strings.Contains(rec.Body.String(), out.ID) {
		t.Errorf("bob's thread of alice's run: %d %s", rec.Code, rec.Body)
	}
}
