package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Search provider names, as users write them in a run's sources (package
// search declares its own names from these).
const (
	SearXNG   = "searxng"
	Tavily    = "tavily"
	Brave     = "brave"
	Arxiv     = "arxiv"
	OpenAlex  = "openalex"
	Wikipedia = "wikipedia"
)

// SearchProviders lists every search provider in registry order.
var SearchProviders = []string{SearXNG, Tavily, Brave, Arxiv, OpenAlex, Wikipedia}

// WikipediaLanguage is a Wikipedia edition code ("en", "de", "zh-yue",
// "simple"): it becomes part of a host name, so nothing else is accepted.
var WikipediaLanguage = regexp.MustCompile(`^[a-z]{2,8}(-[a-z]{2,8})*$`)

// Search holds every search provider's settings and the resilience
// settings (package search). Keyed providers are configured when their key (or
// URL) is set; arXiv, OpenAlex and Wikipedia need nothing and are
// configured unless listed in Disabled.
type Search struct {
	// SearXNGURL is a SearXNG instance with the JSON format enabled
	// (RESEARCHFLOW_SEARXNG_URL, e.g. http://localhost:8888). Empty: off.
	SearXNGURL string
	// TavilyKey (TAVILY_API_KEY) and TavilyURL (RESEARCHFLOW_TAVILY_URL,
	// default search.DefaultTavilyURL).
	TavilyKey, TavilyURL string
	// BraveKey (BRAVE_API_KEY) and BraveURL (RESEARCHFLOW_BRAVE_URL, default
	// DefaultBraveURL).
	BraveKey, BraveURL string
	// ArxivURL (RESEARCHFLOW_ARXIV_URL, default search.DefaultArxivURL).
	ArxivURL string
	// OpenAlexURL (RESEARCHFLOW_OPENALEX_URL, default search.DefaultOpenAlexURL),
	// OpenAlexMailto (RESEARCHFLOW_OPENALEX_MAILTO: an e-mail address for
	// OpenAlex's polite pool) and OpenAlexKey (OPENALEX_API_KEY, optional).
	OpenAlexURL, OpenAlexMailto, OpenAlexKey string
	// WikipediaURL (RESEARCHFLOW_WIKIPEDIA_URL, default search.DefaultWikipediaURL;
	// "{lang}" is replaced by the language) and WikipediaLanguage
	// (RESEARCHFLOW_WIKIPEDIA_LANG, default "en").
	WikipediaURL, WikipediaLanguage string
	// Disabled lists providers turned off although they need no key
	// (RESEARCHFLOW_SEARCH_DISABLE, comma-separated, e.g. "arxiv,wikipedia").
	Disabled []string
	// Rates are requests per second per provider
	// (RESEARCHFLOW_SEARCH_RATES, e.g. "arxiv=0.33,openalex=10"); a provider
	// not listed gets search.DefaultRates.
	Rates map[string]float64
	// BreakerFailures is how many consecutive failures open a provider's
	// circuit (RESEARCHFLOW_SEARCH_BREAKER_FAILURES, default 5) and
	// BreakerCooldown how long it stays open before one trial call
	// (RESEARCHFLOW_SEARCH_BREAKER_COOLDOWN, default 30s).
	BreakerFailures int
	BreakerCooldown time.Duration
	// Timeout bounds one provider call (RESEARCHFLOW_SEARCH_TIMEOUT, default
	// 20s).
	Timeout time.Duration
}

