// Package client starts, follows and reads Researchflow runs over Temporal.
// The HTTP gateway and the starter both use it, so a run started one way
// behaves the same when read the other way: the same idempotent workflow
// IDs, the same memo and search attributes, the same status mapping, the
// same progress stream.
//
// It links only the Temporal SDK and the contract package
// (github.com/researchflow/researchflow), never the Temporal server or the
// engines.
package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/codec"
)

// Temporal is the part of the Temporal SDK client that Client uses
// (go.temporal.io/sdk/client.Client satisfies it).
type Temporal interface {
	ExecuteWorkflow(ctx context.Context, options sdkclient.StartWorkflowOptions, workflow any, args ...any) (sdkclient.WorkflowRun, error)
	GetWorkflow(ctx context.Context, workflowID, runID string) sdkclient.WorkflowRun
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
	CancelWorkflow(ctx context.Context, workflowID, runID string) error
	UpdateWorkflow(ctx context.Context, options sdkclient.UpdateWorkflowOptions) (sdkclient.WorkflowUpdateHandle, error)
	ListWorkflow(ctx context.Context, request *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
	CheckHealth(ctx context.Context, request *sdkclient.CheckHealthRequest) (*sdkclient.CheckHealthResponse, error)
	// WorkflowService reaches the calls the SDK does not wrap (Delete).
	WorkflowService() workflowservice.WorkflowServiceClient
}

var _ Temporal = sdkclient.Client(nil)

// Errors that callers map to their own answers (HTTP status codes, exit
// codes). Errors that wrap none of these are Temporal or transport failures.
var (
	// ErrNotFound: no run has that ID (or it is not a research run).
	ErrNotFound = errors.New("no such run")
	// ErrIdempotencyConflict: the workflow ID was already used for a
	// different request.
	ErrIdempotencyConflict = errors.New("this ID was already used with a different request")
	// ErrNotRunning: the run has closed, so it cannot be cancelled or approved.
	ErrNotRunning = errors.New("the run is not running")
	// ErrRejected: the workflow refused an update (e.g. an approval when the
	// run is not awaiting one). Such errors are *RejectedError values, whose
	// Reason says why.
	ErrRejected = errors.New("the run refused the request")
)

// ClosedError is a request to a run that has ended: it says how and when
// the run ended, and what the request would have done ("finished",
// "cancelled"). errors.Is(err, ErrNotRunning) is true of it. `starter
// finish` on a completed run said only "the run is not running".
type ClosedError struct {
	ID string
	// Status is how the run ended: completed, failed or cancelled.
	Status   string
	ClosedAt time.Time
	// Action is what the request would have done to the run, as in "it
	// cannot be finished"; "" says nothing of it.
	Action string
}

// Closed is the error of a request that would have done action to run r,
// which has ended.
func Closed(r Info, action string) *ClosedError {
	return &ClosedError{ID: r.ID, Status: r.Status, ClosedAt: r.ClosedAt, Action: action}
}

func (e *ClosedError) Error() string {
	msg := fmt.Sprintf("run %q is already %s", e.ID, e.Status)
	if e.Status == rf.StatusFailed {
		msg = fmt.Sprintf("run %q has already failed", e.ID)
	}
	if !e.ClosedAt.IsZero() {
		msg += " (it ended " + e.ClosedAt.UTC().Format(time.RFC3339) + ")"
	}
	if e.Action != "" {
		msg += ", so it cannot be " + e.Action
	}
	return msg
}

// Is makes errors.Is(err, ErrNotRunning) true.
func (e *ClosedError) Is(target error) bool { return target == ErrNotRunning }

// RejectedError is a request the workflow refused, with its reason.
type RejectedError struct{ Reason string }

func (e *RejectedError) Error() string { return ErrRejected.Error() + ": " + e.Reason }

// Is makes errors.Is(err, ErrRejected) true.
func (e *RejectedError) Is(target error) bool { return target == ErrRejected }

// Memo fields set on the runs a Client starts. The question's is the
// contract's (a run started without it sets it itself).
const (
	MemoQuestion    = rf.MemoQuestion
	MemoRequestHash = "requestHash"
)

// Client starts and reads research and ingestion runs.
type Client struct {
	tc        Temporal
	namespace string
	// dc decodes memos; it must match the Temporal client's data converter
	// (with a payload codec, memos are encrypted). nil: the default one.
	dc converter.DataConverter
}

// New returns a Client over tc in namespace.
func New(tc Temporal, namespace string) *Client {
	if namespace == "" {
		namespace = "default"
	}
	return &Client{tc: tc, namespace: namespace}
}

// WithDataConverter returns a copy of c that decodes run memos with dc:
// pass the data converter the Temporal client was dialled with when it is
// not the default one (a payload codec).
func (c *Client) WithDataConverter(dc converter.DataConverter) *Client {
	cp := *c
	cp.dc = dc
	return &cp
}

// Namespace is the Temporal namespace of the runs.
func (c *Client) Namespace() string { return c.namespace }

// CheckHealth reports whether the Temporal frontend answers; its error
// satisfies IsUnavailable when it cannot be reached.
func (c *Client) CheckHealth(ctx context.Context) error {
	if _, err := c.tc.CheckHealth(ctx, &sdkclient.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal health check: %w", err)
	}
	return nil
}

// IsNotFound reports whether err says the run does not exist: ErrNotFound,
// or Temporal's own not-found answer that a call passed on.
func IsNotFound(err error) bool {
	var notFound *serviceerror.NotFound
	return errors.Is(err, ErrNotFound) || errors.As(err, &notFound)
}

// IsUnavailable reports whether err says Temporal could not be reached or
// did not answer in time: the same call may work later.
func IsUnavailable(err error) bool {
	var u *serviceerror.Unavailable
	var d *serviceerror.DeadlineExceeded
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &u) || errors.As(err, &d)
}

