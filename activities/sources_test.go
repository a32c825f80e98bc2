package activities

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/memory/embedded"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
	"github.com/researchflow/researchflow/internal/report"
)

type fakeSearcher struct {
	results []WebResult
	err     error
	got     WebQuery
}

func (f *fakeSearcher) Search(_ context.Context, q WebQuery) ([]WebResult, error) {
	f.got = q
	return f.results, f.err
}

// fakeFetcher serves pages by URL; a URL it does not know fails.
type fakeFetcher map[string]WebPage

func (f fakeFetcher) Fetch(_ context.Context, url string) (WebPage, error) {
	p, ok := f[url]
	if !ok {
		return WebPage{}, errors.New("refused: private address")
	}
	return p, nil
}

// redTeamPages reads the red-team fixtures: pages that carry instructions,
// exfiltration links and hidden markup, each also stating a fact.
func redTeamPages(t *testing.T) ([]WebResult, fakeFetcher) {
	t.Helper()
	paths, err := filepath.Glob("testdata/redteam/*.txt")
	if err != nil || len(paths) < 3 {
		t.Fatalf("red-team fixtures: %v %v", paths, err)
	}
	at := time.Date(2026, 11, 29, 14, 0, 0, 0, time.UTC)
	pages := fakeFetcher{}
	var results []WebResult
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(p), ".txt")
		u := "https://site-" + name + ".example/page"
		title, _, _ := strings.Cut(string(b), "\n")
		results = append(results, WebResult{URL: u, Title: title, Snippet: "snippet of " + name, Provider: "web"})
		pages[u] = WebPage{URL: u, Title: title, Text: string(b), AccessedAt: at, ContentType: "text/plain"}
	}
	return results, pages
}

