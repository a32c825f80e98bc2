package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/researchflow/researchflow/internal/egress"
)

// Error kinds of this package's own: the inference activities branch on
// them (a report still gets written offline). Every other failure carries
// a kind of package egress: rate limited, unavailable (5xx, 408, no
// connection, timeout), bad response, unauthorized, not found (unknown
// model or endpoint), rejected (other 4xx) or config (a role without a
// model).
const (
	KindInvalidOutput = "llm.invalid_output" // permanent: answer still unusable after one repair
	KindBudget        = "llm.budget"         // permanent: token budget spent
)

// statusWords say what a failed status means to someone running a model,
// by its egress kind.
var statusWords = map[string]string{
	egress.KindRateLimited:  "rate limited",
	egress.KindUnavailable:  "server error",
	egress.KindUnauthorized: "API key rejected",
	egress.KindNotFound:     "model or endpoint not found",
	egress.KindRejected:     "request rejected",
}

// classify turns the outcome of one model request into a classified error
// whose message names the provider, model and base URL but never the API
// key. x is what the recording transport saw (langchaingo hides status
// codes and headers in its errors). It returns nil when the request
// succeeded.
func (c *client) classify(ctx context.Context, x *egress.Exchange, err error) error {
	status, retryAfter, terr := x.Result()
	if err == nil && status < 400 {
		return nil
	}
	detail := "no detail"
	if err != nil {
		detail = c.redact(err.Error())
	}
	where := c.redact(fmt.Sprintf("%s model %q at %s", c.cfg.Provider, c.cfg.Model, c.cfg.BaseURL))
	if status >= 400 || modelNotFound(detail) {
		kind := egress.StatusKind(status)
		if status < 400 || (kind == egress.KindRejected && modelNotFound(detail)) {
			kind = egress.KindNotFound // an unknown model said in words (Ollama, some gateways)
		}
		return egress.FailAfter(kind, fmt.Errorf("%s: %s (HTTP %d): %s", where, statusWords[kind], status, detail), retryAfter)
	}
	switch {
	case ctx.Err() != nil:
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("%s: %w", where, ctx.Err())
		}
		return egress.Fail(egress.KindUnavailable, fmt.Errorf("%s: timed out: %w", where, ctx.Err()))
	case terr != nil:
		return egress.Fail(egress.KindUnavailable, fmt.Errorf("%s: cannot reach server: %s", where, c.redact(terr.Error())))
	default:
		return egress.Fail(egress.KindBadResponse, fmt.Errorf("%s: %s", where, detail))
	}
}

// modelNotFound reports whether a server's message says the model is
// unknown.
func modelNotFound(detail string) bool {
	lower := strings.ToLower(detail)
	return strings.Contains(lower, "model not found") || strings.Contains(lower, "no such model") ||
		(strings.Contains(lower, "model") && strings.Contains(lower, "not found"))
}

// redact removes the API key from s.
func (c *client) redact(s string) string { return egress.Redact(s, c.cfg.APIKey) }
