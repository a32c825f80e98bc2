package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/researchflow/researchflow/internal/config"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
)

// fake is a Searcher answering with err (nil: one result).
type fake struct {
	name  string
	calls atomic.Int32
	err   atomic.Pointer[error]
}

func (f *fake) Name() string { return f.name }
func (f *fake) Search(ctx context.Context, q Query) ([]Result, error) {
	f.calls.Add(1)
	if p := f.err.Load(); p != nil && *p != nil {
		return nil, *p
	}
	return []Result{{URL: "https://example.com/", Provider: f.name}}, nil
}
func (f *fake) fail(err error) { f.err.Store(&err) }

func TestBreakerOpensAfterThresholdAndRecovers(t *testing.T) {
	var logs bytes.Buffer
	f := &fake{name: "searxng"}
	obs := &breakerLog{}
	g := Guard(f, GuardOptions{Failures: 3, Cooldown: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Observers: []BreakerObserver{obs}})
	f.fail(egress.Fail(egress.KindUnavailable, errors.New("HTTP 500")))
	for i := range 3 {
		_, err := g.Search(context.Background(), Query{Text: "q"})
		wantKind(t, err, egress.KindUnavailable, false)
		if want := map[bool]string{true: "open", false: "closed"}[i == 2]; g.State() != want {
			t.Errorf("after %d failures state %q, want %q", i+1, g.State(), want)
		}
	}
	_, err := g.Search(context.Background(), Query{Text: "q"})
	fe := wantKind(t, err, egress.KindBreakerOpen, false)
	if fe.RetryAfter != 100*time.Millisecond || f.calls.Load() != 3 {
		t.Errorf("open circuit: RetryAfter %s, %d calls (want 3: no call while open)", fe.RetryAfter, f.calls.Load())
	}
	if got := Breakers(map[string]Searcher{"searxng": g, "web": g}); len(got) != 1 || got["searxng"] != "open" {
		t.Errorf("Breakers = %v", got)
	}
	if !strings.Contains(logs.String(), `msg="search: circuit state changed" provider=searxng from=closed to=open`) {
		t.Errorf("log lacks the state change: %s", logs.String())
	}
	time.Sleep(120 * time.Millisecond)
	if g.State() != "half-open" {
		t.Errorf("after the cool-down state %q, want half-open", g.State())
	}
	f.fail(nil)
	if _, err := g.Search(context.Background(), Query{Text: "q"}); err != nil {
		t.Fatal(err)
	}
	if g.State() != "closed" || !strings.Contains(logs.String(), "from=half-open to=closed") {
		t.Errorf("state %q after a good trial; log %s", g.State(), logs.String())
	}
	// The metrics observer saw open, then not open (half-open), then closed.
	if got := strings.Join(obs.events, " "); got != "searxng=true searxng=false searxng=false" {
		t.Errorf("observer events %q", got)
	}
}

// breakerLog records BreakerOpen calls.
type breakerLog struct{ events []string }

func (b *breakerLog) BreakerOpen(provider string, open bool) {
	b.events = append(b.events, fmt.Sprintf("%s=%v", provider, open))
}

