package activities

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/testsuite"

	"github.com/researchflow/researchflow/internal/memory/embedded"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
	"github.com/researchflow/researchflow/internal/report"
)

// scriptedWriter is a model writer that answers a fixed draft citing
// source 1 only: the report must still show where sources disagree.
type scriptedWriter struct{}

func (scriptedWriter) Write(_ context.Context, req reasoning.WriteRequest) (reasoning.Draft, error) {
	return reasoning.Draft{Title: "Log retention", Engine: "llm:scripted",
		Summary: []reasoning.Sentence{{Text: "Logs are kept for a limited time.", Cites: []int{1}}}}, nil
}

// TestWhereSourcesDisagree is issue 11's acceptance case: two web pages
// give different retention periods for the same logs; the report states
// both claims with their citations, offline and with a scripted model.
func TestWhereSourcesDisagree(t *testing.T) {
	at := time.Date(2026, 11, 29, 14, 0, 0, 0, time.UTC)
	pages := fakeFetcher{
		"https://a.example/retention": {URL: "https://a.example/retention", Title: "Retention at Example Corp", AccessedAt: at,
			Text: "Retention policy\n\nExample Corp keeps application logs for 30 days. Backups are made nightly."},
		"https://b.example/policy": {URL: "https://b.example/policy", Title: "Example Corp data policy", AccessedAt: at,
			Text: "Data policy\n\nApplication logs at Example Corp are retained for 90 days. Support answers within a day."},
	}
	results := []WebResult{{URL: "https://a.example/retention"}, {URL: "https://b.example/policy"}}
	store, aenv, sq, found := searchPages(t, pages, results, "How long does Example Corp keep application logs?")

	ext := extractive.New(extractive.Config{}).Roles()
	for _, mode := range []struct {
		name   string
		engine reasoning.Engine
	}{
		{"offline", ext},
		{"scripted model", reasoning.Engine{Planner: ext.Planner, Analyst: ext.Analyst, Reflector: ext.Reflector, Writer: scriptedWriter{}}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			inf := &Inference{Engine: mode.engine, Offline: ext, Chunks: store}
			syn := analyzeAndWrite(t, aenv, inf, sq, found)
			t.Logf("report:\n%s", syn.Markdown)
			_, section, ok := strings.Cut(syn.Markdown, "## Where sources disagree\n\n")
			if !ok {
				t.Fatalf("no \"Where sources disagree\" section:\n%s", syn.Markdown)
			}
			entry, _, _ := strings.Cut(section, "\n")
			// The number each page has in the report's own Sources list.
			n := func(url string) string {
				for _, line := range strings.Split(syn.Markdown, "\n") {
					if strings.HasPrefix(line, "- [") && strings.Contains(line, "]("+url+")") {
						num, _, _ := strings.Cut(strings.TrimPrefix(line, "- "), " ")
						return num
					}
				}
				t.Fatalf("%s is not listed in the report's sources:\n%s", url, syn.Markdown)
				return ""
			}
			for _, want := range []string{"30 days", "90 days", n("https://a.example/retention"), n("https://b.example/policy")} {
				if !strings.Contains(entry, want) {
					t.Errorf("the entry %q lacks %q", entry, want)
				}
			}
			if err := report.CheckCitations(syn.Markdown); err != nil {
				t.Errorf("citations: %v", err)
			}
		})
	}
}

// synthesizePages researches question offline over pages (URL → title and
// text) as TestWhereSourcesDisagree does, and returns the report.
func synthesizePages(t *testing.T, question string, pages map[string][2]string) workflows.SynthesizeResult {
	t.Helper()
	at := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	fetch := fakeFetcher{}
	var results []WebResult
	for _, url := range slices.Sorted(maps.Keys(pages)) {
		p := pages[url]
		fetch[url] = WebPage{URL: url, Title: p[0], AccessedAt: at, Text: p[1]}
		results = append(results, WebResult{URL: url})
	}
	store, aenv, sq, found := searchPages(t, fetch, results, question)
	ext := extractive.New(extractive.Config{}).Roles()
	return analyzeAndWrite(t, aenv, &Inference{Engine: ext, Offline: ext, Chunks: store}, sq, found)
}

// searchPages searches the web source, whose search answers results and
// whose pages are fetch, for question into a run's corpus in a store that
// lives as long as the test, as a run's SearchSource does; it returns the
// store, the test activity environment, the sub-question and what was found.
func searchPages(t *testing.T, fetch fakeFetcher, results []WebResult, question string) (*embedded.Store, *testsuite.TestActivityEnvironment, reasoning.SubQuestion, workflows.SearchSourceResult) {
	t.Helper()
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	a := &Search{Store: store, Pages: store, Fetcher: fetch, Searchers: map[string]WebSearcher{"web": &fakeSearcher{results: results}}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a.SearchSource)
	sq := reasoning.SubQuestion{ID: "sq1", Text: question}
	val, err := aenv.ExecuteActivity(a.SearchSource, workflows.SearchSourceInput{Corpus: workflows.RunCorpus("r1"), SubQuestion: sq, Source: "web", TopK: 4})
	if err != nil {
		t.Fatal(err)
	}
	var found workflows.SearchSourceResult
	_ = val.Get(&found)
	return store, aenv, sq, found
}

