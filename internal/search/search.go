// Package search finds sources for a sub-question on the open web and in
// scholarly databases. Each provider (SearXNG, Tavily, Brave, arXiv,
// OpenAlex, Wikipedia) is a Searcher written from its public API
// documentation; New builds the configured ones, each behind a rate limiter
// and a circuit breaker (resilience.go), so that a provider that is down or
// over its quota fails fast with a classified error instead of sinking a
// research run.
//
// "corpus" (the memory search over ingested folders) is not a provider of
// this package; the search activities treat it as one more source name.
//
// Errors are classified with package egress's kinds (egress.KindInvalid for
// a bad query, its status table for HTTP answers, egress.KindBadResponse
// for an answer that is not the documented format, egress.KindBreakerOpen
// for an open circuit): the activities turn permanent ones into
// non-retryable Temporal errors and pass RetryAfter on as the next retry
// delay.
package search

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/egress"
)

// Provider names, as users write them in a run's sources.
const (
	SearXNG   = config.SearXNG
	Tavily    = config.Tavily
	Brave     = config.Brave
	Arxiv     = config.Arxiv
	OpenAlex  = config.OpenAlex
	Wikipedia = config.Wikipedia
	// Web is an alias of the first configured web provider, in the order
	// SearXNG, Tavily, Brave.
	Web = "web"
)

// Providers lists every provider of this package in registry order.
var Providers = config.SearchProviders

// Categories of a Query.
const (
	CategoryGeneral = "general"
	CategoryNews    = "news"
	CategoryScience = "science"
)

// DefaultLimit is the number of results asked for when Query.Limit is 0.
const DefaultLimit = 10

// Query is one search for a sub-question.
type Query struct {
	// Text is the search text (required).
	Text string `json:"text"`
	// Limit is the most results wanted (0: DefaultLimit); providers cap it
	// at their own maximum.
	Limit int `json:"limit,omitempty"`
	// Category is "general" (default), "news" or "science", where the
	// provider supports it: SearXNG all three; Tavily and Brave general and
	// news (science searches general); arXiv, OpenAlex and Wikipedia ignore
	// it. Any other value is a permanent egress.KindInvalid error.
	Category string `json:"category,omitempty"`
	// Language is a language code such as "en" or "de": SearXNG's language
	// and Wikipedia's edition; others ignore it.
	Language string `json:"language,omitempty"`
}

// Result is one hit of a provider (not yet fetched).
type Result struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	// Snippet is the provider's text about the hit: a search snippet, an
	// abstract (arXiv, OpenAlex) or an article's introduction (Wikipedia).
	// It is not the page: cite it as a snippet or fetch the page.
	Snippet string `json:"snippet,omitempty"`
	// Site is the publisher's name when the provider gives one (a journal,
	// "arXiv", "Wikipedia"), else the URL's host without "www.".
	Site string `json:"site,omitempty"`
	// Published is the publication date when the provider knows it (for
	// Wikipedia: the last edit), zero otherwise.
	Published time.Time `json:"published,omitzero"`
	// DOI (lower case) and ArxivID (versionless) identify scholarly works.
	DOI     string `json:"doi,omitempty"`
	ArxivID string `json:"arxivId,omitempty"`
	// Provider is the name of the provider that returned the hit.
	Provider string `json:"provider"`
}

// Searcher is one provider.
type Searcher interface {
	Name() string
	Search(ctx context.Context, q Query) ([]Result, error)
}

// normalize validates q and fills its defaults.
func normalize(provider string, q Query, maxLimit int) (Query, error) {
	q.Text = strings.Join(strings.Fields(q.Text), " ")
	if q.Text == "" {
		return q, egress.Fail(egress.KindInvalid, fmt.Errorf("%s: empty query", provider))
	}
	switch q.Category = strings.ToLower(strings.TrimSpace(q.Category)); q.Category {
	case "":
		q.Category = CategoryGeneral
	case CategoryGeneral, CategoryNews, CategoryScience:
	default:
		return q, egress.Fail(egress.KindInvalid, fmt.Errorf("%s: unknown category %q (general, news or science)", provider, q.Category))
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit > maxLimit {
		q.Limit = maxLimit
	}
	q.Language = strings.TrimSpace(q.Language)
	return q, nil
}
