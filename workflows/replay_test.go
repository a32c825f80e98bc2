package workflows

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistory replays every ResearchWorkflow history recorded
// on the embedded server (task replay-record), one or more per released
// workflow shape. A change to the workflow that would break runs in flight
// fails here: such a change must go behind workflow.GetVersion.
func TestReplayRecordedHistory(t *testing.T) {
	paths, err := filepath.Glob("testdata/research_*.json")
	if err != nil {
		t.Fatal(err)
	}
	// The shapes released so far must stay: a deleted fixture is a shape no
	// longer checked.
	for _, want := range []string{"testdata/research_v1.json", "testdata/research_v1_approval.json", "testdata/research_v2_sources.json",
		"testdata/research_v2_events.json", "testdata/research_v2_events_approval.json"} {
		if !slices.Contains(paths, want) {
			t.Errorf("recorded history %s is missing", want)
		}
	}
	for _, path := range paths {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(ResearchWorkflow, workflow.RegisterOptions{Name: rf.ResearchWorkflowType})
		logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err := r.ReplayWorkflowHistoryFromJSONFile(logger, path); err != nil {
			t.Errorf("replay %s: %v", path, err)
		}
	}
}
