package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// fakeWorkflow is one execution held by fakeTemporal.
type fakeWorkflow struct {
	id, runID, typ string
	opts           sdkclient.StartWorkflowOptions
	input          any
	status         enumspb.WorkflowExecutionStatus
	started        time.Time
	closed         time.Time
	// script is what successive progress queries answer; the last entry
	// repeats. A snapshot with a terminal status closes the run.
	script  []rf.Progress
	queries int
	result  *rf.ResearchResult
	err     error // the run's failure, once closed
	// record answers the state query (redrive), when set.
	record *workflows.RunRecord
	// audit answers the audit query (none: the query fails).
	audit *rf.Audit
	// upserted are search attributes the workflow set while it ran.
	upserted map[string]string
}

// fakeTemporal is a hand-written Temporal that keeps executions in memory:
// the client's tests run the real Client over it.
type fakeTemporal struct {
	mu        sync.Mutex
	wfs       map[string]*fakeWorkflow
	order     []string
	starts    int
	cancels   []string
	updates   []sdkclient.UpdateWorkflowOptions
	updateErr error
	lists     []*workflowservice.ListWorkflowExecutionsRequest
	healthErr error
	queryErr  error
	panicList bool
	// newRun scripts a new research run; by default it stays running.
	newRun func(w *fakeWorkflow)
	seq    int
}

var _ Temporal = (*fakeTemporal)(nil)

// badHeader is what Temporal's client answers, before sending anything, for
// a workflow ID that is not printable ASCII: gRPC carries the ID in the
// temporal-resource-id header, and a header holds nothing else.
func badHeader(id string) error {
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return errors.New(`header key "temporal-resource-id" contains value with non-printable ASCII characters`)
		}
	}
	return nil
}

func newFakeTemporal() *fakeTemporal {
	return &fakeTemporal{wfs: map[string]*fakeWorkflow{}}
}

func (f *fakeTemporal) ExecuteWorkflow(ctx context.Context, opts sdkclient.StartWorkflowOptions, wf any, args ...any) (sdkclient.WorkflowRun, error) {
	if err := badHeader(opts.ID); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if w, ok := f.wfs[opts.ID]; ok {
		running := w.status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		if running && opts.WorkflowIDConflictPolicy == enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING ||
			!running && opts.WorkflowIDReusePolicy == enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE {
			return &fakeRun{f: f, id: w.id, runID: w.runID}, nil // as the SDK does for an already-started run
		}
		return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("already started", "", w.runID)
	}
	f.seq++
	w := &fakeWorkflow{
		id: opts.ID, runID: fmt.Sprintf("run-%d", f.seq), typ: wf.(string), opts: opts,
		status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, started: time.Unix(1700000000+int64(f.seq), 0).UTC(),
	}
	if len(args) > 0 {
		w.input = args[0]
	}
	if in, ok := w.input.(rf.ResearchInput); ok {
		w.script = []rf.Progress{{ResearchID: w.id, Question: in.Question, Status: rf.StatusRunning, Stage: rf.StageCorpus, Seq: 1}}
	}
	if f.newRun != nil {
		f.newRun(w)
	}
	f.wfs[w.id] = w
	f.order = append(f.order, w.id)
	f.starts++
	return &fakeRun{f: f, id: w.id, runID: w.runID}, nil
}

// closeLocked ends w with res or err.
func (w *fakeWorkflow) closeLocked(res *rf.ResearchResult, err error, status enumspb.WorkflowExecutionStatus) {
	w.status, w.result, w.err, w.closed = status, res, err, w.started.Add(time.Minute)
}

func (f *fakeTemporal) GetWorkflow(ctx context.Context, id, runID string) sdkclient.WorkflowRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := &fakeRun{f: f, id: id}
	if w, ok := f.wfs[id]; ok {
		r.runID = w.runID
	}
	return r
}

