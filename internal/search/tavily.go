package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/search/ident"
)

// DefaultTavilyURL is Tavily's API.
const DefaultTavilyURL = "https://api.tavily.com"

// TavilySearcher queries Tavily: POST {base}/search with a JSON body
// {query, topic, search_depth, max_results} and "Authorization: Bearer
// <key>"; the answer's results carry title, url, content, score and, for
// the news topic, published_date
// (https://docs.tavily.com/documentation/api-reference/endpoint/search).
type TavilySearcher struct {
	base, key string
	client    *http.Client
}

// NewTavily returns a searcher using API key key at base (DefaultTavilyURL
// when empty).
func NewTavily(base, key string, client *http.Client) *TavilySearcher {
	if base == "" {
		base = DefaultTavilyURL
	}
	return &TavilySearcher{base: base, key: key, client: client}
}

// Name returns "tavily".
func (s *TavilySearcher) Name() string { return Tavily }

type tavilyRequest struct {
	Query       string `json:"query"`
	Topic       string `json:"topic"`
	SearchDepth string `json:"search_depth"`
	MaxResults  int    `json:"max_results"`
}

type tavilyResponse struct {
	Query   string `json:"query"`
	Results []struct {
		Title         string  `json:"title"`
		URL           string  `json:"url"`
		Content       string  `json:"content"`
		Score         float64 `json:"score"`
		PublishedDate string  `json:"published_date"`
	} `json:"results"`
}

// Search runs q (max 20 results, Tavily's limit; topic "news" for the news
// category, "general" otherwise).
func (s *TavilySearcher) Search(ctx context.Context, q Query) ([]Result, error) {
	q, err := normalize(Tavily, q, 20)
	if err != nil {
		return nil, err
	}
	topic := "general"
	if q.Category == CategoryNews {
		topic = "news"
	}
	payload, err := json.Marshal(tavilyRequest{Query: q.Text, Topic: topic, SearchDepth: "basic", MaxResults: q.Limit})
	if err != nil {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("tavily: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, joinURL(s.base, "/search"), bytes.NewReader(payload))
	if err != nil {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("tavily: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.key)
	body, err := send(s.client, Tavily, req)
	if err != nil {
		return nil, err
	}
	var r tavilyResponse
	if err := decodeJSON(Tavily, body, &r, s.key); err != nil {
		return nil, err
	}
	if r.Results == nil {
		return nil, egress.Fail(egress.KindBadResponse, fmt.Errorf("tavily: answer has no results list%s", egress.Excerpt(body, s.key)))
	}
	out := make([]Result, 0, len(r.Results))
	for _, h := range r.Results {
		if !webURL(h.URL) {
			continue
		}
		out = append(out, Result{
			URL: h.URL, Title: clean(h.Title), Snippet: clean(h.Content), Site: hostOf(h.URL),
			Published: egress.ParseDate(h.PublishedDate), DOI: ident.DOIFromLink(h.URL),
			ArxivID: ident.ArxivFromURL(h.URL), Provider: Tavily,
		})
		if len(out) == q.Limit {
			break
		}
	}
	return out, nil
}
