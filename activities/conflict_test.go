package activities

import (
	"context"
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
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a := &Search{Store: store, Pages: store, Fetcher: pages, Searchers: map[string]WebSearcher{"web": &fakeSearcher{results: results}}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a.SearchSource)
	sq := reasoning.SubQuestion{ID: "sq1", Text: "How long does Example Corp keep application logs?"}
	val, err := aenv.ExecuteActivity(a.SearchSource, workflows.SearchSourceInput{Corpus: workflows.RunCorpus("r1"), SubQuestion: sq, Source: "web", TopK: 4})
	if err != nil {
		t.Fatal(err)
	}
	var found workflows.SearchSourceResult
	_ = val.Get(&found)

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
