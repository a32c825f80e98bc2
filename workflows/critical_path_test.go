package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// lateServer plays a slow or refusing Temporal server for the research
// workflow: the delivery workflow's start is known only after startDelay,
// the signal of the run's i-th message is taken only after
// signalDelay(i), refuse, when it says so, refuses a message, and an
// activity of a type in activityDelay answers that much later. It
// records, on the test clock, when each activity was scheduled, what the
// server took in order, and when the run ended.
type lateServer struct {
	interceptor.WorkerInterceptorBase
	startDelay    time.Duration
	signalDelay   func(i int) time.Duration
	refuse        func(m DeliveryMessage) bool
	activityDelay map[string]time.Duration
	// startErr, when set, is the delivery workflow's start failing.
	startErr error

	mu        sync.Mutex
	signals   int
	versions  []string                 // change IDs the run asked, in order
	upserts   [][]string               // search attribute keys of each upsert, in order
	scheduled map[string]time.Duration // first scheduling of each activity type, since the run's start
	taken     []DeliveryMessage
	ended     time.Duration
}

func (s *lateServer) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	if workflow.GetInfo(ctx).WorkflowType.Name != rf.ResearchWorkflowType {
		return next
	}
	i := &lateInbound{s: s}
	i.Next = next
	return i
}

type lateInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	s *lateServer
}

func (i *lateInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	o := &lateOutbound{s: i.s}
	o.Next = outbound
	return i.Next.Init(o)
}

func (i *lateInbound) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	res, err := i.Next.ExecuteWorkflow(ctx, in)
	i.s.mu.Lock()
	i.s.ended = since(ctx)
	i.s.mu.Unlock()
	return res, err
}

func since(ctx workflow.Context) time.Duration {
	return workflow.Now(ctx).Sub(workflow.GetInfo(ctx).WorkflowStartTime)
}

type lateOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	s *lateServer
}

func (o *lateOutbound) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.s.mu.Lock()
	if _, ok := o.s.scheduled[activityType]; !ok {
		o.s.scheduled[activityType] = since(ctx)
	}
	o.s.mu.Unlock()
	f := o.Next.ExecuteActivity(ctx, activityType, args...)
	d, ok := o.s.activityDelay[activityType]
	if !ok {
		return f
	}
	late, settle := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		_ = workflow.Sleep(ctx, d)
		settle.Chain(f)
	})
	return late
}

func (o *lateOutbound) GetVersion(ctx workflow.Context, changeID string, minSupported, maxSupported workflow.Version) workflow.Version {
	o.s.mu.Lock()
	o.s.versions = append(o.s.versions, changeID)
	o.s.mu.Unlock()
	return o.Next.GetVersion(ctx, changeID, minSupported, maxSupported)
}

// UpsertTypedSearchAttributes records the keys of each upsert, sorted (the
// map is read only to sort its keys).
//
//workflowcheck:ignore
func (o *lateOutbound) UpsertTypedSearchAttributes(ctx workflow.Context, updates ...temporal.SearchAttributeUpdate) error {
	// The keys are known only by applying the updates.
	sa := temporal.NewSearchAttributes(updates...)
	var keys []string
	for k := range sa.GetUntypedValues() {
		keys = append(keys, k.GetName())
	}
	slices.Sort(keys)
	o.s.mu.Lock()
	o.s.upserts = append(o.s.upserts, keys)
	o.s.mu.Unlock()
	return o.Next.UpsertTypedSearchAttributes(ctx, updates...)
}

func (o *lateOutbound) SignalExternalWorkflow(ctx workflow.Context, workflowID, runID, signalName string, arg any) workflow.Future {
	m := arg.(DeliveryMessage)
	o.s.mu.Lock()
	i := o.s.signals
	o.s.signals++
	o.s.mu.Unlock()
	f, settle := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		if o.s.signalDelay != nil {
			_ = workflow.Sleep(ctx, o.s.signalDelay(i))
		}
		if o.s.refuse != nil && o.s.refuse(m) {
			settle.Set(nil, errors.New("signal refused"))
			return
		}
		o.s.mu.Lock()
		o.s.taken = append(o.s.taken, m)
		o.s.mu.Unlock()
		settle.Chain(o.Next.SignalExternalWorkflow(ctx, workflowID, runID, signalName, arg))
	})
	return f
}

