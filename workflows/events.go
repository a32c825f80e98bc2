package workflows

import (
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
)

// eventsChange is the workflow.GetVersion change ID of event publishing.
const eventsChange = "publish-events"

// publisher publishes a run's events one at a time, in order, from a
// coroutine: a notify pool that is slow or down delays the events, never
// the research.
type publisher struct {
	ch     workflow.Channel
	done   workflow.Future
	closed bool
}

// maxPendingEvents bounds the events waiting to be published: more than a
// run ever makes (one plan, two per round, one report or failure).
const maxPendingEvents = 4 + 2*(rf.MaxDepthLimit+1)

func (r *research) startPublisher(ctx workflow.Context) {
	p := &publisher{ch: workflow.NewBufferedChannel(ctx, maxPendingEvents)}
	done, settle := workflow.NewFuture(ctx)
	p.done = done
	workflow.Go(ctx, func(ctx workflow.Context) {
		actx := workflow.WithActivityOptions(ctx, publishOptions())
		var ev rf.Event
		for p.ch.Receive(ctx, &ev) {
			if err := workflow.ExecuteActivity(actx, PublishActivity, PublishInput{Event: ev}).Get(ctx, nil); err != nil {
				// Events inform; losing one must not fail the research.
				workflow.GetLogger(ctx).Warn("event not published", "event", ev.ID, "error", err)
			}
		}
		settle.Set(nil, nil)
	})
	r.pub = p
}

// drainPublisher waits until every event sent so far is published, and
// stops the publisher.
func (r *research) drainPublisher(ctx workflow.Context) {
	p := r.pub
	if p == nil || p.closed {
		return
	}
	p.closed = true
	p.ch.Close()
	_ = p.done.Get(ctx, nil)
}

// record appends an event of type typ to the state and returns it. The
// event gets a Seq of its own, below the Seq of the progress that shows it,
// so that streams resumed at any Seq neither miss nor repeat it.
func (r *research) record(ctx workflow.Context, typ string, data rf.EventData) rf.Event {
	r.touch(ctx)
	data.ResearchID = r.id
	data.Round = r.st.Round
	n := r.st.Round
	if typ == rf.EventBudgetExhausted {
		n = r.st.Pauses // one per pause
	}
	ev := rf.Event{
		ID:   EventID(r.id, typ, n),
		Type: typ,
		Seq:  r.st.Seq,
		Time: workflow.Now(ctx),
		Data: data,
	}
	r.st.Events = append(r.st.Events, ev)
	r.touch(ctx)
	return ev
}

// emit records an event and hands it to the delivery workflow, or to the
// publisher of runs started before it.
func (r *research) emit(ctx workflow.Context, typ string, data rf.EventData) {
	ev := r.record(ctx, typ, data)
	if r.muted(typ) {
		return
	}
	if r.offPath {
		r.deliver(ctx, DeliveryMessage{Event: &ev})
		return
	}
	if r.pub != nil && !r.pub.closed {
		r.pub.ch.Send(ctx, ev)
	}
}

// emitRound emits search.completed or analysis.completed with the round's
// counts.
func (r *research) emitRound(ctx workflow.Context, typ string) {
	var d rf.EventData
	for _, sq := range r.st.SubQuestions {
		switch {
		case sq.State == rf.SQFailed:
			d.Gaps++
		case typ == rf.EventSearchCompleted && sq.State == rf.SQSearched:
			d.SubQuestions++
			d.Passages += len(sq.Retrieved.ChunkIDs)
		case typ == rf.EventAnalysisCompleted && sq.State == rf.SQDone && sq.Analysis != nil:
			d.SubQuestions++
			d.Findings += len(sq.Analysis.Analysis.Findings)
		}
	}
	r.emit(ctx, typ, d)
}
