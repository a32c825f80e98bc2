package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// CorpusCountWorkflow answers the search workers' count of a corpus, the
// Go documentation's too (`starter corpora` attached to a running stack
// lists it with its passages), and refuses no corpus named without
// running anything.
func TestCorpusCountWorkflow(t *testing.T) {
	for _, tt := range []struct {
		corpus  string
		want    int
		invalid bool
	}{
		{"notes", 7, false},
		{"alice--nosuch", 0, false},
		{rf.DefaultCorpus, 920, false},
		{"", 0, true},
	} {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.SetTestTimeout(10 * time.Second)
		env.RegisterWorkflowWithOptions(CorpusCountWorkflow, workflow.RegisterOptions{Name: CorpusCountWorkflowType})
		var counted []string
		env.RegisterActivityWithOptions(func(_ context.Context, corpus string) (int, error) {
			counted = append(counted, corpus)
			return map[string]int{"notes": 7, rf.DefaultCorpus: 920}[corpus], nil
		}, activity.RegisterOptions{Name: CountCorpusActivity})
		env.ExecuteWorkflow(CorpusCountWorkflowType, CorpusCountInput{Corpus: tt.corpus})
		err := env.GetWorkflowError()
		if tt.invalid {
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.Type() != ErrInvalidInput || len(counted) != 0 {
				t.Errorf("%q: %v, counted %q, want invalid input and no count", tt.corpus, err, counted)
			}
			continue
		}
		var n int
		if err != nil || env.GetWorkflowResult(&n) != nil || n != tt.want || len(counted) != 1 || counted[0] != tt.corpus {
			t.Errorf("%q: %d (%v), counted %q, want %d", tt.corpus, n, err, counted, tt.want)
		}
	}
}

// A history recorded before the Go documentation was counted (no version
// marker) replays its refusal, running nothing.
func TestCorpusCountWorkflowBeforeGoDocsReplaysTheRefusal(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetTestTimeout(10 * time.Second)
	env.RegisterWorkflowWithOptions(CorpusCountWorkflow, workflow.RegisterOptions{Name: CorpusCountWorkflowType})
	counted := 0
	env.RegisterActivityWithOptions(func(context.Context, string) (int, error) { counted++; return 920, nil }, activity.RegisterOptions{Name: CountCorpusActivity})
	env.OnGetVersion(corpusCountGoDocsChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.ExecuteWorkflow(CorpusCountWorkflowType, CorpusCountInput{Corpus: rf.DefaultCorpus})
	var app *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &app) || app.Type() != ErrInvalidInput || counted != 0 {
		t.Errorf("old history: %v, %d counts, want the refusal and no count", env.GetWorkflowError(), counted)
	}
}
