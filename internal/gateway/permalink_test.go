package gateway

import (
	"net/http"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
)

// A run's permalink /runs/{id} serves the web app (which opens the run),
// so a reload or a shared link lands on the run; other paths stay 404.
func TestRunPermalinkServesTheApp(t *testing.T) {
	h := newHarness(t, nil)
	for _, path := range []string{"/runs/research-0b5c", "/runs/research-0b5c/"} {
		rec := h.do("GET", path, "", "")
		if path == "/runs/research-0b5c/" {
			// gin redirects the trailing slash to the permalink itself.
			if rec.Code != http.StatusMovedPermanently && rec.Code != http.StatusOK {
				t.Errorf("GET %s: %d", path, rec.Code)
			}
			continue
		}
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(rec.Body.String(), `src="/assets/app.js"`) {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if rec := h.do("GET", "/runs/a/b", "", ""); rec.Code != http.StatusNotFound {
		t.Errorf("GET /runs/a/b: %d, want 404", rec.Code)
	}
}

// DELETE /v1/research/{id} removes a closed run of the caller (it leaves
// the list), refuses a running one with the fix, and another owner's run
// is 404.
func TestDeleteResearch(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What does the Go memory model guarantee?")
	if rec := h.do("DELETE", "/v1/research/"+id, aliceKey, ""); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "cancel it first") {
		t.Errorf("deleting a running run: %d %s", rec.Code, rec.Body)
	}
	h.fake.mu.Lock()
	h.fake.wfs[id].closeLocked(&rf.ResearchResult{Report: "# R\n"}, nil, rf.StatusCompleted)
	h.fake.mu.Unlock()
	if rec := h.do("DELETE", "/v1/research/"+id, bobKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("bob deletes alice's run: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("DELETE", "/v1/research/"+id, aliceKey, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("alice deletes her finished run: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("GET", "/v1/research/"+id, aliceKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("GET after delete: %d", rec.Code)
	}
	if rec := h.do("GET", "/v1/research", aliceKey, ""); strings.Contains(rec.Body.String(), id) {
		t.Errorf("the list still shows the deleted run: %s", rec.Body)
	}
	if rec := h.do("DELETE", "/v1/research/"+id, aliceKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("deleting it again: %d", rec.Code)
	}
}
