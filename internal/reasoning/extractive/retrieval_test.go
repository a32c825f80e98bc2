package extractive

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/embed"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/embedded"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// retrieved plans q and searches the Go documentation for each
// sub-question as the search activity does on the offline configuration
// (an embedded store with the hashing embedder, 6 passages of 18), and
// returns the passages handed to the analyst.
func retrieved(t *testing.T, q string) []reasoning.Passage {
	t.Helper()
	chunks, _ := goDocs(t)
	ctx := context.Background()
	e := embed.Hashing{}
	st, err := embedded.Open(t.TempDir(), embedded.Options{EmbeddingModel: e.Model(), Dim: e.Dim()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := embed.WithEmbeddings(st, e)
	if err := s.Upsert(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	plan, err := New(Config{}).Plan(ctx, reasoning.PlanRequest{Question: q})
	if err != nil {
		t.Fatal(err)
	}
	var out []reasoning.Passage
	seen := map[string]bool{}
	for _, sq := range plan.SubQuestions {
		hits, err := s.Search(ctx, memory.Query{Text: sq.Text, TopK: 18, Filter: memory.Filter{Corpus: chunks[0].Corpus}})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits[:min(6, len(hits))] {
			if c := h.Chunk; !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, reasoning.Passage{ChunkID: c.ID, SourceID: c.SourceID, Title: c.SourceTitle,
					Location: c.SourceLocation, Section: c.Section, Text: c.Text, Score: h.Score})
			}
		}
	}
	return out
}

// Issue 18: "How do goroutines communicate?" over the Go docs is answered
// from the specification and the memory model's statements about channels,
// not from runtime/metrics, whose every line repeats "goroutines". The
// general cause: "communicate" and "communication" did not share a stem.
func TestGoroutinesCommunicateFromTheDocsOnChannels(t *testing.T) {
	passages := retrieved(t, "How do goroutines communicate?")
	md, cites := research(t, "How do goroutines communicate?", passages)
	if len(cites) == 0 {
		t.Fatalf("nothing cited; report:\n%s", md)
	}
	if b := filepath.Base(cites[0]); b != "go_spec.html" && b != "go_mem.html" {
		t.Errorf("first cited %s, want the spec or the memory model; report:\n%s", cites[0], md)
	}
	for _, c := range cites {
		if strings.Contains(c, filepath.Join("runtime", "metrics")) {
			t.Errorf("cites %s; report:\n%s", c, md)
		}
	}
	if !strings.Contains(strings.ToLower(md), "channel") {
		t.Errorf("the report does not speak of channels:\n%s", md)
	}
}