func (o *lateOutbound) ExecuteChildWorkflow(ctx workflow.Context, childWorkflowType string, args ...any) workflow.ChildWorkflowFuture {
	started, settle := workflow.NewFuture(ctx)
	if o.s.startErr != nil {
		settle.Set(nil, o.s.startErr)
		return lateStart{started: started} // the run uses only its start
	}
	f := o.Next.ExecuteChildWorkflow(ctx, childWorkflowType, args...)
	workflow.Go(ctx, func(ctx workflow.Context) {
		_ = workflow.Sleep(ctx, o.s.startDelay)
		settle.Chain(f.GetChildWorkflowExecution())
	})
	return lateStart{ChildWorkflowFuture: f, started: started}
}

// lateStart is a child workflow whose start is known late.
type lateStart struct {
	workflow.ChildWorkflowFuture
	started workflow.Future
}

func (f lateStart) GetChildWorkflowExecution() workflow.Future { return f.started }

// warnings is a logger that keeps the warnings with their key-values.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) Debug(string, ...any) {}
func (w *warnings) Info(string, ...any)  {}
func (w *warnings) Error(string, ...any) {}
func (w *warnings) Warn(msg string, kv ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, fmt.Sprintln(append([]any{msg}, kv...)...))
}

var _ log.Logger = (*warnings)(nil)

// newLateEnv is newEnv with the run behind s, logging to w.
func newLateEnv(t *testing.T, f *fakeActivities, s *lateServer, w *warnings) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(w)
	env := suite.NewTestWorkflowEnvironment()
	s.scheduled = map[string]time.Duration{}
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{s}})
	env.RegisterWorkflowWithOptions(ResearchWorkflow, workflow.RegisterOptions{Name: rf.ResearchWorkflowType})
	env.RegisterWorkflowWithOptions(DeliveryWorkflow, workflow.RegisterOptions{Name: DeliveryWorkflowType})
	env.SetTestTimeout(30 * time.Second)
	f.calls = map[string]int{}
	f.register(env)
	return env
}

// messageIDs names each message by its event ID, "+final" when it is the
// last (Final set).
func messageIDs(ms []DeliveryMessage) []string {
	var ids []string
	for _, m := range ms {
		id := ""
		if m.Event != nil {
			id = m.Event.ID
		}
		if m.Final {
			id += "+final"
		}
		ids = append(ids, id)
	}
	return ids
}

