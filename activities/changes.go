package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"go.temporal.io/sdk/activity"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	rf "github.com/researchflow/researchflow"
	rfclaims "github.com/researchflow/researchflow/claims"
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
// the run whose first run ID is self) with its snapshot, as the latest
// revision of its report states it (revised), and its close time (""
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
	var bestRes rf.ResearchResult
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
		best, bestClosed, bestSnap, bestRes = run.WorkflowID, closed, snap, res
	}
	if best == "" {
		return "", changes.Snapshot{}, time.Time{}, nil
	}
	snap, rev, err := a.revised(ctx, best, bestRes, bestSnap)
	if err != nil {
		return "", changes.Snapshot{}, time.Time{}, err
	}
	if a.Logger != nil {
		a.Logger.InfoContext(ctx, "what changed: previous run", "schedule", id, "previous", best, "revision", rev)
	}
	return best, snap, bestClosed, nil
}

// maxRevisions bounds the report revisions read of one run (the client's
// bound).
const maxRevisions = 1000

// revised is snap, the snapshot of run id (whose result is res), as the
// latest revision of its report states it: each dispute that wrote a
// revision (rfclaims.RevisionWorkflowID(id, 2), 3, … until one was never
// started) is applied in turn (changes.Revise), so that a withdrawn claim's
// findings are not compared with and a corrected one's are compared as
// corrected. A dispute that failed wrote nothing and is passed over (the
// next one revised the revision before it); one still running, or whose
// result cannot be read, ends the reading: the run is compared with the
// last revision read, which is logged. It returns that revision's number.
// Temporal that cannot be reached is an error (retried).
func (a *Runs) revised(ctx context.Context, id string, res rf.ResearchResult, snap changes.Snapshot) (changes.Snapshot, int, error) {
	log := activity.GetLogger(ctx)
	base := rfclaims.Revision{Revision: 1, Title: res.Title, Report: res.Report, Claims: res.Claims, Sources: res.Sources}
	for n := 2; n < maxRevisions; n++ {
		wid := rfclaims.RevisionWorkflowID(id, n)
		d, err := a.Temporal.DescribeWorkflowExecution(ctx, wid, "")
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
			return snap, base.Revision, nil
		case err != nil:
			return changes.Snapshot{}, 0, fmt.Errorf("describe revision %d of %s: %w", n, id, err)
		}
		switch st := d.GetWorkflowExecutionInfo().GetStatus(); st {
		case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
			log.Warn("what changed: a revision is still being written; comparing with the one before",
				"research", id, "revision", n, "compared", base.Revision)
			return snap, base.Revision, nil
		default:
			continue // the dispute failed: it wrote nothing
		}
		var rv rfclaims.Review
		err = a.Temporal.GetWorkflow(ctx, wid, "").Get(ctx, &rv)
		var svc serviceerror.ServiceError
		switch {
		case errors.As(err, &nf):
			log.Warn("what changed: a revision is gone; comparing with the one before", "research", id, "revision", n, "compared", base.Revision)
			return snap, base.Revision, nil
		case ctx.Err() != nil:
			return changes.Snapshot{}, 0, fmt.Errorf("read revision %d of %s: %w", n, id, ctx.Err())
		case errors.As(err, &svc):
			return changes.Snapshot{}, 0, fmt.Errorf("read revision %d of %s: %w", n, id, err)
		case err != nil:
			log.Warn("what changed: a revision cannot be read; comparing with the one before",
				"research", id, "revision", n, "compared", base.Revision, "error", err)
			return snap, base.Revision, nil
		case rv.Report == nil:
			continue // a dispute that wrote nothing
		}
		next, stated := changes.Revise(snap, rv.Check, base, *rv.Report)
		if !stated && rv.Check.Outcome != rfclaims.OutcomeKept {
			log.Warn("what changed: no finding of the run states a revised claim; its findings are compared as they were",
				"research", id, "revision", n, "claim", rv.Check.ClaimID, "outcome", rv.Check.Outcome)
		}
		snap, base = next, *rv.Report
	}
	return snap, base.Revision, nil
}
