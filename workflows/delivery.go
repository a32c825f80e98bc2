package workflows

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
)

// deliveryChange is the workflow.GetVersion change ID of delivery off the
// run's critical path: from version 1 a run hands its events and report to
// its delivery workflow and never waits for a sink (before it, the run
// published its events in order and waited for them, then for Deliver).
const deliveryChange = "delivery-workflow"

// maxRunSilence is how long a delivery workflow waits for the next message
// of its run before it takes the run as gone (a run terminated without a
// word): longer than any approval wait or ingestion a run makes.
const maxRunSilence = 7 * 24 * time.Hour

// DeliveryWorkflow delivers the notifications of one research run to every
// sink, each on its own (see DeliveryWorkflowType): a coroutine per sink
// takes the run's messages in order, one DeliverToSink activity each, with
// that activity's own retries. A message that fails for good is counted and
// named in the state; the sink's later events are skipped (a receiver that
// refused or stayed down for the whole retry window is not asked again for
// every event), but the report is still tried. It ends when the run has
// ended and every sink has settled, returning the state the DeliveryQuery
// query shows meanwhile.
func DeliveryWorkflow(ctx workflow.Context, in DeliveryInput) (DeliveryState, error) {
	d := &delivery{in: in, st: DeliveryState{ResearchID: in.ResearchID}}
	d.queues = make([][]DeliveryMessage, len(Sinks))
	for _, s := range Sinks {
		st := SinkState{Sink: s, Status: SinkPending}
		if s == SinkEmail && len(in.Email) == 0 {
			st.Status = SinkNotApplicable
		}
		d.st.Sinks = append(d.st.Sinks, st)
	}
	if err := workflow.SetQueryHandler(ctx, DeliveryQuery, func() (DeliveryState, error) { return d.state(), nil }); err != nil {
		return DeliveryState{}, err
	}
	sig := workflow.GetSignalChannel(ctx, DeliverySignal)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var m DeliveryMessage
			sig.Receive(ctx, &m)
			d.add(m)
		}
	})
	wg := workflow.NewWaitGroup(ctx)
	for i := range Sinks {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			d.serve(ctx, i)
		})
	}
	for !d.final {
		seen := d.received
		ok, err := workflow.AwaitWithTimeout(ctx, maxRunSilence, func() bool { return d.final || d.received != seen })
		if err != nil {
			return d.state(), err
		}
		if !ok {
			workflow.GetLogger(ctx).Warn("no word from the run; delivering what it sent", "research", in.ResearchID)
			d.final = true
		}
	}
	wg.Wait(ctx)
	d.st.Done = true
	return d.state(), nil
}

// delivery is the state of a delivery workflow.
type delivery struct {
	in       DeliveryInput
	st       DeliveryState
	queues   [][]DeliveryMessage // per sink, in Sinks order
	received int
	final    bool
}

// add queues m for every sink that takes it: e-mail takes only the report,
// and only when the run has recipients.
func (d *delivery) add(m DeliveryMessage) {
	d.received++
	if m.Event != nil {
		for i, s := range Sinks {
			if s == SinkEmail && (len(d.in.Email) == 0 || m.Event.Type != rf.EventReportReady || m.Report == "") {
				continue
			}
			d.queues[i] = append(d.queues[i], m)
		}
	}
	if m.Final {
		d.final = true
	}
}

func (d *delivery) state() DeliveryState {
	st := d.st
	st.Sinks = make([]SinkState, len(d.st.Sinks))
	for i, s := range d.st.Sinks {
		s.Pending = len(d.queues[i])
		st.Sinks[i] = s
	}
	return st
}