func (f *fakeTemporal) QueryWorkflow(ctx context.Context, id, runID, queryType string, args ...any) (converter.EncodedValue, error) {
	if err := badHeader(id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.wfs[id]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	if f.queryErr != nil {
		return nil, f.queryErr
	}
	if queryType == rf.RedriveQuery && w.record != nil {
		// What the workflow answers (workflows.RedriveInput is its rule).
		next, in, err := workflows.RedriveInput(*w.record)
		var refused *rf.InputError
		if errors.As(err, &refused) {
			return anyValue{rf.Redrive{Refused: refused.Message}}, nil
		}
		if err != nil {
			return nil, err
		}
		return anyValue{rf.Redrive{WorkflowID: next, Input: in}}, nil
	}
	if queryType == rf.AuditQuery && w.audit != nil {
		return anyValue{*w.audit}, nil
	}
	if queryType != rf.ProgressQuery || len(w.script) == 0 {
		return nil, fmt.Errorf("unknown query %q", queryType)
	}
	p := w.script[min(w.queries, len(w.script)-1)]
	w.queries++
	if w.status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING && rf.IsTerminal(p.Status) {
		switch p.Status {
		case rf.StatusCompleted:
			w.closeLocked(w.result, nil, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
		case rf.StatusCancelled:
			w.closeLocked(nil, errCancelled, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED)
		default:
			w.closeLocked(nil, w.err, enumspb.WORKFLOW_EXECUTION_STATUS_FAILED)
		}
	}
	return anyValue{p}, nil
}

func payload(v any) *commonpb.Payload {
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		panic(err)
	}
	return p
}

func (w *fakeWorkflow) info() *workflowpb.WorkflowExecutionInfo {
	info := &workflowpb.WorkflowExecutionInfo{
		Execution:        &commonpb.WorkflowExecution{WorkflowId: w.id, RunId: w.runID},
		Type:             &commonpb.WorkflowType{Name: w.typ},
		Status:           w.status,
		StartTime:        timestamppb.New(w.started),
		SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{}},
		Memo:             &commonpb.Memo{Fields: map[string]*commonpb.Payload{}},
	}
	if !w.closed.IsZero() {
		info.CloseTime = timestamppb.New(w.closed)
	}
	for _, k := range []string{rf.SearchAttrOwner, rf.SearchAttrStatus, rf.SearchAttrStage, rf.SearchAttrCorpus} {
		if v, ok := w.opts.TypedSearchAttributes.GetKeyword(keyword(k)); ok {
			info.SearchAttributes.IndexedFields[k] = payload(v)
		}
	}
	for k, v := range w.upserted {
		info.SearchAttributes.IndexedFields[k] = payload(v)
	}
	for k, v := range w.opts.Memo {
		info.Memo.Fields[k] = payload(v)
	}
	return info
}

func (f *fakeTemporal) DescribeWorkflowExecution(ctx context.Context, id, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	if err := badHeader(id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.wfs[id]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found for ID: " + id)
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: w.info()}, nil
}

var errCancelled = &cancelledError{}

func (f *fakeTemporal) CancelWorkflow(ctx context.Context, id, runID string) error {
	if err := badHeader(id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.wfs[id]
	if !ok || w.status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return serviceerror.NewNotFound("workflow execution already completed")
	}
	f.cancels = append(f.cancels, id)
	w.closeLocked(nil, errCancelled, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED)
	return nil
}

func (f *fakeTemporal) UpdateWorkflow(ctx context.Context, opts sdkclient.UpdateWorkflowOptions) (sdkclient.WorkflowUpdateHandle, error) {
	if err := badHeader(opts.WorkflowID); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.wfs[opts.WorkflowID]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	if w.status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		// As Temporal answers an update to a closed run.
		return nil, serviceerror.NewNotFound("workflow execution already completed")
	}
	f.updates = append(f.updates, opts)
	return fakeUpdate{id: opts.WorkflowID, err: f.updateErr}, nil
}

var ownerClause = regexp.MustCompile(`ResearchOwner = '((?:[^'\\]|\\.)*)'`)

func (f *fakeTemporal) ListWorkflow(ctx context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panicList {
		panic("secret internal detail")
	}
	f.lists = append(f.lists, req)
	var owner string
	if m := ownerClause.FindStringSubmatch(req.Query); m != nil {
		owner = strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(m[1])
	}
	var infos []*workflowpb.WorkflowExecutionInfo
	for i := len(f.order) - 1; i >= 0; i-- { // newest first
		w := f.wfs[f.order[i]]
		o, _ := w.opts.TypedSearchAttributes.GetKeyword(temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrOwner))
		if strings.Contains(req.Query, "'"+w.typ+"'") && (owner == "" || o == owner) {
			infos = append(infos, w.info())
		}
	}
	off := 0
	if len(req.NextPageToken) > 0 {
		n, err := strconv.Atoi(string(req.NextPageToken))
		if err != nil {
			// What the SDK returns once the embedded server's answer to a
			// token it cannot parse ("something went wrong, please
			// retry") has been retried until the deadline.
			return nil, fmt.Errorf("list: %w", context.DeadlineExceeded)
		}
		off = n
	}
	end := min(off+int(req.PageSize), len(infos))
	resp := &workflowservice.ListWorkflowExecutionsResponse{Executions: infos[min(off, len(infos)):end]}
	if end < len(infos) {
		resp.NextPageToken = []byte(strconv.Itoa(end))
	}
	return resp, nil
}

