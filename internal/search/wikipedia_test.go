package search

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
)

// wikiSearch and wikiExtracts have the shapes of the MediaWiki Action API's
// list=search and prop=extracts|info answers (formatversion=2).
const wikiSearch = `{"batchcomplete": true, "continue": {"sroffset": 2, "continue": "-||"},
 "query": {"searchinfo": {"totalhits": 5120}, "search": [
  {"ns": 0, "title": "Quantum computing", "pageid": 25220, "size": 150000, "wordcount": 12000,
   "snippet": "A <span class=\"searchmatch\">quantum</span> computer is a computer that exploits", "timestamp": "2024-11-25T12:00:00Z"},
  {"ns": 0, "title": "Qubit", "pageid": 25284, "size": 40000, "wordcount": 4000,
   "snippet": "In <span class=\"searchmatch\">quantum</span> computing, a qubit", "timestamp": "2024-10-01T08:30:00Z"}
 ]}}`

const wikiExtracts = `{"batchcomplete": true, "query": {"pages": [
  {"pageid": 25284, "ns": 0, "title": "Qubit", "extract": "In quantum computing, a qubit or quantum bit is a basic unit of quantum information.",
   "contentmodel": "wikitext", "pagelanguage": "de", "fullurl": "https://de.wikipedia.org/wiki/Qubit", "canonicalurl": "https://de.wikipedia.org/wiki/Qubit"},
  {"pageid": 25220, "ns": 0, "title": "Quantum computing", "extract": "A quantum computer is a computer that exploits quantum mechanical phenomena.",
   "contentmodel": "wikitext", "pagelanguage": "de", "fullurl": "https://de.wikipedia.org/wiki/Quantum_computing"}
 ]}}`

func wikiServer(t *testing.T, extracts string) *provider {
	return newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("list") == "search" && q.Get("srsearch") != "":
			answer(200, "application/json", wikiSearch)(w, r)
		case strings.Contains(q.Get("prop"), "extracts") && q.Get("pageids") == "25220|25284" && q.Get("explaintext") == "1":
			answer(200, "application/json", extracts)(w, r)
		default:
			answer(200, "application/json", `{"error":{"code":"badparams","info":"unexpected request"}}`)(w, r)
		}
	})
}

func TestWikipedia(t *testing.T) {
	p := wikiServer(t, wikiExtracts)
	got, err := NewWikipedia(p.URL+"/{lang}", "en", http.DefaultClient).Search(context.Background(),
		Query{Text: "quantum computing", Language: "de", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if path := p.last.Load().URL.Path; path != "/de/w/api.php" {
		t.Errorf("path %q, want the de edition", path)
	}
	if p.hits.Load() != 2 {
		t.Errorf("%d requests, want search + extracts", p.hits.Load())
	}
	if len(got) != 2 || got[0].Title != "Quantum computing" || got[1].Title != "Qubit" {
		t.Fatalf("results %+v (want search order)", got)
	}
	a := got[0]
	if a.URL != "https://de.wikipedia.org/wiki/Quantum_computing" || a.Snippet != "A quantum computer is a computer that exploits quantum mechanical phenomena." ||
		a.Site != "Wikipedia (de)" || a.Provider != Wikipedia {
		t.Errorf("first = %+v", a)
	}
	if !a.Published.Equal(time.Date(2024, 11, 25, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("published %v", a.Published)
	}
}

func TestWikipediaMissingExtract(t *testing.T) {
	// A page without extract or URL falls back to the search snippet and
	// the /wiki/ path.
	p := wikiServer(t, `{"batchcomplete": true, "query": {"pages": []}}`)
	got, err := NewWikipedia(p.URL, "en", http.DefaultClient).Search(context.Background(), Query{Text: "quantum computing"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].URL != p.URL+"/wiki/Quantum_computing" || got[0].Snippet != "A quantum computer is a computer that exploits" {
		t.Errorf("first = %+v", got[0])
	}
}

func TestWikipediaEmpty(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", `{"batchcomplete":true,"query":{"searchinfo":{"totalhits":0},"search":[]}}`))
	got, err := NewWikipedia(p.URL, "en", http.DefaultClient).Search(context.Background(), Query{Text: "zzqx"})
	if err != nil || len(got) != 0 {
		t.Errorf("got %v, %v", got, err)
	}
	if p.hits.Load() != 1 {
		t.Errorf("%d requests, want only the search", p.hits.Load())
	}
}

func TestWikipediaAPIError(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", `{"error":{"code":"srsearch-text-disabled","info":"text search is disabled"},"servedby":"mw1234"}`))
	_, err := NewWikipedia(p.URL, "en", http.DefaultClient).Search(context.Background(), Query{Text: "x"})
	wantKind(t, err, egress.KindRejected, true)
}

func TestWikipediaBadLanguage(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", wikiSearch))
	_, err := NewWikipedia(p.URL+"/{lang}", "en", http.DefaultClient).Search(context.Background(), Query{Text: "x", Language: "evil.com/"})
	wantKind(t, err, egress.KindInvalid, true)
	if p.hits.Load() != 0 {
		t.Error("request made with a bad language")
	}
}

func TestWikipediaCommon(t *testing.T) {
	commonCases(t, func(base string) Searcher { return NewWikipedia(base, "en", http.DefaultClient) },
		`{"batchcomplete": true, "query": {"search": [{"pageid": "x"}]}}`, "application/json")
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
