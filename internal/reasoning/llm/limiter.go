package llm

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"
)

// Limiter keeps one worker below a provider's requests-per-minute and
// tokens-per-minute limits. It is safe for concurrent use; share one per
// worker process. A nil *Limiter does not limit.
type Limiter struct {
	requests *rate.Limiter // nil = unlimited
	tokens   *rate.Limiter // nil = unlimited
}

// NewLimiter returns a limiter for rpm requests and tpm tokens per minute;
// 0 means unlimited.
func NewLimiter(rpm, tpm int) *Limiter {
	l := &Limiter{}
	if rpm > 0 {
		l.requests = rate.NewLimiter(rate.Limit(float64(rpm)/60), rpm)
	}
	if tpm > 0 {
		l.tokens = rate.NewLimiter(rate.Limit(float64(tpm)/60), tpm)
	}
	return l
}

// Wait blocks until one request of about estTokens tokens may start, or ctx
// is done.
func (l *Limiter) Wait(ctx context.Context, estTokens int) error {
	if l == nil {
		return nil
	}
	if l.requests != nil {
		if err := l.requests.Wait(ctx); err != nil {
			return fmt.Errorf("wait for request slot: %w", err)
		}
	}
	if l.tokens != nil && estTokens > 0 {
		n := min(estTokens, l.tokens.Burst())
		if err := l.tokens.WaitN(ctx, n); err != nil {
			return fmt.Errorf("wait for %d tokens: %w", n, err)
		}
	}
	return nil
}

// Charge records tokens spent beyond the estimate given to Wait, so that the
// next calls wait for them.
func (l *Limiter) Charge(tokens int) {
	if l == nil || l.tokens == nil || tokens <= 0 {
		return
	}
	l.tokens.ReserveN(time.Now(), min(tokens, l.tokens.Burst()))
}
