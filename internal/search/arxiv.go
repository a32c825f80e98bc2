package search

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/search/ident"
)

// DefaultArxivURL is the arXiv API's query endpoint.
const DefaultArxivURL = "https://export.arxiv.org/api/query"

// ArxivSearcher queries the arXiv API: GET {base}?search_query=…&start=0&
// max_results=…&sortBy=relevance, answered with an Atom 1.0 feed whose
// entries carry id (the abstract page URL), title, summary, published,
// author/name, link (rel=alternate: abstract page; title=pdf: the PDF) and
// arxiv:doi (https://info.arxiv.org/help/api/user-manual.html, §3.3 and
// §5.2). A malformed query is answered with a single entry titled "Error"
// (§3.4), reported as KindRejected. arXiv asks for at most one request
// every three seconds (https://info.arxiv.org/help/api/tou.html): the
// default rate limit.
//
// The question is turned into a query of its significant words joined by
// OR over all fields; arXiv's relevance order puts papers matching more of
// them first.
type ArxivSearcher struct {
	base   string
	client *http.Client
}

// NewArxiv returns a searcher at base (DefaultArxivURL when empty).
func NewArxiv(base string, client *http.Client) *ArxivSearcher {
	if base == "" {
		base = DefaultArxivURL
	}
	return &ArxivSearcher{base: base, client: client}
}

// Name returns "arxiv".
func (s *ArxivSearcher) Name() string { return Arxiv }

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Entries []atomEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

type atomEntry struct {
	ID        string `xml:"http://www.w3.org/2005/Atom id"`
	Title     string `xml:"http://www.w3.org/2005/Atom title"`
	Summary   string `xml:"http://www.w3.org/2005/Atom summary"`
	Published string `xml:"http://www.w3.org/2005/Atom published"`
	Links     []struct {
		Href  string `xml:"href,attr"`
		Rel   string `xml:"rel,attr"`
		Title string `xml:"title,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	DOI string `xml:"http://arxiv.org/schemas/atom doi"`
}

// Search runs q (max 50 results).
func (s *ArxivSearcher) Search(ctx context.Context, q Query) ([]Result, error) {
	q, err := normalize(Arxiv, q, 50)
	if err != nil {
		return nil, err
	}
	terms := keywords(q.Text, 8)
	if len(terms) == 0 {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("arxiv: %q has no words to search for", q.Text))
	}
	for i, t := range terms {
		terms[i] = "all:" + t
	}
	v := url.Values{
		"search_query": {strings.Join(terms, " OR ")}, "start": {"0"},
		"max_results": {strconv.Itoa(q.Limit)}, "sortBy": {"relevance"}, "sortOrder": {"descending"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"?"+v.Encode(), nil)
	if err != nil {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("arxiv: %w", err))
	}
	req.Header.Set("Accept", "application/atom+xml")
	body, err := send(s.client, Arxiv, req)
	if err != nil {
		return nil, err
	}
	var feed atomFeed
	if err := xml.Unmarshal(body, &feed); err != nil {
		return nil, egress.Fail(egress.KindBadResponse, fmt.Errorf("arxiv: answer is not an Atom feed: %w%s", err, egress.Excerpt(body)))
	}
	out := make([]Result, 0, len(feed.Entries))
	for _, e := range feed.Entries {
		if strings.Contains(e.ID, "arxiv.org/api/errors") {
			return nil, egress.Fail(egress.KindRejected, fmt.Errorf("arxiv: query refused: %s", clean(e.Summary)))
		}
		page := e.ID
		for _, l := range e.Links {
			if l.Rel == "alternate" && webURL(l.Href) {
				page = l.Href
			}
		}
		id := ident.ArxivFromURL(e.ID)
		if !webURL(page) || id == "" {
			continue
		}
		out = append(out, Result{
			URL: page, Title: clean(e.Title), Snippet: clean(e.Summary), Site: "arXiv",
			Published: egress.ParseDate(e.Published), DOI: ident.DOI(e.DOI), ArxivID: id, Provider: Arxiv,
		})
	}
	return out, nil
}

// stopwords are English function words and question words that carry no
// topic; a query of them alone matches everything.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because been
	before being below between both but by can could did do does doing down during each few for from further had has
	have having he her here hers him his how i if in into is it its itself just me more most my no nor not of off on
	once only or other our out over own same she should so some such than that the their them then there these they
	this those through to too under until up very was we were what when where which while who whom why will with would
	you your explain describe summarize summarise tell give list show compare latest current recent new main key
	potential impact trends overview`) {
		stopwords[w] = true
	}
}

// keywords are the first max distinct significant words of text, lower
// case: letters and digits only, stopwords and one-letter words dropped.
func keywords(text string, max int) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	}) {
		w = strings.Trim(w, "-")
		if len([]rune(w)) < 2 || stopwords[w] || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == max {
			break
		}
	}
	return out
}
