package search

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/search/ident"
)

// SearXNGSearcher queries a SearXNG instance's JSON API:
// GET {base}/search?q=…&format=json&categories=…&language=…&pageno=1
// (https://docs.searxng.org/dev/search_api.html). The instance must enable
// the json format in settings.yml (search.formats); otherwise it answers
// 403, reported as KindUnauthorized. SearXNG has no result-count parameter:
// the first page is trimmed to the limit. An answer with no result while
// engines are listed as unresponsive is egress.KindUnavailable (transient,
// naming the engines): the search did not happen; it did not find nothing.
type SearXNGSearcher struct {
	base   string
	client *http.Client
}

// NewSearXNG returns a searcher for the instance at base (e.g.
// http://localhost:8888).
func NewSearXNG(base string, client *http.Client) *SearXNGSearcher {
	return &SearXNGSearcher{base: base, client: client}
}

// Name returns "searxng".
func (s *SearXNGSearcher) Name() string { return SearXNG }

// searxngResponse is the documented JSON answer (fields used here).
type searxngResponse struct {
	Query   string `json:"query"`
	Results []struct {
		URL           string   `json:"url"`
		Title         string   `json:"title"`
		Content       string   `json:"content"`
		Engine        string   `json:"engine"`
		Engines       []string `json:"engines"`
		Category      string   `json:"category"`
		PublishedDate *string  `json:"publishedDate"`
		DOI           string   `json:"doi"` // science engines (e.g. crossref, arxiv)
	} `json:"results"`
	UnresponsiveEngines [][]string `json:"unresponsive_engines"`
}

// Search runs q against the instance (max 100 results, the first page).
func (s *SearXNGSearcher) Search(ctx context.Context, q Query) ([]Result, error) {
	q, err := normalize(SearXNG, q, 100)
	if err != nil {
		return nil, err
	}
	v := url.Values{"q": {q.Text}, "format": {"json"}, "categories": {q.Category}, "pageno": {"1"}}
	if q.Language != "" {
		v.Set("language", q.Language)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, joinURL(s.base, "/search")+"?"+v.Encode(), nil)
	if err != nil {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("searxng: %w", err))
	}
	req.Header.Set("Accept", "application/json")
	body, err := send(s.client, SearXNG, req)
	if err != nil {
		return nil, err
	}
	var r searxngResponse
	if err := decodeJSON(SearXNG, body, &r); err != nil {
		return nil, err
	}
	if r.Results == nil && r.Query == "" {
		return nil, egress.Fail(egress.KindBadResponse, fmt.Errorf("searxng: answer has neither query nor results%s", egress.Excerpt(body)))
	}
	out := make([]Result, 0, len(r.Results))
	for _, h := range r.Results {
		if !webURL(h.URL) {
			continue
		}
		res := Result{
			URL: h.URL, Title: clean(h.Title), Snippet: clean(h.Content), Site: hostOf(h.URL),
			DOI: ident.DOI(h.DOI), ArxivID: ident.ArxivFromURL(h.URL), Provider: SearXNG,
		}
		if h.PublishedDate != nil {
			res.Published = egress.ParseDate(*h.PublishedDate)
		}
		if res.DOI == "" {
			res.DOI = ident.DOIFromLink(h.URL)
		}
		out = append(out, res)
		if len(out) == q.Limit {
			break
		}
	}
	if len(out) == 0 && len(r.UnresponsiveEngines) > 0 {
		// The engines that were asked did not answer: nothing was searched.
		return nil, egress.Fail(egress.KindUnavailable, fmt.Errorf("searxng: no result, and %d engines did not answer: %s",
			len(r.UnresponsiveEngines), unresponsive(r.UnresponsiveEngines)))
	}
	return out, nil
}

// unresponsive names SearXNG's unresponsive engines with their reasons:
// "google (CAPTCHA), bing (timeout)".
func unresponsive(engines [][]string) string {
	var parts []string
	for _, e := range engines {
		switch len(e) {
		case 0:
		case 1:
			parts = append(parts, e[0])
		default:
			parts = append(parts, e[0]+" ("+strings.Join(e[1:], ", ")+")")
		}
	}
	return strings.Join(parts, ", ")
}

// clean collapses white space and drops the tags some providers leave in
// titles and snippets (<span class="searchmatch">, <b>, <strong>).
func clean(s string) string {
	if strings.Contains(s, "<") {
		s = stripTags(s)
	}
	return strings.Join(strings.Fields(s), " ")
}
