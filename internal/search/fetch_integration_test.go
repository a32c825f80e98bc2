package search_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/fetch"
	"github.com/researchflow/researchflow/internal/search"
)

// A SearXNG-format server on loopback whose results point to pages on the
// same server: with no allowed ranges no page is requested; with
// 127.0.0.0/8 allowed every page is read with its title and URL.
func TestSearXNGResultsOnLoopback(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/search":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{
				"query": r.URL.Query().Get("q"),
				"results": []map[string]any{
					{"url": srv.URL + "/retention-a?utm_source=searx", "title": "Retention A", "content": "30 days", "engine": "x", "category": "general"},
					{"url": srv.URL + "/retention-b", "title": "Retention B", "content": "90 days", "engine": "x", "category": "general"},
					{"url": srv.URL + "/retention-a", "title": "Retention A again", "content": "30 days", "engine": "y", "category": "general"},
				},
			})
		case "/robots.txt":
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Type", "text/html")
			name := strings.TrimPrefix(r.URL.Path, "/")
			_, _ = w.Write([]byte("<html><head><title>" + name + "</title></head><body><p>Logs of " + name + " are kept.</p></body></html>"))
		}
	}))
	defer srv.Close()
	requested := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), paths...)
	}

	res, err := search.NewSearXNG(srv.URL, http.DefaultClient).Search(context.Background(), search.Query{Text: "log retention"})
	if err != nil {
		t.Fatal(err)
	}
	res = search.Dedup(res)
	if len(res) != 2 {
		t.Fatalf("%d results after Dedup, want 2", len(res))
	}

	closed := fetch.New(fetch.Config{})
	for _, r := range res {
		_, err := closed.Fetch(context.Background(), r.URL)
		if fe, ok := fault.Classify(err); !ok || fe.Kind != egress.KindBlocked {
			t.Errorf("%s: err %v, want %s", r.URL, err, egress.KindBlocked)
		}
	}
	if got := requested(); len(got) != 1 || got[0] != "/search" {
		t.Errorf("server saw %q, want only /search", got)
	}

	open := fetch.New(fetch.Config{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	for _, r := range res {
		p, err := open.Fetch(context.Background(), r.URL)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.URL, "http://127.0.0.1:") || !strings.HasPrefix(p.Title, "retention-") || p.AccessedAt.IsZero() || p.Site != "127.0.0.1" {
			t.Errorf("page %+v", p)
		}
	}
}
