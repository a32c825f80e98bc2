package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
)

// Errors of claim feedback.
var (
	// ErrRevisionNotReady: the revision asked for is still being written.
	ErrRevisionNotReady = errors.New("the revision is still being written")
	// ErrClaimNotFound: the latest revision of the report has no such claim.
	ErrClaimNotFound = errors.New("the report has no such claim")
	// ErrRunNotCompleted: feedback is on the claims of a completed run.
	ErrRunNotCompleted = errors.New("the run has not completed")
)

// maxRevisions bounds the revisions of one report.
const maxRevisions = 1000

// RevisionInfo is one revision of a report past the first: its number and
// how its dispute stands.
type RevisionInfo struct {
	Revision int    `json:"revision"`
	ID       string `json:"id"`
	Status   string `json:"status"`
}

// Revisions lists the revisions of run researchID's report written (or
// being written) by disputes, oldest first. It asks for each by workflow ID,
// so a dispute started a moment ago is listed.
func (c *Client) Revisions(ctx context.Context, researchID string) ([]RevisionInfo, error) {
	var out []RevisionInfo
	for n := 2; n < maxRevisions; n++ {
		id := claims.RevisionWorkflowID(researchID, n)
		info, err := c.describe(ctx, id, "")
		if IsNotFound(err) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, RevisionInfo{Revision: n, ID: id, Status: c.toInfo(info).Status})
	}
	return out, nil
}

// Revision returns revision n of run researchID's report: revision 1 from
// the run's result, a later one from its dispute. A revision being written
// is ErrRevisionNotReady; one never written (or whose dispute failed)
// ErrNotFound.
func (c *Client) Revision(ctx context.Context, researchID string, n int) (claims.Revision, error) {
	if n <= 1 {
		res, err := c.Result(ctx, researchID)
		if err != nil {
			return claims.Revision{}, err
		}
		return claims.Revision{Revision: 1, Title: res.Title, Confidence: res.Confidence, Report: res.Report, Claims: res.Claims,
			Sources: res.Sources, Gaps: res.Gaps}, nil
	}
	id := claims.RevisionWorkflowID(researchID, n)
	info, err := c.describe(ctx, id, "")
	if err != nil {
		return claims.Revision{}, fmt.Errorf("revision %d of %s: %w", n, researchID, err)
	}
	if in := c.toInfo(info); !in.Closed {
		return claims.Revision{}, fmt.Errorf("revision %d of %s: %w", n, researchID, ErrRevisionNotReady)
	}
	var rv claims.Review
	if err := c.tc.GetWorkflow(ctx, id, "").Get(ctx, &rv); err != nil || rv.Report == nil {
		return claims.Revision{}, fmt.Errorf("revision %d of %s was not written (%v): %w", n, researchID, err, ErrNotFound)
	}
	return *rv.Report, nil
}

// LatestRevision is the newest revision of run researchID's report whose
// dispute completed (1 when there is none).
func (c *Client) LatestRevision(ctx context.Context, researchID string) (int, error) {
	revs, err := c.Revisions(ctx, researchID)
	if err != nil {
		return 0, err
	}
	latest := 1
	for _, r := range revs {
		if r.Status == rf.StatusCompleted {
			latest = r.Revision
		}
	}
	return latest, nil
}

