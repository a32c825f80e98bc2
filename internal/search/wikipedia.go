package search

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/egress"
)

// DefaultWikipediaURL is the base URL of a Wikipedia edition; {lang} is
// replaced by the language code.
const DefaultWikipediaURL = "https://{lang}.wikipedia.org"

// languageCode is a Wikipedia edition code ("en", "de", "zh-yue",
// "simple"): it becomes part of a host name, so nothing else is accepted.
var languageCode = config.WikipediaLanguage

// WikipediaSearcher searches a Wikipedia edition through the MediaWiki
// Action API in two requests: GET {base}/w/api.php?action=query&
// list=search&srsearch=…&srlimit=…&format=json&formatversion=2 for the
// matching pages (https://www.mediawiki.org/wiki/API:Search), then
// action=query&prop=extracts|info&exintro=1&explaintext=1&inprop=url&
// pageids=… for each page's plain-text introduction and URL
// (https://www.mediawiki.org/wiki/Extension:TextExtracts#API,
// https://www.mediawiki.org/wiki/API:Info). Errors the API reports in a
// 200 answer ({"error":{"code","info"}}) are egress.KindRejected, or
// egress.KindUnavailable when they say the wiki is overloaded or read-only
// (see mwError.err).
type WikipediaSearcher struct {
	base, lang string
	client     *http.Client
}

// NewWikipedia returns a searcher for the edition lang (default "en") at
// base (DefaultWikipediaURL when empty; "{lang}" in it is replaced by the
// query's language, else lang).
func NewWikipedia(base, lang string, client *http.Client) *WikipediaSearcher {
	if base == "" {
		base = DefaultWikipediaURL
	}
	if lang == "" {
		lang = "en"
	}
	return &WikipediaSearcher{base: base, lang: lang, client: client}
}

// Name returns "wikipedia".
func (s *WikipediaSearcher) Name() string { return Wikipedia }

type mwError struct {
	Code string `json:"code"`
	Info string `json:"info"`
}

// err classifies a MediaWiki API error: the codes of an overloaded or
// read-only wiki (https://www.mediawiki.org/wiki/API:Errors_and_warnings,
// https://www.mediawiki.org/wiki/Manual:Maxlag_parameter) are
// egress.KindUnavailable (transient: the wiki was not searched), others
// egress.KindRejected.
func (e *mwError) err(what string) error {
	msg := fmt.Errorf("wikipedia: %s: %s: %s", what, e.Code, e.Info)
	switch {
	case e.Code == "maxlag", e.Code == "readonly", e.Code == "ratelimited", e.Code == "timeout",
		strings.HasPrefix(e.Code, "internal_api_error"):
		return egress.Fail(egress.KindUnavailable, msg)
	}
	return egress.Fail(egress.KindRejected, msg)
}

type mwSearch struct {
	Error *mwError `json:"error"`
	Query *struct {
		Search []struct {
			PageID    int    `json:"pageid"`
			Title     string `json:"title"`
			Snippet   string `json:"snippet"`
			Timestamp string `json:"timestamp"`
		} `json:"search"`
	} `json:"query"`
}

type mwExtracts struct {
	Error *mwError `json:"error"`
	Query *struct {
		Pages []struct {
			PageID  int    `json:"pageid"`
			Title   string `json:"title"`
			Extract string `json:"extract"`
			FullURL string `json:"fullurl"`
		} `json:"pages"`
	} `json:"query"`
}

// Search runs q in the edition q.Language (else the configured one); max
// 20 results (TextExtracts returns at most 20 introductions per request).
func (s *WikipediaSearcher) Search(ctx context.Context, q Query) ([]Result, error) {
	q, err := normalize(Wikipedia, q, 20)
	if err != nil {
		return nil, err
	}
	lang := strings.ToLower(q.Language)
	if lang == "" {
		lang = s.lang
	}
	if !languageCode.MatchString(lang) {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("wikipedia: %q is not a language code such as en or de", lang))
	}
	api := joinURL(strings.ReplaceAll(s.base, "{lang}", lang), "/w/api.php")
	var found mwSearch
	if err := s.get(ctx, api, url.Values{
		"action": {"query"}, "list": {"search"}, "srsearch": {q.Text}, "srlimit": {strconv.Itoa(q.Limit)},
		"srprop": {"snippet|timestamp"}, "format": {"json"}, "formatversion": {"2"},
	}, &found); err != nil {
		return nil, err
	}
	if found.Error != nil {
		return nil, found.Error.err("search")
	}
	if found.Query == nil {
		return nil, egress.Fail(egress.KindBadResponse, fmt.Errorf("wikipedia: search answer has no query"))
	}
	if len(found.Query.Search) == 0 {
		return []Result{}, nil
	}
	ids := make([]string, len(found.Query.Search))
	for i, h := range found.Query.Search {
		ids[i] = strconv.Itoa(h.PageID)
	}
	var ex mwExtracts
	if err := s.get(ctx, api, url.Values{
		"action": {"query"}, "prop": {"extracts|info"}, "exintro": {"1"}, "explaintext": {"1"},
		"exlimit": {"max"}, "inprop": {"url"}, "pageids": {strings.Join(ids, "|")},
		"format": {"json"}, "formatversion": {"2"},
	}, &ex); err != nil {
		return nil, err
	}
	if ex.Error != nil {
		return nil, ex.Error.err("extracts")
	}
	if ex.Query == nil {
		return nil, egress.Fail(egress.KindBadResponse, fmt.Errorf("wikipedia: extracts answer has no query"))
	}
	type page struct{ extract, url string }
	pages := map[int]page{}
	for _, p := range ex.Query.Pages {
		pages[p.PageID] = page{p.Extract, p.FullURL}
	}
	out := make([]Result, 0, len(found.Query.Search))
	for _, h := range found.Query.Search { // search order is relevance order
		p := pages[h.PageID]
		link := p.url
		if !webURL(link) {
			link = joinURL(strings.ReplaceAll(s.base, "{lang}", lang), "/wiki/"+url.PathEscape(strings.ReplaceAll(h.Title, " ", "_")))
		}
		snippet := strings.TrimSpace(p.extract)
		if snippet == "" {
			snippet = clean(h.Snippet)
		}
		out = append(out, Result{
			URL: link, Title: h.Title, Snippet: snippet, Site: "Wikipedia (" + lang + ")",
			Published: egress.ParseDate(h.Timestamp), Provider: Wikipedia,
		})
	}
	return out, nil
}

func (s *WikipediaSearcher) get(ctx context.Context, api string, v url.Values, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"?"+v.Encode(), nil)
	if err != nil {
		return egress.Fail(egress.KindInvalid, fmt.Errorf("wikipedia: %w", err))
	}
	req.Header.Set("Accept", "application/json")
	body, err := send(s.client, Wikipedia, req)
	if err != nil {
		return err
	}
	return decodeJSON(Wikipedia, body, dst)
}