// Run identifies a started run and the status it was found in (a run
// started twice with the same ID and request is one run, in whatever
// status it has reached).
type Run struct {
	ID     string `json:"id"`
	RunID  string `json:"runId"`
	Status string `json:"status"`
}

// NewResearchID returns a fresh workflow ID for a research run.
func NewResearchID() string { return "research-" + uuid.NewString() }

// IdempotentID is the workflow ID of a request with an idempotency key,
// scoped by owner: the same owner and key always give the same run.
func IdempotentID(owner, key string) string {
	sum := sha256.Sum256([]byte("idempotency\x00" + owner + "\x00" + key))
	return "research-" + hex.EncodeToString(sum[:16])
}

// Start normalizes in (errors are *researchflow.InputError) and starts a
// research run with workflow ID id (NewResearchID when empty). Starting an
// ID that already has a run, running or closed, is idempotent: the same
// request returns that run; a different one fails with
// ErrIdempotencyConflict.
func (c *Client) Start(ctx context.Context, id string, in rf.ResearchInput) (Run, error) {
	in, err := in.Normalize()
	if err != nil {
		return Run{}, err
	}
	if id == "" {
		id = NewResearchID()
	}
	if err := ValidateRunID(id); err != nil {
		return Run{}, err
	}
	canon, err := json.Marshal(in)
	if err != nil {
		return Run{}, fmt.Errorf("encode the request: %w", err)
	}
	sum := sha256.Sum256(canon)
	reqHash := hex.EncodeToString(sum[:])
	owner := in.Owner
	if owner == "" {
		owner = rf.LocalOwner
	}
	opts := sdkclient.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                rf.TaskQueueWorkflow,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrOwner).ValueSet(owner),
			temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrStatus).ValueSet(rf.StatusRunning),
			temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrStage).ValueSet(rf.StageCorpus),
			temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrCorpus).ValueSet(in.Corpus),
		),
		Memo: map[string]any{MemoQuestion: rf.MemoQuestionText(in.Question), MemoRequestHash: reqHash},
	}
	opts.StaticSummary, opts.StaticDetails = researchSummary(in)
	run, err := c.tc.ExecuteWorkflow(ctx, opts, rf.ResearchWorkflowType, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		// The ID's run has closed and may not be reused: it is this request's
		// first run if the request is the same.
		run, err = c.tc.GetWorkflow(ctx, id, ""), nil
	}
	if err != nil {
		return Run{}, fmt.Errorf("start research %s: %w", id, err)
	}
	info, err := c.describe(ctx, id, run.GetRunID())
	if err != nil {
		return Run{}, err
	}
	if h := c.memoString(info.GetMemo(), MemoRequestHash); h != "" && h != reqHash {
		return Run{}, fmt.Errorf("research %s: %w", id, ErrIdempotencyConflict)
	}
	return Run{ID: id, RunID: info.GetExecution().GetRunId(), Status: Status(info)}, nil
}

