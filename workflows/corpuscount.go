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

// corpusCountGoDocsChange is the workflow.GetVersion change ID under which
// CorpusCountWorkflow counts the Go documentation; a history recorded
// before it refused the corpus, and replays so.
const corpusCountGoDocsChange = "corpus-count-go-docs"

// CorpusCountWorkflow returns how many chunks the corpus holds (0 for one
// nothing filled). The Go documentation is counted too, for `starter
// corpora` (0 until the first research run on it reads it: a run on it
// goes either way, so no check asks); workers before this refused it.
func CorpusCountWorkflow(ctx workflow.Context, in CorpusCountInput) (int, error) {
	if in.Corpus == "" {
		return 0, temporal.NewNonRetryableApplicationError("corpus count: name a corpus", ErrInvalidInput, nil)
	}
	if in.Corpus == rf.DefaultCorpus && workflow.GetVersion(ctx, corpusCountGoDocsChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return 0, temporal.NewNonRetryableApplicationError("corpus count: want a corpus other than "+rf.DefaultCorpus, ErrInvalidInput, nil)
	}
	var n int
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, countOptions()), CountCorpusActivity, in.Corpus).Get(ctx, &n)
	return n, err
}