// serve delivers sink i's messages in order until the run has ended and
// the queue is empty.
func (d *delivery) serve(ctx workflow.Context, i int) {
	s := &d.st.Sinks[i]
	actx := workflow.WithActivityOptions(ctx, sinkOptions())
	for {
		if err := workflow.Await(ctx, func() bool { return len(d.queues[i]) > 0 || d.final }); err != nil {
			return
		}
		if len(d.queues[i]) == 0 {
			break
		}
		m := d.queues[i][0]
		isReport := m.Event.Type == rf.EventReportReady && m.Report != ""
		switch {
		case s.Status == SinkNotConfigured:
			// Nothing to do, nothing to count.
		case s.Failed > 0 && !isReport:
			s.Skipped++
		default:
			s.Current = m.Event.ID
			var res SinkDeliveryResult
			err := workflow.ExecuteActivity(actx, DeliverToSinkActivity, SinkDeliveryInput{
				Sink: s.Sink, Event: *m.Event, Report: m.Report, ReportPath: m.ReportPath, Email: d.in.Email,
			}).Get(ctx, &res)
			s.Current = ""
			switch {
			case err != nil:
				s.Failed++
				s.LastError = m.Event.ID + ": " + errorMessage(err)
				workflow.GetLogger(ctx).Warn("notification not delivered", "sink", s.Sink, "event", m.Event.ID, "error", err)
			case res.Outcome == DeliveryNotConfigured:
				s.Status = SinkNotConfigured
				s.LastError = res.Detail
			case res.Outcome == DeliveryDelivered:
				s.Delivered++
			}
		}
		d.queues[i] = d.queues[i][1:]
		if s.Status != SinkNotConfigured {
			s.Status = sinkStatus(*s, len(d.queues[i]) > 0 || !d.final)
		}
	}
	if s.Status == SinkPending {
		s.Status = sinkStatus(*s, false)
	}
}

// sinkStatus is a sink's status from its counts: failed once a message
// failed for good, pending while more may come, then delivered (or not
// applicable when nothing was for it).
func sinkStatus(s SinkState, more bool) string {
	switch {
	case s.Failed > 0:
		return SinkFailed
	case more:
		return SinkPending
	case s.Delivered > 0:
		return SinkDelivered
	default:
		return SinkNotApplicable
	}
}

// asyncDeliveryChange is the workflow.GetVersion change ID of the hand-off
// off the run's critical path: from version 1 the run neither waits for its
// delivery workflow to start nor for a signal to be taken. It queues its
// messages in an outbox, which one coroutine signals one at a time, in
// order, once the delivery workflow has started; the run waits for the
// outbox to drain only at its end (Final last) and before it continues as
// new. Before it, the run waited for the start and for every signal.
const asyncDeliveryChange = "delivery-async"

// outbox holds the messages of a run not yet taken by its delivery
// workflow, in the order the run made them. The head is the one being
// signalled (while sending is set); it leaves the queue once the server
// has taken it, or refused it (logged).
type outbox struct {
	queue   []DeliveryMessage
	sending bool
	// settled is set once the delivery workflow's start is known; dropped
	// when it could not be started (messages then stay in the state only).
	settled bool
	dropped bool
}

// startDeliveryChild starts the run's delivery workflow (a child that
// outlives the run).
func (r *research) startDeliveryChild(ctx workflow.Context) workflow.ChildWorkflowFuture {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        DeliveryWorkflowID(r.id),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	return workflow.ExecuteChildWorkflow(cctx, DeliveryWorkflowType, DeliveryInput{ResearchID: r.id, Email: r.in.NotifyEmail()})
}

// deliveryStarted says whether the delivery workflow runs after its start
// ended with err: started now, or by an earlier run of a continued-as-new
// chain. Without it the run still completes; its notifications are then
// only in its state.
func deliveryStarted(ctx workflow.Context, err error) bool {
	if err == nil {
		return true
	}
	var started *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &started) {
		return true
	}
	workflow.GetLogger(ctx).Warn("delivery workflow not started; notifications stay in the run's state", "error", err)
	return false
}

// startDelivery starts the run's delivery workflow and waits until it runs
// (runs before asyncDeliveryChange 1).
func (r *research) startDelivery(ctx workflow.Context) {
	r.offPath = true
	f := r.startDeliveryChild(ctx)
	if !deliveryStarted(ctx, f.GetChildWorkflowExecution().Get(ctx, nil)) {
		return
	}
	r.deliveryID = DeliveryWorkflowID(r.id)
}

