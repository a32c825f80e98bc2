package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"golang.org/x/time/rate"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
)

// New builds the configured providers (Config.Configured), each wrapped in
// a Guarded searcher with its rate limiter and circuit breaker, keyed by
// name; "web" is added as an alias of Config.WebProvider (the same
// Searcher, so the same breaker) when one is configured. Breaker state
// changes are logged through slog.Default() and told to observers (the
// process's metrics: researchflow_breaker_open), which first learn that
// every circuit is closed. Provider calls are client spans of the caller's
// trace (otelhttp; a no-op unless tracing is on).
func New(cfg Config, observers ...BreakerObserver) (map[string]Searcher, error) {
	cfg = withDefaults(cfg)
	logger := slog.Default()
	client := &http.Client{Timeout: cfg.Timeout, Transport: otelhttp.NewTransport(http.DefaultTransport)}
	out := map[string]Searcher{}
	for _, name := range cfg.Configured() {
		var s Searcher
		switch name {
		case SearXNG:
			s = NewSearXNG(cfg.SearXNGURL, client)
		case Tavily:
			s = NewTavily(cfg.TavilyURL, cfg.TavilyKey, client)
		case Brave:
			s = NewBrave(cfg.BraveURL, cfg.BraveKey, client)
		case Arxiv:
			s = NewArxiv(cfg.ArxivURL, client)
		case OpenAlex:
			s = NewOpenAlex(cfg.OpenAlexURL, cfg.OpenAlexMailto, cfg.OpenAlexKey, client)
		case Wikipedia:
			s = NewWikipedia(cfg.WikipediaURL, cfg.WikipediaLanguage, client)
		default:
			return nil, fmt.Errorf("search: no provider named %q", name)
		}
		out[name] = Guard(s, GuardOptions{
			Rate: providerRate(cfg, name), Failures: cfg.BreakerFailures, Cooldown: cfg.BreakerCooldown, Logger: logger,
			Observers: observers,
		})
		for _, o := range observers {
			o.BreakerOpen(name, false)
		}
	}
	if web := cfg.WebProvider(); web != "" {
		out[Web] = out[web]
	}
	return out, nil
}

// Breakers reports the circuit state ("closed", "half-open" or "open") of
// every Guarded searcher in searchers, by provider name (an alias such as
// "web" is reported under its provider's name).
func Breakers(searchers map[string]Searcher) map[string]string {
	out := map[string]string{}
	for _, s := range searchers {
		if g, ok := s.(*Guarded); ok {
			out[g.Name()] = g.State()
		}
	}
	return out
}

