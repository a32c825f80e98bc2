package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/temporal"
)

// FinalEvent is the data of the last event of a stream: "done", "failed" or
// "cancelled".
type FinalEvent struct {
	ID     string         `json:"id"`
	Status string         `json:"status"`
	Result *ResultSummary `json:"result,omitempty"`
	Error  string         `json:"error,omitempty"`
	Links  links          `json:"links"`
}

// maxQueryFailures ends a stream whose run cannot be queried for this many
// polls in a row (no worker serving the run, Temporal down).
const maxQueryFailures = 20

// describeEvery is after how many polls without news the stream checks that
// the run has not closed.
const describeEvery = 10

// events streams a run's progress as Server-Sent Events. Every event carries
// a complete Progress snapshot with its Seq as the event ID, so a client that
// reconnects with Last-Event-ID misses nothing and gets nothing twice.
func (s *server) events(c *gin.Context) {
	r, ok := s.lookup(c)
	if !ok {
		return
	}
	last := int64(-1)
	lastID := c.GetHeader("Last-Event-ID")
	if lastID == "" {
		lastID = c.Query("lastEventId")
	}
	if lastID != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(lastID), 10, 64)
		if err != nil {
			abortError(c, http.StatusBadRequest, "invalid_request", "Last-Event-ID: want the id of an event")
			return
		}
		last = n
	}

	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	// The stream outlives the server's write timeout.
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Time{})
	c.Writer.Flush()
	s.metrics.eventStreams.Add(1)
	defer s.metrics.eventStreams.Add(-1)

	ctx := c.Request.Context()
	send := func(event, id string, data any) bool {
		b, err := json.Marshal(data)
		if err != nil {
			s.log.Error("gateway: encode event", "id", r.ID, "err", err)
			return false
		}
		var sb strings.Builder
		if id != "" {
			fmt.Fprintf(&sb, "id: %s\n", id)
		}
		fmt.Fprintf(&sb, "event: %s\ndata: %s\n\n", event, b)
		if _, err := c.Writer.WriteString(sb.String()); err != nil {
			return false
		}
		c.Writer.Flush()
		return true
	}

	poll := time.NewTicker(s.cfg.EventsPoll)
	defer poll.Stop()
	heartbeat := time.NewTicker(s.cfg.EventsHeartbeat)
	defer heartbeat.Stop()
	closed, failures, idle := r.Closed, 0, 0
	for {
		timeout := 10 * time.Second
		if closed {
			timeout = 2 * time.Second
		}
		p, err := s.queryProgress(ctx, r.ID, timeout)
		switch {
		case err == nil:
			failures = 0
			if p.Seq > last {
				if !send("progress", strconv.FormatInt(p.Seq, 10), p) {
					return
				}
				last, idle = p.Seq, 0
			} else {
				idle++
			}
			switch {
			case isTerminal(p.Status):
				closed = true
			case idle%describeEvery == describeEvery-1:
				// Progress stands still: make sure the run has not ended
				// without saying so.
				closed = s.hasClosed(ctx, r.ID)
			}
		case ctx.Err() != nil:
			return
		case !closed:
			// A closed run may have no worker left to answer queries.
			if closed = s.hasClosed(ctx, r.ID); closed {
				break
			}
			if failures++; failures >= maxQueryFailures {
				s.log.Warn("gateway: event stream gives up", "id", r.ID, "err", err)
				send("error", "", errorBody{errorDetail{Code: "progress_unavailable", Message: "the run's progress cannot be read; try again later"}})
				return
			}
		}
		if closed {
			s.sendFinal(ctx, r, owner(c), send)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-heartbeat.C:
			if _, err := c.Writer.WriteString(": heartbeat\n\n"); err != nil {
				return
			}
			c.Writer.Flush()
		}
	}
}

// hasClosed reports whether run id has closed.
func (s *server) hasClosed(ctx context.Context, id string) bool {
	d, err := s.tc.DescribeWorkflowExecution(ctx, id, "")
	return err == nil && isClosed(d.GetWorkflowExecutionInfo().GetStatus())
}

func isTerminal(status string) bool {
	switch status {
	case rf.StatusCompleted, rf.StatusFailed, rf.StatusCancelled:
		return true
	}
	return false
}

// sendFinal waits for the run's outcome and sends it as the last event.
func (s *server) sendFinal(ctx context.Context, r run, who string, send func(event, id string, data any) bool) {
	res, err := s.result(ctx, r.ID)
	if ctx.Err() != nil {
		return
	}
	ev := FinalEvent{ID: r.ID, Links: s.links(r.ID)}
	var cancelled *temporal.CanceledError
	switch {
	case err == nil:
		ev.Status, ev.Result = rf.StatusCompleted, summarize(who, res)
		send("done", "", ev)
	case errors.As(err, &cancelled):
		ev.Status, ev.Error = rf.StatusCancelled, "the run was cancelled"
		send("cancelled", "", ev)
	default:
		ev.Status, ev.Error = rf.StatusFailed, failureMessage(err)
		send("failed", "", ev)
	}
}
