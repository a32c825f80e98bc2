package egress

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Exchange records what the transport saw of the last HTTP response of one
// call: its status, its Retry-After and the transport error. Client
// libraries that report failures as plain strings (langchaingo) hide these;
// a call carries an Exchange in its context (WithExchange) through a client
// whose transport is a Recorder, and classifies from it afterwards.
type Exchange struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
	err        error
	requests   int
}

// Result is what the last response of the call said: its status code (0
// when no response came), its Retry-After, and the transport error.
func (x *Exchange) Result() (status int, retryAfter time.Duration, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status, x.retryAfter, x.err
}

// Requests is how many requests the call made.
func (x *Exchange) Requests() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.requests
}

func (x *Exchange) record(resp *http.Response, err error, now time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.requests++
	x.status, x.retryAfter, x.err = 0, 0, err
	if resp != nil {
		x.status = resp.StatusCode
		x.retryAfter = RetryAfterHeader(resp.Header, now)
	}
}

type exchangeKey struct{}

// WithExchange returns ctx carrying x: requests made with it through a
// Recorder are recorded into x.
func WithExchange(ctx context.Context, x *Exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, x)
}

// Recorder is an http.RoundTripper that records each response (or
// transport error) of Base into the Exchange of the request's context, if
// any. Base nil is http.DefaultTransport.
type Recorder struct {
	Base http.RoundTripper
}

var _ http.RoundTripper = Recorder{}

// RoundTrip implements http.RoundTripper.
func (t Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if x, ok := req.Context().Value(exchangeKey{}).(*Exchange); ok && x != nil {
		x.record(resp, err, time.Now())
	}
	return resp, err
}