// Issue 23: the run hands its messages to its delivery workflow off its
// critical path. With a server that makes the delivery workflow's start
// known an hour late and takes the first signal only after three hours
// (each later one after an hour), every stage of the run is scheduled
// before the start is known; the server still takes the messages one at a
// time in the order the run made them, with Final on the last one, and the
// run ends only once the last was taken. The sinks get every event in
// order.
func TestRunDoesNotWaitForDelivery(t *testing.T) {
	f := &fakeActivities{followUps: []reasoning.SubQuestion{{Text: "What about select?"}}}
	s := &lateServer{startDelay: time.Hour, signalDelay: func(i int) time.Duration {
		if i == 0 {
			return 3 * time.Hour
		}
		return time.Hour
	}}
	env := newLateEnv(t, f, s, &warnings{})
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	res := runResult(t, env)

	for _, a := range []string{PrepareCorpusActivity, PlanActivity, RetrieveActivity, AnalyzeActivity, ReflectActivity, SynthesizeActivity, StoreReportActivity} {
		at, ok := s.scheduled[a]
		if !ok || at >= s.startDelay {
			t.Errorf("%s scheduled at %v (scheduled %v): want before the delivery workflow's start is known (%v)", a, at, ok, s.startDelay)
		}
	}
	id := "default-test-workflow-id"
	events := []string{
		id + ":" + rf.EventPlanReady,
		id + ":" + rf.EventSearchCompleted + ":0",
		id + ":" + rf.EventAnalysisCompleted + ":0",
		id + ":" + rf.EventSearchCompleted + ":1",
		id + ":" + rf.EventAnalysisCompleted + ":1",
		id + ":" + rf.EventReportReady,
	}
	want := slices.Clone(events)
	want[len(want)-1] += "+final"
	if got := messageIDs(s.taken); !slices.Equal(got, want) {
		t.Errorf("the server took %q\nwant %q", got, want)
	}
	// The start, then one signal after another: the run ended after all.
	if min := s.startDelay + 3*time.Hour + time.Duration(len(want)-1)*time.Hour; s.ended < min {
		t.Errorf("the run ended %v after its start, before its last message was taken (%v)", s.ended, min)
	}
	for _, sink := range []string{SinkWebhook, SinkNATS} {
		if got := f.sinkEvents(sink); !slices.Equal(got, events) {
			t.Errorf("%s got %q\nwant %q", sink, got, events)
		}
	}
	if res.DeliveryWorkflowID != DeliveryWorkflowID(id) {
		t.Errorf("result names delivery %q", res.DeliveryWorkflowID)
	}
}

// A message the server refuses is logged with its event, the run still
// completes, and the delivery workflow gets every other message, in order,
// and its Final.
func TestRefusedSignalIsLogged(t *testing.T) {
	id := "default-test-workflow-id"
	refused := id + ":" + rf.EventSearchCompleted + ":0"
	f := &fakeActivities{}
	s := &lateServer{refuse: func(m DeliveryMessage) bool { return m.Event != nil && m.Event.ID == refused }}
	w := &warnings{}
	env := newLateEnv(t, f, s, w)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	runResult(t, env)

	logged := slices.ContainsFunc(w.msgs, func(m string) bool {
		return strings.HasPrefix(m, "notification not handed to the delivery workflow ") &&
			strings.Contains(m, " message "+refused+" ") && strings.Contains(m, "signal refused")
	})
	if !logged {
		t.Errorf("warnings %q: want the refused %s", w.msgs, refused)
	}
	want := []string{id + ":" + rf.EventPlanReady, id + ":" + rf.EventAnalysisCompleted + ":0", id + ":" + rf.EventReportReady}
	if got := f.sinkEvents(SinkWebhook); !slices.Equal(got, want) {
		t.Errorf("webhook got %q\nwant %q", got, want)
	}
	if got := messageIDs(s.taken); len(got) != 3 || got[2] != want[2]+"+final" {
		t.Errorf("the server took %q: want Final on the report", got)
	}
}

// The plan is priced beside the search (estimateChange 1): with an
// estimate that answers an hour late, the retrievals are scheduled at
// once, the analyses only once the price is known (the budget checks
// before each analysis use it), and the result carries the estimate.
func TestEstimateBesideTheSearch(t *testing.T) {
	f := &fakeActivities{analyzeNeed: rf.Usage{PromptTokens: 10, CompletionTokens: 5}}
	s := &lateServer{activityDelay: map[string]time.Duration{EstimatePlanActivity: time.Hour}}
	env := newLateEnv(t, f, s, &warnings{})
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	res := runResult(t, env)
	if at := s.scheduled[RetrieveActivity]; at >= time.Hour {
		t.Errorf("Retrieve scheduled %v after the start: want before the estimate answers (1h)", at)
	}
	if at, ok := s.scheduled[AnalyzeActivity]; !ok || at < time.Hour {
		t.Errorf("Analyze scheduled %v after the start (scheduled %v): want once the estimate answered (1h)", at, ok)
	}
	if res.Estimate == nil || res.Estimate.SubQuestions == nil || res.Estimate.ModelCalls == 0 {
		t.Errorf("result estimate = %+v", res.Estimate)
	}
}

