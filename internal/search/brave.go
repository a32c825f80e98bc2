package search

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/search/ident"
)

// DefaultBraveURL is the Brave Search API's base.
const DefaultBraveURL = "https://api.search.brave.com/res/v1"

// BraveSearcher queries the Brave Search API with the key in the
// X-Subscription-Token header: GET {base}/web/search?q=…&count=… answers
// {"type":"search","web":{"results":[{title,url,description,page_age,
// meta_url:{hostname}}]}}
// (https://api-dashboard.search.brave.com/app/documentation/web-search/responses);
// the news category uses GET {base}/news/search, which answers
// {"type":"news","results":[…]} with the same result fields
// (https://api-dashboard.search.brave.com/app/documentation/news-search/responses).
type BraveSearcher struct {
	base, key string
	client    *http.Client
}

// NewBrave returns a searcher using key at base (DefaultBraveURL when
// empty).
func NewBrave(base, key string, client *http.Client) *BraveSearcher {
	if base == "" {
		base = DefaultBraveURL
	}
	return &BraveSearcher{base: base, key: key, client: client}
}

// Name returns "brave".
func (s *BraveSearcher) Name() string { return Brave }

type braveResult struct {
	Title       string `json:"title"`
	URL         string `json:"url"`
	Description string `json:"description"`
	PageAge     string `json:"page_age"`
	Profile     struct {
		Name string `json:"name"`
	} `json:"profile"`
	MetaURL struct {
		Hostname string `json:"hostname"`
	} `json:"meta_url"`
}

type braveResponse struct {
	Type string `json:"type"`
	Web  *struct {
		Results []braveResult `json:"results"`
	} `json:"web"`
	Results []braveResult `json:"results"` // news endpoint
}

// Search runs q: web search (count ≤ 20) or, for the news category, news
// search (count ≤ 50).
func (s *BraveSearcher) Search(ctx context.Context, q Query) ([]Result, error) {
	endpoint, max := "/web/search", 20
	if q.Category == CategoryNews {
		endpoint, max = "/news/search", 50
	}
	q, err := normalize(Brave, q, max)
	if err != nil {
		return nil, err
	}
	v := url.Values{"q": {q.Text}, "count": {strconv.Itoa(q.Limit)}}
	if q.Language != "" {
		v.Set("search_lang", q.Language)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, joinURL(s.base, endpoint)+"?"+v.Encode(), nil)
	if err != nil {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("brave: %w", err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Subscription-Token", s.key)
	body, err := send(s.client, Brave, req)
	if err != nil {
		return nil, err
	}
	var r braveResponse
	if err := decodeJSON(Brave, body, &r, s.key); err != nil {
		return nil, err
	}
	var hits []braveResult
	switch r.Type {
	case "search":
		if r.Web != nil { // no "web" section: no web results
			hits = r.Web.Results
		}
	case "news":
		hits = r.Results
	default:
		return nil, egress.Fail(egress.KindBadResponse, fmt.Errorf("brave: answer of type %q, want search or news%s", r.Type, egress.Excerpt(body, s.key)))
	}
	out := make([]Result, 0, len(hits))
	for _, h := range hits {
		if !webURL(h.URL) {
			continue
		}
		site := h.MetaURL.Hostname
		if site == "" {
			site = hostOf(h.URL)
		}
		out = append(out, Result{
			URL: h.URL, Title: clean(h.Title), Snippet: clean(h.Description), Site: hostOf("https://" + site),
			Published: egress.ParseDate(h.PageAge), DOI: ident.DOIFromLink(h.URL),
			ArxivID: ident.ArxivFromURL(h.URL), Provider: Brave,
		})
		if len(out) == q.Limit {
			break
		}
	}
	return out, nil
}
