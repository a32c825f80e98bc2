package gateway

import (
	"strings"
	"testing"
)

// Runs and ingestions started through the gateway read in the Temporal
// Web UI's list by their question or corpus (StaticSummary), with the
// owner, corpus and sources in their details.
func TestTemporalUISummaries(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.do("POST", "/v1/research", aliceKey, `{"question":"How do goroutines communicate?","sources":["corpus","arxiv"]}`)
	var out CreateResearchResponse
	decode(t, rec, &out)
	w := h.fake.get(out.ID)
	if w.opts.StaticSummary != "How do goroutines communicate?" {
		t.Errorf("summary = %q, want the question", w.opts.StaticSummary)
	}
	for _, want := range []string{"**Owner:** alice", "**Corpus:** go-docs", "**Sources:** corpus, arxiv"} {
		if !strings.Contains(w.opts.StaticDetails, want) {
			t.Errorf("details %q lack %q", w.opts.StaticDetails, want)
		}
	}
	rec = h.upload(aliceKey, "notes", map[string]string{"a.md": "# A\n"})
	var up UploadResponse
	decode(t, rec, &up)
	if got := h.fake.get(up.ID).opts.StaticSummary; got != "Ingest into corpus notes" {
		t.Errorf("ingestion summary = %q", got)
	}
}