// A run that asks for plan approval is priced before it asks: the
// approver sees the price.
func TestEstimateBeforeApproval(t *testing.T) {
	f := &fakeActivities{}
	s := &lateServer{activityDelay: map[string]time.Duration{EstimatePlanActivity: time.Hour}}
	env := newLateEnv(t, f, s, &warnings{})
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(rf.ProgressQuery)
		if err != nil {
			t.Error(err)
			return
		}
		var p rf.Progress
		if err := v.Get(&p); err != nil {
			t.Error(err)
			return
		}
		if p.Status != rf.StatusAwaitingApproval || p.Estimate == nil {
			t.Errorf("awaiting approval: status %s, estimate %+v: want the price shown", p.Status, p.Estimate)
		}
		env.UpdateWorkflow(rf.ApprovePlanUpdate, "u1", &updateCallbacks{t: t}, rf.PlanApproval{Approved: new(true), By: "alice"})
	}, 2*time.Hour)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?", RequireApproval: true})
	runResult(t, env)
	if at := s.scheduled[RetrieveActivity]; at < time.Hour {
		t.Errorf("Retrieve scheduled %v after the start: want after the estimate (1h) and the approval", at)
	}
}

// A run that continues as new first waits until the delivery workflow has
// taken every message it queued (the next run hands over the rest), and
// sends no Final: the chain goes on.
func TestContinueAsNewDrainsTheOutbox(t *testing.T) {
	f := &fakeActivities{followUps: []reasoning.SubQuestion{{Text: "What about select?"}}}
	s := &lateServer{signalDelay: func(int) time.Duration { return time.Hour }}
	env := newLateEnv(t, f, s, &warnings{})
	env.SetCurrentHistoryLength(historyLimit + 1)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	if err := env.GetWorkflowError(); !workflow.IsContinueAsNewError(err) {
		t.Fatalf("workflow error %v: want continue-as-new after the first round", err)
	}
	id := "default-test-workflow-id"
	want := []string{id + ":" + rf.EventPlanReady, id + ":" + rf.EventSearchCompleted + ":0", id + ":" + rf.EventAnalysisCompleted + ":0"}
	if got := messageIDs(s.taken); !slices.Equal(got, want) {
		t.Errorf("taken before continuing as new: %q\nwant %q", got, want)
	}
	if s.ended < time.Duration(len(want))*time.Hour {
		t.Errorf("the run continued as new %v after its start, before its messages were taken", s.ended)
	}
}

// A run whose delivery workflow could not be started says so in its log,
// signals nothing, keeps its events in its state, and completes.
func TestRunWithoutDeliveryWorkflow(t *testing.T) {
	f := &fakeActivities{}
	s := &lateServer{startErr: errors.New("namespace busy")}
	w := &warnings{}
	env := newLateEnv(t, f, s, w)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	res := runResult(t, env)
	if res.DeliveryWorkflowID != "" || s.signals != 0 || len(f.sinkIn) != 0 {
		t.Errorf("delivery workflow %q, %d signals, sinks %v: want none", res.DeliveryWorkflowID, s.signals, f.sinkIn)
	}
	if !slices.ContainsFunc(w.msgs, func(m string) bool {
		return strings.HasPrefix(m, "delivery workflow not started") && strings.Contains(m, "namespace busy")
	}) {
		t.Errorf("warnings %q: want the failed start", w.msgs)
	}
	p := queryProgress(t, env)
	if len(p.Events) != 4 || p.Events[3].Type != rf.EventReportReady {
		t.Errorf("events in the state: %+v", p.Events)
	}
}