// StartIngest starts an ingestion run (IngestWorkflow) with workflow ID id
// (a fresh one when empty), after normalizing in (errors are
// *researchflow.InputError). Starting an ID whose ingestion still runs
// attaches to it.
func (c *Client) StartIngest(ctx context.Context, id string, in rf.IngestInput) (Run, error) {
	in, err := in.Normalize()
	if err != nil {
		return Run{}, err
	}
	if id == "" {
		id = "ingest-" + uuid.NewString()
	}
	if err := ValidateRunID(id); err != nil {
		return Run{}, err
	}
	attrs := []temporal.SearchAttributeUpdate{temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrCorpus).ValueSet(in.Corpus)}
	if in.Owner != "" {
		attrs = append(attrs, temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrOwner).ValueSet(in.Owner))
	}
	summary, details := ingestSummary(in)
	run, err := c.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                rf.TaskQueueWorkflow,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    temporal.NewSearchAttributes(attrs...),
		StaticSummary:            summary,
		StaticDetails:            details,
	}, rf.IngestWorkflowType, in)
	if err != nil {
		return Run{}, fmt.Errorf("start ingestion %s: %w", id, err)
	}
	return Run{ID: id, RunID: run.GetRunID(), Status: rf.StatusRunning}, nil
}

// Info is what Temporal knows of a run without asking its workflow.
type Info struct {
	ID       string
	RunID    string
	Type     string
	Owner    string
	Corpus   string
	Status   string
	Closed   bool
	Question string
	Started  time.Time
	ClosedAt time.Time // zero while it runs
}

// Describe returns what Temporal knows of research run id. A run of another
// workflow type is ErrNotFound.
func (c *Client) Describe(ctx context.Context, id string) (Info, error) {
	info, err := c.describe(ctx, id, "")
	if err != nil {
		return Info{}, err
	}
	if info.GetType().GetName() != rf.ResearchWorkflowType {
		return Info{}, fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	return c.toInfo(info), nil
}

func (c *Client) describe(ctx context.Context, id, runID string) (*workflowpb.WorkflowExecutionInfo, error) {
	if err := unknownID(id); err != nil {
		return nil, err
	}
	d, err := c.tc.DescribeWorkflowExecution(ctx, id, runID)
	if err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
		}
		return nil, fmt.Errorf("describe run %s: %w", id, err)
	}
	return d.GetWorkflowExecutionInfo(), nil
}

func (c *Client) toInfo(info *workflowpb.WorkflowExecutionInfo) Info {
	out := Info{
		ID:       info.GetExecution().GetWorkflowId(),
		RunID:    info.GetExecution().GetRunId(),
		Type:     info.GetType().GetName(),
		Owner:    searchAttrString(info.GetSearchAttributes(), rf.SearchAttrOwner),
		Corpus:   searchAttrString(info.GetSearchAttributes(), rf.SearchAttrCorpus),
		Status:   Status(info),
		Closed:   isClosed(info.GetStatus()),
		Question: c.memoString(info.GetMemo(), MemoQuestion),
		Started:  info.GetStartTime().AsTime(),
	}
	if ct := info.GetCloseTime(); ct != nil {
		out.ClosedAt = ct.AsTime()
	}
	return out
}

// maxRunIDLength bounds a run ID (a workflow ID), in bytes.
const maxRunIDLength = 255

