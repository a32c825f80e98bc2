package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"

	"github.com/gin-gonic/gin"
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

// events streams a run's progress as Server-Sent Events. Every event carries
// a complete Progress snapshot with its Seq as the event ID, so a client that
// reconnects with Last-Event-ID misses nothing and gets nothing twice.
func (s *server) events(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	last := int64(-1)
	lastID := c.GetHeader("Last-Event-ID")
	if lastID == "" {
		lastID = c.Query("lastEventId")
	}
	if lastID != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(lastID), 10, 64)
		if err != nil {
			return newAPIError(http.StatusBadRequest, "invalid_request", "Last-Event-ID: want the id of an event")
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

	errGone := errors.New("the client went away")
	send := func(event, id string, data any) error {
		b, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("encode %s event: %w", event, err)
		}
		var sb strings.Builder
		if id != "" {
			fmt.Fprintf(&sb, "id: %s\n", id)
		}
		fmt.Fprintf(&sb, "event: %s\ndata: %s\n\n", event, b)
		if _, err := c.Writer.WriteString(sb.String()); err != nil {
			return errGone
		}
		c.Writer.Flush()
		return nil
	}
	ctx := c.Request.Context()
	out, err := s.runs.Watch(ctx, r.ID, client.WatchOptions{
		After: last, Poll: s.cfg.EventsPoll, Heartbeat: s.cfg.EventsHeartbeat,
		Idle: func() error {
			if _, err := c.Writer.WriteString(": heartbeat\n\n"); err != nil {
				return errGone
			}
			c.Writer.Flush()
			return nil
		},
	}, func(p rf.Progress) error { return send("progress", strconv.FormatInt(p.Seq, 10), p) })
	switch {
	case errors.Is(err, client.ErrProgressUnavailable):
		s.log.Warn("gateway: event stream gives up", "id", r.ID, "err", err)
		_ = send("error", "", errorBody{errorDetail{Code: "progress_unavailable", Message: "the run's progress cannot be read; try again later"}})
		return nil
	case err != nil:
		if ctx.Err() == nil && !errors.Is(err, errGone) {
			s.log.Error("gateway: event stream", "id", r.ID, "err", err)
		}
		return nil // the stream has started: nothing else can be answered
	}
	ev := FinalEvent{ID: r.ID, Status: out.Status, Error: out.Failure, Links: s.links(r.ID)}
	name := "failed"
	switch out.Status {
	case rf.StatusCompleted:
		name, ev.Result = "done", summarize(owner(c), *out.Result)
	case rf.StatusCancelled:
		name = "cancelled"
	}
	_ = send(name, "", ev)
	return nil
}
