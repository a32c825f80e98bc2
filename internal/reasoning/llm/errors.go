package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/researchflow/researchflow/internal/fault"
)

// Error kinds this package classifies errors with; they become Temporal error
// types.
const (
	KindRateLimited   = "llm.rate_limited"   // transient: HTTP 429
	KindUnavailable   = "llm.unavailable"    // transient: HTTP 5xx, 408
	KindUnreachable   = "llm.unreachable"    // transient: connection error or timeout
	KindBadResponse   = "llm.bad_response"   // transient: unreadable or cut-short answer
	KindInvalidOutput = "llm.invalid_output" // permanent: answer still unusable after one repair
	KindBadRequest    = "llm.bad_request"    // permanent: HTTP 400 and other 4xx
	KindUnauthorized  = "llm.unauthorized"   // permanent: HTTP 401, 403
	KindNotFound      = "llm.not_found"      // permanent: HTTP 404, unknown model
	KindBudget        = "llm.budget"         // permanent: token budget spent
	KindConfig        = "llm.config"         // permanent: role not served by a model
)

// exchange records what the HTTP transport saw for one model request;
// langchaingo hides status codes and headers in its errors.
type exchange struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
	err        error
}

type exchangeKey struct{}

func withExchange(ctx context.Context, x *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, x)
}

// recordingTransport writes the status, Retry-After and error of each
// response into the exchange found in the request's context.
type recordingTransport struct {
	base http.RoundTripper
}

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	x, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if x == nil {
		return resp, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.err = err
	if resp != nil {
		x.status = resp.StatusCode
		x.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, err
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// classify turns the outcome of one model request into a fault error whose
// message names the provider, model and base URL but never the API key.
// It returns nil when the request succeeded.
func (c *client) classify(ctx context.Context, x *exchange, err error) error {
	x.mu.Lock()
	status, retryAfter, terr := x.status, x.retryAfter, x.err
	x.mu.Unlock()
	if err == nil && status < 400 {
		return nil
	}
	detail := "no detail"
	if err != nil {
		detail = c.redact(err.Error())
	}
	where := fmt.Sprintf("%s model %q at %s", c.cfg.Provider, c.cfg.Model, c.cfg.BaseURL)
	lower := strings.ToLower(detail)
	switch {
	case status == http.StatusTooManyRequests:
		return fault.Transient(KindRateLimited, fmt.Errorf("%s: rate limited (HTTP 429): %s", where, detail), retryAfter)
	case status >= 500 || status == http.StatusRequestTimeout:
		return fault.Transient(KindUnavailable, fmt.Errorf("%s: server error (HTTP %d): %s", where, status, detail), retryAfter)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fault.Permanent(KindUnauthorized, fmt.Errorf("%s: API key rejected (HTTP %d): %s", where, status, detail))
	case status == http.StatusNotFound || strings.Contains(lower, "model not found") ||
		strings.Contains(lower, "no such model") || (strings.Contains(lower, "model") && strings.Contains(lower, "not found")):
		return fault.Permanent(KindNotFound, fmt.Errorf("%s: model or endpoint not found (HTTP %d): %s", where, status, detail))
	case status >= 400:
		return fault.Permanent(KindBadRequest, fmt.Errorf("%s: request rejected (HTTP %d): %s", where, status, detail))
	case ctx.Err() != nil:
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("%s: %w", where, ctx.Err())
		}
		return fault.Transient(KindUnreachable, fmt.Errorf("%s: timed out: %w", where, ctx.Err()), 0)
	case terr != nil:
		return fault.Transient(KindUnreachable, fmt.Errorf("%s: cannot reach server: %s", where, c.redact(terr.Error())), 0)
	default:
		return fault.Transient(KindBadResponse, fmt.Errorf("%s: %s", where, detail), 0)
	}
}

// redact removes the API key from s.
func (c *client) redact(s string) string {
	if k := c.cfg.APIKey; len(k) >= 4 {
		s = strings.ReplaceAll(s, k, "[redacted]")
	}
	return s
}