func TestPermanentErrorsDoNotOpenTheCircuit(t *testing.T) {
	f := &fake{name: "tavily"}
	g := Guard(f, GuardOptions{Failures: 2})
	f.fail(egress.Fail(egress.KindRejected, errors.New("HTTP 400")))
	for range 5 {
		_, err := g.Search(context.Background(), Query{Text: "q"})
		wantKind(t, err, egress.KindRejected, true)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.fail(context.Canceled)
	for range 3 {
		_, _ = g.Search(ctx, Query{Text: "q"})
	}
	if g.State() != "closed" {
		t.Errorf("state %q, want closed", g.State())
	}
}

func TestRetryAfterHoldsCallsBack(t *testing.T) {
	f := &fake{name: "brave"}
	g := Guard(f, GuardOptions{})
	f.fail(egress.FailAfter(egress.KindRateLimited, errors.New("HTTP 429"), 30*time.Second))
	_, err := g.Search(context.Background(), Query{Text: "q"})
	wantKind(t, err, egress.KindRateLimited, false)
	f.fail(nil)
	_, err = g.Search(context.Background(), Query{Text: "q"})
	fe := wantKind(t, err, egress.KindRateLimited, false)
	if fe.RetryAfter <= 25*time.Second || fe.RetryAfter > 30*time.Second || f.calls.Load() != 1 {
		t.Errorf("held back: RetryAfter %s, %d calls (want 1)", fe.RetryAfter, f.calls.Load())
	}
	g.now = func() time.Time { return time.Now().Add(31 * time.Second) }
	if _, err := g.Search(context.Background(), Query{Text: "q"}); err != nil {
		t.Errorf("after Retry-After: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	f := &fake{name: "arxiv"}
	g := Guard(f, GuardOptions{Rate: 1.0 / 3})
	if _, err := g.Search(context.Background(), Query{Text: "q"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := g.Search(ctx, Query{Text: "q"})
	wantKind(t, err, egress.KindRateLimited, false)
	if f.calls.Load() != 1 {
		t.Errorf("%d calls, want 1 (the second waits 3s)", f.calls.Load())
	}
}

// A provider answering 500 opens its circuit after the threshold; further
// searches make no request.
func TestProviderDownOpensCircuit(t *testing.T) {
	p := newProvider(t, answer(500, "text/plain", "upstream error"))
	cfg := Config{SearXNGURL: p.URL, BreakerFailures: 2, Disabled: []string{Arxiv, OpenAlex, Wikipedia}}
	searchers, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := searchers[Web]
	for range 2 {
		_, err := s.Search(context.Background(), Query{Text: "q"})
		wantKind(t, err, egress.KindUnavailable, false)
	}
	_, err = s.Search(context.Background(), Query{Text: "q"})
	wantKind(t, err, egress.KindBreakerOpen, false)
	if n := p.hits.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if got := Breakers(searchers); got[SearXNG] != "open" {
		t.Errorf("Breakers = %v", got)
	}
	if !fault.IsTransient(err) {
		t.Error("breaker_open must be transient (a later retry may find the provider back)")
	}
}

func TestNewRegistry(t *testing.T) {
	cfg := Config{TavilyKey: "k", BraveKey: "k2", Disabled: []string{Wikipedia}}
	if got, want := strings.Join(cfg.Configured(), ","), "tavily,brave,arxiv,openalex"; got != want {
		t.Errorf("Configured = %s, want %s", got, want)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(Names(s), ","); got != "arxiv,brave,openalex,tavily,web" {
		t.Errorf("names %s", got)
	}
	if s[Web] != s[Tavily] || s[Web].Name() != Tavily {
		t.Error("web is not an alias of tavily (the first configured web provider)")
	}
	for name, st := range Breakers(s) {
		if st != "closed" {
			t.Errorf("%s: %s", name, st)
		}
	}
	// No web provider: no alias.
	s, _ = New(Config{})
	if _, ok := s[Web]; ok || len(s) != 3 {
		t.Errorf("keyless registry %v", Names(s))
	}
}

func TestBoundConfig(t *testing.T) {
	env := map[string]string{
		"RESEARCHFLOW_SEARXNG_URL":             "http://localhost:8888",
		"TAVILY_API_KEY":                       "tvly-x",
		"RESEARCHFLOW_SEARCH_DISABLE":          "wikipedia, arxiv",
		"RESEARCHFLOW_SEARCH_RATES":            "openalex=5, searxng=0.5",
		"RESEARCHFLOW_SEARCH_BREAKER_COOLDOWN": "1m",
		"RESEARCHFLOW_WIKIPEDIA_LANG":          "DE",
	}
	c, err := configFromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Configured(), ","); got != "searxng,tavily,openalex" {
		t.Errorf("Configured %s", got)
	}
	if providerRate(c, OpenAlex) != 5 || providerRate(c, SearXNG) != 0.5 || providerRate(c, Arxiv) != 1.0/3 || c.BreakerCooldown != time.Minute ||
		c.BreakerFailures != DefaultBreakerFailures || c.WikipediaLanguage != "de" || c.WebProvider() != SearXNG {
		t.Errorf("config %+v", c)
	}
	for k, v := range map[string]string{
		"RESEARCHFLOW_SEARXNG_URL":             "localhost:8888",
		"RESEARCHFLOW_SEARCH_DISABLE":          "google",
		"RESEARCHFLOW_SEARCH_RATES":            "arxiv=fast",
		"RESEARCHFLOW_SEARCH_BREAKER_FAILURES": "0",
		"RESEARCHFLOW_SEARCH_TIMEOUT":          "-1s",
		"RESEARCHFLOW_WIKIPEDIA_LANG":          "en.evil",
	} {
		_, err := configFromEnv(func(key string) (string, bool) {
			if key == k {
				return v, true
			}
			return "", false
		})
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q: err %v, want one naming the variable", k, v, err)
		}
	}
}

// The real client sends the identifying User-Agent.
func TestUserAgent(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", `{"query":"q","results":[]}`))
	if _, err := NewSearXNG(p.URL, http.DefaultClient).Search(context.Background(), Query{Text: "q"}); err != nil {
		t.Fatal(err)
	}
	if ua := p.last.Load().Header.Get("User-Agent"); !strings.HasPrefix(ua, "Researchflow/1.0") {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestConfigHidesKeys(t *testing.T) {
	c := Config{TavilyKey: "tvly-secret", BraveKey: "brave-secret", OpenAlexKey: "oa-secret"}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "search", c)
	for _, out := range []string{c.String(), fmt.Sprintf("%v %+v", c, c), logs.String()} {
		if strings.Contains(out, "secret") {
			t.Errorf("keys leak: %s", out)
		}
	}
	if !strings.Contains(c.String(), "tavily key set") {
		t.Errorf("String = %s", c.String())
	}
}

// errorLog counts failed searches by provider and kind (an ErrorObserver).
type errorLog struct {
	mu    sync.Mutex
	kinds []string
}

func (e *errorLog) BreakerOpen(string, bool) {}

func (e *errorLog) SearchError(provider, kind string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.kinds = append(e.kinds, provider+"/"+kind)
}

// Every failed search is counted by provider and kind, open circuits too:
// the researchflow_search_errors_total metric is fed from here.
func TestSearchErrorsAreObserved(t *testing.T) {
	p := newProvider(t, answer(500, "text/plain", "upstream error"))
	log := &errorLog{}
	searchers, err := New(Config{SearXNGURL: p.URL, BreakerFailures: 2, Disabled: []string{Arxiv, OpenAlex, Wikipedia}}, log)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, _ = searchers[SearXNG].Search(context.Background(), Query{Text: "q"})
	}
	want := []string{"searxng/" + egress.KindUnavailable, "searxng/" + egress.KindUnavailable, "searxng/" + egress.KindBreakerOpen}
	if !slices.Equal(log.kinds, want) {
		t.Errorf("observed errors %v, want %v", log.kinds, want)
	}
}

// configFromEnv binds the search settings as the processes do, with the
// defaults New fills.
func configFromEnv(lookup func(string) (string, bool)) (Config, error) {
	c, err := config.Load(lookup)
	return withDefaults(c.Search), err
}
