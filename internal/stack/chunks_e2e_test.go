package stack

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/corpora"
	"github.com/researchflow/researchflow/internal/memory"
)

// A command attached to a running stack holds no memory: it counts a
// corpus through the search workers (workflows.CorpusCountWorkflow) and
// gets what a command with a stack of its own reads in its memory, so the
// starter refuses a run on a corpus nothing filled in either mode, and
// lets one on a filled corpus start.
func TestAttachedCommandCountsThroughTheWorkers(t *testing.T) {
	endToEnd(t)
	dir := writeCorpus(t)
	name := filepath.Base(dir)
	ingestFolder(t, shared.Client, unique("ingest-count"), rf.IngestInput{Corpus: name, Path: dir})
	attached := &Stack{Client: shared.Client} // as startAttached builds it: no Store
	nosuch := unique("nosuch")
	for _, s := range []*Stack{shared, attached} {
		chunks := s.Chunks()
		ctx := context.Background()
		n, err := chunks.Count(ctx, memory.Filter{Corpus: name})
		if want := countChunks(t, shared.Store, memory.Filter{Corpus: name}); err != nil || n != want || n == 0 {
			t.Errorf("store %v: %s counted %d (%v), want %d", s.Store != nil, name, n, err, want)
		}
		if n, err := chunks.Count(ctx, memory.Filter{Corpus: nosuch}); err != nil || n != 0 {
			t.Errorf("store %v: %s counted %d (%v), want 0", s.Store != nil, nosuch, n, err)
		}
		err = corpora.CheckResearchable(ctx, chunks, rf.ResearchInput{Corpus: nosuch}, nosuch, "")
		var unknown *corpora.NotFoundError
		if !errors.As(err, &unknown) {
			t.Errorf("store %v: a run on %s: %v, want it refused", s.Store != nil, nosuch, err)
		}
		if err := corpora.CheckResearchable(ctx, chunks, rf.ResearchInput{Corpus: name}, name, ""); err != nil {
			t.Errorf("store %v: a run on %s: %v, want it let through", s.Store != nil, name, err)
		}
	}
}
