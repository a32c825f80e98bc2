package egress

import (
	"slices"
	"time"

	"github.com/researchflow/researchflow/internal/fault"
)

// Error kinds of a failed remote call (fault.Error.Kind, and so the
// Temporal error type an activity returns). Each is transient or permanent
// by definition; Fail applies that.
const (
	// KindRateLimited: the remote answered 429 (gRPC ResourceExhausted), or
	// Researchflow's own rate limit for it could not be met in time.
	// Transient; RetryAfter from the Retry-After header when sent.
	KindRateLimited = "egress.rate_limited"
	// KindUnavailable: network error, timeout, 408 or 5xx (gRPC
	// Unavailable, DeadlineExceeded, Aborted). Transient; RetryAfter from
	// the Retry-After header when sent.
	KindUnavailable = "egress.unavailable"
	// KindBadResponse: a 2xx answer that is not in the documented format
	// or is cut short (a proxy's error page, a truncated stream).
	// Transient.
	KindBadResponse = "egress.bad_response"
	// KindBreakerOpen: the call was not made, the remote's circuit breaker
	// being open after repeated failures. Transient, RetryAfter the
	// breaker's cool-down.
	KindBreakerOpen = "egress.breaker_open"

	// KindUnauthorized: the remote refused the credentials (401, 403; gRPC
	// Unauthenticated, PermissionDenied). Permanent.
	KindUnauthorized = "egress.unauthorized"
	// KindNotFound: no such resource (404, 410; an unknown host or model;
	// gRPC NotFound). Permanent.
	KindNotFound = "egress.not_found"
	// KindRejected: the remote refused the request (any other 4xx, an
	// unfollowed 3xx, an API error object; gRPC InvalidArgument,
	// FailedPrecondition, Internal…). Permanent.
	KindRejected = "egress.rejected"
	// KindInvalid: the request is invalid before it is sent (an empty
	// query, a URL that is not http(s), a chunk without ID). Permanent.
	KindInvalid = "egress.invalid"
	// KindBlocked: Researchflow's own rules refuse the destination (the
	// SSRF address rules, robots.txt). Permanent.
	KindBlocked = "egress.blocked"
	// KindTooLarge: a body or message is over a configured limit.
	// Permanent.
	KindTooLarge = "egress.too_large"
	// KindUnsupported: the answer is of a form Researchflow does not read
	// and will not read next time either (a content type, an unparseable
	// document, a vector count that does not match the texts; gRPC
	// Unimplemented). Permanent.
	KindUnsupported = "egress.unsupported"
	// KindConfig: the configuration and the remote disagree (a vector
	// dimension, a collection's schema, a server version, a bad address, a
	// role without a model): an operator must change one of them.
	// Permanent.
	KindConfig = "egress.config"
)

// transientKinds are the kinds worth retrying; every other kind of this
// package is permanent.
var transientKinds = []string{KindRateLimited, KindUnavailable, KindBadResponse, KindBreakerOpen}

// permanentKinds are the kinds retrying can never fix.
var permanentKinds = []string{KindUnauthorized, KindNotFound, KindRejected, KindInvalid, KindBlocked, KindTooLarge, KindUnsupported, KindConfig}

// PermanentKinds lists the permanent kinds, for a retry policy's
// NonRetryableErrorTypes (a fresh slice the caller may extend).
func PermanentKinds() []string { return slices.Clone(permanentKinds) }

// Kinds lists every kind of this package, transient ones first.
func Kinds() []string { return append(slices.Clone(transientKinds), permanentKinds...) }

// Permanent reports whether kind is one of this package's permanent kinds.
func Permanent(kind string) bool { return slices.Contains(permanentKinds, kind) }

// Fail classifies err with kind: a permanent fault error for a permanent
// kind, a transient one otherwise. err's message should name the remote
// and the call; it is kept as is.
func Fail(kind string, err error) error { return FailAfter(kind, err, 0) }

// FailAfter is Fail with the delay the remote asked for before a retry
// (ignored for permanent kinds).
func FailAfter(kind string, err error, retryAfter time.Duration) error {
	if Permanent(kind) {
		return fault.Permanent(kind, err)
	}
	return fault.Transient(kind, err, max(retryAfter, 0))
}
