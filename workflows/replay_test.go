package workflows

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/changes"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"

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
		"testdata/research_v2_events.json", "testdata/research_v2_events_approval.json",
		"testdata/research_v3.json", "testdata/research_v3_approval.json", "testdata/research_v4_scheduled.json",
		"testdata/research_v5.json", "testdata/research_v5_approval.json", "testdata/research_v5_scheduled.json", "testdata/research_v5_budget.json",
		"testdata/research_v6.json", "testdata/research_v6_approval.json", "testdata/research_v6_scheduled.json", "testdata/research_v6_budget.json",
		"testdata/research_v7.json", "testdata/research_v7_approval.json", "testdata/research_v7_scheduled.json", "testdata/research_v7_budget.json"} {
		if !slices.Contains(paths, want) {
			t.Errorf("recorded history %s is missing", want)
		}
	}
	for _, path := range paths {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(ResearchWorkflow, workflow.RegisterOptions{Name: rf.ResearchWorkflowType})
		logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		h, id := readHistory(t, path)
		// The run's own workflow ID: runs with a delivery workflow name it
		// after the run (a replay under another ID would name another).
		if err := r.ReplayWorkflowHistoryWithOptions(logger, h, worker.ReplayWorkflowHistoryOptions{
			OriginalExecution: workflow.Execution{ID: id},
		}); err != nil {
			t.Errorf("replay %s: %v", path, err)
		}
	}
}

// readHistory reads a recorded history and the run's workflow ID, known
// from the delivery workflow it started ("ReplayId", the replayer's
// default, when it started none).
func readHistory(t *testing.T, path string) (*historypb.History, string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, ev := range h.Events {
		if a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes(); a != nil && a.GetWorkflowType().GetName() == DeliveryWorkflowType {
			return h, strings.TrimSuffix(a.GetWorkflowId(), DeliveryWorkflowID(""))
		}
	}
	return h, "ReplayId"
}

// TestReplayRecordedDeliveryHistory replays every DeliveryWorkflow history
// recorded on the embedded server (task replay-record), one per released
// shape of the delivery workflow.
func TestReplayRecordedDeliveryHistory(t *testing.T) {
	paths, err := filepath.Glob("testdata/delivery_*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"testdata/delivery_v3.json", "testdata/delivery_v6.json"} {
		if !slices.Contains(paths, want) {
			t.Errorf("recorded history %s is missing", want)
		}
	}
	for _, path := range paths {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(DeliveryWorkflow, workflow.RegisterOptions{Name: DeliveryWorkflowType})
		logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err := r.ReplayWorkflowHistoryFromJSONFile(logger, path); err != nil {
			t.Errorf("replay %s: %v", path, err)
		}
	}
}

// TestRecordedResultKeepsItsBytes: a scheduled run's result carries its
// snapshot as an opaque value (rf.ResearchResult.Snapshot) since the
// snapshot types moved to internal/changes. The result recorded before the
// move decodes and encodes to the same bytes, and its snapshot decodes into
// changes.Snapshot and encodes to the same bytes, so the next run of a
// schedule compares with what the previous release saved.
func TestRecordedResultKeepsItsBytes(t *testing.T) {
	h, _ := readHistory(t, "testdata/research_v4_scheduled.json")
	var recorded []byte
	for _, e := range h.GetEvents() {
		if a := e.GetWorkflowExecutionCompletedEventAttributes(); a != nil {
			recorded = a.GetResult().GetPayloads()[0].GetData()
		}
	}
	if len(recorded) == 0 {
		t.Fatal("the recorded history has no result")
	}
	var res rf.ResearchResult
	if err := json.Unmarshal(recorded, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Snapshot) == 0 {
		t.Fatal("the recorded result has no snapshot")
	}
	again, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, recorded) {
		t.Errorf("the result re-encodes to other bytes:\n got %s\nwant %s", again, recorded)
	}
	var snap changes.Snapshot
	if err := json.Unmarshal(res.Snapshot, &snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.Findings) == 0 || len(snap.Sources) == 0 {
		t.Fatalf("recorded snapshot decodes empty: %+v", snap)
	}
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, res.Snapshot) {
		t.Errorf("changes.Snapshot encodes the recorded snapshot to other bytes:\n got %s\nwant %s", b, res.Snapshot)
	}
}
