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
	prev, err := a.previous(ctx, in.ScheduleID, in.FirstRunID)
	if err != nil {
		return rf.Changes{}, err
	}
	var c rf.Changes
	if prev.id != "" {
		c = changes.Compare(prev.snap, in.Snapshot, prev.id, prev.since)
		if prev.revision > 1 {
			c.PreviousRevision, c.PreviousRevisedBy = prev.revision, prev.revisedBy
		}
	}
	c.Markdown = changes.Section(c)
	return c, nil
}

// previousRun is the run a scheduled run is compared with: its ID and
// close time, its snapshot as the latest revision read of its report
// states it, that revision's number and the outcomes of the disputes that
// wrote it, oldest first.
type previousRun struct {
	id        string
	since     time.Time
	snap      changes.Snapshot
	revision  int
	revisedBy []string
}

// previous returns the previous completed run of schedule id (other than
// the run whose first run ID is self), as the latest revision of its
// report states it (revised); its id is "" when there is none.
func (a *Runs) previous(ctx context.Context, id, self string) (previousRun, error) {
	desc, err := a.Temporal.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return previousRun{}, invalid(workflows.ErrInvalidInput, fmt.Sprintf("schedule %s is gone", id))
		}
		return previousRun{}, fmt.Errorf("describe schedule %s: %w", id, err)
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
			return previousRun{}, fmt.Errorf("describe run %s: %w", run.WorkflowID, err)
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
			return previousRun{}, fmt.Errorf("result of run %s: %w", run.WorkflowID, err)
		}
		if len(res.Snapshot) == 0 {
			continue // recorded before snapshots: nothing to compare with
		}
		var snap changes.Snapshot
		if err := json.Unmarshal(res.Snapshot, &snap); err != nil {
			return previousRun{}, invalid(workflows.ErrInvalidInput, fmt.Sprintf("the snapshot of run %s does not decode: %v", run.WorkflowID, err))
		}
		best, bestClosed, bestSnap, bestRes = run.WorkflowID, closed, snap, res
	}
	if best == "" {
		return previousRun{}, nil
	}
	prev := previousRun{id: best, since: bestClosed, snap: bestSnap, revision: 1}
	if err := a.revised(ctx, &prev, bestRes); err != nil {
		return previousRun{}, err
	}
	if a.Logger != nil {
		a.Logger.InfoContext(ctx, "what changed: previous run", "schedule", id, "previous", best, "revision", prev.revision)
	}
	return prev, nil
}

// maxRevisions bounds the report revisions read of one run (the client's
// bound).
const maxRevisions = 1000

// revised brings prev, the run whose result is res, to the latest
// revision of its report: each dispute that wrote a revision
// (rfclaims.RevisionWorkflowID(id, 2), 3, … until one was never started)
// is applied in turn to its snapshot (changes.Revise), so that a withdrawn
// claim's findings are not compared with and a corrected one's are
// compared as corrected, and prev records the revision and the dispute's
// outcome. A dispute that failed wrote nothing and is passed over (the
// next one revised the revision before it); one still running, or whose
// result cannot be read, ends the reading: the run is compared with the
// last revision read, which is logged. Temporal that cannot be reached is
// an error (retried).
func (a *Runs) revised(ctx context.Context, prev *previousRun, res rf.ResearchResult) error {
	log := activity.GetLogger(ctx)
	id := prev.id
	base := rfclaims.Revision{Revision: 1, Title: res.Title, Report: res.Report, Claims: res.Claims, Sources: res.Sources}
	for n := 2; n < maxRevisions; n++ {
		wid := rfclaims.RevisionWorkflowID(id, n)
		d, err := a.Temporal.DescribeWorkflowExecution(ctx, wid, "")
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
			return nil
		case err != nil:
			return fmt.Errorf("describe revision %d of %s: %w", n, id, err)
		}
		switch st := d.GetWorkflowExecutionInfo().GetStatus(); st {
		case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
			log.Warn("what changed: a revision is still being written; comparing with the one before",
				"research", id, "revision", n, "compared", base.Revision)
			return nil
		default:
			continue // the dispute failed: it wrote nothing
		}
		var rv rfclaims.Review
		err = a.Temporal.GetWorkflow(ctx, wid, "").Get(ctx, &rv)
		var svc serviceerror.ServiceError
		switch {
		case errors.As(err, &nf):
			log.Warn("what changed: a revision is gone; comparing with the one before", "research", id, "revision", n, "compared", base.Revision)
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("read revision %d of %s: %w", n, id, ctx.Err())
		case errors.As(err, &svc):
			return fmt.Errorf("read revision %d of %s: %w", n, id, err)
		case err != nil:
			log.Warn("what changed: a revision cannot be read; comparing with the one before",
				"research", id, "revision", n, "compared", base.Revision, "error", err)
			return nil
		case rv.Report == nil:
			continue // a dispute that wrote nothing
		}
		next, stated := changes.Revise(prev.snap, rv.Check, base, *rv.Report)
		if !stated && rv.Check.Outcome != rfclaims.OutcomeKept {
			log.Warn("what changed: no finding of the run states a revised claim; its findings are compared as they were",
				"research", id, "revision", n, "claim", rv.Check.ClaimID, "outcome", rv.Check.Outcome)
		}
		prev.snap, base = next, *rv.Report
		prev.revision, prev.revisedBy = base.Revision, append(prev.revisedBy, rv.Check.Outcome)
	}
	return nil
}