// ValidateRunID checks a run ID: the workflow ID of a research run, an
// ingestion, a follow-up or a claim review, as the starter's --id names one
// and the HTTP API's paths carry it. It is 1 to 255 printable ASCII
// characters (space to '~'): Temporal's client sends the ID in a gRPC
// header, which carries nothing else, so no run can have another ID.
// Errors are *researchflow.InputError values on field "id".
func ValidateRunID(id string) error {
	if id == "" || len(id) > maxRunIDLength {
		return &rf.InputError{Field: "id", Message: fmt.Sprintf("want 1 to %d printable ASCII characters, got %d bytes", maxRunIDLength, len(id))}
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return &rf.InputError{Field: "id", Message: fmt.Sprintf("%q: want printable ASCII characters only (letters, digits, '-', '_', …; no accents, other scripts or control characters)", id)}
		}
	}
	return nil
}

// unknownID is ErrNotFound for an ID that no run can have
// (ValidateRunID), nil for any other: Temporal's client refuses to send
// such an ID (a transport error, not an answer), so a caller that typed
// "é" or a control character learns there is no such run.
func unknownID(id string) error {
	if ValidateRunID(id) != nil {
		return fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	return nil
}

// Progress asks run id for its Progress. A closed run may have no worker
// left to answer, so callers bound the wait with ctx.
func (c *Client) Progress(ctx context.Context, id string) (rf.Progress, error) {
	if err := unknownID(id); err != nil {
		return rf.Progress{}, err
	}
	v, err := c.tc.QueryWorkflow(ctx, id, "", rf.ProgressQuery)
	if err != nil {
		return rf.Progress{}, fmt.Errorf("query progress of %s: %w", id, err)
	}
	var p rf.Progress
	if err := v.Get(&p); err != nil {
		return rf.Progress{}, fmt.Errorf("decode progress of %s: %w", id, err)
	}
	return p, nil
}

// Audit asks research run id for its Audit (the AuditQuery): why each
// sub-question exists, each retrieval, each finding and each gap. A closed
// run answers too, as long as a workflow worker is up to replay it.
func (c *Client) Audit(ctx context.Context, id string) (rf.Audit, error) {
	if err := unknownID(id); err != nil {
		return rf.Audit{}, err
	}
	v, err := c.tc.QueryWorkflow(ctx, id, "", rf.AuditQuery)
	if err != nil {
		return rf.Audit{}, fmt.Errorf("query audit of %s: %w", id, err)
	}
	var a rf.Audit
	if err := v.Get(&a); err != nil {
		return rf.Audit{}, fmt.Errorf("decode audit of %s: %w", id, err)
	}
	return a, nil
}

// IngestProgress asks ingestion run id for its IngestResult so far.
func (c *Client) IngestProgress(ctx context.Context, id string) (rf.IngestResult, error) {
	if err := unknownID(id); err != nil {
		return rf.IngestResult{}, err
	}
	v, err := c.tc.QueryWorkflow(ctx, id, "", rf.ProgressQuery)
	if err != nil {
		return rf.IngestResult{}, fmt.Errorf("query progress of %s: %w", id, err)
	}
	var p rf.IngestResult
	if err := v.Get(&p); err != nil {
		return rf.IngestResult{}, fmt.Errorf("decode progress of %s: %w", id, err)
	}
	return p, nil
}

// Result waits for the result of research run id (at once for a closed
// run). A run that closed without a result (failed, cancelled, timed out,
// terminated) returns a *FailedError that wraps Temporal's error.
func (c *Client) Result(ctx context.Context, id string) (rf.ResearchResult, error) {
	var res rf.ResearchResult
	if err := unknownID(id); err != nil {
		return res, err
	}
	err := c.tc.GetWorkflow(ctx, id, "").Get(ctx, &res)
	return res, runFailure(err)
}

// FailedError is the failure of a run that closed without a result, in the
// client's terms: Message is what a caller may read of it (see
// FailureMessage), Err the workflow service's own error.
type FailedError struct {
	Message string
	Err     error
}

func (e *FailedError) Error() string { return "the run closed without a result: " + e.Message }
func (e *FailedError) Unwrap() error { return e.Err }

// runFailure wraps err in a *FailedError when it is the end of a run (an
// application error, a cancellation, a timeout, a termination), not a
// failure to reach or read it.
func runFailure(err error) error {
	var (
		exec     *temporal.WorkflowExecutionError
		app      *temporal.ApplicationError
		canceled *temporal.CanceledError
		timeout  *temporal.TimeoutError
		term     *temporal.TerminatedError
	)
	if err == nil || !(errors.As(err, &exec) || errors.As(err, &app) || errors.As(err, &canceled) || errors.As(err, &timeout) || errors.As(err, &term)) {
		return err
	}
	return &FailedError{Message: FailureMessage(err), Err: err}
}

// IngestResult waits for the result of ingestion run id.
func (c *Client) IngestResult(ctx context.Context, id string) (rf.IngestResult, error) {
	var res rf.IngestResult
	if err := unknownID(id); err != nil {
		return res, err
	}
	err := c.tc.GetWorkflow(ctx, id, "").Get(ctx, &res)
	return res, err
}

// Cancel asks run id to stop. A closed run is ErrNotRunning.
func (c *Client) Cancel(ctx context.Context, id string) error {
	if err := unknownID(id); err != nil {
		return err
	}
	if err := c.tc.CancelWorkflow(ctx, id, ""); err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return c.notRunning(ctx, id, "cancelled")
		}
		return fmt.Errorf("cancel %s: %w", id, err)
	}
	return nil
}

