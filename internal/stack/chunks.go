package stack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"go.temporal.io/sdk/client"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/corpora"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/workflows"
)

// countWait bounds how long a count by the search workers may take: a
// client whose count does not come back (workers of an older version,
// which know no CorpusCountWorkflow, or none running) goes on without it.
const countWait = 10 * time.Second

// Chunks counts the chunks of a corpus for a command that checks one
// before a run (corpora.CheckResearchable): the memory this process holds
// when it runs the pools itself, else the search workers' count
// (workflows.CorpusCountWorkflow), so that an embedded and an attached
// command answer alike.
func (s *Stack) Chunks() corpora.Counter {
	if s.Store != nil {
		return s.Store
	}
	return workerCount{c: s.Client}
}

// workerCount counts through the search workers.
type workerCount struct{ c client.Client }

// Count counts the chunks of f.Corpus; f's other fields are refused (the
// workers count whole corpora only).
func (w workerCount) Count(ctx context.Context, f memory.Filter) (int, error) {
	if f.SourceID != "" || len(f.SourceIDs) > 0 || f.DocHash != "" || len(f.ExcludeSourceIDs) > 0 {
		return 0, errors.New("the search workers count whole corpora only")
	}
	ctx, cancel := context.WithTimeout(ctx, countWait)
	defer cancel()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	run, err := w.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       "corpus-count-" + hex.EncodeToString(b),
		TaskQueue:                rf.TaskQueueWorkflow,
		WorkflowExecutionTimeout: countWait,
	}, workflows.CorpusCountWorkflowType, workflows.CorpusCountInput{Corpus: f.Corpus})
	if err != nil {
		return 0, err
	}
	var n int
	err = run.Get(ctx, &n)
	return n, err
}
