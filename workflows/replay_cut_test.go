package workflows

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	rf "github.com/researchflow/researchflow"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// A run in flight when a worker with this code takes over replays what the
// previous code recorded up to its last workflow task: every recorded
// history, cut after each of its workflow task starts, replays without a
// non-determinism error.
func TestReplayRecordedHistoryCutAtEachTask(t *testing.T) {
	paths, err := filepath.Glob("testdata/research_*.json")
	if err != nil {
		t.Fatal(err)
	}
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	for _, path := range paths {
		h, id := readHistory(t, path)
		cuts := 0
		for i, ev := range h.Events {
			if ev.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED || i < 2 {
				continue
			}
			cuts++
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(ResearchWorkflow, workflow.RegisterOptions{Name: rf.ResearchWorkflowType})
			cut := &historypb.History{Events: h.Events[:i+1]}
			if err := r.ReplayWorkflowHistoryWithOptions(logger, cut, worker.ReplayWorkflowHistoryOptions{
				OriginalExecution: workflow.Execution{ID: id},
			}); err != nil {
				t.Errorf("replay %s cut after event %d: %v", path, ev.GetEventId(), err)
			}
		}
		if cuts < 2 {
			t.Errorf("%s: %d workflow tasks", path, cuts)
		}
	}
}
