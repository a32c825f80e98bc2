package search

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
)

// braveWeb and braveNews have the shapes of Brave's web and news search
// answers.
const braveWeb = `{
  "query": {"original": "quantum computing trends", "show_strict_warning": false, "is_navigational": false,
            "spellcheck_off": true, "country": "us", "bad_results": false, "should_fallback": false,
            "postal_code": "", "city": "", "header_country": "", "more_results_available": true, "state": ""},
  "mixed": {"type": "mixed", "main": [{"type": "web", "index": 0, "all": false}], "top": [], "side": []},
  "type": "search",
  "web": {
    "type": "search",
    "results": [
      {"title": "Quantum computing: the <strong>trends</strong> to watch", "url": "https://www.nature.com/articles/d41586-024-01234-5",
       "is_source_local": false, "is_source_both": false,
       "description": "Error-corrected <strong>qubits</strong> moved from theory to practice.",
       "page_age": "2024-11-20T10:15:00", "profile": {"name": "Nature", "url": "https://www.nature.com", "long_name": "nature.com", "img": ""},
       "language": "en", "family_friendly": true, "type": "search_result", "subtype": "generic", "is_live": false,
       "meta_url": {"scheme": "https", "netloc": "nature.com", "hostname": "www.nature.com", "favicon": "", "path": "› articles"},
       "age": "November 20, 2024"}
    ],
    "family_friendly": true
  }
}`

const braveNews = `{
  "type": "news",
  "query": {"original": "quantum computing", "spellcheck_off": false},
  "results": [
    {"type": "news_result", "title": "A chip with 105 qubits", "url": "https://news.example.org/chip",
     "description": "The chip...", "age": "2 days ago", "page_age": "2024-11-27T08:00:00",
     "meta_url": {"scheme": "https", "netloc": "news.example.org", "hostname": "news.example.org", "favicon": "", "path": ""},
     "breaking": false, "is_live": false}
  ]
}`

func TestBraveWeb(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", braveWeb))
	got, err := NewBrave(p.URL, "secret-key", http.DefaultClient).Search(context.Background(), Query{Text: "quantum computing trends", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	r := p.last.Load()
	if r.URL.Path != "/web/search" || r.URL.Query().Get("q") != "quantum computing trends" || r.URL.Query().Get("count") != "3" {
		t.Errorf("request %s", r.URL)
	}
	if r.Header.Get("X-Subscription-Token") != "secret-key" || r.Header.Get("Accept") != "application/json" {
		t.Errorf("headers %v", r.Header)
	}
	if len(got) != 1 {
		t.Fatalf("%d results", len(got))
	}
	g := got[0]
	if g.Title != "Quantum computing: the trends to watch" || g.Snippet != "Error-corrected qubits moved from theory to practice." || g.Site != "nature.com" {
		t.Errorf("result %+v", g)
	}
	if want := time.Date(2024, 11, 20, 10, 15, 0, 0, time.UTC); !g.Published.Equal(want) {
		t.Errorf("published %v", g.Published)
	}
}

func TestBraveNews(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", braveNews))
	got, err := NewBrave(p.URL, "k", http.DefaultClient).Search(context.Background(), Query{Text: "quantum computing", Category: "news", Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.last.Load(); r.URL.Path != "/news/search" || r.URL.Query().Get("count") != "40" {
		t.Errorf("request %s", r.URL)
	}
	if len(got) != 1 || got[0].URL != "https://news.example.org/chip" || got[0].Site != "news.example.org" {
		t.Errorf("results %+v", got)
	}
}

func TestBraveEmpty(t *testing.T) {
	// No web section: no results.
	p := newProvider(t, answer(200, "application/json", `{"query":{"original":"zzqx"},"mixed":{"type":"mixed","main":[],"top":[],"side":[]},"type":"search"}`))
	got, err := NewBrave(p.URL, "k", http.DefaultClient).Search(context.Background(), Query{Text: "zzqx"})
	if err != nil || len(got) != 0 {
		t.Errorf("got %v, %v", got, err)
	}
	p = newProvider(t, answer(200, "application/json", `{"type":"news","query":{"original":"zzqx"},"results":[]}`))
	got, err = NewBrave(p.URL, "k", http.DefaultClient).Search(context.Background(), Query{Text: "zzqx", Category: "news"})
	if err != nil || len(got) != 0 {
		t.Errorf("news: got %v, %v", got, err)
	}
}

func TestBraveRateLimitReset(t *testing.T) {
	// Brave's 429 carries X-RateLimit-Reset (seconds per window) and its
	// error object.
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "1, 15000")
		w.Header().Set("X-RateLimit-Remaining", "0, 14000")
		w.Header().Set("X-RateLimit-Reset", "1, 1419704")
		answer(429, "application/json", `{"type":"ErrorResponse","error":{"id":"x","status":429,"code":"RATE_LIMITED","detail":"Request rate limit exceeded for plan."},"time":1}`)(w, r)
	})
	_, err := NewBrave(p.URL, "k", http.DefaultClient).Search(context.Background(), Query{Text: "q"})
	if fe := wantKind(t, err, egress.KindRateLimited, false); fe.RetryAfter != time.Second {
		t.Errorf("RetryAfter %s, want 1s", fe.RetryAfter)
	}
}

func TestBraveCommon(t *testing.T) {
	commonCases(t, func(base string) Searcher { return NewBrave(base, "secret-key", http.DefaultClient) },
		`{"type": "search", "web": {"results": {"oops": 1}}}`, "application/json")
}