// Names lists the keys of searchers, sorted (for listings and errors).
func Names(searchers map[string]Searcher) []string {
	out := make([]string, 0, len(searchers))
	for n := range searchers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// GuardOptions configure Guard.
type GuardOptions struct {
	// Rate is the requests per second allowed (burst 1); <= 0: unlimited.
	Rate float64
	// Failures is how many consecutive failures open the circuit.
	Failures int
	// Cooldown is how long the circuit stays open before one trial call.
	Cooldown time.Duration
	Logger   *slog.Logger
	// Observers are told when the circuit opens (true) and when it leaves
	// the open state (false).
	Observers []BreakerObserver
}

// BreakerObserver is told of circuit changes by provider name. It must be
// safe for concurrent use.
type BreakerObserver interface {
	BreakerOpen(provider string, open bool)
}

// Guarded is a Searcher behind a rate limiter and a circuit breaker
// (github.com/sony/gobreaker/v2). Only transient failures (network, 5xx,
// 408, 429, a bad body) count against the circuit: a permanent error says
// the request was wrong, not that the provider is down. A 429's
// Retry-After holds further calls back until it has passed (they fail
// fast with KindRateLimited and the remaining delay).
type Guarded struct {
	inner    Searcher
	limiter  *rate.Limiter
	breaker  *gobreaker.CircuitBreaker[[]Result]
	cooldown time.Duration
	now      func() time.Time
	// observers are told of circuit changes and (ErrorObserver) errors.
	observers []BreakerObserver

	mu        sync.Mutex
	notBefore time.Time // from the last Retry-After
}

var _ Searcher = (*Guarded)(nil)

// Guard wraps s with a rate limiter and a circuit breaker; state changes
// are logged ("search: circuit state changed", provider, from, to).
func Guard(s Searcher, o GuardOptions) *Guarded {
	if o.Failures <= 0 {
		o.Failures = DefaultBreakerFailures
	}
	if o.Cooldown <= 0 {
		o.Cooldown = DefaultBreakerCooldown
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if o.Rate > 0 {
		lim = rate.NewLimiter(rate.Limit(o.Rate), 1)
	}
	failures := uint32(o.Failures)
	name := s.Name()
	log := o.Logger
	return &Guarded{
		inner:     s,
		limiter:   lim,
		cooldown:  o.Cooldown,
		now:       time.Now,
		observers: o.Observers,
		breaker: gobreaker.NewCircuitBreaker[[]Result](gobreaker.Settings{
			Name:        name,
			MaxRequests: 1,
			Timeout:     o.Cooldown,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
			OnStateChange: func(_ string, from, to gobreaker.State) {
				lvl := slog.LevelInfo
				if to == gobreaker.StateOpen {
					lvl = slog.LevelWarn
				}
				log.Log(context.Background(), lvl, "search: circuit state changed", "provider", name, "from", from.String(), "to", to.String())
				for _, ob := range o.Observers {
					ob.BreakerOpen(name, to == gobreaker.StateOpen)
				}
			},
			IsSuccessful: func(err error) bool { return err == nil || fault.IsPermanent(err) },
			IsExcluded: func(err error) bool {
				return errors.Is(err, context.Canceled) || (errors.Is(err, context.DeadlineExceeded) && !fault.IsTransient(err))
			},
		}),
	}
}

// Name is the wrapped provider's name.
func (g *Guarded) Name() string { return g.inner.Name() }

// State is the circuit's state: "closed", "half-open" or "open".
func (g *Guarded) State() string { return g.breaker.State().String() }

// Search calls the provider unless the circuit is open (KindBreakerOpen)
// or a Retry-After is pending (KindRateLimited), after waiting for the
// rate limiter (KindRateLimited when ctx ends first).
func (g *Guarded) Search(ctx context.Context, q Query) ([]Result, error) {
	res, err := g.search(ctx, q)
	if err != nil && ctx.Err() == nil {
		kind := "unclassified"
		if fe, ok := fault.Classify(err); ok {
			kind = fe.Kind
		}
		for _, ob := range g.observers {
			if eo, ok := ob.(ErrorObserver); ok {
				eo.SearchError(g.Name(), kind)
			}
		}
	}
	return res, err
}

// ErrorObserver, when a BreakerObserver also implements it, is told of
// every failed search by provider and error kind (a fault kind such as
// egress.unavailable or egress.breaker_open). It must be cheap and safe
// for concurrent use.
type ErrorObserver interface {
	SearchError(provider, kind string)
}

func (g *Guarded) search(ctx context.Context, q Query) ([]Result, error) {
	name := g.Name()
	if g.breaker.State() == gobreaker.StateOpen {
		return nil, g.openErr()
	}
	g.mu.Lock()
	wait := g.notBefore.Sub(g.now())
	g.mu.Unlock()
	if wait > 0 {
		return nil, egress.FailAfter(egress.KindRateLimited, fmt.Errorf("%s: rate limited by the provider for another %s", name, wait.Round(time.Second)), wait)
	}
	if err := g.limiter.Wait(ctx); err != nil {
		return nil, egress.Fail(egress.KindRateLimited, fmt.Errorf("%s: waiting for the rate limit: %w", name, err))
	}
	res, err := g.breaker.Execute(func() ([]Result, error) { return g.inner.Search(ctx, q) })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return nil, g.openErr()
	}
	if fe, ok := fault.Classify(err); ok && fe.Kind == egress.KindRateLimited && fe.RetryAfter > 0 {
		g.mu.Lock()
		g.notBefore = g.now().Add(fe.RetryAfter)
		g.mu.Unlock()
	}
	return res, err
}

func (g *Guarded) openErr() error {
	return egress.FailAfter(egress.KindBreakerOpen, fmt.Errorf("%s: unavailable (circuit open after repeated failures; next trial within %s)", g.Name(), g.cooldown), g.cooldown)
}