// Feedback starts the review of a reader's verdict (in.Verdict) on claim
// in.ClaimID of run in.ResearchID (ResearchClaimReviewWorkflow). A dispute
// writes the next revision: its workflow ID is
// claims.RevisionWorkflowID(run, n) for the first n not taken, and
// in.Revision is set to n. A confirmation confirms in.Revision (the
// latest completed one when 0), with workflow ID claims.ConfirmWorkflowID
// (key: the same key is the same confirmation; a fresh one when empty).
func (c *Client) Feedback(ctx context.Context, key string, in claims.ReviewInput) (Run, claims.ReviewInput, error) {
	if in.Revision == 0 {
		in.Revision = 2 // Normalize's placeholder; set below
	}
	in, err := in.Normalize()
	if err != nil {
		return Run{}, in, err
	}
	run, err := c.Describe(ctx, in.ResearchID)
	if err != nil {
		return Run{}, in, err
	}
	if in.Owner != "" && run.Owner != "" && run.Owner != in.Owner {
		return Run{}, in, fmt.Errorf("run %q: %w", in.ResearchID, ErrNotFound)
	}
	if run.Status != rf.StatusCompleted {
		return Run{}, in, fmt.Errorf("run %s is %s: %w", in.ResearchID, run.Status, ErrRunNotCompleted)
	}
	// The claim must be in the latest revision written (a dispute still
	// being written checks again when it runs).
	latest, err := c.LatestRevision(ctx, in.ResearchID)
	if err != nil {
		return Run{}, in, err
	}
	rev, err := c.Revision(ctx, in.ResearchID, latest)
	if err != nil {
		return Run{}, in, err
	}
	if !slices.ContainsFunc(rev.Claims, func(cl rf.Claim) bool { return cl.ID == in.ClaimID }) {
		return Run{}, in, fmt.Errorf("revision %d of %s has no claim %s: %w", latest, in.ResearchID, in.ClaimID, ErrClaimNotFound)
	}
	owner := in.Owner
	if owner == "" {
		owner = run.Owner
	}
	attrs := []temporal.SearchAttributeUpdate{temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrFollowUpOf).ValueSet(in.ResearchID)}
	if owner != "" {
		attrs = append(attrs, temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrOwner).ValueSet(owner))
	}
	start := func(id string, policy enumspb.WorkflowIdConflictPolicy) (sdkclient.WorkflowRun, error) {
		return c.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{
			ID: id, TaskQueue: rf.TaskQueueWorkflow,
			WorkflowIDConflictPolicy: policy,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			TypedSearchAttributes:    temporal.NewSearchAttributes(attrs...),
		}, claims.WorkflowType, in)
	}
	if in.Verdict == claims.VerdictConfirm {
		in.Revision = latest
		if key == "" {
			key = uuid.NewString()
		}
		id := claims.ConfirmWorkflowID(in.ResearchID, in.ClaimID, key)
		wr, err := start(id, enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			wr, err = c.tc.GetWorkflow(ctx, id, ""), nil
		}
		if err != nil {
			return Run{}, in, fmt.Errorf("start confirmation %s: %w", id, err)
		}
		return Run{ID: id, RunID: wr.GetRunID(), Status: rf.StatusRunning}, in, nil
	}
	revs, err := c.Revisions(ctx, in.ResearchID)
	if err != nil {
		return Run{}, in, err
	}
	for n := len(revs) + 2; n < maxRevisions; n++ {
		in.Revision = n
		id := claims.RevisionWorkflowID(in.ResearchID, n)
		wr, err := start(id, enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			continue // another dispute took n first
		}
		if err != nil {
			return Run{}, in, fmt.Errorf("start dispute %s: %w", id, err)
		}
		return Run{ID: id, RunID: wr.GetRunID(), Status: rf.StatusRunning}, in, nil
	}
	return Run{}, in, fmt.Errorf("run %s has %d revisions: no more disputes", in.ResearchID, maxRevisions)
}

// Review is one reader's verdict on a claim of a run and, once its review
// has completed, what the review found (or why it failed).
type Review struct {
	ID        string         `json:"id"`
	Status    string         `json:"status"`
	Result    *claims.Review `json:"result,omitempty"`
	Error     string         `json:"error,omitempty"`
	StartedAt string         `json:"startedAt"`
	// ClosedAt is when it ended (zero while it runs): for a dispute, when
	// its revision was written.
	ClosedAt time.Time `json:"closedAt,omitzero"`
}

// Reviews lists the claim reviews of run researchID, oldest first (at most
// MaxThread), from Temporal's visibility; with owner set, only that owner's.
func (c *Client) Reviews(ctx context.Context, researchID, owner string) ([]Review, error) {
	q := "WorkflowType = " + quoteQuery(claims.WorkflowType) + " AND " + rf.SearchAttrFollowUpOf + " = " + quoteQuery(researchID)
	if owner != "" {
		q += " AND " + rf.SearchAttrOwner + " = " + quoteQuery(owner)
	}
	resp, err := c.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: c.namespace, PageSize: MaxThread, Query: q})
	if err != nil {
		return nil, fmt.Errorf("list the claim reviews of %s: %w", researchID, err)
	}
	out := []Review{}
	for _, info := range resp.GetExecutions() {
		in := c.toInfo(info)
		rv := Review{ID: in.ID, Status: in.Status, StartedAt: in.Started.UTC().Format("2006-01-02T15:04:05.000Z07:00"), ClosedAt: in.ClosedAt}
		if in.Closed {
			var res claims.Review
			if err := c.tc.GetWorkflow(ctx, in.ID, in.RunID).Get(ctx, &res); err != nil {
				rv.Error = FailureMessage(err)
			} else {
				rv.Result = &res
			}
		}
		out = append(out, rv)
	}
	slices.SortStableFunc(out, func(a, b Review) int {
		switch {
		case a.StartedAt < b.StartedAt:
			return -1
		case a.StartedAt > b.StartedAt:
			return 1
		}
		return 0
	})
	return out, nil
}

// ReviewResult waits for claim review id and returns what it found.
func (c *Client) ReviewResult(ctx context.Context, id string) (claims.Review, error) {
	var res claims.Review
	if err := c.tc.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return res, fmt.Errorf("claim review %q: %w", id, ErrNotFound)
		}
		return res, fmt.Errorf("claim review %s: %w", id, err)
	}
	return res, nil
}
