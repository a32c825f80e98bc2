package search_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/fetch"
	"github.com/researchflow/researchflow/internal/search"
)

// A search worker builds the providers and the fetcher once, from the
// configuration tree (config.Config.Search), and keeps them for all
// activities. Not run: it would reach the network.
func ExampleNew() {
	all, err := config.FromEnv() // in a main package: only they read the environment
	if err != nil {
		panic(err) // every malformed setting, each named
	}
	cfg := all.Search
	searchers, err := search.New(cfg)
	if err != nil {
		panic(err)
	}
	pages := fetch.New(all.Fetch)

	ctx := context.Background()
	s, ok := searchers["web"]
	if !ok {
		fmt.Println("no web provider configured; available:", search.Names(searchers))
		return
	}
	results, err := s.Search(ctx, search.Query{Text: "quantum error correction 2024", Category: "news", Limit: 5})
	var fe *fault.Error
	switch {
	case errors.As(err, &fe) && fe.Kind == egress.KindBreakerOpen:
		fmt.Println("gap:", s.Name(), "unavailable (circuit open)")
		return
	case err != nil:
		fmt.Println("search failed:", err)
		return
	}
	for _, r := range search.Dedup(results) {
		p, err := pages.Fetch(ctx, r.URL)
		if err != nil {
			continue // cite r.Snippet as a snippet, or drop the result
		}
		fmt.Println(p.Title, p.Site, p.URL, p.AccessedAt.Format("2006-01-02"))
	}
	fmt.Println(search.Breakers(searchers)) // e.g. map[arxiv:closed searxng:closed …]
}
