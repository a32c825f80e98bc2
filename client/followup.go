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
)

// MaxThread bounds the follow-ups Thread lists (the newest ones).
const MaxThread = 100

// FollowUp is one follow-up of a run's thread: its status and, once it has
// completed, its answer (or, once it has failed, why).
type FollowUp struct {
	ID        string             `json:"id"`
	Question  string             `json:"question"`
	Status    string             `json:"status"`
	StartedAt time.Time          `json:"startedAt"`
	ClosedAt  time.Time          `json:"closedAt,omitzero"`
	Result    *rf.FollowUpResult `json:"result,omitempty"`
	Error     string             `json:"error,omitempty"`
}

// StartFollowUp normalizes in (errors are *researchflow.InputError) and
// starts a follow-up of run in.ResearchID (ResearchFollowUpWorkflow), with
// workflow ID FollowUpWorkflowID(in.ResearchID, key) (a fresh key when
// key is empty: the same key is the same follow-up). The run must exist;
// whether it has completed and belongs to in.Owner the follow-up checks
// itself, and fails with a RunNotFinished error if not.
func (c *Client) StartFollowUp(ctx context.Context, key string, in rf.FollowUpInput) (Run, error) {
	in, err := in.Normalize()
	if err != nil {
		return Run{}, err
	}
	run, err := c.Describe(ctx, in.ResearchID)
	if err != nil {
		return Run{}, err
	}
	if in.Owner != "" && run.Owner != "" && run.Owner != in.Owner {
		return Run{}, fmt.Errorf("run %q: %w", in.ResearchID, ErrNotFound)
	}
	if key == "" {
		key = uuid.NewString()
	}
	owner := in.Owner
	if owner == "" {
		owner = run.Owner
	}
	id := FollowUpWorkflowID(in.ResearchID, key)
	attrs := []temporal.SearchAttributeUpdate{temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrFollowUpOf).ValueSet(in.ResearchID)}
	if owner != "" {
		attrs = append(attrs, temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrOwner).ValueSet(owner))
	}
	summary, details := followUpSummary(in)
	wr, err := c.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                rf.TaskQueueWorkflow,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(attrs...),
		Memo:                     map[string]any{MemoQuestion: rf.MemoQuestionText(in.Question)},
		StaticSummary:            summary,
		StaticDetails:            details,
	}, rf.ResearchFollowUpWorkflowType, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		wr, err = c.tc.GetWorkflow(ctx, id, ""), nil
	}
	if err != nil {
		return Run{}, fmt.Errorf("start follow-up %s: %w", id, err)
	}
	return Run{ID: id, RunID: wr.GetRunID(), Status: rf.StatusRunning}, nil
}

// FollowUpResult waits for follow-up id and returns its answer.
func (c *Client) FollowUpResult(ctx context.Context, id string) (rf.FollowUpResult, error) {
	var res rf.FollowUpResult
	if err := c.tc.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return res, fmt.Errorf("follow-up %q: %w", id, ErrNotFound)
		}
		return res, fmt.Errorf("follow-up %s: %w", id, err)
	}
	return res, nil
}

// Thread lists the follow-ups of run researchID, oldest first (at most
// MaxThread, the newest): the answers of those that completed, why those
// that failed did, the status of the others. It reads Temporal's
// visibility, so a follow-up started a moment ago may be missing for a
// moment. With owner set, only that owner's follow-ups are listed.
// Answers are as each follow-up wrote them: each numbers the sources new to
// it after the report's last, so two answers may give one number to two
// sources; the gateway's GET /v1/research/{id}/thread numbers the report
// and its follow-ups as one.
func (c *Client) Thread(ctx context.Context, researchID, owner string) ([]FollowUp, error) {
	q := "WorkflowType = " + quoteQuery(rf.ResearchFollowUpWorkflowType) + " AND " + rf.SearchAttrFollowUpOf + " = " + quoteQuery(researchID)
	if owner != "" {
		q += " AND " + rf.SearchAttrOwner + " = " + quoteQuery(owner)
	}
	resp, err := c.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: c.namespace, PageSize: MaxThread, Query: q,
	})
	if err != nil {
		return nil, fmt.Errorf("list the follow-ups of %s: %w", researchID, err)
	}
	thread := []FollowUp{}
	for _, info := range resp.GetExecutions() {
		in := c.toInfo(info)
		fu := FollowUp{ID: in.ID, Question: in.Question, Status: in.Status, StartedAt: in.Started, ClosedAt: in.ClosedAt}
		if in.Closed {
			var res rf.FollowUpResult
			if err := c.tc.GetWorkflow(ctx, in.ID, in.RunID).Get(ctx, &res); err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("read follow-up %s: %w", in.ID, ctx.Err())
				}
				fu.Error = FailureMessage(err)
			} else {
				fu.Result = &res
			}
		}
		thread = append(thread, fu)
	}
	slices.SortStableFunc(thread, func(a, b FollowUp) int { return a.StartedAt.Compare(b.StartedAt) })
	return thread, nil
}

// FollowUpWorkflowID is the workflow ID of follow-up key of research run
// researchID: the same key always names the same follow-up.
func FollowUpWorkflowID(researchID, key string) string {
	return researchID + "-followup-" + key
}