// Delete removes run id and its history (its report with it) from
// Temporal. Callers refuse a run that is still running: deleting one would
// end it without the cancellation's cleanup.
func (c *Client) Delete(ctx context.Context, id string) error {
	if err := unknownID(id); err != nil {
		return err
	}
	_, err := c.tc.WorkflowService().DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
		Namespace:         c.namespace,
		WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id},
	})
	if err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return fmt.Errorf("delete %s: %w", id, ErrNotFound)
		}
		return fmt.Errorf("delete %s: %w", id, err)
	}
	return nil
}

// Approve sends a plan approval to run id and returns the run's progress
// after it. It checks a first (its Decision and Normalize: errors are
// *researchflow.InputError, so an approval without Approved is never
// sent); a run that is not awaiting approval answers ErrRejected or
// ErrNotRunning.
func (c *Client) Approve(ctx context.Context, id string, a rf.PlanApproval) (rf.Progress, error) {
	if _, err := a.Decision(); err != nil {
		return rf.Progress{}, err
	}
	a, err := a.Normalize()
	if err != nil {
		return rf.Progress{}, err
	}
	if err := unknownID(id); err != nil {
		return rf.Progress{}, err
	}
	h, err := c.tc.UpdateWorkflow(ctx, sdkclient.UpdateWorkflowOptions{
		WorkflowID:   id,
		UpdateName:   rf.ApprovePlanUpdate,
		Args:         []any{a},
		WaitForStage: sdkclient.WorkflowUpdateStageCompleted,
	})
	var p rf.Progress
	if err == nil {
		err = h.Get(ctx, &p)
	}
	if err != nil {
		var app *temporal.ApplicationError
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &app):
			return rf.Progress{}, &RejectedError{Reason: app.Message()}
		case errors.As(err, &notFound):
			return rf.Progress{}, c.notRunning(ctx, id, "approved")
		}
		return rf.Progress{}, fmt.Errorf("approve %s: %w", id, err)
	}
	return p, nil
}

// ExtendBudget sends new budget limits to run id (ExtendBudgetUpdate) and
// returns the run's progress after it: a paused run resumes. It normalizes
// e first (errors are *researchflow.InputError); a limit the run refuses
// (not above its use, not enough for the step that paused it, a run that
// is finishing or done) is a *RejectedError; a closed run ErrNotRunning.
func (c *Client) ExtendBudget(ctx context.Context, id string, e rf.BudgetRequest) (rf.Progress, error) {
	e, err := e.Normalize()
	if err != nil {
		return rf.Progress{}, err
	}
	return c.update(ctx, id, rf.ExtendBudgetUpdate, e)
}

// FinishNow asks run id to write its report from what it has
// (FinishNowUpdate) and returns the run's progress after it.
func (c *Client) FinishNow(ctx context.Context, id string, f rf.BudgetRequest) (rf.Progress, error) {
	return c.update(ctx, id, rf.FinishNowUpdate, f)
}

