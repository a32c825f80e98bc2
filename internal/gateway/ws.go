package gateway

import (
	"context"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/gin-gonic/gin"
)

// WSMessage is one message of the WebSocket stream
// (GET /v1/research/{id}/ws): the same events as the Server-Sent Events
// stream, one JSON text message each. ID is "" for the final message
// (done, failed, cancelled or error), after which the server closes the
// connection normally. To resume, reconnect with ?lastEventId=<ID>.
type WSMessage struct {
	Event string `json:"event"`
	ID    string `json:"id,omitempty"`
	Data  any    `json:"data"`
}

// wsWriteTimeout bounds one message or ping: a client that reads nothing
// for that long is dropped.
const wsWriteTimeout = 30 * time.Second

// websocket streams a run over a WebSocket (see stream and WSMessage).
// Authentication and ownership are checked before the upgrade; browsers
// from other origins are refused unless they are CORS origins.
func (s *server) websocket(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	last, err := lastEventID(c)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.SetReadDeadline(time.Time{})
	// Same origin, or a CORS origin (full scheme://host patterns).
	conn, err := websocket.Accept(c.Writer, c.Request, &websocket.AcceptOptions{OriginPatterns: s.cfg.CORSOrigins})
	if err != nil {
		// Accept has answered the request (400, 403 or 426).
		s.log.Info("gateway: websocket refused", "id", r.ID, "err", err)
		return nil
	}
	defer conn.CloseNow()
	// The client sends nothing; reading handles its pings and close.
	ctx := conn.CloseRead(c.Request.Context())
	if s.stream(ctx, r.ID, last, wsSink{ctx, conn}, owner(c)) && afterRun(c) {
		s.streamAfterRun(ctx, r.ID, s.followUpOwner(c), wsSink{ctx, conn})
	}
	_ = conn.Close(websocket.StatusNormalClosure, "")
	return nil
}

type wsSink struct {
	ctx  context.Context
	conn *websocket.Conn
}

func (o wsSink) send(event, id string, data any) error {
	ctx, cancel := context.WithTimeout(o.ctx, wsWriteTimeout)
	defer cancel()
	if err := wsjson.Write(ctx, o.conn, WSMessage{Event: event, ID: id, Data: data}); err != nil {
		return errGone
	}
	return nil
}

func (o wsSink) idle() error {
	ctx, cancel := context.WithTimeout(o.ctx, wsWriteTimeout)
	defer cancel()
	if err := o.conn.Ping(ctx); err != nil {
		return errGone
	}
	return nil
}
