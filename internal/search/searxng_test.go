package search

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
)

// searxngAnswer has the shape of SearXNG's JSON format (one general, one
// news and one science hit; unresponsive engines listed).
const searxngAnswer = `{
  "query": "quantum computing trends",
  "number_of_results": 0,
  "results": [
    {"url": "https://en.wikipedia.org/wiki/Quantum_computing", "title": "Quantum computing - Wikipedia",
     "content": "A <b>quantum</b> computer is a computer that exploits quantum mechanical phenomena.",
     "publishedDate": null, "thumbnail": "", "engine": "wikipedia", "template": "default.html",
     "parsed_url": ["https", "en.wikipedia.org", "/wiki/Quantum_computing", "", "", ""],
     "img_src": "", "priority": "", "engines": ["wikipedia", "duckduckgo"], "positions": [1, 2],
     "score": 4.0, "category": "general"},
    {"url": "https://www.example-news.com/2024/11/qubits", "title": "Error-corrected qubits cross a threshold",
     "content": "Researchers reported...", "publishedDate": "2024-11-20T10:15:00", "engine": "bing news",
     "engines": ["bing news"], "positions": [3], "score": 1.0, "category": "news"},
    {"url": "https://arxiv.org/abs/2411.01234v1", "title": "Quantum advantage in learning",
     "content": "We show...", "publishedDate": "2024-11-02T00:00:00", "doi": "10.48550/arXiv.2411.01234",
     "engine": "arxiv", "engines": ["arxiv"], "positions": [4], "score": 0.5, "category": "science"},
    {"url": "magnet:?xt=urn:btih:abc", "title": "not a web page", "content": "", "engine": "x", "category": "general"}
  ],
  "answers": [], "corrections": [], "infoboxes": [], "suggestions": ["quantum computing 2024"],
  "unresponsive_engines": [["brave", "timeout"]]
}`

func TestSearXNG(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", searxngAnswer))
	got, err := NewSearXNG(p.URL, http.DefaultClient).Search(context.Background(),
		Query{Text: " quantum  computing trends ", Category: "news", Language: "en", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	r := p.last.Load()
	if r.URL.Path != "/search" {
		t.Errorf("path %q", r.URL.Path)
	}
	for k, want := range map[string]string{"q": "quantum computing trends", "format": "json", "categories": "news", "language": "en", "pageno": "1"} {
		if v := r.URL.Query().Get(k); v != want {
			t.Errorf("param %s = %q, want %q", k, v, want)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d results, want 3 (the magnet link dropped): %+v", len(got), got)
	}
	if got[0].Snippet != "A quantum computer is a computer that exploits quantum mechanical phenomena." || got[0].Site != "en.wikipedia.org" || got[0].Provider != SearXNG {
		t.Errorf("first = %+v", got[0])
	}
	if want := time.Date(2024, 11, 20, 10, 15, 0, 0, time.UTC); !got[1].Published.Equal(want) || got[1].Site != "example-news.com" {
		t.Errorf("second = %+v", got[1])
	}
	if got[2].DOI != "10.48550/arxiv.2411.01234" || got[2].ArxivID != "2411.01234" {
		t.Errorf("third = %+v", got[2])
	}
	// The limit trims the page.
	got, err = NewSearXNG(p.URL+"/", http.DefaultClient).Search(context.Background(), Query{Text: "q", Limit: 1})
	if err != nil || len(got) != 1 {
		t.Errorf("limit 1: %d results, %v", len(got), err)
	}
}

func TestSearXNGEmpty(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", `{"query":"zzqx","number_of_results":0,"results":[],"answers":[],"corrections":[],"infoboxes":[],"suggestions":[],"unresponsive_engines":[]}`))
	got, err := NewSearXNG(p.URL, http.DefaultClient).Search(context.Background(), Query{Text: "zzqx"})
	if err != nil || len(got) != 0 {
		t.Errorf("got %v, %v; want no results, no error", got, err)
	}
}

func TestSearXNGJSONFormatDisabled(t *testing.T) {
	// An instance without "json" in search.formats answers 403.
	p := newProvider(t, answer(403, "text/html", "<html>403 Forbidden</html>"))
	_, err := NewSearXNG(p.URL, http.DefaultClient).Search(context.Background(), Query{Text: "x"})
	wantKind(t, err, egress.KindUnauthorized, true)
}

func TestSearXNGCommon(t *testing.T) {
	commonCases(t, func(base string) Searcher { return NewSearXNG(base, http.DefaultClient) },
		`<!doctype html><html><body>Too many requests from this IP</body></html>`, "text/html")
}
