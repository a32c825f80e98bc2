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
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/events"

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

// sink is where a run's stream goes: Server-Sent Events or a WebSocket.
type sink interface {
	// send delivers one event; id is "" for the final one.
	send(event, id string, data any) error
	// idle keeps the connection alive while nothing happens.
	idle() error
}

// errGone ends a stream whose client went away.
var errGone = errors.New("the client went away")

// lastEventID reads the resume point: the Last-Event-ID header (SSE
// reconnection) or the lastEventId query parameter; -1 when absent.
func lastEventID(c *gin.Context) (int64, error) {
	lastID := c.GetHeader("Last-Event-ID")
	if lastID == "" {
		lastID = c.Query("lastEventId")
	}
	if lastID == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(lastID), 10, 64)
	if err != nil {
		return 0, newAPIError(http.StatusBadRequest, "invalid_request", "Last-Event-ID: want the id of an event")
	}
	return n, nil
}

// stream sends run id's stage events and progress to out until the run
// ends, then its final event.
//
// Every event carries the run's Seq as its ID: a "progress" event the Seq
// of its snapshot, a stage event (research.plan.ready, …; data: the
// CloudEvent in structured JSON) the Seq at which it happened, which the
// workflow keeps below the Seq of the snapshot that first shows it. So each
// snapshot's new stage events come first, then the snapshot, all with
// increasing IDs, and a client that resumes after ID n gets exactly what
// has a larger one: nothing twice, nothing missed.
//
// It reports whether the run completed (its "done" event was sent).
func (s *server) stream(ctx context.Context, id string, after int64, out sink, owner string) bool {
	s.metrics.eventStreams.Add(1)
	defer s.metrics.eventStreams.Add(-1)
	sent := after
	res, err := s.runs.Watch(ctx, id, client.WatchOptions{
		After: after, Poll: s.cfg.EventsPoll, Heartbeat: s.cfg.EventsHeartbeat, Idle: out.idle,
	}, func(p rf.Progress) error {
		for _, e := range p.Events {
			if e.Seq <= sent || e.Seq >= p.Seq {
				continue
			}
			ce, err := events.CloudEvent(e, nil)
			if err != nil {
				return err
			}
			if err := out.send(e.Type, strconv.FormatInt(e.Seq, 10), ce); err != nil {
				return err
			}
			sent = e.Seq
		}
		sent = p.Seq
		return out.send("progress", strconv.FormatInt(p.Seq, 10), p)
	})
	switch {
	case errors.Is(err, client.ErrProgressUnavailable):
		s.log.Warn("gateway: event stream gives up", "id", id, "err", err)
		_ = out.send("error", "", errorBody{errorDetail{Code: "progress_unavailable", Message: "the run's progress cannot be read; try again later"}})
		return false
	case err != nil:
		if ctx.Err() == nil && !errors.Is(err, errGone) {
			s.log.Error("gateway: event stream", "id", id, "err", err)
		}
		return false // the stream has started: nothing else can be answered
	}
	ev := FinalEvent{ID: id, Status: res.Status, Error: res.Failure, Links: s.links(id)}
	name := "failed"
	switch res.Status {
	case rf.StatusCompleted:
		name, ev.Result = "done", summarize(owner, *res.Result)
	case rf.StatusCancelled:
		name = "cancelled"
	}
	return out.send(name, "", ev) == nil && res.Status == rf.StatusCompleted
}

// events streams a run as Server-Sent Events (see stream); a client that
// reconnects with Last-Event-ID misses nothing and gets nothing twice.
func (s *server) events(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	last, err := lastEventID(c)
	if err != nil {
		return err
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	// The stream outlives the server's write timeout.
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Time{})
	c.Writer.Flush()
	if s.stream(c.Request.Context(), r.ID, last, sseSink{c}, owner(c)) && afterRun(c) {
		s.streamAfterRun(c.Request.Context(), r.ID, s.followUpOwner(c), sseSink{c})
	}
	return nil
}

// sseSink writes Server-Sent Events.
type sseSink struct{ c *gin.Context }

func (o sseSink) send(event, id string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", event, err)
	}
	var sb strings.Builder
	if id != "" {
		fmt.Fprintf(&sb, "id: %s\n", id)
	}
	fmt.Fprintf(&sb, "event: %s\ndata: %s\n\n", event, b)
	if _, err := o.c.Writer.WriteString(sb.String()); err != nil {
		return errGone
	}
	o.c.Writer.Flush()
	return nil
}

func (o sseSink) idle() error {
	if _, err := o.c.Writer.WriteString(": heartbeat\n\n"); err != nil {
		return errGone
	}
	o.c.Writer.Flush()
	return nil
}
