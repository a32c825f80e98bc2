package workflows

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/researchflow/researchflow/internal/egress"
)

// Every stage that reaches a remote service (ingestion embeds and stores,
// retrieval and search call providers and Qdrant, inference calls models)
// keys its retry policy on the egress kit's kinds: each permanent kind is
// non-retryable, no transient one is.
func TestStagesKeyRetriesOnEgressKinds(t *testing.T) {
	stages := map[string]workflow.ActivityOptions{
		"corpus": corpusOptions(), "retrieve": retrieveOptions(), "searchSource": searchSourceOptions(),
		"inference": inferenceOptions(), "reflect": reflectOptions(), "sink": sinkOptions(), "estimate": estimateOptions(),
	}
	for name, o := range stages {
		if o.RetryPolicy == nil {
			t.Errorf("%s: no retry policy", name)
			continue
		}
		for _, k := range egress.Kinds() {
			listed := slices.Contains(o.RetryPolicy.NonRetryableErrorTypes, k)
			if listed != egress.Permanent(k) {
				t.Errorf("%s: kind %s listed as non-retryable: %v, want %v", name, k, listed, egress.Permanent(k))
			}
		}
	}
}

// summarized names an activity for the Temporal Web UI's timeline, cut
// at summaryLength characters, and keeps the stage's options.
func TestSummarized(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	long := strings.Repeat("é", 300)
	env.ExecuteWorkflow(func(ctx workflow.Context) ([]string, error) {
		base := workflow.WithActivityOptions(ctx, searchSourceOptions())
		a := workflow.GetActivityOptions(summarized(base, "search arxiv: What is a channel?"))
		b := workflow.GetActivityOptions(summarized(base, long))
		if a.StartToCloseTimeout != searchSourceOptions().StartToCloseTimeout {
			return nil, fmt.Errorf("options lost: %v", a.StartToCloseTimeout)
		}
		return []string{a.Summary, b.Summary}, nil
	})
	var got []string
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got[0] != "search arxiv: What is a channel?" || utf8.RuneCountInString(got[1]) != summaryLength || !strings.HasSuffix(got[1], "…") {
		t.Errorf("summaries = %q (%d runes)", got[0], utf8.RuneCountInString(got[1]))
	}
}
