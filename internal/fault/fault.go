// Package fault classifies errors as transient (worth retrying, perhaps after
// a delay the remote side asked for) or permanent (retrying can never help:
// bad input, bad credentials, unknown model). Adapters for remote services
// (LLM endpoints, embedders, search providers, page fetches, Qdrant)
// classify their errors with it through package egress, whose kinds say
// which is which; the activities turn the classification into Temporal
// retry behaviour in one place, so no adapter needs to import Temporal.
package fault

import (
	"errors"
	"time"
)

// Error is a classified error.
type Error struct {
	// Kind is a short, stable name of the failure: one of package egress's
	// kinds ("egress.unauthorized", "egress.unavailable") for remote
	// calls, or an adapter's own where a caller branches on it
	// ("llm.invalid_output"). It becomes the Temporal error type, which
	// retry policies list as non-retryable (egress.PermanentKinds).
	Kind string
	// Permanent errors are never retried.
	Permanent bool
	// RetryAfter, when > 0, is the delay the remote side asked for
	// (e.g. an HTTP Retry-After header).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Kind
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Permanent marks err as one that retrying cannot fix.
func Permanent(kind string, err error) error {
	return &Error{Kind: kind, Permanent: true, Err: err}
}

// Transient marks err as worth retrying, after retryAfter if > 0.
func Transient(kind string, err error, retryAfter time.Duration) error {
	return &Error{Kind: kind, RetryAfter: retryAfter, Err: err}
}

// IsPermanent reports whether err (or an error it wraps) was classified as
// permanent.
func IsPermanent(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Permanent
}

// IsTransient reports whether err was classified as transient: trying
// again later may succeed. Unclassified errors are not transient.
func IsTransient(err error) bool {
	fe, ok := Classify(err)
	return ok && !fe.Permanent
}

// Classify returns the classification of err, if it has one.
func Classify(err error) (*Error, bool) {
	var fe *Error
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}