// Issue 23: a run whose notify pool has no sink configured, and that mails
// nobody, starts no delivery workflow and signals nothing (each signal
// costs the run a workflow task); it asks the pool once, keeps its events
// in its state, and completes. With only e-mail configured it is the same
// (the run has no recipient).
func TestNoSinkNoDeliveryWorkflow(t *testing.T) {
	for _, configured := range [][]string{{}, {SinkEmail}} {
		f := &fakeActivities{configured: configured}
		s := &lateServer{}
		w := &warnings{}
		env := newLateEnv(t, f, s, w)
		env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
		res := runResult(t, env)
		if res.DeliveryWorkflowID != "" || s.signals != 0 || len(f.sinkIn) != 0 || f.called("sinks") != 1 {
			t.Errorf("configured %q: delivery workflow %q, %d signals, sinks %v, %d questions to the pool: want none, none, none, 1",
				configured, res.DeliveryWorkflowID, s.signals, f.sinkIn, f.called("sinks"))
		}
		if len(w.msgs) != 0 {
			t.Errorf("configured %q: warnings %q", configured, w.msgs)
		}
		if res.ReportPath == "" || f.called("store") != 1 {
			t.Errorf("configured %q: report path %q, stored %d times", configured, res.ReportPath, f.called("store"))
		}
		if p := queryProgress(t, env); len(p.Events) != 4 || p.Events[3].Type != rf.EventReportReady {
			t.Errorf("configured %q: events in the state: %+v", configured, p.Events)
		}
	}
}

// With one sink configured the run starts its delivery workflow once the
// pool has answered, and hands it every message; a pool that does not
// answer is taken to have every sink (warned), and a run with e-mail
// recipients does not ask: its delivery workflow mails the report.
func TestDeliveryWorkflowWhenASinkIsConfigured(t *testing.T) {
	id := "default-test-workflow-id"
	want := []string{id + ":" + rf.EventPlanReady, id + ":" + rf.EventSearchCompleted + ":0",
		id + ":" + rf.EventAnalysisCompleted + ":0", id + ":" + rf.EventReportReady}
	for _, tc := range []struct {
		name  string
		f     *fakeActivities
		in    rf.ResearchInput
		sink  string
		asked int
		warn  string
	}{
		{"webhook", &fakeActivities{configured: []string{SinkWebhook}}, rf.ResearchInput{}, SinkWebhook, 1, ""},
		{"nats", &fakeActivities{configured: []string{SinkNATS, SinkEmail}}, rf.ResearchInput{}, SinkNATS, 1, ""},
		{"pool silent", &fakeActivities{configured: []string{}, sinksErr: temporal.NewNonRetryableApplicationError("no pool", "Test", nil)}, rf.ResearchInput{}, SinkWebhook, 1, "notify pool's sinks unknown"},
		{"recipients", &fakeActivities{configured: []string{}}, rf.ResearchInput{Notify: &rf.NotifyTargets{Email: []string{"ada@example.com"}}}, SinkWebhook, 0, ""},
	} {
		s := &lateServer{}
		w := &warnings{}
		env := newLateEnv(t, tc.f, s, w)
		tc.in.Question = "What does the memory model guarantee?"
		env.ExecuteWorkflow(rf.ResearchWorkflowType, tc.in)
		res := runResult(t, env)
		if res.DeliveryWorkflowID != DeliveryWorkflowID(id) || tc.f.called("sinks") != tc.asked {
			t.Errorf("%s: delivery workflow %q, asked the pool %d times (want %d)", tc.name, res.DeliveryWorkflowID, tc.f.called("sinks"), tc.asked)
		}
		if got := tc.f.sinkEvents(tc.sink); !slices.Equal(got, want) {
			t.Errorf("%s: %s got %q\nwant %q", tc.name, tc.sink, got, want)
		}
		warned := slices.ContainsFunc(w.msgs, func(m string) bool { return tc.warn != "" && strings.HasPrefix(m, tc.warn) })
		if (tc.warn != "") != warned || tc.warn == "" && len(w.msgs) != 0 {
			t.Errorf("%s: warnings %q, want %q", tc.name, w.msgs, tc.warn)
		}
	}
}

