package workflows

import (
	"slices"
	"testing"

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
