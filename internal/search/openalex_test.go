package search

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
)

// openAlexAnswer has the shape of GET /works?search= (two works: a journal
// article and a preprint whose only location is arXiv).
const openAlexAnswer = `{
  "meta": {"count": 2, "db_response_time_ms": 31, "page": 1, "per_page": 2, "groups_count": null},
  "results": [
    {"id": "https://openalex.org/W2741809807", "doi": "https://doi.org/10.7717/peerj.4375",
     "title": "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles",
     "display_name": "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles",
     "relevance_score": 512.3, "publication_year": 2018, "publication_date": "2018-02-13",
     "ids": {"openalex": "https://openalex.org/W2741809807", "doi": "https://doi.org/10.7717/peerj.4375", "mag": "2741809807", "pmid": "https://pubmed.ncbi.nlm.nih.gov/29456894"},
     "language": "en",
     "primary_location": {"is_oa": true, "landing_page_url": "https://doi.org/10.7717/peerj.4375", "pdf_url": "https://peerj.com/articles/4375.pdf",
       "source": {"id": "https://openalex.org/S1983995261", "display_name": "PeerJ", "issn_l": "2167-8359", "type": "journal"}, "license": "cc-by", "version": "publishedVersion"},
     "locations": [{"is_oa": true, "landing_page_url": "https://doi.org/10.7717/peerj.4375", "pdf_url": null, "source": null}],
     "type": "article", "cited_by_count": 1200,
     "abstract_inverted_index": {"Despite": [0], "growing": [1], "interest": [2], "in": [3, 8], "Open": [4], "Access": [5], "(OA),": [6], "little": [7], "known": [9]}},
    {"id": "https://openalex.org/W4388888888", "doi": null, "title": "Quantum advantage in learning", "display_name": "Quantum advantage in learning",
     "publication_year": 2024, "publication_date": "2024-11-02",
     "primary_location": {"is_oa": true, "landing_page_url": "https://arxiv.org/abs/2411.01234", "pdf_url": "https://arxiv.org/pdf/2411.01234", "source": {"display_name": "arXiv (Cornell University)"}},
     "locations": [], "abstract_inverted_index": null}
  ],
  "group_by": []
}`

func TestOpenAlex(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", openAlexAnswer))
	got, err := NewOpenAlex(p.URL, "team@example.org", "secret-key", http.DefaultClient).Search(context.Background(), Query{Text: "open access prevalence", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	q := p.last.Load().URL.Query()
	if p.last.Load().URL.Path != "/works" || q.Get("search") != "open access prevalence" || q.Get("per-page") != "2" ||
		q.Get("mailto") != "team@example.org" || q.Get("api_key") != "secret-key" {
		t.Errorf("request %s", p.last.Load().URL)
	}
	if len(got) != 2 {
		t.Fatalf("%d results", len(got))
	}
	a := got[0]
	if a.Snippet != "Despite growing interest in Open Access (OA), little in known" {
		t.Errorf("abstract %q", a.Snippet)
	}
	if a.DOI != "10.7717/peerj.4375" || a.URL != "https://doi.org/10.7717/peerj.4375" || a.Site != "PeerJ" || a.Provider != OpenAlex {
		t.Errorf("first = %+v", a)
	}
	if !a.Published.Equal(time.Date(2018, 2, 13, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("published %v", a.Published)
	}
	if b := got[1]; b.ArxivID != "2411.01234" || b.DOI != "" || b.Snippet != "" || b.URL != "https://arxiv.org/abs/2411.01234" {
		t.Errorf("second = %+v", b)
	}
}

func TestOpenAlexEmpty(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", `{"meta":{"count":0,"db_response_time_ms":5,"page":1,"per_page":10,"groups_count":null},"results":[],"group_by":[]}`))
	got, err := NewOpenAlex(p.URL, "", "", http.DefaultClient).Search(context.Background(), Query{Text: "zzqx"})
	if err != nil || len(got) != 0 {
		t.Errorf("got %v, %v", got, err)
	}
	if q := p.last.Load().URL.Query(); q.Has("mailto") || q.Has("api_key") {
		t.Errorf("empty mailto/key sent: %s", p.last.Load().URL)
	}
}

func TestOpenAlexErrorObject(t *testing.T) {
	p := newProvider(t, answer(400, "application/json", `{"error":"Invalid query parameters error.","message":"per-page is not a valid parameter"}`))
	_, err := NewOpenAlex(p.URL, "", "secret-key", http.DefaultClient).Search(context.Background(), Query{Text: "x"})
	wantKind(t, err, egress.KindRejected, true)
	if e := err.Error(); !contains(e, "per-page is not a valid parameter") || contains(e, "secret-key") {
		t.Errorf("err %q: want OpenAlex's message and no key", e)
	}
}

func TestAbstract(t *testing.T) {
	if got := Abstract(nil); got != "" {
		t.Errorf("Abstract(nil) = %q", got)
	}
	if got := Abstract(map[string][]int{"b": {1}, "a": {0, 2}}); got != "a b a" {
		t.Errorf("Abstract = %q", got)
	}
}

func TestOpenAlexCommon(t *testing.T) {
	commonCases(t, func(base string) Searcher { return NewOpenAlex(base, "", "secret-key", http.DefaultClient) },
		`{"meta": {"count": 1}, "results": [{"id": `, "application/json")
	p := newProvider(t, answer(200, "application/json", `{"results": null}`))
	_, err := NewOpenAlex(p.URL, "", "", http.DefaultClient).Search(context.Background(), Query{Text: "q"})
	wantKind(t, err, egress.KindBadResponse, false)
}
