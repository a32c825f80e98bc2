package events

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DuplicateWindow is how long JetStream remembers a message ID to drop a
// second publication of it. It outlasts every retry of the notify pool's
// activities (ten minutes at most, workflows/options.go) with a wide margin
// for a notify worker that is down for a while.
const DuplicateWindow = 24 * time.Hour

// JetStream publishes to the RESEARCHFLOW stream of a NATS server. It
// connects on first use (so a worker starts while NATS is down, and
// Temporal retries the activity until it is back) and creates or updates
// the stream then: subjects researchflow.events.> and researchflow.reports,
// file storage, DuplicateWindow. Safe for concurrent use.
type JetStream struct {
	// URL is the server (NATS_URL, e.g. nats://127.0.0.1:4222; several
	// comma-separated are allowed).
	URL string
	// Name identifies the connection on the server (default "researchflow").
	Name string

	mu sync.Mutex
	nc *nats.Conn
	js jetstream.JetStream
}

// Published says how JetStream took a message.
type Published struct {
	Stream   string
	Sequence uint64
	// Duplicate: the stream already held a message with this ID, and kept
	// only that one.
	Duplicate bool
}

// Publish stores data on subject with msgID as the Nats-Msg-Id (JetStream
// de-duplication) and header fields hdr. Errors are connection or server
// errors: worth retrying.
func (j *JetStream) Publish(ctx context.Context, subject, msgID string, hdr map[string]string, data []byte) (Published, error) {
	js, err := j.stream(ctx)
	if err != nil {
		return Published{}, err
	}
	msg := nats.NewMsg(subject)
	msg.Data = data
	for k, v := range hdr {
		msg.Header.Set(k, v)
	}
	ack, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(msgID))
	if err != nil {
		return Published{}, fmt.Errorf("nats publish %s (%s): %w", subject, msgID, err)
	}
	return Published{Stream: ack.Stream, Sequence: ack.Sequence, Duplicate: ack.Duplicate}, nil
}

// Close drains nothing and closes the connection, if any.
func (j *JetStream) Close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.nc != nil {
		j.nc.Close()
		j.nc, j.js = nil, nil
	}
}

// StreamConfig is the configuration Publish ensures.
func StreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        Stream,
		Description: "Researchflow research events (CloudEvents JSON) and finished reports",
		Subjects:    []string{SubjectPrefix + ">", ReportSubject},
		Storage:     jetstream.FileStorage,
		Duplicates:  DuplicateWindow,
	}
}

func (j *JetStream) stream(ctx context.Context) (jetstream.JetStream, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.js != nil && !j.nc.IsClosed() {
		return j.js, nil
	}
	if j.URL == "" {
		return nil, errors.New("nats: no URL")
	}
	name := j.Name
	if name == "" {
		name = "researchflow"
	}
	nc, err := nats.Connect(j.URL, nats.Name(name), nats.Timeout(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("nats connect %s: %w", j.URL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats jetstream: %w", err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, StreamConfig()); err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: ensure stream %s: %w", Stream, err)
	}
	j.nc, j.js = nc, js
	return js, nil
}