// startOutbox starts the run's delivery workflow without waiting for it,
// and the coroutine that hands it the run's messages: it waits for the
// start, then signals the queued messages one at a time, each once the
// previous one was taken, so that they arrive in order (signals sent
// without waiting may not). It runs on a disconnected context: a cancelled
// run still hands over what it queued, and its Final.
//
// From deliverySinksChange 1 a run that mails nobody first asks the notify
// pool which sinks it delivers to (beside the run's first stages), and
// starts no delivery workflow when none is configured: its messages are
// dropped, and the run signals nothing. A run continued as new does not
// ask: an earlier run of its chain may have started the chain's delivery
// workflow (every run started before research-shape did), which waits
// for the chain's Final; the continued run starts it or, already started,
// hands it the rest.
//
// From shapeChange 1 the question and the delivery workflow's start are on
// the disconnected context too: a run cancelled before its pool answered
// still starts its delivery workflow (when it needs one) and hands it what
// it queued, and its cancellation no longer cancels the delivery workflow
// (before, it did, and the Final was refused).
func (r *research) startOutbox(ctx workflow.Context) {
	r.offPath = true
	o := &outbox{}
	r.out = o
	sctx, _ := workflow.NewDisconnectedContext(ctx)
	startCtx := ctx
	if r.shape >= 1 {
		startCtx = sctx
	}
	var sinks workflow.Future
	var f workflow.ChildWorkflowFuture
	continued := workflow.GetInfo(ctx).ContinuedExecutionRunID != ""
	if r.version(ctx, deliverySinksChange) >= 1 && len(r.in.NotifyEmail()) == 0 && !continued {
		sinks = workflow.ExecuteActivity(workflow.WithActivityOptions(startCtx, sinksOptions()), DeliverySinksActivity, DeliverySinksInput{ResearchID: r.id})
	} else {
		f = r.startDeliveryChild(startCtx)
	}
	workflow.Go(sctx, func(ctx workflow.Context) {
		if sinks != nil {
			if !needsDelivery(ctx, sinks) {
				o.settled, o.dropped, o.queue = true, true, nil
				return
			}
			f = r.startDeliveryChild(startCtx)
		}
		err := f.GetChildWorkflowExecution().Get(ctx, nil)
		o.settled = true
		if !deliveryStarted(ctx, err) {
			o.dropped, o.queue = true, nil
			return
		}
		r.deliveryID = DeliveryWorkflowID(r.id)
		for {
			if err := workflow.Await(ctx, func() bool { return len(o.queue) > 0 }); err != nil {
				return
			}
			o.sending = true
			r.signal(ctx, o.queue[0])
			o.sending = false
			o.queue = o.queue[1:]
		}
	})
}

// deliverySinksChange is the workflow.GetVersion change ID of delivery
// only where it can reach someone: from version 1 a run without e-mail
// recipients starts its delivery workflow only when the notify pool has a
// webhook or NATS configured (DeliverySinksActivity).
const deliverySinksChange = "delivery-sinks"

// needsDelivery says whether the notify pool's answer to sinks names a sink
// a run without e-mail recipients delivers to. A pool that did not answer
// is taken to have every sink: the delivery workflow then finds out.
func needsDelivery(ctx workflow.Context, sinks workflow.Future) bool {
	var res DeliverySinksResult
	if err := sinks.Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Warn("notify pool's sinks unknown; starting the delivery workflow", "error", err)
		return true
	}
	for _, s := range res.Configured {
		if s != SinkEmail {
			return true
		}
	}
	workflow.GetLogger(ctx).Info("no notification sink configured: no delivery workflow")
	return false
}

// drainDelivery waits until the delivery workflow has taken (or refused)
// every message queued so far; it issues no command of its own.
func (r *research) drainDelivery(ctx workflow.Context) {
	o := r.out
	if o == nil {
		return
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	_ = workflow.Await(dctx, func() bool { return o.dropped || (o.settled && len(o.queue) == 0) })
}

// deliver hands m to the delivery workflow: it queues m in the outbox, or,
// in runs before asyncDeliveryChange 1, waits for the server to take the
// signal. It never waits for a sink.
func (r *research) deliver(ctx workflow.Context, m DeliveryMessage) {
	if o := r.out; o != nil {
		switch n := len(o.queue); {
		case o.dropped:
		case m.Final && n > 0 && !(n == 1 && o.sending) && !o.queue[n-1].Final:
			// Final rides on the last message still waiting (the delivery
			// workflow takes its event, then ends): one signal fewer at
			// the end of the run.
			o.queue[n-1].Final = true
		default:
			o.queue = append(o.queue, m)
		}
		return
	}
	if r.deliveryID == "" {
		return
	}
	r.signal(ctx, m)
}

// signal signals m to the delivery workflow and waits for the server to
// take it; a refusal is logged (the run goes on).
func (r *research) signal(ctx workflow.Context, m DeliveryMessage) {
	if err := workflow.SignalExternalWorkflow(ctx, r.deliveryID, "", DeliverySignal, m).Get(ctx, nil); err != nil {
		id := "final"
		if m.Event != nil {
			id = m.Event.ID
		}
		workflow.GetLogger(ctx).Warn("notification not handed to the delivery workflow", "message", id, "error", err)
	}
}
