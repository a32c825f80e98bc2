package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/researchflow/researchflow/internal/egress"
)

// Activity options of every stage, in one place. Heartbeat timeouts are short
// because activities heartbeat in the background while they work: a worker
// that dies is noticed within seconds, not at the start-to-close timeout.
//
// nonRetryable are the error types no stage retries: the contract's own, and
// the permanent kinds of the egress kit that every remote adapter (models,
// embeddings, search providers, page fetches, Qdrant) classifies with
// (egress.unauthorized, egress.not_found, egress.rejected, …). The
// activities also mark those errors non-retryable; listing the kinds here
// keeps the policy true for an error that arrives without the mark.
var nonRetryable = append([]string{ErrInvalidInput, ErrCorpusNotFound, ErrCorpusEmpty}, egress.PermanentKinds()...)

func corpusOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:           TaskQueueIngest,
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			MaximumAttempts:        10,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// countOptions serve CorpusCountWorkflow's count, on the search queue
// (never behind an ingestion): its caller waits for it, and lets the run
// through when it cannot answer, so it is not retried for long.
func countOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:           TaskQueueSearch,
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        200 * time.Millisecond,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Second,
			MaximumAttempts:        3,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

func retrieveOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:           TaskQueueSearch,
		StartToCloseTimeout: 2 * time.Minute,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        500 * time.Millisecond,
			BackoffCoefficient:     2,
			MaximumInterval:        10 * time.Second,
			MaximumAttempts:        4,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// inferenceOptions serve planning, analysis and writing on the inference
// pool: model calls can be slow and rate limited, so they get room and many
// attempts; permanent model errors (bad key, unknown model) are returned as
// non-retryable by the activities and end the retries at once.
func inferenceOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:           TaskQueueInference,
		StartToCloseTimeout: 15 * time.Minute,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        2 * time.Minute,
			MaximumAttempts:        8,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// reflectOptions retry briefly: a reflection that fails is skipped (the
// report is written with what the run has), so waiting minutes for a model
// that is down buys nothing.
func reflectOptions() workflow.ActivityOptions {
	o := inferenceOptions()
	o.RetryPolicy.MaximumAttempts = 3
	return o
}

func notifyOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:           TaskQueueNotify,
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    10,
		},
	}
}

// parallelism bounds concurrent retrievals and analyses of one run.
const parallelism = 4

// publishOptions bound how long an event may wait for the notify pool: an
// event that cannot be published in ten minutes is logged and dropped (the
// progress query and the event streams still show it).
func publishOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:              TaskQueueNotify,
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	}
}

// sinkNonRetryable are the refusals of a sink that no retry can change: the
// egress kit's permanent kinds (an SMTP 5xx is egress.rejected) and the
// webhook's own (an answer other than 2xx, 408, 429 or 5xx; a redirect
// other than 307/308; a bad URL or signing key).
var sinkNonRetryable = append(slices.Clone(nonRetryable), "WebhookRejected", "WebhookRedirected", "WebhookConfig")

// sinkOptions serve one message to one sink in the delivery workflow: each
// message of each sink retries on its own, with backoff up to five minutes,
// for an hour; refusals (sinkNonRetryable) end it at once.
func sinkOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:              TaskQueueNotify,
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: sinkNonRetryable,
		},
	}
}

// sinksOptions bound how long a run waits to learn its notify pool's
// sinks: a pool that does not answer within a minute costs the run
// nothing more, its delivery workflow is then started as if every sink were
// configured. A pool of a release before DeliverySinks (a workflow pool
// upgraded first) answers at once that it does not know the activity
// (the SDK's ActivityNotRegisteredError): no retry changes that, and the
// run would wait out the minute at its end.
func sinksOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:              TaskQueueNotify,
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        10 * time.Second,
			NonRetryableErrorTypes: []string{"ActivityNotRegisteredError"},
		},
	}
}

// storeOptions bound how long a finished run waits to store its report on
// the notify pool: a pool that is down costs the run a minute at most (the
// report is in the run's result either way).
func storeOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:              TaskQueueNotify,
		StartToCloseTimeout:    20 * time.Second,
		ScheduleToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        10 * time.Second,
			NonRetryableErrorTypes: []string{ErrInvalidInput, "ReportStore"},
		},
	}
}

// estimateOptions bound the plan's estimate: a short call on the inference
// pool that makes no model call; a run whose estimate fails goes on
// without one (a paused budget is then judged on what was spent).
func estimateOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:              TaskQueueInference,
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        10 * time.Second,
			MaximumAttempts:        3,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// summaryLength bounds an activity's summary in the Temporal Web UI.
const summaryLength = 200

// summarized is ctx with its activity options' Summary set: the line the
// Temporal Web UI's timeline shows for the activity ("search arxiv: <the
// sub-question>"), so a run's history reads without opening payloads. It is
// metadata, not part of the workflow's commands' identity: replay does not
// compare it.
func summarized(ctx workflow.Context, summary string) workflow.Context {
	o := workflow.GetActivityOptions(ctx)
	if r := []rune(summary); len(r) > summaryLength {
		summary = string(r[:summaryLength-1]) + "…"
	}
	o.Summary = summary
	return workflow.WithActivityOptions(ctx, o)
}
