package workflows

import (
	"log/slog"
	"os"
	"testing"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistory replays a ResearchWorkflow history recorded on
// the embedded server (task replay-record). A change to the workflow that
// would break runs in flight fails here: such a change must go behind
// workflow.GetVersion.
func TestReplayRecordedHistory(t *testing.T) {
	for _, path := range []string{"testdata/research_v1.json", "testdata/research_v1_approval.json"} {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("recorded history missing: %v", err)
		}
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(ResearchWorkflow, workflow.RegisterOptions{Name: rf.ResearchWorkflowType})
		logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err := r.ReplayWorkflowHistoryFromJSONFile(logger, path); err != nil {
			t.Errorf("replay %s: %v", path, err)
		}
	}
}
