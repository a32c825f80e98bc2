package search

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/search/ident"
)

// DefaultOpenAlexURL is the OpenAlex API.
const DefaultOpenAlexURL = "https://api.openalex.org"

// OpenAlexSearcher searches OpenAlex works: GET {base}/works?search=…&
// per-page=…[&mailto=…][&api_key=…], answered with {"meta":{…},
// "results":[work…]} where a work has id, doi (a https://doi.org/ URL),
// display_name, publication_date, primary_location {landing_page_url,
// source {display_name}}, locations and abstract_inverted_index (word →
// positions) (https://docs.openalex.org/api-entities/works/search-works,
// https://docs.openalex.org/api-entities/works/work-object). mailto puts
// requests in the "polite pool"; api_key is OpenAlex's optional key.
type OpenAlexSearcher struct {
	base, mailto, key string
	client            *http.Client
}

// NewOpenAlex returns a searcher at base (DefaultOpenAlexURL when empty).
func NewOpenAlex(base, mailto, key string, client *http.Client) *OpenAlexSearcher {
	if base == "" {
		base = DefaultOpenAlexURL
	}
	return &OpenAlexSearcher{base: base, mailto: mailto, key: key, client: client}
}

// Name returns "openalex".
func (s *OpenAlexSearcher) Name() string { return OpenAlex }

type openAlexLocation struct {
	LandingPageURL string `json:"landing_page_url"`
	PDFURL         string `json:"pdf_url"`
	Source         *struct {
		DisplayName string `json:"display_name"`
	} `json:"source"`
}

type openAlexResponse struct {
	Meta *struct {
		Count int `json:"count"`
	} `json:"meta"`
	Results []struct {
		ID                    string             `json:"id"`
		DOI                   string             `json:"doi"`
		DisplayName           string             `json:"display_name"`
		Title                 string             `json:"title"`
		PublicationDate       string             `json:"publication_date"`
		PrimaryLocation       *openAlexLocation  `json:"primary_location"`
		Locations             []openAlexLocation `json:"locations"`
		AbstractInvertedIndex map[string][]int   `json:"abstract_inverted_index"`
	} `json:"results"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// Search runs q (max 50 results).
func (s *OpenAlexSearcher) Search(ctx context.Context, q Query) ([]Result, error) {
	q, err := normalize(OpenAlex, q, 50)
	if err != nil {
		return nil, err
	}
	v := url.Values{"search": {q.Text}, "per-page": {strconv.Itoa(q.Limit)}}
	if s.mailto != "" {
		v.Set("mailto", s.mailto)
	}
	if s.key != "" {
		v.Set("api_key", s.key)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, joinURL(s.base, "/works")+"?"+v.Encode(), nil)
	if err != nil {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("openalex: %w", err))
	}
	req.Header.Set("Accept", "application/json")
	body, err := send(s.client, OpenAlex, req)
	if err != nil {
		return nil, err
	}
	var r openAlexResponse
	if err := decodeJSON(OpenAlex, body, &r, s.key); err != nil {
		return nil, err
	}
	if r.Error != "" {
		return nil, egress.Fail(egress.KindRejected, fmt.Errorf("openalex: %s: %s", r.Error, r.Message))
	}
	if r.Meta == nil || r.Results == nil {
		return nil, egress.Fail(egress.KindBadResponse, fmt.Errorf("openalex: answer has no meta or results%s", egress.Excerpt(body, s.key)))
	}
	out := make([]Result, 0, len(r.Results))
	for _, w := range r.Results {
		res := Result{
			Title: clean(w.DisplayName), Snippet: Abstract(w.AbstractInvertedIndex),
			Published: egress.ParseDate(w.PublicationDate), DOI: ident.DOI(w.DOI), Provider: OpenAlex,
		}
		if res.Title == "" {
			res.Title = clean(w.Title)
		}
		locs := w.Locations
		if w.PrimaryLocation != nil {
			locs = append([]openAlexLocation{*w.PrimaryLocation}, locs...)
			if w.PrimaryLocation.Source != nil {
				res.Site = w.PrimaryLocation.Source.DisplayName
			}
		}
		for _, l := range locs {
			if res.URL == "" && webURL(l.LandingPageURL) {
				res.URL = l.LandingPageURL
			}
			if id := ident.ArxivFromURL(l.LandingPageURL); id != "" && res.ArxivID == "" {
				res.ArxivID = id
			}
		}
		switch {
		case res.URL != "":
		case webURL(w.DOI):
			res.URL = w.DOI
		case webURL(w.ID):
			res.URL = w.ID
		default:
			continue
		}
		if res.Site == "" {
			res.Site = hostOf(res.URL)
		}
		out = append(out, res)
	}
	return out, nil
}

// Abstract rebuilds an abstract from OpenAlex's abstract_inverted_index
// (each word with the positions it takes): words in position order,
// separated by spaces. An empty index gives "".
func Abstract(index map[string][]int) string {
	type wp struct {
		pos  int
		word string
	}
	var words []wp
	for w, ps := range index {
		for _, p := range ps {
			words = append(words, wp{p, w})
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if words[i].pos != words[j].pos {
			return words[i].pos < words[j].pos
		}
		return words[i].word < words[j].word
	})
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = w.word
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}
