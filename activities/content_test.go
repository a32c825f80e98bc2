package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"github.com/researchflow/researchflow/internal/reasoning"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fetch"
	"github.com/researchflow/researchflow/internal/memory/embedded"
	"github.com/researchflow/researchflow/internal/search"
)

// mixedFetcher serves pages, and fails the URLs it has an error for.
type mixedFetcher struct {
	pages fakeFetcher
	errs  map[string]error
}

func (f mixedFetcher) Fetch(ctx context.Context, url string) (WebPage, error) {
	if err, ok := f.errs[url]; ok {
		return WebPage{}, err
	}
	return f.pages.Fetch(ctx, url)
}

func searchSource(t *testing.T, results []WebResult, f PageFetcher, sub string) workflows.SearchSourceResult {
	t.Helper()
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	a := &Search{Store: store, Pages: store, Fetcher: f, Searchers: map[string]WebSearcher{"web": &fakeSearcher{results: results}}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a.SearchSource)
	val, err := aenv.ExecuteActivity(a.SearchSource, workflows.SearchSourceInput{ResearchID: "r1", Corpus: workflows.RunCorpus("r1"),
		Question: sub, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: sub}, Source: "web", TopK: 6})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.SearchSourceResult
	if err := val.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCanonicalIsNotIdentityWhenTextDiffers is issue 19 item 9: three
// pages of a site, each answering one part, all declaring the home page
// as canonical, were merged into one source cited by the home page URL.
// Each is its own source now, cited by the URL it was read from; a real
// mirror (same text, canonical naming the original) is still one source.
func TestCanonicalIsNotIdentityWhenTextDiffers(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	root := "https://bridge.example/"
	texts := map[string]string{
		"https://bridge.example/length":   "The Varga bridge is 412 metres long.",
		"https://bridge.example/opened":   "The Varga bridge opened to traffic in 1931.",
		"https://bridge.example/designer": "The Varga bridge was designed by the engineer Mila Varga.",
	}
	pages := fakeFetcher{}
	var results []WebResult
	for _, u := range []string{"https://bridge.example/length", "https://bridge.example/opened", "https://bridge.example/designer"} {
		pages[u] = WebPage{URL: u, CanonicalURL: root, Title: "Varga bridge", Text: texts[u], AccessedAt: at}
		results = append(results, WebResult{URL: u, Title: "Varga bridge"})
	}
	// A mirror of the length page, naming it as canonical, with its text.
	mirror := "https://mirror.example/bridge-length"
	pages[mirror] = WebPage{URL: mirror, CanonicalURL: "https://bridge.example/length", Title: "copy", Text: texts["https://bridge.example/length"], AccessedAt: at}
	// A page naming the opening page as canonical but saying something else.
	other := "https://bridge.example/opened?print=1"
	pages[other] = WebPage{URL: other, CanonicalURL: "https://bridge.example/opened", Title: "print", Text: "The Varga bridge has nine stone arches.", AccessedAt: at}
	results = append(results, WebResult{URL: mirror}, WebResult{URL: other})

	res := searchSource(t, results, pages, "What are the length, the opening year, the designer and the number of arches of the Varga bridge?")
	if res.Fetched != 4 || res.Duplicates != 1 {
		t.Errorf("fetched %d, duplicates %d; want 4 distinct pages and the mirror as a duplicate", res.Fetched, res.Duplicates)
	}
	urls := map[string]bool{}
	for _, s := range res.Sources {
		urls[s.URL] = true
		if s.URL == root {
			t.Errorf("a source is cited by the home page it only named as canonical: %+v", s)
		}
	}
	for _, u := range []string{"https://bridge.example/length", "https://bridge.example/opened", "https://bridge.example/designer", other} {
		if !urls[u] {
			t.Errorf("no source cites %s; sources %+v", u, res.Sources)
		}
	}
}

