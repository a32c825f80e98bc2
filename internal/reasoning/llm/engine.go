package llm

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/reasoning"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

// Options are the dependencies of an Engine.
type Options struct {
	// Fallback plans when the planner model's answer cannot be used (and
	// serves a planner configured as offline). Required when the planner is
	// served by a model.
	Fallback reasoning.Planner
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// HTTPClient carries the model requests (default: a client without a
	// timeout; calls are bounded by their context). Its transport is wrapped
	// to read status codes and Retry-After headers.
	HTTPClient *http.Client
	// Prices overrides Config.Prices when non-nil.
	Prices PriceTable
	// Limiter overrides the limiter built from Config.RPM and Config.TPM when
	// non-nil. Share one per worker process.
	Limiter *Limiter
	// Observer, if set, is told of every model call (metrics).
	Observer CallObserver
	// HeartbeatInterval throttles the heartbeats of streamed answers
	// (default 1s).
	HeartbeatInterval time.Duration
}

// CallObserver is told of every model call: latency in wall time, tokens
// (the server's count, or the engine's estimate when it gives none), cost
// in US dollars from the price table, and the classified error of a failed
// call. Implementations must be safe for concurrent use.
type CallObserver interface {
	ModelCall(role, provider, model string, elapsed time.Duration, promptTokens, completionTokens int, costUSD float64, err error)
}

// RoleInfo describes what serves one role, for report metadata.
type RoleInfo struct {
	Role          string `json:"role"`
	Provider      string `json:"provider"`
	Model         string `json:"model,omitempty"`
	PromptVersion string `json:"promptVersion,omitempty"`
}

// Engine drives the roles configured with a model. It is a reasoning.Planner,
// reasoning.Analyst and reasoning.Writer; a role configured as offline is not
// served (see Overlay), except the planner, which then uses Options.Fallback.
// An Engine is safe for concurrent use.
type Engine struct {
	cfg     Config
	planner *client // nil when the role is offline
	analyst *client
	writer  *client
	// reflector runs on the planner's model with the reflection prompt.
	reflector *client
	fallback  reasoning.Planner
	logger    *slog.Logger
}

var (
	_ reasoning.Planner = (*Engine)(nil)
	_ reasoning.Analyst = (*Engine)(nil)
	_ reasoning.Writer  = (*Engine)(nil)
)

// New validates cfg and builds the model clients of its roles.
func New(cfg Config, opts Options) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Planner.Enabled() && opts.Fallback == nil {
		return nil, fmt.Errorf("llm engine: the planner needs a fallback planner (Options.Fallback)")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	hc := &http.Client{}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	// Model calls are client spans of the activity's trace (otelhttp uses
	// OpenTelemetry's global provider: a no-op unless tracing is on).
	hc.Transport = egress.Recorder{Base: otelhttp.NewTransport(base)}
	prices := cfg.Prices
	if opts.Prices != nil {
		prices = opts.Prices
	}
	limiter := opts.Limiter
	if limiter == nil {
		limiter = NewLimiter(cfg.RPM, cfg.TPM)
	}
	beatEvery := opts.HeartbeatInterval
	if beatEvery <= 0 {
		beatEvery = time.Second
	}
	repair, err := loadPrompt(RepairPromptVersion)
	if err != nil {
		return nil, err
	}

	e := &Engine{cfg: cfg, fallback: opts.Fallback, logger: logger}
	refused := &refusals{}
	for _, role := range roles {
		rc := cfg.Role(role)
		if !rc.Enabled() {
			continue
		}
		model, err := newModel(rc, hc, refused, logger.With("component", "llm", "role", role))
		if err != nil {
			return nil, fmt.Errorf("llm engine: %s: %s/%s at %s: %w", role, rc.Provider, rc.Model, rc.BaseURL, err)
		}
		p, err := loadPrompt(rolePromptVersion[role])
		if err != nil {
			return nil, err
		}
		c := &client{
			role: role, cfg: rc, model: model, schema: roleSchemas[role], prompt: p, repair: repair,
			limiter: limiter, prices: prices, logger: logger.With("component", "llm"), beatEvery: beatEvery,
			observer: opts.Observer,
		}
		switch role {
		case RolePlanner:
			e.planner = c
			rp, err := loadPrompt(ReflectorPromptVersion)
			if err != nil {
				return nil, err
			}
			r := *c
			r.role, r.prompt, r.schema = "reflector", rp, roleSchemas["reflector"]
			e.reflector = &r
		case RoleAnalyst:
			e.analyst = c
		case RoleWriter:
			e.writer = c
		}
	}
	return e, nil
}

// Describe lists what serves each role, in the order planner, analyst,
// writer.
func (e *Engine) Describe() []RoleInfo {
	out := make([]RoleInfo, 0, len(roles))
	for _, role := range roles {
		rc := e.cfg.Role(role)
		info := RoleInfo{Role: role, Provider: ProviderOffline}
		if rc.Enabled() {
			info = RoleInfo{Role: role, Provider: rc.Provider, Model: rc.Model, PromptVersion: rolePromptVersion[role]}
		}
		out = append(out, info)
	}
	return out
}

// Overlay returns base with every role that is configured with a model
// replaced by e. Pass the offline engine as base.
func (e *Engine) Overlay(base reasoning.Engine) reasoning.Engine {
	out := base
	if e.planner != nil {
		out.Planner = e
		out.Reflector = e
	}
	if e.analyst != nil {
		out.Analyst = e
	}
	if e.writer != nil {
		out.Writer = e
	}
	return out
}

func (e *Engine) notServed(role string) error {
	return egress.Fail(egress.KindConfig, fmt.Errorf("llm engine: role %s is not configured with a model (provider offline); use Overlay", role))
}