func TestSearchSourceFetchesIngestsAndCites(t *testing.T) {
	results, pages := redTeamPages(t)
	// The same work by another URL (same canonical URL), and a result whose
	// page cannot be fetched: it is dropped, never cited from its snippet.
	dup := "https://mirror.example/copy"
	// A mirror says what the page it names as canonical says (a canonical
	// link with other text is not the same work: issue 19 item 9).
	pages[dup] = WebPage{URL: dup, CanonicalURL: results[0].URL, Title: "copy", Text: pages[results[0].URL].Text, AccessedAt: time.Now()}
	results = append(results, WebResult{URL: dup, Title: "copy"}, WebResult{URL: "http://10.0.0.1/secret", Title: "Private", Snippet: "Logs are kept 7 days."})
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	searcher := &fakeSearcher{results: results}
	a := &Search{Store: store, Pages: store, Fetcher: pages, Searchers: map[string]WebSearcher{"web": searcher}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a.SearchSource)
	in := workflows.SearchSourceInput{ResearchID: "r1", Corpus: workflows.RunCorpus("r1"), Question: "What is the log retention policy?",
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How long are logs kept?"}, Source: "web", TopK: 4}
	val, err := aenv.ExecuteActivity(a.SearchSource, in)
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.SearchSourceResult
	if err := val.Get(&res); err != nil {
		t.Fatal(err)
	}
	if searcher.got.Text != in.SubQuestion.Text || searcher.got.Limit != 4 {
		t.Errorf("provider asked %+v", searcher.got)
	}
	if res.Results != 5 || res.Fetched != 3 || res.Unfetched != 1 || res.Duplicates != 1 || len(res.FetchErrors) != 1 {
		t.Errorf("counts = %+v, want 5 results, 3 pages, 1 unfetched, 1 duplicate", res)
	}
	if len(res.Retrieved.ChunkIDs) == 0 || len(res.Sources) != len(res.Retrieved.SourceIDs) {
		t.Fatalf("retrieved %+v with sources %+v", res.Retrieved, res.Sources)
	}
	for _, s := range res.Sources {
		if !strings.HasPrefix(s.URL, "https://site-") || s.Site == "" || s.AccessedAt.IsZero() || s.Provider != "web" || s.Title == "" {
			t.Errorf("source = %+v, want a fetched page with URL, site, title and access time", s)
		}
	}
	// Page text never travels through history: only IDs and citations.
	blob, _ := json.Marshal(res)
	for _, bad := range []string{"IGNORE PREVIOUS", "evil.example", "7 days", "Private"} {
		if strings.Contains(string(blob), bad) {
			t.Errorf("the result carries page text %q: %s", bad, blob)
		}
	}

	// Through analysis and writing, the hostile text stays data: the report
	// cites the pages and links nothing else.
	ext := extractive.New(extractive.Config{}).Roles()
	inf := &Inference{Engine: ext, Offline: ext, Chunks: store}
	aenv.RegisterActivity(inf)
	val, err = aenv.ExecuteActivity(inf.Analyze, workflows.AnalyzeInput{Question: in.Question, SubQuestion: in.SubQuestion, ChunkIDs: res.Retrieved.ChunkIDs, MaxFindings: 5})
	if err != nil {
		t.Fatal(err)
	}
	var an workflows.AnalyzeResult
	_ = val.Get(&an)
	if len(an.Analysis.Findings) == 0 {
		t.Fatal("no finding from the fetched pages")
	}
	meta := map[string]rf.Source{}
	for _, s := range res.Sources {
		meta[s.SourceID] = s
	}
	sources := report.NumberSources([][]reasoning.Finding{an.Analysis.Findings}, func(id string) (rf.Source, bool) {
		s, ok := meta[id]
		return s, ok
	})
	sections := report.CiteFindings([]reasoning.SubQuestion{in.SubQuestion}, [][]reasoning.Finding{an.Analysis.Findings}, sources)
	val, err = aenv.ExecuteActivity(inf.Synthesize, workflows.SynthesizeInput{ResearchID: "r1", Question: in.Question, Sections: sections, Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	var syn workflows.SynthesizeResult
	_ = val.Get(&syn)
	t.Logf("report:\n%s", syn.Markdown)
	if bad := report.ForeignLinks(syn.Markdown, sources); len(bad) != 0 {
		t.Errorf("the report links %q, which is no listed source:\n%s", bad, syn.Markdown)
	}
	if !strings.Contains(syn.Markdown, "accessed 2026-11-29") || !strings.Contains(syn.Markdown, "](https://site-") {
		t.Errorf("the report does not cite the pages with link and access date:\n%s", syn.Markdown)
	}
	if strings.Contains(syn.Markdown, "Forged source") && strings.Contains(syn.Markdown, "[9]") {
		t.Errorf("a page forged a source entry:\n%s", syn.Markdown)
	}
	if strings.Contains(syn.Markdown, "Private") || strings.Contains(syn.Markdown, "7 days") {
		t.Errorf("an unfetched result was cited from its snippet:\n%s", syn.Markdown)
	}
}

func TestSearchSourceErrors(t *testing.T) {
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	down := &fakeSearcher{err: fault.Transient(egress.KindUnavailable, errors.New("503 from arxiv"), 2*time.Second)}
	bad := &fakeSearcher{err: fault.Permanent(egress.KindUnauthorized, errors.New("401: bad API key"))}
	a := &Search{Store: store, Pages: store, Fetcher: fakeFetcher{}, Searchers: map[string]WebSearcher{"arxiv": down, "brave": bad}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a.SearchSource)
	in := workflows.SearchSourceInput{Corpus: workflows.RunCorpus("r1"), SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "q?"}, TopK: 3}
	check := func(source string, wantType string, wantNonRetryable bool, wantDelay time.Duration) {
		t.Helper()
		in.Source = source
		_, err := aenv.ExecuteActivity(a.SearchSource, in)
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != wantType || app.NonRetryable() != wantNonRetryable || app.NextRetryDelay() != wantDelay {
			t.Errorf("%s: %v, want type %s non-retryable %v delay %v", source, err, wantType, wantNonRetryable, wantDelay)
			return
		}
		var d workflows.SearchFailure
		if wantType != workflows.ErrSourceNotConfigured && (!app.HasDetails() || app.Details(&d) != nil || d.Attempt != 1) {
			t.Errorf("%s: the error carries no attempt: %+v", source, d)
		}
	}
	check("arxiv", egress.KindUnavailable, false, 2*time.Second)
	check("brave", egress.KindUnauthorized, true, 0)
	check("openalex", workflows.ErrSourceNotConfigured, true, 0)

	// A provider with no result is not an error.
	a.Searchers["wikipedia"] = &fakeSearcher{}
	in.Source = "wikipedia"
	val, err := aenv.ExecuteActivity(a.SearchSource, in)
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.SearchSourceResult
	_ = val.Get(&res)
	if res.Results != 0 || len(res.Retrieved.ChunkIDs) != 0 {
		t.Errorf("empty provider gave %+v", res)
	}
}

func TestUnknownCorpusSaysHowToFillIt(t *testing.T) {
	tests := []struct{ corpus, want, not string }{
		{"notes", `corpus "notes" is empty or unknown: add its files first (upload them to the corpus notes, or run: starter ingest DIR --corpus notes)`, "--owner"},
		{"alice@example.com--notes", `corpus "notes" of alice@example.com is empty or unknown: add its files first (upload them to the corpus notes, or run: starter ingest DIR --corpus notes --owner alice@example.com)`, "--notes"},
		{"local--notes", `corpus "notes" of local is empty or unknown: add its files first (upload them to the corpus notes, or run: starter ingest DIR --corpus notes)`, "--owner"},
	}
	for _, tt := range tests {
		got := unknownCorpus(tt.corpus)
		if got != tt.want || strings.Contains(got, tt.not) {
			t.Errorf("unknownCorpus(%q) = %q, want %q", tt.corpus, got, tt.want)
		}
	}
}
