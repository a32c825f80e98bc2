package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/researchflow/researchflow/internal/fault"
)

// Kinds of model errors (package llm's KindInvalidOutput and KindBudget)
// after which the inference activities write the report offline.
const (
	errModelOutput = "llm.invalid_output"
	errModelBudget = "llm.budget"
)

// classify turns an error classified by an adapter (package fault) into the
// Temporal error that makes the retry policy do the right thing.
func classify(err error) error { return classifyWithDetails(err) }

// classifyWithDetails is classify with details attached to the Temporal
// error (an unclassified error is then retryable with the stage's backoff,
// as it would be bare).
func classifyWithDetails(err error, details ...any) error {
	if err == nil {
		return nil
	}
	fe, ok := fault.Classify(err)
	if !ok {
		if len(details) == 0 {
			return err // unclassified: retryable, with the stage's backoff
		}
		return temporal.NewApplicationErrorWithOptions(err.Error(), "", temporal.ApplicationErrorOptions{Details: details})
	}
	// The message already says everything the chain says: no cause, or
	// clients would print the chain twice.
	return temporal.NewApplicationErrorWithOptions(err.Error(), fe.Kind, temporal.ApplicationErrorOptions{
		NonRetryable:   fe.Permanent,
		NextRetryDelay: fe.RetryAfter,
		Details:        details,
	})
}

// invalid is a non-retryable error for input that can never succeed.
func invalid(kind, msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, kind, nil)
}

// keepAlive heartbeats ctx's activity in the background until stop is
// called, so that the stage's short heartbeat timeout notices a dead worker
// quickly while a long call (a model, an ingestion) is still allowed to run.
func keepAlive(ctx context.Context) (stop func()) { return newBeats(ctx, nil).keepAlive() }

// beats records an activity's heartbeats, each carrying details() when
// details is set (the server keeps only the last beat's details, so a beat
// without them would erase a resume checkpoint or a usage total). A beat
// reads its details and records them under one lock: the background beat
// and a beat after new progress never cross, one reading older details and
// recording them after the other, which would leave the server with stale
// ones. (The SDK's own batching of throttled beats can still, rarely,
// send an older batched beat after a newer one; the next background beat
// corrects it.)
type beats struct {
	ctx     context.Context
	details func() any
	// record is activity.RecordHeartbeat (tests replace it); active: ctx is
	// an activity's.
	record func(ctx context.Context, details ...any)
	active bool
	mu     sync.Mutex
}

func newBeats(ctx context.Context, details func() any) *beats {
	return &beats{ctx: ctx, details: details, record: activity.RecordHeartbeat, active: activity.IsActivity(ctx)}
}

// beat records one heartbeat with the details now (outside an activity,
// none).
func (b *beats) beat() {
	if !b.active {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.details == nil {
		b.record(b.ctx)
		return
	}
	b.record(b.ctx, b.details())
}

// keepAlive beats in the background, a third of the heartbeat timeout apart
// (at most 10 s), until stop is called.
func (b *beats) keepAlive() (stop func()) {
	if !b.active {
		return func() {}
	}
	interval := min(activity.GetInfo(b.ctx).HeartbeatTimeout/3, 10*time.Second)
	if interval <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-b.ctx.Done():
				return
			case <-t.C:
				b.beat()
			}
		}
	}()
	return func() { close(done) }
}