// Issue 23: a new run asks one change version, its shape (each GetVersion
// the SDK records with a marker and a search attribute upsert, one more
// visibility write), and writes its first search attributes with its first
// stage, its last stage with its final status. The run is started as the
// client starts one, with its question in the memo (a run started without
// asks questionMemoChange too: memo_test.go).
func TestNewRunAsksOnlyItsShape(t *testing.T) {
	f := &fakeActivities{}
	s := &lateServer{}
	env := newLateEnv(t, f, s, &warnings{})
	if err := env.SetMemoOnStart(map[string]any{rf.MemoQuestion: "What does the memory model guarantee?"}); err != nil {
		t.Fatal(err)
	}
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?", Owner: "ada"})
	runResult(t, env)
	if !slices.Equal(s.versions, []string{shapeChange}) {
		t.Errorf("versions asked: %q, want only %q", s.versions, shapeChange)
	}
	first := []string{rf.SearchAttrCorpus, rf.SearchAttrOwner, rf.SearchAttrStage, rf.SearchAttrStatus}
	last := []string{rf.SearchAttrStage, rf.SearchAttrStatus}
	if n := len(s.upserts); n < 2 || !slices.Equal(s.upserts[0], first) || !slices.Equal(s.upserts[n-1], last) {
		t.Errorf("upserts %q: want %q first and %q last", s.upserts, first, last)
	}
	for _, u := range s.upserts[1 : len(s.upserts)-1] {
		if !slices.Equal(u, []string{rf.SearchAttrStage}) {
			t.Errorf("upserts %q: between the first and the last only stages", s.upserts)
			break
		}
	}
}

// A run cancelled before its notify pool has answered (during its first
// analyses, which take two hours) still hands what it queued, and its
// Final, to a delivery workflow that its cancellation does not cancel: the
// sinks get the events made before the cancellation. With the pool down
// for its whole minute that is warned once; with a pool that answers an
// hour late, nothing is. (The same when the pool answered first, or when
// the run mails someone and does not ask: before research-shape 1 the
// run's cancellation cancelled its delivery workflow, which then refused
// the Final.)
func TestCancelledBeforeThePoolAnswers(t *testing.T) {
	id := "default-test-workflow-id"
	want := []string{id + ":" + rf.EventPlanReady, id + ":" + rf.EventSearchCompleted + ":0"}
	for _, tc := range []struct {
		name string
		f    *fakeActivities
		s    *lateServer
		warn []string
	}{
		{"answered", &fakeActivities{}, &lateServer{activityDelay: map[string]time.Duration{AnalyzeActivity: 2 * time.Hour}}, nil},
		{"late", &fakeActivities{}, &lateServer{activityDelay: map[string]time.Duration{DeliverySinksActivity: time.Hour, AnalyzeActivity: 2 * time.Hour}}, nil},
		{"down", &fakeActivities{sinksErr: errors.New("notify pool down")}, &lateServer{activityDelay: map[string]time.Duration{AnalyzeActivity: 2 * time.Hour}}, []string{"notify pool's sinks unknown"}},
		{"recipients", &fakeActivities{}, &lateServer{activityDelay: map[string]time.Duration{AnalyzeActivity: 2 * time.Hour}}, nil},
	} {
		w := &warnings{}
		env := newLateEnv(t, tc.f, tc.s, w)
		env.RegisterDelayedCallback(env.CancelWorkflow, 30*time.Second)
		in := rf.ResearchInput{Question: "What does the memory model guarantee?"}
		if tc.name == "recipients" { // the run does not ask the pool
			in.Notify = &rf.NotifyTargets{Email: []string{"ada@example.com"}}
		}
		env.ExecuteWorkflow(rf.ResearchWorkflowType, in)
		if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
			t.Fatalf("%s: workflow error %v, want cancelled", tc.name, err)
		}
		var events []string
		for _, m := range tc.s.taken {
			if m.Event != nil {
				events = append(events, m.Event.ID)
			}
		}
		if n := len(tc.s.taken); !slices.Equal(events, want) || n == 0 || !tc.s.taken[n-1].Final {
			t.Errorf("%s: the server took %q, want %q and Final last", tc.name, messageIDs(tc.s.taken), want)
		}
		for _, sink := range []string{SinkWebhook, SinkNATS} {
			if got := tc.f.sinkEvents(sink); !slices.Equal(got, want) {
				t.Errorf("%s: %s got %q, want %q", tc.name, sink, got, want)
			}
		}
		var got []string
		for _, m := range w.msgs {
			got = append(got, strings.SplitN(m, ";", 2)[0])
		}
		if !slices.Equal(got, tc.warn) {
			t.Errorf("%s: warnings %q, want %q", tc.name, w.msgs, tc.warn)
		}
	}
}

