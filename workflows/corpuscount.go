package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
)

// CorpusCountWorkflowType counts the chunks of a corpus on the search
// workers, for a client that holds no memory of its own: the starter
// attached to a running stack refuses a run on a corpus with no documents
// before starting it, as the gateway does (internal/corpora). Its input is
// a CorpusCountInput, its result the count:
//
//	temporal workflow execute --task-queue research-workflow --type CorpusCount --input '{"corpus":"notes"}'
const CorpusCountWorkflowType = "CorpusCount"

// CorpusCountInput names the corpus to count, as stored (rf.ScopedCorpus).
type CorpusCountInput struct {
	Corpus string `json:"corpus"`
}

// CorpusCountWorkflow returns how many chunks the corpus holds (0 for one
// nothing filled). The Go documentation is not counted: it is built on
// first use, so no count says whether a run on it can go.
func CorpusCountWorkflow(ctx workflow.Context, in CorpusCountInput) (int, error) {
	if in.Corpus == "" || in.Corpus == rf.DefaultCorpus {
		return 0, temporal.NewNonRetryableApplicationError("corpus count: want a corpus other than "+rf.DefaultCorpus, ErrInvalidInput, nil)
	}
	var n int
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, countOptions()), CountCorpusActivity, in.Corpus).Get(ctx, &n)
	return n, err
}
