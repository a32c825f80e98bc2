package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/changes"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
)

// scheduledRun runs a scheduled research with the fake activities and a
// CompareRuns that answers changes, and returns the result, the compare
// input and the fakes.
func scheduledRun(t *testing.T, notify string, changes rf.Changes) (rf.ResearchResult, CompareRunsInput, *fakeActivities) {
	t.Helper()
	f := &fakeActivities{}
	env := newEnv(t, f)
	var got CompareRunsInput
	env.RegisterActivityWithOptions(func(ctx context.Context, in CompareRunsInput) (rf.Changes, error) {
		f.count("compare")
		got = in
		changes.Markdown = "## What changed since 2026-12-01 07:00 UTC\n\nsomething\n\n"
		return changes, nil
	}, activity.RegisterOptions{Name: CompareRunsActivity})
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?",
		Schedule: &rf.ScheduleRef{ID: "schedule-abc", Notify: notify}})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res rf.ResearchResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res, got, f
}

var someChange = rf.Changes{PreviousRun: "research-schedule-abc-1", Since: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC),
	New: []rf.SnapshotFinding{{Key: "k", SubQuestion: "What is a channel?", Text: "New."}}}

var noChange = rf.Changes{PreviousRun: "research-schedule-abc-1", Since: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)}

func TestScheduledRunReportsWhatChanged(t *testing.T) {
	res, in, f := scheduledRun(t, rf.NotifyOnChange, someChange)
	if in.ScheduleID != "schedule-abc" {
		t.Errorf("compare input %+v", in)
	}
	// The snapshot: one finding per sub-question, keyed by sub-question and
	// text; the report's two sources; every retrieved source.
	if n := len(in.Snapshot.Findings); n != 3 {
		t.Fatalf("snapshot findings %+v", in.Snapshot.Findings)
	}
	if fd := in.Snapshot.Findings[0]; fd.Key != changes.FindingKey("What is a channel?", "Finding for sq1.") || fd.SourceID != "src-shared" {
		t.Errorf("finding %+v", fd)
	}
	if len(in.Snapshot.Sources) != 2 || len(in.Snapshot.Retrieved) != 3 {
		t.Errorf("snapshot sources %+v retrieved %v", in.Snapshot.Sources, in.Snapshot.Retrieved)
	}
	if res.Schedule != "schedule-abc" || res.Changes == nil || res.Snapshot == nil || len(res.Changes.New) != 1 {
		t.Errorf("result schedule %q changes %+v", res.Schedule, res.Changes)
	}
	if !strings.Contains(res.Report, "\n## What changed since 2026-12-01") { // placed by changes.Insert (tested there)
		t.Errorf("the report does not open with what changed:\n%q", res.Report)
	}
	// on_change with a change: research.changed (and no stage event) is
	// delivered, then the report with it.
	got := f.sinkIn[SinkWebhook]
	if types := sinkTypes(f); strings.Join(types, ",") != rf.EventChanged+","+rf.EventReportReady ||
		got[0].Event.Data.Changes == nil || got[0].Event.Data.Changes.New != 1 {
		t.Fatalf("webhook got %v; want %s with its summary, then the report", types, rf.EventChanged)
	}
	if !strings.Contains(got[1].Report, "What changed since") || f.stored.ResearchID == "" {
		t.Errorf("delivered report %q; stored %+v", got[1].Report, f.stored)
	}
}

// sinkTypes lists the types of the events the webhook sink received.
func sinkTypes(f *fakeActivities) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var types []string
	for _, in := range f.sinkIn[SinkWebhook] {
		types = append(types, in.Event.Type)
	}
	return types
}

func TestScheduledRunNotifyModes(t *testing.T) {
	stages := []string{rf.EventPlanReady, rf.EventSearchCompleted, rf.EventAnalysisCompleted}
	tests := []struct {
		notify    string
		changes   rf.Changes
		delivered []string
	}{
		{rf.NotifyOnChange, noChange, nil},
		{rf.NotifyOnChange, rf.Changes{}, nil}, // a first run is no change to notify
		{rf.NotifyNever, someChange, nil},
		{rf.NotifyAlways, noChange, append(stages, rf.EventReportReady)},
		{rf.NotifyAlways, someChange, append(stages, rf.EventChanged, rf.EventReportReady)},
	}
	for _, tt := range tests {
		res, _, f := scheduledRun(t, tt.notify, tt.changes)
		if types := sinkTypes(f); strings.Join(types, ",") != strings.Join(tt.delivered, ",") {
			t.Errorf("%s, %s: delivered %v; want %v", tt.notify, tt.changes.Summary(), types, tt.delivered)
		}
		// Every run's report is stored and returned, delivered or not.
		if f.called("store") != 1 || res.ReportPath == "" || res.Report == "" {
			t.Errorf("%s: stored %d times, path %q", tt.notify, f.called("store"), res.ReportPath)
		}
	}
}

// A comparison that fails leaves the report as written and says so in the
// audit; the run completes.
func TestScheduledRunWithoutComparison(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	env.RegisterActivityWithOptions(func(ctx context.Context, in CompareRunsInput) (rf.Changes, error) {
		return rf.Changes{}, temporal.NewNonRetryableApplicationError("schedule schedule-abc is gone", ErrInvalidInput, nil)
	}, activity.RegisterOptions{Name: CompareRunsActivity})
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?",
		Schedule: &rf.ScheduleRef{ID: "schedule-abc", Notify: rf.NotifyAlways}})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res rf.ResearchResult
	_ = env.GetWorkflowResult(&res)
	if types := sinkTypes(f); res.Changes != nil || strings.Contains(res.Report, "What changed") || len(types) == 0 || types[len(types)-1] != rf.EventReportReady {
		t.Errorf("changes %+v, delivered %v:\n%s", res.Changes, types, res.Report)
	}
	v, err := env.QueryWorkflow(rf.AuditQuery)
	if err != nil {
		t.Fatal(err)
	}
	var a rf.Audit
	if err := v.Get(&a); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range a.Decisions {
		found = found || (d.Kind == DecisionWhatChanged && strings.Contains(d.Detail, "is gone"))
	}
	if !found {
		t.Errorf("decisions %+v", a.Decisions)
	}
}
