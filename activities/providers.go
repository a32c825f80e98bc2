package activities

import (
	"context"

	"github.com/researchflow/researchflow/internal/fetch"
	"github.com/researchflow/researchflow/internal/search"
)

// Providers adapts the search providers built by search.New (by source
// name) to the search pool's WebSearcher. The query and result types
// convert field for field.
func Providers(searchers map[string]search.Searcher) map[string]WebSearcher {
	out := make(map[string]WebSearcher, len(searchers))
	for name, s := range searchers {
		out[name] = provider{s}
	}
	return out
}

type provider struct{ s search.Searcher }

// BreakerState is the provider's circuit-breaker state ("" without one).
func (p provider) BreakerState() string {
	if g, ok := p.s.(*search.Guarded); ok {
		return g.State()
	}
	return ""
}

func (p provider) Search(ctx context.Context, q WebQuery) ([]WebResult, error) {
	results, err := p.s.Search(ctx, search.Query(q))
	out := make([]WebResult, len(results))
	for i, r := range results {
		out[i] = WebResult(r)
	}
	return out, err
}

// Pages adapts a page fetcher (fetch.New) to the search pool's PageFetcher.
func Pages(f *fetch.Fetcher) PageFetcher { return pages{f} }

type pages struct{ f *fetch.Fetcher }

func (p pages) Fetch(ctx context.Context, url string) (WebPage, error) {
	page, err := p.f.Fetch(ctx, url)
	return WebPage(page), err
}
