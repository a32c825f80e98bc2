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

	"github.com/researchflow/researchflow/internal/fault"
)

const maxBackoff = 5 * time.Second

// call runs op with a per-attempt timeout, retrying transient gRPC failures
// up to MaxAttempts times with exponential backoff and jitter (or the delay
// Qdrant asked for). The final error is classified with package fault.
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

func transient(err error) bool {
	if tooLarge(err) {
		return false
	}
	switch code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.DeadlineExceeded, codes.Aborted:
		return true
	}
	return false
}

// classify marks err transient (the retries ran out) or permanent, with a
// kind such as "qdrant.unavailable" or "qdrant.invalid_argument".
func classify(err error) error {
	if _, ok := fault.Classify(err); ok {
		return err
	}
	c := code(err)
	kind := "qdrant." + snake(c.String())
	if tooLarge(err) {
		return fault.Permanent("qdrant.response_too_large", err)
	}
	if transient(err) {
		var retryAfter time.Duration
		var re *qdrant.QdrantResourceExhaustedError
		if errors.As(err, &re) {
			retryAfter = time.Duration(re.RetryAfterS) * time.Second
		}
		return fault.Transient(kind, err, retryAfter)
	}
	return fault.Permanent(kind, err)
}

// snake turns "InvalidArgument" into "invalid_argument".
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