// analyzeAndWrite runs inf's Analyze on the passages found for sq, then
// Synthesize of a report on the question sq asks, as a run does, in the
// test activity environment aenv.
func analyzeAndWrite(t *testing.T, aenv *testsuite.TestActivityEnvironment, inf *Inference, sq reasoning.SubQuestion, found workflows.SearchSourceResult) workflows.SynthesizeResult {
	t.Helper()
	aenv.RegisterActivity(inf)
	val, err := aenv.ExecuteActivity(inf.Analyze, workflows.AnalyzeInput{Question: sq.Text, SubQuestion: sq, ChunkIDs: found.Retrieved.ChunkIDs, MaxFindings: 5})
	if err != nil {
		t.Fatal(err)
	}
	var an workflows.AnalyzeResult
	_ = val.Get(&an)
	meta := map[string]rf.Source{}
	for _, s := range found.Sources {
		meta[s.SourceID] = s
	}
	findings := [][]reasoning.Finding{an.Analysis.Findings}
	sources := report.NumberSources(findings, func(id string) (rf.Source, bool) { s, ok := meta[id]; return s, ok })
	val, err = aenv.ExecuteActivity(inf.Synthesize, workflows.SynthesizeInput{ResearchID: "r1", Question: sq.Text,
		Sections: report.CiteFindings([]reasoning.SubQuestion{sq}, findings, sources), Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	var syn workflows.SynthesizeResult
	_ = val.Get(&syn)
	return syn
}

// Trial 47: two notes give different values for what the question asks
// (an approval threshold, the office days a week; the handbook's notes
// also differ on days abroad, which were named instead). The first entry
// of "Where sources disagree" names the values asked about, and the
// report, which states both, is at most medium confidence, in its text and
// its result.
func TestWhereSourcesDisagreeOnWhatIsAsked(t *testing.T) {
	for _, tt := range []struct {
		name, question string
		pages          map[string][2]string
		want           []string // in the first entry
	}{
		{"approval threshold", "Above what amount do expenses need the engineering manager's approval?", map[string][2]string{
			"https://notes.example/budget":  {"Lumen budget 2025", "The team's cloud budget is 42,000 EUR per quarter. Spending above 90 percent of the quarterly budget must be reported to finance within two working days.\n\nThe hardware refresh budget for 2025 is 18,000 EUR, covering 12 laptops.\n\nExpenses above 500 EUR need approval from the engineering manager before purchase."},
			"https://notes.example/meeting": {"Team meeting, 4 March 2025", "Attendees: Priya, Tomasz, Mei, Jonas.\n\n- The offsite moves to Porto, 21 to 23 May 2025, because the Lisbon hotel was fully booked.\n- Expenses above 250 EUR now need approval from the engineering manager.\n- Jonas will write the new deploy checklist by end of March."},
		}, []string{"500 EUR", "250 EUR"}},
		{"office days", "How many days a week must engineers be in the office?", map[string][2]string{
			"https://handbook.example/remote-2024": {"Remote work policy (2024)", "Engineers work from the office at least two days a week.\n\nWorking from abroad is allowed for up to 30 days per calendar year."},
			"https://handbook.example/remote":      {"Remote work policy", "Engineers work from the office at least three days a week: Tuesday, Wednesday and Thursday.\n\nWorking from abroad is allowed for up to 20 days per calendar year. Requests go to the engineering manager at least two weeks in advance."},
		}, []string{"two days a week", "three days a week"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			syn := synthesizePages(t, tt.question, tt.pages)
			_, section, ok := strings.Cut(syn.Markdown, "## Where sources disagree\n\n")
			if !ok {
				t.Fatalf("no \"Where sources disagree\" section:\n%s", syn.Markdown)
			}
			entry, _, _ := strings.Cut(section, "\n")
			label, _, _ := strings.Cut(entry, ":")
			for _, want := range tt.want {
				if !strings.Contains(label, want) {
					t.Errorf("the first entry's label %q lacks %q:\n%s", label, want, syn.Markdown)
				}
			}
			if syn.Confidence != report.ConfidenceMedium || !strings.Contains(syn.Markdown, "**Confidence:** medium\n") {
				t.Errorf("confidence %q, want medium in the result and the report:\n%s", syn.Confidence, syn.Markdown)
			}
		})
	}
}