// TestSearchSourceSaysWhyPagesWereNotRead is issue 19 item 8's second
// half: why a result page was not read (type, robots, size, no text) is
// in the result, not only a count in a debug log.
func TestSearchSourceSaysWhyPagesWereNotRead(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f := mixedFetcher{
		pages: fakeFetcher{
			"https://a.example/ok":    {URL: "https://a.example/ok", Title: "ok", Text: "Backups are kept for 35 days.", AccessedAt: at},
			"https://a.example/empty": {URL: "https://a.example/empty", Title: "empty", Text: "  ", AccessedAt: at},
		},
		errs: map[string]error{
			"https://a.example/video": egress.Fail(egress.KindUnsupported, fmt.Errorf(`fetch https://a.example/video: %w: "video/mp4"`, fetch.ErrContentType)),
			"https://a.example/priv":  egress.Fail(egress.KindBlocked, fmt.Errorf("fetch https://a.example/priv: %w", fetch.ErrRobots)),
			"https://a.example/huge":  egress.Fail(egress.KindTooLarge, errors.New("fetch https://a.example/huge: body is over the 10-byte limit")),
			"https://a.example/lan":   egress.Fail(egress.KindBlocked, fmt.Errorf("fetch http://10.0.0.1/: %w", fetch.ErrBlocked)),
			"https://a.example/odd":   fmt.Errorf("something else"),
		},
	}
	var results []WebResult
	for _, u := range []string{"https://a.example/ok", "https://a.example/video", "https://a.example/priv", "https://a.example/huge", "https://a.example/lan", "https://a.example/empty", "https://a.example/odd"} {
		results = append(results, WebResult{URL: u})
	}
	res := searchSource(t, results, f, "How long are backups kept?")
	want := map[string]string{
		"https://a.example/video": workflows.UnreadContentType, "https://a.example/priv": workflows.UnreadRobots,
		"https://a.example/huge": workflows.UnreadTooLarge, "https://a.example/lan": workflows.UnreadBlocked,
		"https://a.example/empty": workflows.UnreadNoText, "https://a.example/odd": workflows.UnreadOther,
	}
	got := map[string]string{}
	for _, u := range res.Unread {
		got[u.URL] = u.Reason
		if u.Detail == "" {
			t.Errorf("%s: no detail", u.URL)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || res.Unfetched != 6 || res.Fetched != 1 {
		t.Errorf("unread %v (unfetched %d, fetched %d), want %v", got, res.Unfetched, res.Fetched, want)
	}
	if !strings.Contains(res.Unread[0].Detail, "video/mp4") {
		t.Errorf("detail %q does not name the type", res.Unread[0].Detail)
	}
}

// TestSearXNGOutageIsRetriedNotNothingFound is issue 19 item 10 at the
// activity: SearXNG's 200 answer with no result and unresponsive engines
// reaches the workflow as a retryable error naming the engines (so it is
// retried, then dead-lettered and redrivable like any provider outage),
// not as "searxng found no result".
func TestSearXNGOutageIsRetriedNotNothingFound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"query":"q","results":[],"unresponsive_engines":[["google","CAPTCHA"],["duckduckgo","CAPTCHA"],["qwant","CAPTCHA"],["startpage","CAPTCHA"]]}`)
	}))
	defer srv.Close()
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a := &Search{Store: store, Pages: store, Fetcher: fakeFetcher{},
		Searchers: Providers(map[string]search.Searcher{"searxng": search.NewSearXNG(srv.URL, srv.Client())})}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a.SearchSource)
	_, err = aenv.ExecuteActivity(a.SearchSource, workflows.SearchSourceInput{Corpus: workflows.RunCorpus("r1"),
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How long are backups kept?"}, Source: "searxng", TopK: 3})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != egress.KindUnavailable || app.NonRetryable() {
		t.Fatalf("err = %v, want a retryable %s", err, egress.KindUnavailable)
	}
	for _, e := range []string{"google (CAPTCHA)", "duckduckgo", "qwant", "startpage"} {
		if !strings.Contains(err.Error(), e) {
			t.Errorf("error %q does not name %s", err, e)
		}
	}
}
