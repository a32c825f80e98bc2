package gateway

import (
	"encoding/json"
	"net/http"
	"testing"

	rf "github.com/researchflow/researchflow"
)

// errorMessage is the message of an error answer.
func errorMessage(t *testing.T, body []byte) string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("not an error body: %s", body)
	}
	return b.Error.Message
}

// A refusal names the field sent and what is wrong with it: a trial saw
// "approvalTimeoutSeconds: …" for onApprovalTimeout sent alone, `field "":
// wrong type` for a body [] and `field "maxSources": wrong type` for a
// number too big for any field.
func TestRefusalsNameTheFieldAndTheCause(t *testing.T) {
	h := newHarness(t, nil)
	for _, tt := range []struct{ path, body, want string }{
		{"/v1/research", `{"question":"Where is the offsite?","onApprovalTimeout":"cancel"}`,
			"onApprovalTimeout: needs requireApproval: true (only a run that waits for approval has an approval deadline)"},
		{"/v1/research", `{"question":"Where is the offsite?","approvalTimeoutSeconds":60}`,
			"approvalTimeoutSeconds: needs requireApproval: true (only a run that waits for approval has an approval deadline)"},
		{"/v1/research", `[]`, "the body must be a JSON object ({…}), not an array"},
		{"/v1/research", `"What is q?"`, "the body must be a JSON object ({…}), not a string"},
		{"/v1/research", `{"question":"Where is the offsite?","maxSources":99999999999999999999}`,
			"maxSources: 99999999999999999999 is out of range: want 1 to 20 (0 means 18)"},
		{"/v1/research", `{"question":"Where is the offsite?","maxSources":-99999999999999999999}`,
			"maxSources: -99999999999999999999 is out of range: want 1 to 20 (0 means 18)"},
		{"/v1/research", `{"question":"Where is the offsite?","maxTokens":1e30}`,
			"maxTokens: 1e30 is out of range: want 0 (no limit) or a positive number of tokens"},
		{"/v1/research", `{"question":"Where is the offsite?","maxCostUsd":1e400}`,
			"maxCostUsd: 1e400 is out of range: want 0 (no limit) or a positive amount of US dollars up to 1000000"},
		{"/v1/research", `{"question":"Where is the offsite?","maxSources":1.5}`, "maxSources: want a whole number, not 1.5"},
		{"/v1/research", `{"question":"Where is the offsite?","maxSources":"5"}`, "maxSources: want a whole number, not a string"},
		{"/v1/research", `{"question":"Where is the offsite?","depth":1e19}`,
			"depth: 1e19 is out of range: want 0 to 3"},
		// An unknown key is named by its path, as the workflows name it.
		{"/v1/research", `{"question":"Where is the offsite?","colour":"red"}`, `unknown field "colour"`},
		{"/v1/research", `{"question":"Where is the offsite?","notify":{"emails":["a@example.org"]}}`,
			`unknown field "notify.emails"`},
		{"/v1/research", `{"question":"Where is the offsite?","Notify":{"email":[],"mail":1}}`,
			`unknown field "Notify.mail"`},
	} {
		rec := h.do("POST", tt.path, aliceKey, tt.body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", tt.body, rec.Code, rec.Body)
			continue
		}
		if got := errorMessage(t, rec.Body.Bytes()); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.body, got, tt.want)
		}
	}
	if n := len(h.fake.started()); n != 0 {
		t.Errorf("%d runs started from refused bodies", n)
	}
	// A whole number written with an exponent is that number.
	rec := h.do("POST", "/v1/research", aliceKey, `{"question":"Where is the offsite?","maxTokens":6e4,"maxSources":1E1}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("6e4 tokens: %d %s", rec.Code, rec.Body)
	}
	var created CreateResearchResponse
	decode(t, rec, &created)
	if in := h.fake.get(created.ID).input.(rf.ResearchInput); in.MaxTokens != 60000 || in.MaxSources != 10 {
		t.Errorf("maxTokens 6e4, maxSources 1E1 started with %d and %d", in.MaxTokens, in.MaxSources)
	}
	// The budget of a run: the same rule.
	rec = h.do("POST", "/v1/research/"+created.ID+"/budget", aliceKey, `{"maxTokens":1e30}`)
	if got := errorMessage(t, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || got != "maxTokens: 1e30 is out of range: want a positive number of tokens (0 keeps the limit)" {
		t.Errorf("budget 1e30: %d %q", rec.Code, got)
	}
}

// A schedule's body is read by the same rule.
func TestScheduleRefusalsNameTheCause(t *testing.T) {
	h, f := newScheduleHarness(t, nil)
	for _, tt := range []struct{ body, want string }{
		{`{"question":"How are backups kept?","every":"24h","maxSources":99999999999999999999}`,
			"maxSources: 99999999999999999999 is out of range: want 1 to 20 (0 means 18)"},
		{`[]`, "the body must be a JSON object ({…}), not an array"},
		{`{"question":"When is the deploy freeze?","cron":"0 7 30 2 *"}`,
			`cron: "0 7 30 2 *" never runs: no day in the next 5 years has its day of month, month and day of week together (a run needs all three)`},
	} {
		rec := h.do("POST", "/v1/schedules", aliceKey, tt.body)
		if got := errorMessage(t, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || got != tt.want {
			t.Errorf("%s: %d %q, want 400 %q", tt.body, rec.Code, got, tt.want)
		}
	}
	if len(f.specs) != 0 {
		t.Errorf("schedules created from refused bodies: %v", f.specs)
	}
}
