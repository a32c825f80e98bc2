package activities

import (
	"context"
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
func keepAlive(ctx context.Context) (stop func()) { return keepAliveWith(ctx, nil) }

// keepAliveWith is keepAlive with heartbeat details that change as the work
// goes on: every beat carries details() (the server keeps only the last
// beat's details, so a beat without them would erase a resume checkpoint).
func keepAliveWith(ctx context.Context, details func() any) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	interval := min(activity.GetInfo(ctx).HeartbeatTimeout/3, 10*time.Second)
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
			case <-ctx.Done():
				return
			case <-t.C:
				if details == nil {
					activity.RecordHeartbeat(ctx)
				} else {
					activity.RecordHeartbeat(ctx, details())
				}
			}
		}
	}()
	return func() { close(done) }
}
