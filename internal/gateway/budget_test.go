package gateway

import (
	"net/http"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
)

func TestExtendBudgetAndFinishNow(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Spend wisely")
	rec := h.do("POST", "/v1/research/"+id+"/budget", aliceKey, `{"maxTokens":50000,"maxCostUsd":0.5,"by":"mallory"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("budget: %d %s", rec.Code, rec.Body)
	}
	var br BudgetResponse
	decode(t, rec, &br)
	if br.ID != id || br.Progress.Seq != 7 {
		t.Errorf("answer = %+v, want the run's progress", br)
	}
	u := h.fake.updates[len(h.fake.updates)-1]
	if u.Name != rf.ExtendBudgetUpdate || u.ID != id {
		t.Errorf("update = %+v", u)
	}
	if got := u.Req; got != (rf.BudgetRequest{MaxTokens: 50000, MaxCostUSD: 0.5, By: "alice"}) {
		t.Errorf("extension = %+v, want alice's new limits", got)
	}

	for name, body := range map[string]string{
		"no limit":      `{}`,
		"negative":      `{"maxTokens":-1}`,
		"unknown field": `{"maxTokens":10,"force":true}`,
		"not JSON":      `{"maxTokens":`,
	} {
		if rec := h.do("POST", "/v1/research/"+id+"/budget", aliceKey, body); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	// The run refuses a limit that is not above its use: 409 with its reason.
	h.fake.updateErr = &client.RejectedError{Reason: "maxTokens: 10 is not above the 700 tokens the run has used"}
	if rec := h.do("POST", "/v1/research/"+id+"/budget", aliceKey, `{"maxTokens":10}`); rec.Code != http.StatusConflict ||
		!strings.Contains(rec.Body.String(), "budget_refused") || !strings.Contains(rec.Body.String(), "not above") {
		t.Errorf("refused extension: %d %s", rec.Code, rec.Body)
	}
	h.fake.updateErr = nil

	rec = h.do("POST", "/v1/research/"+id+"/finish", aliceKey, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("finish: %d %s", rec.Code, rec.Body)
	}
	u = h.fake.updates[len(h.fake.updates)-1]
	if u.Name != rf.FinishNowUpdate || u.Req.By != "alice" {
		t.Errorf("finish update = %+v", u)
	}
	// Another owner's run is not found; a closed run is a conflict.
	if rec := h.do("POST", "/v1/research/"+id+"/finish", bobKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("bob finishes alice's run: %d", rec.Code)
	}
	h.fake.complete(id, completedResult(id))
	if rec := h.do("POST", "/v1/research/"+id+"/budget", aliceKey, `{"maxTokens":10}`); rec.Code != http.StatusConflict {
		t.Errorf("extend a closed run: %d", rec.Code)
	}
}

// Every action on a run that has ended says how and when it ended and what
// was not done, as the starter does (client.ClosedError): a trial's
// `starter finish` on a completed run said only "the run is not running",
// and the API "the run is completed; its budget can no longer change".
// A run that ends between the gateway's look and the request says the same.
func TestActionsOnAnEndedRunSayHowItEnded(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Spend wisely")
	h.fake.complete(id, completedResult(id))
	ended := `run \"` + id + `\" is already completed (it ended `
	for _, tt := range []struct{ path, body, code, action string }{
		{"/finish", "", "run_closed", "finished"},
		{"/budget", `{"maxTokens":50000}`, "run_closed", "given more budget"},
		{"/cancel", "", "not_running", "cancelled"},
		{"/approve", `{"approved":true}`, "not_awaiting_approval", "approved"},
		{"/estimate", `{"subQuestions":["Where?"]}`, "not_awaiting_approval", "priced"},
	} {
		rec := h.do("POST", "/v1/research/"+id+tt.path, aliceKey, tt.body)
		body := rec.Body.String()
		if rec.Code != http.StatusConflict || !strings.Contains(body, `"code":"`+tt.code+`"`) || !strings.Contains(body, ended) || !strings.Contains(body, "so it cannot be "+tt.action) {
			t.Errorf("%s on a completed run: %d %s, want 409 %s saying %s… and that it cannot be %s", tt.path, rec.Code, body, tt.code, ended, tt.action)
		}
	}
	// Ended between the look and the update: the client's error says it.
	h2 := newHarness(t, nil)
	id2 := h2.start(aliceKey, "Spend wisely")
	h2.fake.updateErr = client.Closed(client.Info{ID: id2, Status: rf.StatusFailed}, "finished")
	rec := h2.do("POST", "/v1/research/"+id2+"/finish", aliceKey, "")
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `has already failed, so it cannot be finished`) {
		t.Errorf("finish of a run that failed meanwhile: %d %s", rec.Code, rec.Body)
	}
}