// A run continued as new does not ask its notify pool: an earlier run of
// its chain may have started the chain's delivery workflow (every run
// started before research-shape did), which waits for the chain's Final.
// Here the first run started before research-shape, and the pool has no
// sink: the continued run still hands its messages and its Final to the
// chain's delivery workflow.
func TestContinuedRunEndsItsChainsDelivery(t *testing.T) {
	f := &fakeActivities{configured: []string{}, followUps: []reasoning.SubQuestion{{Text: "What about select?"}}}
	s := &lateServer{}
	env := newLateEnv(t, f, s, &warnings{})
	env.OnGetVersion(shapeChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnGetVersion(deliverySinksChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.SetCurrentHistoryLength(historyLimit + 1)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	var cont *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &cont) {
		t.Fatalf("workflow error %v: want continue-as-new after the first round", err)
	}
	if f.called("sinks") != 0 || len(s.taken) == 0 || s.taken[len(s.taken)-1].Final {
		t.Fatalf("first run: asked the pool %d times, the server took %q: want its messages, no Final", f.called("sinks"), messageIDs(s.taken))
	}
	var next rf.ResearchInput
	if err := converter.GetDefaultDataConverter().FromPayloads(cont.Input, &next); err != nil {
		t.Fatal(err)
	}

	f2 := &fakeActivities{configured: []string{}}
	s2 := &lateServer{}
	env2 := newLateEnv(t, f2, s2, &warnings{})
	env2.SetContinuedExecutionRunID("first-run")
	env2.ExecuteWorkflow(rf.ResearchWorkflowType, next)
	res := runResult(t, env2)
	id := "default-test-workflow-id"
	if res.DeliveryWorkflowID != DeliveryWorkflowID(id) || f2.called("sinks") != 0 {
		t.Errorf("continued run: delivery workflow %q, asked the pool %d times: want %q, not asked", res.DeliveryWorkflowID, f2.called("sinks"), DeliveryWorkflowID(id))
	}
	if n := len(s2.taken); n == 0 || !s2.taken[n-1].Final || s2.taken[n-1].Event == nil || s2.taken[n-1].Event.Type != rf.EventReportReady {
		t.Errorf("continued run: the server took %q: want the report with Final", messageIDs(s2.taken))
	}
}

// A notify pool of a release before DeliverySinks (a workflow pool
// upgraded first) does not know the question: the run takes that answer
// at once as every sink, warned, and does not wait out the pool's minute
// at its end.
func TestOlderNotifyPool(t *testing.T) {
	f := &fakeActivities{olderPool: true}
	s := &lateServer{}
	w := &warnings{}
	env := newLateEnv(t, f, s, w)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	res := runResult(t, env)
	if res.DeliveryWorkflowID == "" || len(f.sinkEvents(SinkWebhook)) != 4 {
		t.Errorf("delivery workflow %q, webhook got %q: want it started and every event", res.DeliveryWorkflowID, f.sinkEvents(SinkWebhook))
	}
	if len(w.msgs) != 1 || !strings.HasPrefix(w.msgs[0], "notify pool's sinks unknown") {
		t.Errorf("warnings %q: want the unknown sinks, once", w.msgs)
	}
	if s.ended >= 10*time.Second {
		t.Errorf("the run ended %v after its start: it waited for a pool that cannot answer", s.ended)
	}
}
