package egress

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// StatusKind is the kind of an HTTP response status: "" for 2xx (success),
// KindRateLimited for 429, KindUnavailable for 408 and 5xx,
// KindUnauthorized for 401 and 403, KindNotFound for 404 and 410,
// KindRejected for any other status (other 4xx, a 1xx or 3xx the client
// did not get past). This is the only HTTP status table of Researchflow.
func StatusKind(code int) string {
	switch {
	case code >= 200 && code < 300:
		return ""
	case code == http.StatusTooManyRequests:
		return KindRateLimited
	case code == http.StatusRequestTimeout || (code >= 500 && code < 600):
		return KindUnavailable
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return KindUnauthorized
	case code == http.StatusNotFound || code == http.StatusGone:
		return KindNotFound
	}
	return KindRejected
}

// Status classifies a response by its status code: nil for 2xx, else err
// with StatusKind's kind, carrying retryAfter when the kind is transient.
// err should say who answered what ("brave: GET https://…: HTTP 503").
func Status(code int, retryAfter time.Duration, err error) error {
	kind := StatusKind(code)
	if kind == "" {
		return nil
	}
	return FailAfter(kind, err, retryAfter)
}

// RetryAfter reads an HTTP Retry-After value (RFC 9110 §10.2.3):
// delay-seconds, or an HTTP-date taken relative to now. It is 0 when the
// value is absent, negative, in the past, or neither form.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		// A delay beyond any sane wait (or one that would overflow) is
		// capped at a day.
		return min(time.Duration(min(s, int64(maxRetryAfter/time.Second)))*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// maxRetryAfter bounds a Retry-After.
const maxRetryAfter = 24 * time.Hour

// RetryAfterHeader is RetryAfter of h's Retry-After header.
func RetryAfterHeader(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	return RetryAfter(h.Get("Retry-After"), now)
}