// update sends the update name with arg to run id and waits for its
// result, a Progress.
func (c *Client) update(ctx context.Context, id, name string, arg any) (rf.Progress, error) {
	var p rf.Progress
	return p, c.updateInto(ctx, id, name, arg, &p)
}

// PricePlan asks run id, waiting for approval, what the plan in a
// (its SubQuestions, the plan as edited) would use: the estimate the run
// records if that plan is approved (PricePlanUpdate). It normalizes a
// first (errors are *researchflow.InputError); a run that is not awaiting
// approval, or does not price its plan, answers *RejectedError or
// ErrNotRunning.
func (c *Client) PricePlan(ctx context.Context, id string, a rf.PlanApproval) (rf.Spend, error) {
	a, err := a.Normalize()
	if err != nil {
		return rf.Spend{}, err
	}
	if len(a.SubQuestions) == 0 {
		return rf.Spend{}, &rf.InputError{Field: "subQuestions", Message: "give the plan to price: at least one sub-question"}
	}
	var e rf.Spend
	if err := c.updateInto(ctx, id, rf.PricePlanUpdate, a, &e); err != nil {
		return rf.Spend{}, err
	}
	return e, nil
}

// updateInto sends the update name with arg to run id and decodes its
// result into out.
func (c *Client) updateInto(ctx context.Context, id, name string, arg, out any) error {
	if err := unknownID(id); err != nil {
		return err
	}
	h, err := c.tc.UpdateWorkflow(ctx, sdkclient.UpdateWorkflowOptions{
		WorkflowID:   id,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: sdkclient.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err != nil {
		var app *temporal.ApplicationError
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &app):
			return &RejectedError{Reason: app.Message()}
		case errors.As(err, &notFound):
			return c.notRunning(ctx, id, updateAction[name])
		}
		return fmt.Errorf("%s %s: %w", name, id, err)
	}
	return nil
}

// notRunning is the error of a request that Temporal answered NotFound
// for run id, which would have done action to it: the run has ended (a
// *ClosedError saying how and when) or there is none (ErrNotFound;
// `starter budget nosuch-id` was told "extendBudget nosuch-id: the run is
// not running"). Neither names the update sent.
func (c *Client) notRunning(ctx context.Context, id, action string) error {
	info, err := c.Describe(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return err
	case err == nil && info.Closed:
		return Closed(info, action)
	}
	return fmt.Errorf("run %q: %w", id, ErrNotRunning)
}

// updateAction is what each update would have done to a run, as a closed
// run's error says it ("so it cannot be finished").
var updateAction = map[string]string{
	rf.ExtendBudgetUpdate: "given more budget",
	rf.FinishNowUpdate:    "finished",
	rf.PricePlanUpdate:    "priced",
	rf.ApprovePlanUpdate:  "approved",
}

// ListOptions select a page of research runs.
type ListOptions struct {
	// Owner, if set, lists only that owner's runs.
	Owner string
	// PageSize is 1 to 100 (default 20).
	PageSize int
	// PageToken continues a previous page.
	PageToken []byte
}

// Page is one page of runs, newest first.
type Page struct {
	Runs          []Info
	NextPageToken []byte
}

// List lists research runs. A page token that is not from a previous page
// is an *researchflow.InputError.
//
// A page token is Temporal's, sealed with a checksum (sealPageToken): a
// visibility store that cannot parse a token answers "something went
// wrong, please retry", which the SDK retries until the caller's deadline,
// so that a mistyped token took the gateway 10 s and answered 503 as if
// Temporal were down.
func (c *Client) List(ctx context.Context, o ListOptions) (Page, error) {
	if o.PageSize == 0 {
		o.PageSize = 20
	}
	if o.PageSize < 1 || o.PageSize > 100 {
		return Page{}, &rf.InputError{Field: "pageSize", Message: "want 1 to 100"}
	}
	if o.PageToken != nil {
		t, ok := openPageToken(o.PageToken)
		if !ok {
			return Page{}, &rf.InputError{Field: "pageToken", Message: "not a token from a previous page"}
		}
		o.PageToken = t
	}
	q := "WorkflowType = " + quoteQuery(rf.ResearchWorkflowType)
	if o.Owner != "" {
		q += " AND " + rf.SearchAttrOwner + " = " + quoteQuery(o.Owner)
	}
	resp, err := c.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: c.namespace, PageSize: int32(o.PageSize), NextPageToken: o.PageToken, Query: q,
	})
	if err != nil {
		var bad *serviceerror.InvalidArgument
		if errors.As(err, &bad) && o.PageToken != nil {
			return Page{}, &rf.InputError{Field: "pageToken", Message: "not a token from a previous page"}
		}
		return Page{}, fmt.Errorf("list research runs: %w", err)
	}
	page := Page{Runs: []Info{}, NextPageToken: sealPageToken(resp.GetNextPageToken())}
	for _, info := range resp.GetExecutions() {
		page.Runs = append(page.Runs, c.toInfo(info))
	}
	return page, nil
}

