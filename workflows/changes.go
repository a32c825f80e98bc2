package workflows

import (
	"encoding/json"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/changes"
)

// whatChangedChange is the workflow.GetVersion change ID of the
// what-changed comparison of scheduled runs.
const whatChangedChange = "what-changed"

// compareOptions: the comparison reads Temporal from the workflow pool's
// own workers. A comparison that cannot be made in five minutes is given
// up: the report goes out without it and says so in the audit.
func compareOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:              rf.TaskQueueWorkflow,
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			NonRetryableErrorTypes: []string{ErrInvalidInput},
		},
	}
}

// scheduleID is the ID of the run's schedule ("" for a run started by hand).
func (r *research) scheduleID() string {
	if r.in.Schedule == nil {
		return ""
	}
	return r.in.Schedule.ID
}

// prunes says whether preparing the corpus drops documents gone from its
// folder: a scheduled run researches the folder as it is now.
func (r *research) prunes() bool { return r.in.Schedule != nil && r.in.CorpusPath != "" }

// muted says whether an event of type typ stays in the run's record
// without being published: a schedule that notifies on change publishes
// only research.changed and failures; one that never notifies, nothing.
func (r *research) muted(typ string) bool {
	s := r.in.Schedule
	switch {
	case s == nil || s.Notify == rf.NotifyAlways:
		return false
	case s.Notify == rf.NotifyNever:
		return true
	}
	// A budget pause asks for a decision: it is never muted but by "never".
	return typ != rf.EventChanged && typ != rf.EventFailed && typ != rf.EventBudgetExhausted
}

// notifiesReport says whether the report goes to the notification
// channels: not when the run's schedule says never, nor on_change with
// nothing changed (the report is stored and returned all the same).
func (r *research) notifiesReport(ctx workflow.Context) bool {
	if r.muted(rf.EventReportReady) && !(r.in.Schedule.Notify == rf.NotifyOnChange && r.changed()) {
		workflow.GetLogger(ctx).Info("report not delivered: its schedule notifies "+r.in.Schedule.Notify, "schedule", r.in.Schedule.ID)
		return false
	}
	return true
}

// changed says whether the comparison found something changed (a first run
// has nothing to compare with, which is no change to notify).
func (r *research) changed() bool {
	return r.changes != nil && r.changes.PreviousRun != "" && !r.changes.Empty()
}

// whatChanged compares a scheduled run with its schedule's previous
// completed run, records the changes (result, audit, research.changed) and
// returns the report with the "What changed since <date>" section at its
// top. A comparison that fails leaves the report as it is.
func (r *research) whatChanged(ctx workflow.Context, markdown string, sources []rf.Source) string {
	if r.in.Schedule == nil || r.version(ctx, whatChangedChange) < 1 {
		return markdown
	}
	snap := r.snapshot(sources)
	// The result carries the snapshot as an opaque value; encoding these
	// strings cannot fail, but a run that could not save it only loses the
	// next run's comparison.
	if b, err := encodeSnapshot(snap); err != nil {
		workflow.GetLogger(ctx).Warn("what changed: snapshot not saved", "error", err)
	} else {
		r.snap = b
	}
	var ch rf.Changes
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, compareOptions()), CompareRunsActivity,
		CompareRunsInput{ScheduleID: r.in.Schedule.ID, ResearchID: r.id, FirstRunID: workflow.GetInfo(ctx).FirstRunID, Snapshot: snap},
	).Get(ctx, &ch); err != nil {
		workflow.GetLogger(ctx).Warn("what changed: comparison failed", "error", err)
		r.decide(ctx, DecisionWhatChanged, "", "not compared with the schedule's previous run: "+errorMessage(err))
		return markdown
	}
	r.changes = &ch
	r.decide(ctx, DecisionWhatChanged, "", ch.Summary())
	if r.changed() {
		r.emit(ctx, rf.EventChanged, rf.EventData{Question: r.in.Question, Changes: ch.Brief(r.in.Schedule.ID)})
	}
	return changes.Insert(markdown, ch.Markdown)
}

// snapshot is what the next run of the schedule compares with: the
// findings of every answered sub-question, the report's sources and every
// source retrieval found.
func (r *research) snapshot(sources []rf.Source) changes.Snapshot {
	var s changes.Snapshot
	for _, sq := range r.st.SubQuestions {
		for _, id := range sq.Retrieved.SourceIDs {
			s.Retrieved = appendNew(s.Retrieved, id)
		}
		if sq.Analysis == nil {
			continue
		}
		for _, f := range sq.Analysis.Analysis.Findings {
			s.Findings = append(s.Findings, rf.SnapshotFinding{
				Key: changes.FindingKey(sq.SubQuestion.Text, f.Text), SubQuestion: sq.SubQuestion.Text,
				Text: f.Text, SourceID: f.SourceID,
			})
		}
	}
	for _, src := range sources {
		s.Sources = append(s.Sources, rf.SnapshotSource{SourceID: src.SourceID, Title: src.Title, Location: src.Location, URL: src.URL, Link: src.Link, N: src.N})
	}
	return s
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// encodeSnapshot is the snapshot as the result carries it. encoding/json is
// deterministic on it (structs, slices and strings; it caches types, which
// workflowcheck cannot tell from non-determinism; see ResearchState.encode).
//
//workflowcheck:ignore
func encodeSnapshot(snap changes.Snapshot) (json.RawMessage, error) {
	return json.Marshal(snap)
}
