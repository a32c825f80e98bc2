package qdrant

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
)

const maxBackoff = 5 * time.Second

// call runs op with a per-attempt timeout, retrying transient gRPC failures
// up to MaxAttempts times with exponential backoff and jitter (or the delay
// Qdrant asked for). The final error is classified with package egress's
// kinds.
func (s *Store) call(ctx context.Context, op string, fn func(ctx context.Context) error) error {
	delay := s.cfg.Backoff
	var err error
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
		err = fn(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("qdrant %s %q: %w", op, s.cfg.Collection, ctx.Err())
		}
		if !transient(err) || attempt >= s.cfg.MaxAttempts {
			break
		}
		wait := delay/2 + rand.N(delay/2+1)
		var re *qdrant.QdrantResourceExhaustedError
		if errors.As(err, &re) && re.RetryAfterS > 0 {
			wait = min(time.Duration(re.RetryAfterS)*time.Second, maxBackoff)
		}
		s.log.Warn("qdrant call failed, retrying", "op", op, "attempt", attempt, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("qdrant %s %q: %w (after %v)", op, s.cfg.Collection, ctx.Err(), err)
		case <-time.After(wait):
		}
		delay = min(2*delay, maxBackoff)
	}
	return classify(fmt.Errorf("qdrant %s %q: %w", op, s.cfg.Collection, err))
}

// code is the gRPC code of err; go-client wraps status errors in its own.
func code(err error) codes.Code {
	var re *qdrant.QdrantResourceExhaustedError
	if errors.As(err, &re) {
		return codes.ResourceExhausted
	}
	return status.Code(err)
}

// tooLarge reports whether err is gRPC refusing a message over its size
// limit: "grpc: received message larger than max (N vs. M)" on the client
// (grpc-go rpc_util.go), or the send-side "trying to send message larger
// than max". Both come as ResourceExhausted, like Qdrant's rate limiting,
// but retrying the same request can never help.
func tooLarge(err error) bool {
	return err != nil && status.Code(err) == codes.ResourceExhausted && strings.Contains(err.Error(), "message larger than max")
}

// kindOf maps err's gRPC code onto package egress's kinds, the scheme
// every remote adapter shares: ResourceExhausted is rate limited (a message
// over gRPC's size limit too large), Unavailable, DeadlineExceeded and
// Aborted unavailable, Unauthenticated and PermissionDenied unauthorized,
// NotFound not found, Unimplemented unsupported, and every other code
// (InvalidArgument, FailedPrecondition, AlreadyExists, OutOfRange,
// Internal, Unknown, DataLoss, Canceled) rejected.
func kindOf(err error) string {
	if tooLarge(err) {
		return egress.KindTooLarge
	}
	switch code(err) {
	case codes.ResourceExhausted:
		return egress.KindRateLimited
	case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted:
		return egress.KindUnavailable
	case codes.Unauthenticated, codes.PermissionDenied:
		return egress.KindUnauthorized
	case codes.NotFound:
		return egress.KindNotFound
	case codes.Unimplemented:
		return egress.KindUnsupported
	}
	return egress.KindRejected
}

// transient reports whether retrying err may help: its kind is not one of
// egress's permanent kinds.
func transient(err error) bool { return !egress.Permanent(kindOf(err)) }

// classify marks err with its egress kind (transient kinds carry the delay
// Qdrant asked for); an error already classified is returned as is. The
// message keeps the gRPC code ("rpc error: code = InvalidArgument …").
func classify(err error) error {
	if _, ok := fault.Classify(err); ok {
		return err
	}
	var retryAfter time.Duration
	var re *qdrant.QdrantResourceExhaustedError
	if errors.As(err, &re) {
		retryAfter = time.Duration(re.RetryAfterS) * time.Second
	}
	return egress.FailAfter(kindOf(err), err, retryAfter)
}