// pageTokenSum is the length of a sealed page token's checksum.
const pageTokenSum = 8

// sealPageToken appends a checksum to Temporal's page token t (none stays
// none); openPageToken checks and removes it.
func sealPageToken(t []byte) []byte {
	if len(t) == 0 {
		return nil
	}
	sum := sha256.Sum256(append([]byte("researchflow page token\x00"), t...))
	return append(bytes.Clone(t), sum[:pageTokenSum]...)
}

func openPageToken(sealed []byte) ([]byte, bool) {
	if len(sealed) <= pageTokenSum {
		return nil, false
	}
	t := sealed[:len(sealed)-pageTokenSum]
	return t, bytes.Equal(sealPageToken(t), sealed)
}

// quoteQuery quotes s as a string literal of a Temporal visibility query.
func quoteQuery(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

// Status maps an execution to a run status: the workflow's own
// ResearchStatus while it runs, the execution status once closed. A run
// the workflow ended cancelled by failing (a rejected plan, an approval
// that timed out with "cancel": workflows.RunStatus) is cancelled, as its
// ResearchStatus says, though its execution failed.
func Status(info *workflowpb.WorkflowExecutionInfo) string {
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return rf.StatusCompleted
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return rf.StatusCancelled
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		if searchAttrString(info.GetSearchAttributes(), rf.SearchAttrStatus) == rf.StatusCancelled {
			return rf.StatusCancelled
		}
		return rf.StatusFailed
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return rf.StatusFailed
	}
	if st := searchAttrString(info.GetSearchAttributes(), rf.SearchAttrStatus); st != "" {
		return st
	}
	return rf.StatusRunning
}

func isClosed(st enumspb.WorkflowExecutionStatus) bool {
	switch st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
		enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED:
		return false
	}
	return true
}

// FailureMessage is what a caller may read of a run's failure: the message
// of an application error (written by Researchflow), a short phrase for
// other failures. A message encrypted with a key this process lacks (the
// SDK leaves it as "Encoded failure") is replaced by which key it needs.
func FailureMessage(err error) string {
	if f, ok := errors.AsType[*FailedError](err); ok && f.Message != "" {
		return f.Message
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Message() != "" {
		if id, ok := codec.KeyID(app.Failure().GetEncodedAttributes()); ok && app.Message() == encodedFailure {
			return codec.MissingKey("the failure", id)
		}
		return app.Message()
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return "the run was cancelled"
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "the run timed out"
	}
	var term *temporal.TerminatedError
	if errors.As(err, &term) {
		return "the run was terminated"
	}
	return "the run failed"
}

// encodedFailure is the message the SDK's failure converter writes in place
// of an encoded one (converter.EncodeCommonFailureAttributes); decoding
// puts the original back.
const encodedFailure = "Encoded failure"

func decodePayload(p *commonpb.Payload) string {
	if p == nil {
		return ""
	}
	var v string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &v); err != nil {
		return ""
	}
	return v
}

func searchAttrString(sa *commonpb.SearchAttributes, name string) string {
	return decodePayload(sa.GetIndexedFields()[name])
}

func (c *Client) memoString(m *commonpb.Memo, name string) string {
	p := m.GetFields()[name]
	if c.dc == nil || p == nil {
		return decodePayload(p)
	}
	var v string
	if err := c.dc.FromPayload(p, &v); err != nil {
		return ""
	}
	return v
}

func truncate(s string, n int) string {
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}