func (f *fakeTemporal) CheckHealth(ctx context.Context, req *sdkclient.CheckHealthRequest) (*sdkclient.CheckHealthResponse, error) {
	if f.healthErr != nil {
		return nil, f.healthErr
	}
	return &sdkclient.CheckHealthResponse{}, nil
}

// get returns a copy of execution id.
func (f *fakeTemporal) get(id string) fakeWorkflow {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.wfs[id]
}

// started returns copies of the executions started, in order.
func (f *fakeTemporal) started() []fakeWorkflow {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]fakeWorkflow, 0, len(f.order))
	for _, id := range f.order {
		out = append(out, *f.wfs[id])
	}
	return out
}

// complete closes run id with res.
func (f *fakeTemporal) complete(id string, res rf.ResearchResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wfs[id].closeLocked(&res, nil, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
}

func (f *fakeTemporal) fail(id string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wfs[id].closeLocked(nil, err, enumspb.WORKFLOW_EXECUTION_STATUS_FAILED)
}

type cancelledError struct{}

func (*cancelledError) Error() string { return "canceled" }

// fakeRun is a sdkclient.WorkflowRun of fakeTemporal; Get waits for the run to close.
type fakeRun struct {
	f         *fakeTemporal
	id, runID string
}

func (r *fakeRun) GetID() string                  { return r.id }
func (r *fakeRun) GetRunID() string               { return r.runID }
func (r *fakeRun) GetFirstExecutionRunID() string { return r.runID }
func (r *fakeRun) GetWithOptions(ctx context.Context, v any, _ sdkclient.WorkflowRunGetOptions) error {
	return r.Get(ctx, v)
}

func (r *fakeRun) Get(ctx context.Context, v any) error {
	if err := badHeader(r.id); err != nil {
		return err
	}
	for {
		r.f.mu.Lock()
		w, ok := r.f.wfs[r.id]
		if !ok {
			r.f.mu.Unlock()
			return serviceerror.NewNotFound("workflow not found")
		}
		if w.status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			res, err := w.result, w.err
			r.f.mu.Unlock()
			if err == errCancelled {
				return canceledErr()
			}
			if err != nil {
				return err
			}
			if res == nil {
				return fmt.Errorf("no result")
			}
			return anyValue{res}.Get(v)
		}
		r.f.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// anyValue is a converter.EncodedValue that round-trips through JSON, as
// Temporal's default data converter does.
type anyValue struct{ v any }

func (j anyValue) HasValue() bool { return j.v != nil }
func (j anyValue) Get(ptr any) error {
	b, err := json.Marshal(j.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, ptr)
}

type fakeUpdate struct {
	id  string
	err error
}

func (u fakeUpdate) WorkflowID() string { return u.id }
func (u fakeUpdate) RunID() string      { return "" }
func (u fakeUpdate) UpdateID() string   { return "u1" }
func (u fakeUpdate) Get(ctx context.Context, v any) error {
	if u.err != nil {
		return u.err
	}
	return anyValue{rf.Progress{ResearchID: u.id, Status: rf.StatusRunning, Stage: rf.StageSearch, Seq: 7}}.Get(v)
}

func keyword(name string) temporal.SearchAttributeKeyKeyword {
	return temporal.NewSearchAttributeKeyKeyword(name)
}

func canceledErr() error { return temporal.NewCanceledError() }

// WorkflowService answers the one call the client makes through it:
// DeleteWorkflowExecution.
func (f *fakeTemporal) WorkflowService() workflowservice.WorkflowServiceClient {
	return fakeService{f: f}
}

type fakeService struct {
	workflowservice.WorkflowServiceClient // nil: any other call panics
	f                                     *fakeTemporal
}

func (s fakeService) DeleteWorkflowExecution(ctx context.Context, req *workflowservice.DeleteWorkflowExecutionRequest, _ ...grpc.CallOption) (*workflowservice.DeleteWorkflowExecutionResponse, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	id := req.GetWorkflowExecution().GetWorkflowId()
	if _, ok := s.f.wfs[id]; !ok {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	delete(s.f.wfs, id)
	s.f.order = slices.DeleteFunc(s.f.order, func(o string) bool { return o == id })
	return &workflowservice.DeleteWorkflowExecutionResponse{}, nil
}
