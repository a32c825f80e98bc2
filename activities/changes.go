package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/researchflow/researchflow/workflows"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/changes"
)

// RunReader is what Runs needs of Temporal (a client.Client is one).
type RunReader interface {
	ScheduleClient() client.ScheduleClient
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	GetWorkflow(ctx context.Context, workflowID, runID string) client.WorkflowRun
}

var _ RunReader = client.Client(nil)

// Runs serves the workflow pool's own activity: comparing a scheduled run
// with the previous completed run of its schedule. It reads Temporal, so
// it runs where a Temporal client is at hand.
type Runs struct {
	Temporal RunReader
	Logger   *slog.Logger
}

// CompareRuns finds the previous completed run of in.ScheduleID (the most
// recently closed of the schedule's recent runs, other than in.ResearchID,
// that completed with a snapshot) and returns what changed since it, with
// the report section. A schedule with no such run (its first run, or its
// earlier runs all failed) gets a first-run comparison; a schedule that is
// gone is an invalid input.
func (a *Runs) CompareRuns(ctx context.Context, in workflows.CompareRunsInput) (rf.Changes, error) {
	if _, err := (&rf.ScheduleRef{ID: in.ScheduleID}).Normalize(); err != nil {
		return rf.Changes{}, invalid(workflows.ErrInvalidInput, err.Error())
	}
	prevID, prev, since, err := a.previous(ctx, in.ScheduleID, in.FirstRunID)
	if err != nil {
		return rf.Changes{}, err
	}
	var c rf.Changes
	if prevID != "" {
		c = changes.Compare(prev, in.Snapshot, prevID, since)
	}
	c.Markdown = changes.Section(c)
	return c, nil
}

// previous returns the previous completed run of schedule id (other than
// the run whose first run ID is self) with its snapshot and close time (""
// when there is none).
func (a *Runs) previous(ctx context.Context, id, self string) (string, changes.Snapshot, time.Time, error) {
	desc, err := a.Temporal.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return "", changes.Snapshot{}, time.Time{}, invalid(workflows.ErrInvalidInput, fmt.Sprintf("schedule %s is gone", id))
		}
		return "", changes.Snapshot{}, time.Time{}, fmt.Errorf("describe schedule %s: %w", id, err)
	}
	var best string
	var bestClosed time.Time
	var bestSnap changes.Snapshot
	for _, act := range desc.Info.RecentActions {
		run := act.StartWorkflowResult
		if run == nil || run.FirstExecutionRunID == self {
			continue
		}
		d, err := a.Temporal.DescribeWorkflowExecution(ctx, run.WorkflowID, run.FirstExecutionRunID)
		if err != nil {
			var nf *serviceerror.NotFound
			if errors.As(err, &nf) {
				continue // deleted by retention
			}
			return "", changes.Snapshot{}, time.Time{}, fmt.Errorf("describe run %s: %w", run.WorkflowID, err)
		}
		info := d.GetWorkflowExecutionInfo()
		if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			continue
		}
		closed := info.GetCloseTime().AsTime()
		if best != "" && !closed.After(bestClosed) {
			continue
		}
		var res rf.ResearchResult
		if err := a.Temporal.GetWorkflow(ctx, run.WorkflowID, run.FirstExecutionRunID).Get(ctx, &res); err != nil {
			return "", changes.Snapshot{}, time.Time{}, fmt.Errorf("result of run %s: %w", run.WorkflowID, err)
		}
		if len(res.Snapshot) == 0 {
			continue // recorded before snapshots: nothing to compare with
		}
		var snap changes.Snapshot
		if err := json.Unmarshal(res.Snapshot, &snap); err != nil {
			return "", changes.Snapshot{}, time.Time{}, invalid(workflows.ErrInvalidInput, fmt.Sprintf("the snapshot of run %s does not decode: %v", run.WorkflowID, err))
		}
		best, bestClosed, bestSnap = run.WorkflowID, closed, snap
	}
	if best != "" && a.Logger != nil {
		a.Logger.InfoContext(ctx, "what changed: previous run", "schedule", id, "previous", best)
	}
	return best, bestSnap, bestClosed, nil
}
