package search

import (
	"time"

	"github.com/researchflow/researchflow/internal/config"
)

// Config holds every provider's settings, the resilience settings and the
// fetching settings; package config declares it and binds it from
// RESEARCHFLOW_SEARXNG_URL, TAVILY_API_KEY, BRAVE_API_KEY,
// RESEARCHFLOW_SEARCH_*, RESEARCHFLOW_FETCH_* … (config.Search).
type Config = config.Search

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

func withDefaults(c Config) Config {
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

// providerRate is the requests per second allowed for provider.
func providerRate(c Config, provider string) float64 {
	if r, ok := c.Rates[provider]; ok && r > 0 {
		return r
	}
	return DefaultRates[provider]
}