// Configured lists the providers this configuration enables, in the order
// of SearchProviders.
func (c Search) Configured() []string {
	var out []string
	for _, p := range SearchProviders {
		if slices.Contains(c.Disabled, p) {
			continue
		}
		switch p {
		case SearXNG:
			if c.SearXNGURL == "" {
				continue
			}
		case Tavily:
			if c.TavilyKey == "" {
				continue
			}
		case Brave:
			if c.BraveKey == "" {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// WebProvider is the provider "web" stands for: the first configured of
// SearXNG, Tavily and Brave; "" when none is.
func (c Search) WebProvider() string {
	for _, p := range c.Configured() {
		if p == SearXNG || p == Tavily || p == Brave {
			return p
		}
	}
	return ""
}

// bindSearch reads the search and fetch settings.
func bindSearch(b *binder) Search {
	get := b.get
	c := Search{
		SearXNGURL: get("RESEARCHFLOW_SEARXNG_URL"),
		TavilyKey:  get("TAVILY_API_KEY"), TavilyURL: get("RESEARCHFLOW_TAVILY_URL"),
		BraveKey: get("BRAVE_API_KEY"), BraveURL: get("RESEARCHFLOW_BRAVE_URL"),
		ArxivURL:    get("RESEARCHFLOW_ARXIV_URL"),
		OpenAlexURL: get("RESEARCHFLOW_OPENALEX_URL"), OpenAlexMailto: get("RESEARCHFLOW_OPENALEX_MAILTO"),
		OpenAlexKey:  get("OPENALEX_API_KEY"),
		WikipediaURL: get("RESEARCHFLOW_WIKIPEDIA_URL"), WikipediaLanguage: strings.ToLower(get("RESEARCHFLOW_WIKIPEDIA_LANG")),
		BreakerFailures: b.count("RESEARCHFLOW_SEARCH_BREAKER_FAILURES", 0, 1),
		BreakerCooldown: b.duration("RESEARCHFLOW_SEARCH_BREAKER_COOLDOWN", 0, false),
		Timeout:         b.duration("RESEARCHFLOW_SEARCH_TIMEOUT", 0, false),
	}
	for _, u := range []struct{ name, val string }{
		{"RESEARCHFLOW_SEARXNG_URL", c.SearXNGURL}, {"RESEARCHFLOW_TAVILY_URL", c.TavilyURL},
		{"RESEARCHFLOW_BRAVE_URL", c.BraveURL}, {"RESEARCHFLOW_ARXIV_URL", c.ArxivURL},
		{"RESEARCHFLOW_OPENALEX_URL", c.OpenAlexURL},
		{"RESEARCHFLOW_WIKIPEDIA_URL", strings.ReplaceAll(c.WikipediaURL, "{lang}", "en")},
	} {
		b.httpURL(u.name, u.val)
	}
	if c.WikipediaLanguage != "" && !WikipediaLanguage.MatchString(c.WikipediaLanguage) {
		b.fail("RESEARCHFLOW_WIKIPEDIA_LANG", "%q: want a language code such as en or de", c.WikipediaLanguage)
	}
	for _, p := range b.list("RESEARCHFLOW_SEARCH_DISABLE") {
		p = strings.ToLower(p)
		if !slices.Contains(SearchProviders, p) {
			b.fail("RESEARCHFLOW_SEARCH_DISABLE", "unknown provider %q (one of %s)", p, strings.Join(SearchProviders, ", "))
			continue
		}
		c.Disabled = append(c.Disabled, p)
	}
	if v := get("RESEARCHFLOW_SEARCH_RATES"); v != "" {
		c.Rates = map[string]float64{}
		for _, kv := range strings.Split(v, ",") {
			name, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
			name = strings.ToLower(strings.TrimSpace(name))
			r, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if !ok || err != nil || r <= 0 || !slices.Contains(SearchProviders, name) {
				b.fail("RESEARCHFLOW_SEARCH_RATES", "%q is not provider=requests-per-second (e.g. arxiv=0.33)", kv)
				continue
			}
			c.Rates[name] = r
		}
	}
	return c
}

// String describes the configuration without its keys ("set" or "unset"
// in their place), so that printing or logging it leaks no secret.
func (c Search) String() string {
	set := func(s string) string {
		if s == "" {
			return "unset"
		}
		return "set"
	}
	return fmt.Sprintf("config.Search{providers: %s; searxng %q; tavily key %s; brave key %s; openalex key %s; wikipedia %s; breaker %d failures, %s}",
		strings.Join(c.Configured(), ","), c.SearXNGURL, set(c.TavilyKey), set(c.BraveKey), set(c.OpenAlexKey),
		c.WikipediaLanguage, c.BreakerFailures, c.BreakerCooldown)
}

// LogValue logs the configuration as String does, keys left out.
func (c Search) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Defaults of the fetching limits (package fetch reads result pages with
// them).
const (
	// DefaultFetchMaxBytes bounds a page body: 5 MiB holds any article and most
	// papers as PDF while keeping one fetch's memory small.
	DefaultFetchMaxBytes = 5 << 20
	// DefaultFetchTimeout bounds one fetch, robots.txt and redirects included.
	DefaultFetchTimeout = 20 * time.Second
	// DefaultFetchPerHost is how many fetches may run against one host at once:
	// two keeps a research run from hammering any single site.
	DefaultFetchPerHost = 2
	// FetchMaxRedirects is how many redirects a fetch follows (every hop is
	// checked again against the address rules and robots.txt).
	FetchMaxRedirects = 5
)

// Fetch holds the page fetching settings (package fetch).
type Fetch struct {
	// AllowCIDRs are address ranges fetched although the SSRF rules refuse
	// them (loopback, private, link-local…), on any port
	// (RESEARCHFLOW_FETCH_ALLOW_CIDRS, comma-separated, e.g.
	// "127.0.0.0/8,10.1.0.0/16"; default none).
	AllowCIDRs []netip.Prefix
	// Ports are the destination ports allowed outside AllowCIDRs
	// (RESEARCHFLOW_FETCH_PORTS, default 80,443).
	Ports []uint16
	// MaxBytes bounds a page's body in bytes (RESEARCHFLOW_FETCH_MAX_BYTES,
	// default DefaultFetchMaxBytes).
	MaxBytes int64
	// Timeout bounds one fetch (RESEARCHFLOW_FETCH_TIMEOUT, a Go duration,
	// default DefaultFetchTimeout).
	Timeout time.Duration
	// PerHost bounds concurrent fetches per host (RESEARCHFLOW_FETCH_PER_HOST,
	// default DefaultFetchPerHost).
	PerHost int
}

// WithDefaults fills zero fields with their defaults.
func (c Fetch) WithDefaults() Fetch {
	if len(c.Ports) == 0 {
		c.Ports = []uint16{80, 443}
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultFetchMaxBytes
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultFetchTimeout
	}
	if c.PerHost <= 0 {
		c.PerHost = DefaultFetchPerHost
	}
	return c
}

// bindFetch reads the RESEARCHFLOW_FETCH_* settings.
func bindFetch(b *binder) Fetch {
	c := Fetch{
		MaxBytes: int64(b.count("RESEARCHFLOW_FETCH_MAX_BYTES", 0, 1)),
		Timeout:  b.duration("RESEARCHFLOW_FETCH_TIMEOUT", 0, false),
		PerHost:  b.count("RESEARCHFLOW_FETCH_PER_HOST", 0, 1),
	}
	for _, s := range b.list("RESEARCHFLOW_FETCH_ALLOW_CIDRS") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				b.fail("RESEARCHFLOW_FETCH_ALLOW_CIDRS", "%q is not a CIDR range such as 127.0.0.0/8", s)
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.AllowCIDRs = append(c.AllowCIDRs, p.Masked())
	}
	if v := b.get("RESEARCHFLOW_FETCH_PORTS"); v != "" {
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
			if err != nil || n == 0 {
				b.fail("RESEARCHFLOW_FETCH_PORTS", "%q is not a port number", s)
				continue
			}
			c.Ports = append(c.Ports, uint16(n))
		}
	}
	return c.WithDefaults()
}
