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
