package gateway

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCreateResearch checks that no request body makes POST /v1/research
// answer 5xx or panic; its seeds run in every plain go test.
func FuzzCreateResearch(f *testing.F) {
	seeds := []string{
		`{"question":"What does the Go memory model guarantee?"}`,
		`{"question":"abc","maxSubQuestions":6,"maxSources":20,"corpus":"notes","requireApproval":true,"approvalTimeoutSeconds":60,"onApprovalTimeout":"cancel"}`,
		`{"question":"abc","maxSubQuestions":1e400}`,
		`{"question":"abc","maxSources":-9223372036854775808}`,
		`{"question":"\u0000\ud800"}`,
		`{"question":null}`,
		`{"question":["a"]}`,
		`[]`, `null`, `{`, `}`, ``, `{"question":"abc"}garbage`,
		`{"question":"abc","corpus":"go-docs"}`,
		`{"question":"abc","corpus":"../../x"}`,
		`{"question":"abc","owner":"root"}`,
		"{\"question\":\"" + strings.Repeat("é", 2001) + "\"}",
	}
	for _, s := range seeds {
		f.Add(s, "")
	}
	f.Add(`{"question":"idempotent"}`, "key-1")
	h := newHarness(f, nil)
	f.Fuzz(func(t *testing.T, body, idem string) {
		req := httptest.NewRequest("POST", "/v1/research", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+aliceKey)
		if idem != "" {
			req.Header.Set("Idempotency-Key", idem)
		}
		rec := httptest.NewRecorder()
		h.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("body %q: status %d %s", body, rec.Code, rec.Body)
		}
		if rec.Code != 202 && errorCode(t, rec) == "" {
			t.Fatalf("body %q: %d without an error code", body, rec.Code)
		}
	})
}
