package workflows

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// runDelivery runs a delivery workflow on its own with f's activities,
// signals it msgs (then a final message) a second apart, and returns its
// result; during, if set, runs at each signal with the state then.
func runDelivery(t *testing.T, f *fakeActivities, in DeliveryInput, msgs []DeliveryMessage, during func(i int, st DeliveryState)) DeliveryState {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(DeliveryWorkflow, workflow.RegisterOptions{Name: DeliveryWorkflowType})
	env.SetTestTimeout(30 * time.Second)
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.register(env)
	msgs = append(msgs, DeliveryMessage{Final: true})
	for i, m := range msgs {
		env.RegisterDelayedCallback(func() {
			if during != nil {
				v, err := env.QueryWorkflow(DeliveryQuery)
				if err != nil {
					t.Error(err)
				} else {
					var st DeliveryState
					_ = v.Get(&st)
					during(i, st)
				}
			}
			env.SignalWorkflow(DeliverySignal, m)
		}, time.Duration(i+1)*time.Second)
	}
	env.ExecuteWorkflow(DeliveryWorkflowType, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var st DeliveryState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// runMessages are the messages of a run with one round.
func runMessages(id string) []DeliveryMessage {
	ev := func(typ string) *rf.Event {
		return &rf.Event{ID: EventID(id, typ, 0), Type: typ, Data: rf.EventData{ResearchID: id, Title: "T"}}
	}
	return []DeliveryMessage{
		{Event: ev(rf.EventPlanReady)}, {Event: ev(rf.EventSearchCompleted)}, {Event: ev(rf.EventAnalysisCompleted)},
		{Event: ev(rf.EventReportReady), Report: "# T\n", ReportPath: "/reports/r.md"},
	}
}

func sinkState(st *DeliveryState, sink string) SinkState {
	for _, s := range st.Sinks {
		if s.Sink == sink {
			return s
		}
	}
	return SinkState{}
}

// TestEventsOfARun: a run with one reflection round hands plan.ready, then
// search and analysis completed per round, then report.ready with the
// report and its stored path, in order and with stable IDs, to its delivery
// workflow, which delivers them to each sink in that order; the progress
// query shows them all with Seqs that order them among the progress
// snapshots, and the result names the delivery workflow.
func TestEventsOfARun(t *testing.T) {
	f := &fakeActivities{followUps: []reasoning.SubQuestion{{Text: "What about select?"}}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	res := runResult(t, env)
	id := "default-test-workflow-id"
	want := []string{
		id + ":" + rf.EventPlanReady,
		id + ":" + rf.EventSearchCompleted + ":0",
		id + ":" + rf.EventAnalysisCompleted + ":0",
		id + ":" + rf.EventSearchCompleted + ":1",
		id + ":" + rf.EventAnalysisCompleted + ":1",
		id + ":" + rf.EventReportReady,
	}
	for _, sink := range []string{SinkWebhook, SinkNATS} {
		if got := f.sinkEvents(sink); !slices.Equal(got, want) {
			t.Errorf("%s got %q\nwant %q", sink, got, want)
		}
	}
	if n := f.called("sink:" + SinkEmail); n != 0 {
		t.Errorf("e-mail deliveries: %d for a run without recipients", n)
	}
	ready := f.sinkIn[SinkWebhook][5]
	if ready.Report != "# Report\n\nText [1].\n" || ready.ReportPath != "/reports/"+id+".md" || ready.Event.Data.Title != "Report" {
		t.Errorf("report.ready delivery = %+v", ready)
	}
	if f.called("deliver") != 0 || f.called("publish") != 0 || f.stored.ResearchID != id {
		t.Errorf("calls %v: want StoreReport and the sinks only", f.snapshot())
	}
	if res.DeliveryWorkflowID != DeliveryWorkflowID(id) || res.ReportPath != "/reports/"+id+".md" {
		t.Errorf("result names delivery %q, path %q", res.DeliveryWorkflowID, res.ReportPath)
	}

	p := queryProgress(t, env)
	if len(p.Events) != 6 || p.Events[5].ID != ready.Event.ID {
		t.Fatalf("progress events = %+v", p.Events)
	}
	for i, e := range p.Events {
		if e.Seq >= p.Seq || (i > 0 && e.Seq <= p.Events[i-1].Seq) {
			t.Errorf("event %d Seq %d: not ordered below progress Seq %d", i, e.Seq, p.Seq)
		}
	}
}

// TestFailedRunPublishesFailed: a run whose plan fails for good hands
// research.failed with the reason to its sinks, and nothing else.
func TestFailedRunPublishesFailed(t *testing.T) {
	f := &fakeActivities{planErr: temporal.NewNonRetryableApplicationError("bad model key", "ModelAuth", errors.New("401"))}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	if env.GetWorkflowError() == nil {
		t.Fatal("the run succeeded")
	}
	got := f.sinkIn[SinkWebhook]
	if len(got) != 1 || got[0].Event.Type != rf.EventFailed || got[0].Event.Data.Error == "" {
		t.Fatalf("webhook got %+v", got)
	}
}

// Issue 19 item 4: a webhook that answers 404 (a non-retryable refusal)
// neither holds the run nor stops the e-mail the run asked for, and is not
// asked again for every later event, only for the report.
func TestWebhookRefusalDoesNotStopTheEmail(t *testing.T) {
	f := &fakeActivities{sinkErr: map[string]error{
		SinkWebhook: temporal.NewNonRetryableApplicationError("webhook refused event x: 404 Not Found", "WebhookRejected", nil),
	}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?",
		Notify: &rf.NotifyTargets{Email: []string{"ana@example.org"}}})
	res := runResult(t, env)
	mail := f.sinkIn[SinkEmail]
	if len(mail) != 1 || mail[0].Report != res.Report || !slices.Equal(mail[0].Email, []string{"ana@example.org"}) {
		t.Fatalf("e-mail got %+v, want the report once", mail)
	}
	id := "default-test-workflow-id"
	if got, want := f.sinkEvents(SinkWebhook), []string{id + ":" + rf.EventPlanReady, id + ":" + rf.EventReportReady}; !slices.Equal(got, want) {
		t.Errorf("webhook asked for %q, want %q (the events between skipped)", got, want)
	}
	if got := len(f.sinkEvents(SinkNATS)); got != 4 {
		t.Errorf("nats got %d messages, want 4", got)
	}
}

// The delivery workflow's state says per sink what was delivered, what
// failed and why, and what was skipped; the e-mail gets the report.
func TestDeliveryStateNamesEachSink(t *testing.T) {
	f := &fakeActivities{sinkErr: map[string]error{
		SinkWebhook: temporal.NewNonRetryableApplicationError("webhook refused event x: 404 Not Found", "WebhookRejected", nil),
	}}
	st := runDelivery(t, f, DeliveryInput{ResearchID: "r", Email: []string{"ana@example.org"}}, runMessages("r"), nil)
	web := sinkState(&st, SinkWebhook)
	if !st.Done || web.Status != SinkFailed || web.Failed != 2 || web.Skipped != 2 || !strings.Contains(web.LastError, "404") {
		t.Errorf("webhook state = %+v (done %v): want failed (plan.ready and the report), two events skipped, the 404 named", web, st.Done)
	}
	if e := sinkState(&st, SinkEmail); e.Status != SinkDelivered || e.Delivered != 1 {
		t.Errorf("e-mail state = %+v", e)
	}
	if n := sinkState(&st, SinkNATS); n.Status != SinkDelivered || n.Delivered != 4 {
		t.Errorf("nats state = %+v", n)
	}
}

// A receiver that stays down (a retryable error on every attempt) is
// retried on its own while the other sinks are done; the query shows it
// pending with the event it is on; it fails once the window has passed.
func TestDeadWebhookIsRetriedOnItsOwn(t *testing.T) {
	f := &fakeActivities{sinkErr: map[string]error{SinkWebhook: errors.New("webhook: connection refused")}}
	var mid DeliveryState
	st := runDelivery(t, f, DeliveryInput{ResearchID: "r", Email: []string{"ana@example.org"}}, runMessages("r"), func(i int, st DeliveryState) {
		if i == 4 {
			mid = st
		}
	})
	if web := sinkState(&mid, SinkWebhook); web.Status != SinkPending || web.Current != "r:"+rf.EventPlanReady || web.Pending != 4 {
		t.Errorf("webhook state while down = %+v: want pending on plan.ready with 4 waiting", web)
	}
	if n := sinkState(&mid, SinkNATS); n.Delivered != 4 || len(f.sinkIn[SinkEmail]) != 1 {
		t.Errorf("nats state %+v and %d e-mails while the webhook is down: want both done", n, len(f.sinkIn[SinkEmail]))
	}
	if f.called("sink:"+SinkWebhook) < 10 {
		t.Errorf("webhook attempts: %d, want retries", f.called("sink:"+SinkWebhook))
	}
	if web := sinkState(&st, SinkWebhook); web.Status != SinkFailed || !strings.Contains(web.LastError, "connection refused") || web.Skipped != 2 || web.Failed != 2 {
		t.Errorf("webhook state = %+v", web)
	}
}

// A sink the operator did not configure is asked once, then left alone.
func TestUnconfiguredSinkIsAskedOnce(t *testing.T) {
	f := &fakeActivities{}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(DeliveryWorkflow, workflow.RegisterOptions{Name: DeliveryWorkflowType})
	n := 0
	env.RegisterActivityWithOptions(func(in SinkDeliveryInput) (SinkDeliveryResult, error) {
		if in.Sink == SinkNATS {
			n++
			return SinkDeliveryResult{Outcome: DeliveryNotConfigured}, nil
		}
		return SinkDeliveryResult{Outcome: DeliveryDelivered}, nil
	}, activity.RegisterOptions{Name: DeliverToSinkActivity})
	for i, m := range append(runMessages("r"), DeliveryMessage{Final: true}) {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(DeliverySignal, m) }, time.Duration(i+1)*time.Second)
	}
	env.ExecuteWorkflow(DeliveryWorkflowType, DeliveryInput{ResearchID: "r"})
	var st DeliveryState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	_ = f
	if n != 1 || sinkState(&st, SinkNATS).Status != SinkNotConfigured || sinkState(&st, SinkWebhook).Delivered != 4 ||
		sinkState(&st, SinkEmail).Status != SinkNotApplicable {
		t.Errorf("nats asked %d times; state %+v", n, st)
	}
}
