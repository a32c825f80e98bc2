package stack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// loopbackSearXNG speaks SearXNG's JSON search API and serves the pages its
// results point to, on the same loopback server, counting page requests.
type loopbackSearXNG struct {
	*httptest.Server
	mu    sync.Mutex
	pages int
}

func newLoopbackSearXNG(t *testing.T) *loopbackSearXNG {
	s := &loopbackSearXNG{}
	mux := http.NewServeMux()
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"query": r.URL.Query().Get("q"),
			"results": []map[string]any{
				{"url": s.URL + "/pages/backups", "title": "Backup policy", "content": "How long backups are kept", "engine": "test"},
			},
		})
	})
	mux.HandleFunc("/pages/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.pages++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html><head><title>Backup policy</title></head><body><main>
<h1>Backup policy</h1><p>The backup server kestrel-04 stands in the Oslo data centre. Backups are kept for 35 days before they are deleted.</p>
</main></body></html>`))
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *loopbackSearXNG) pageRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pages
}

// Issue 11's loopback acceptance as a whole run: a SearXNG-format server on
// loopback whose results point to pages on the same server. By default no
// page on a private address is fetched (the server sees no page request)
// and the run still completes; with RESEARCHFLOW_FETCH_ALLOW_CIDRS=127.0.0.0/8
// the report cites the page by its http:// URL with its title and access
// date.
func TestEndToEndSearXNGOnLoopback(t *testing.T) {
	endToEnd(t)
	for _, allow := range []bool{false, true} {
		name := map[bool]string{false: "private addresses refused", true: "loopback allowed"}[allow]
		t.Run(name, func(t *testing.T) {
			srv := newLoopbackSearXNG(t)
			cfg := llmConfig(t) // a fresh data dir, offline engine
			cfg.Search.SearXNGURL = srv.URL
			if allow {
				cfg.Fetch.AllowCIDRs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			all, _ := pools.Parse(pools.All)
			s, err := Start(ctx, cfg, Options{Pools: all, Logger: testLogger(), DevServer: temporalserver.StartDev, NoUI: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			run, err := s.Runs.Start(ctx, "", rf.ResearchInput{
				Question: "How long are backups kept?", Sources: []string{"searxng"}, MaxSubQuestions: 1, Depth: new(int),
			})
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Runs.Result(ctx, run.ID)
			if err != nil {
				t.Fatalf("the run did not complete: %v", err)
			}
			if !allow {
				if n := srv.pageRequests(); n != 0 {
					t.Errorf("the loopback server saw %d page requests; want none without RESEARCHFLOW_FETCH_ALLOW_CIDRS", n)
				}
				if len(res.Sources) != 0 || strings.Contains(res.Report, "]("+srv.URL) {
					t.Errorf("the report cites a page that was never fetched:\n%s", res.Report)
				}
				if len(res.Gaps) == 0 {
					t.Errorf("no gap says why the sub-question has no answer:\n%s", res.Report)
				}
				return
			}
			if srv.pageRequests() == 0 {
				t.Fatal("no page was fetched with 127.0.0.0/8 allowed")
			}
			var cited *rf.Source
			for i := range res.Sources {
				if res.Sources[i].URL == srv.URL+"/pages/backups" {
					cited = &res.Sources[i]
				}
			}
			if cited == nil || cited.Title != "Backup policy" || cited.AccessedAt.IsZero() {
				t.Fatalf("sources = %+v; want the page by its http:// URL with title and access date", res.Sources)
			}
			if !strings.Contains(res.Report, srv.URL+"/pages/backups") || !strings.Contains(res.Report, "35 days") {
				t.Errorf("report does not state and cite the page:\n%s", res.Report)
			}
		})
	}
}
