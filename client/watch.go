package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
)

// ErrProgressUnavailable ends a Watch whose run could not be queried for
// MaxQueryFailures polls in a row (no worker serves the run, or Temporal is
// down).
var ErrProgressUnavailable = errors.New("the run's progress cannot be read")

// MaxQueryFailures is how many failed progress queries in a row end a Watch.
const MaxQueryFailures = 20

// describeEvery is after how many polls without news Watch checks that the
// run has not closed without saying so.
const describeEvery = 10

// WatchOptions tune Watch.
type WatchOptions struct {
	// After skips progress up to this Seq (a resumed stream); -1 or 0
	// delivers the current progress first.
	After int64
	// Poll is how often progress is queried (default 300 ms).
	Poll time.Duration
	// Heartbeat and Idle: while nothing changes, Idle is called every
	// Heartbeat (a Server-Sent Events keep-alive). An error from Idle ends
	// the watch with that error.
	Heartbeat time.Duration
	Idle      func() error
}

// Outcome is how a watched run ended: Status is completed (Result set),
// failed or cancelled (Failure says why, in words a caller may show).
type Outcome struct {
	Status  string
	Result  *rf.ResearchResult
	Failure string
}

// Watch calls fn with every new Progress of research run id (in Seq order,
// each Seq once) until the run closes, then waits for its outcome and
// returns it. It returns early with fn's or Idle's error, ctx's error, or
// ErrProgressUnavailable.
func (c *Client) Watch(ctx context.Context, id string, o WatchOptions, fn func(rf.Progress) error) (Outcome, error) {
	if o.Poll <= 0 {
		o.Poll = 300 * time.Millisecond
	}
	poll := time.NewTicker(o.Poll)
	defer poll.Stop()
	var beat <-chan time.Time
	if o.Idle != nil && o.Heartbeat > 0 {
		t := time.NewTicker(o.Heartbeat)
		defer t.Stop()
		beat = t.C
	}
	last := o.After
	closed, failures, idle := false, 0, 0
	for {
		timeout := 10 * time.Second
		if closed {
			timeout = 2 * time.Second
		}
		qctx, cancel := context.WithTimeout(ctx, timeout)
		p, err := c.Progress(qctx, id)
		cancel()
		switch {
		case err == nil:
			failures = 0
			if p.Seq > last {
				if err := fn(p); err != nil {
					return Outcome{}, err
				}
				last, idle = p.Seq, 0
			} else {
				idle++
			}
			switch {
			case rf.IsTerminal(p.Status):
				closed = true
			case idle%describeEvery == describeEvery-1:
				closed = c.hasClosed(ctx, id)
			}
		case ctx.Err() != nil:
			return Outcome{}, ctx.Err()
		case !closed:
			// A closed run may have no worker left to answer queries.
			if closed = c.hasClosed(ctx, id); closed {
				break
			}
			if failures++; failures >= MaxQueryFailures {
				return Outcome{}, fmt.Errorf("watch %s: %w: %v", id, ErrProgressUnavailable, err)
			}
		}
		if closed {
			return c.outcome(ctx, id)
		}
		select {
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		case <-poll.C:
		case <-beat:
			if err := o.Idle(); err != nil {
				return Outcome{}, err
			}
		}
	}
}

// hasClosed reports whether run id has closed.
func (c *Client) hasClosed(ctx context.Context, id string) bool {
	info, err := c.describe(ctx, id, "")
	return err == nil && isClosed(info.GetStatus())
}

// outcome waits for the result of closed run id.
func (c *Client) outcome(ctx context.Context, id string) (Outcome, error) {
	res, err := c.Result(ctx, id)
	if ctx.Err() != nil {
		return Outcome{}, ctx.Err()
	}
	var cancelled *temporal.CanceledError
	switch {
	case err == nil:
		return Outcome{Status: rf.StatusCompleted, Result: &res}, nil
	case errors.As(err, &cancelled):
		return Outcome{Status: rf.StatusCancelled, Failure: "the run was cancelled"}, nil
	case c.cancelledByWorkflow(ctx, id):
		return Outcome{Status: rf.StatusCancelled, Failure: FailureMessage(err)}, nil
	default:
		return Outcome{Status: rf.StatusFailed, Failure: FailureMessage(err)}, nil
	}
}

// cancelledByWorkflow reports whether closed run id failed as the workflow
// ends a run it cancels (a rejected plan: see Status).
func (c *Client) cancelledByWorkflow(ctx context.Context, id string) bool {
	info, err := c.describe(ctx, id, "")
	return err == nil && Status(info) == rf.StatusCancelled
}
