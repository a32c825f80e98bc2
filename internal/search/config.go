package search

import (
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config holds every provider's settings, the resilience settings and the
// fetching settings. Keyed providers are configured when their key (or
// URL) is set; arXiv, OpenAlex and Wikipedia need nothing and are
// configured unless listed in Disabled.
type Config struct {
	// SearXNGURL is a SearXNG instance with the JSON format enabled
	// (RESEARCHFLOW_SEARXNG_URL, e.g. http://localhost:8888). Empty: off.
	SearXNGURL string
	// TavilyKey (TAVILY_API_KEY) and TavilyURL (RESEARCHFLOW_TAVILY_URL,
	// default DefaultTavilyURL).
	TavilyKey, TavilyURL string
	// BraveKey (BRAVE_API_KEY) and BraveURL (RESEARCHFLOW_BRAVE_URL, default
	// DefaultBraveURL).
	BraveKey, BraveURL string
	// ArxivURL (RESEARCHFLOW_ARXIV_URL, default DefaultArxivURL).
	ArxivURL string
	// OpenAlexURL (RESEARCHFLOW_OPENALEX_URL, default DefaultOpenAlexURL),
	// OpenAlexMailto (RESEARCHFLOW_OPENALEX_MAILTO: an e-mail address for
	// OpenAlex's polite pool) and OpenAlexKey (OPENALEX_API_KEY, optional).
	OpenAlexURL, OpenAlexMailto, OpenAlexKey string
	// WikipediaURL (RESEARCHFLOW_WIKIPEDIA_URL, default DefaultWikipediaURL;
	// "{lang}" is replaced by the language) and WikipediaLanguage
	// (RESEARCHFLOW_WIKIPEDIA_LANG, default "en").
	WikipediaURL, WikipediaLanguage string
	// Disabled lists providers turned off although they need no key
	// (RESEARCHFLOW_SEARCH_DISABLE, comma-separated, e.g. "arxiv,wikipedia").
	Disabled []string
	// Rates are requests per second per provider
	// (RESEARCHFLOW_SEARCH_RATES, e.g. "arxiv=0.33,openalex=10"); a provider
	// not listed gets DefaultRates.
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

// DefaultRates are the default requests per second: arXiv's terms ask for
// one request every three seconds (https://info.arxiv.org/help/api/tou.html);
// OpenAlex allows 10 per second (https://docs.openalex.org/how-to-use-the-api/rate-limits-and-authentication);
// Brave's free plan 1 per second (https://brave.com/search/api/); the
// others have no published limit and get a courteous 2 (Wikipedia asks
// for serial, moderate use: https://www.mediawiki.org/wiki/API:Etiquette).
var DefaultRates = map[string]float64{
	SearXNG: 5, Tavily: 2, Brave: 1, Arxiv: 1.0 / 3, OpenAlex: 10, Wikipedia: 2,
}

// Resilience defaults.
const (
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 30 * time.Second
	DefaultTimeout         = 20 * time.Second
)

func (c Config) withDefaults() Config {
	if c.BreakerFailures <= 0 {
		c.BreakerFailures = DefaultBreakerFailures
	}
	if c.BreakerCooldown <= 0 {
		c.BreakerCooldown = DefaultBreakerCooldown
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.WikipediaLanguage == "" {
		c.WikipediaLanguage = "en"
	}
	return c
}

// rate is the requests per second allowed for provider.
func (c Config) rate(provider string) float64 {
	if r, ok := c.Rates[provider]; ok && r > 0 {
		return r
	}
	return DefaultRates[provider]
}

// Configured lists the providers this configuration enables, in the order
// of Providers.
func (c Config) Configured() []string {
	var out []string
	for _, p := range Providers {
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
func (c Config) WebProvider() string {
	for _, p := range c.Configured() {
		if p == SearXNG || p == Tavily || p == Brave {
			return p
		}
	}
	return ""
}

// ConfigFromEnv reads the search and fetch settings through lookup. A
// malformed value is an error naming the variable.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(k string) string {
		v, _ := lookup(k)
		return strings.TrimSpace(v)
	}
	c := Config{
		SearXNGURL: get("RESEARCHFLOW_SEARXNG_URL"),
		TavilyKey:  get("TAVILY_API_KEY"), TavilyURL: get("RESEARCHFLOW_TAVILY_URL"),
		BraveKey: get("BRAVE_API_KEY"), BraveURL: get("RESEARCHFLOW_BRAVE_URL"),
		ArxivURL:    get("RESEARCHFLOW_ARXIV_URL"),
		OpenAlexURL: get("RESEARCHFLOW_OPENALEX_URL"), OpenAlexMailto: get("RESEARCHFLOW_OPENALEX_MAILTO"),
		OpenAlexKey:  get("OPENALEX_API_KEY"),
		WikipediaURL: get("RESEARCHFLOW_WIKIPEDIA_URL"), WikipediaLanguage: strings.ToLower(get("RESEARCHFLOW_WIKIPEDIA_LANG")),
	}
	for _, u := range []struct{ name, val string }{
		{"RESEARCHFLOW_SEARXNG_URL", c.SearXNGURL}, {"RESEARCHFLOW_TAVILY_URL", c.TavilyURL},
		{"RESEARCHFLOW_BRAVE_URL", c.BraveURL}, {"RESEARCHFLOW_ARXIV_URL", c.ArxivURL},
		{"RESEARCHFLOW_OPENALEX_URL", c.OpenAlexURL},
		{"RESEARCHFLOW_WIKIPEDIA_URL", strings.ReplaceAll(c.WikipediaURL, "{lang}", "en")},
	} {
		if u.val == "" {
			continue
		}
		if p, err := url.Parse(u.val); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return Config{}, fmt.Errorf("%s=%q: want an http(s) URL", u.name, u.val)
		}
	}
	if c.WikipediaLanguage != "" && !languageCode.MatchString(c.WikipediaLanguage) {
		return Config{}, fmt.Errorf("RESEARCHFLOW_WIKIPEDIA_LANG=%q: want a language code such as en or de", c.WikipediaLanguage)
	}
	if v := get("RESEARCHFLOW_SEARCH_DISABLE"); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.ToLower(strings.TrimSpace(p))
			if p == "" {
				continue
			}
			if !slices.Contains(Providers, p) {
				return Config{}, fmt.Errorf("RESEARCHFLOW_SEARCH_DISABLE: unknown provider %q (one of %s)", p, strings.Join(Providers, ", "))
			}
			c.Disabled = append(c.Disabled, p)
		}
	}
	if v := get("RESEARCHFLOW_SEARCH_RATES"); v != "" {
		c.Rates = map[string]float64{}
		for _, kv := range strings.Split(v, ",") {
			name, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
			name = strings.ToLower(strings.TrimSpace(name))
			r, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if !ok || err != nil || r <= 0 || !slices.Contains(Providers, name) {
				return Config{}, fmt.Errorf("RESEARCHFLOW_SEARCH_RATES: %q is not provider=requests-per-second (e.g. arxiv=0.33)", kv)
			}
			c.Rates[name] = r
		}
	}
	if v := get("RESEARCHFLOW_SEARCH_BREAKER_FAILURES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return Config{}, fmt.Errorf("RESEARCHFLOW_SEARCH_BREAKER_FAILURES=%q: want a positive whole number", v)
		}
		c.BreakerFailures = n
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"RESEARCHFLOW_SEARCH_BREAKER_COOLDOWN", &c.BreakerCooldown}, {"RESEARCHFLOW_SEARCH_TIMEOUT", &c.Timeout}} {
		if v := get(d.name); v != "" {
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				return Config{}, fmt.Errorf("%s=%q: want a positive Go duration such as 30s", d.name, v)
			}
			*d.dst = t
		}
	}
	return c.withDefaults(), nil
}

// String describes the configuration without its keys ("set" or "unset"
// in their place), so that printing or logging it leaks no secret.
func (c Config) String() string {
	set := func(s string) string {
		if s == "" {
			return "unset"
		}
		return "set"
	}
	return fmt.Sprintf("search.Config{providers: %s; searxng %q; tavily key %s; brave key %s; openalex key %s; wikipedia %s; breaker %d failures, %s}",
		strings.Join(c.Configured(), ","), c.SearXNGURL, set(c.TavilyKey), set(c.BraveKey), set(c.OpenAlexKey),
		c.WikipediaLanguage, c.BreakerFailures, c.BreakerCooldown)
}

// LogValue logs the configuration as String does, keys left out.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }
