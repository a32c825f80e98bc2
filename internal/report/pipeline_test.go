package report_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
	"github.com/researchflow/researchflow/internal/report"
)

// TestExtractivePipeline runs plan → analyze → number → write → render with
// the offline engine and checks that the report only cites listed sources.
func TestExtractivePipeline(t *testing.T) {
	passages := []reasoning.Passage{
		{ChunkID: "c1", SourceID: "mem", Title: "The Go Memory Model", Location: "/go/doc/go_mem.html", Score: 0.9,
			Text: "A send on a channel is synchronized before the completion of the corresponding receive from that channel. " +
				"The closing of a channel is synchronized before a receive that returns a zero value because the channel is closed. [3]"},
		{ChunkID: "c2", SourceID: "locks", Title: "Locks in the memory model", Location: "https://go.dev/ref/mem#locking", Score: 0.6,
			Text: "For any mutex variable l and n < m, call n of l.Unlock() is synchronized before call m of l.Lock() returns. " +
				"A Mutex must not be copied after first use."},
	}
	q := "What does the Go memory model guarantee about channels and mutexes?"
	md, st, sources := extractiveReport(t, q, passages)
	if err := report.CheckCitations(md); err != nil {
		t.Fatalf("CheckCitations: %v\n%s", err, md)
	}
	if len(sources) != 2 || st.Sentences == 0 || st.Dropped != 0 || st.InvalidCitations != 0 {
		t.Errorf("sources %d, stats %+v; want 2 sources and clean sentences\n%s", len(sources), st, md)
	}
	// The analyst quotes answer passages: the two channel rules are one
	// passage, cited once at its end.
	if !strings.Contains(md, "A send on a channel is synchronized before the completion of the corresponding receive from that channel. "+
		"The closing of a channel is synchronized before a receive that returns a zero value because the channel is closed [1].") {
		t.Errorf("key sentence missing or miscited:\n%s", md)
	}
	if len(report.Citations(md)) != 2 {
		t.Errorf("Citations = %v, want both sources cited\n%s", report.Citations(md), md)
	}
	t.Logf("\n%s", md)
}

// extractiveReport runs plan → analyze → number → write → render with the
// offline engine on passages and returns the report's Markdown.
func extractiveReport(t *testing.T, q string, passages []reasoning.Passage) (string, report.RenderStats, []rf.Source) {
	t.Helper()
	ctx := context.Background()
	eng := extractive.New(extractive.Config{})
	plan, err := eng.Plan(ctx, reasoning.PlanRequest{Question: q})
	if err != nil {
		t.Fatal(err)
	}
	var found [][]reasoning.Finding
	var gaps []rf.Gap
	for _, sq := range plan.SubQuestions {
		a, err := eng.Analyze(ctx, reasoning.AnalyzeRequest{Question: q, SubQuestion: sq, Passages: passages})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Findings) == 0 {
			gaps = append(gaps, rf.Gap{SubQuestion: sq.Text, Reason: "no relevant passage"})
		}
		found = append(found, a.Findings)
	}
	sources := report.NumberSources(found, report.LookupPassages(passages))
	draft, err := eng.Write(ctx, reasoning.WriteRequest{Question: q, Sections: report.CiteFindings(plan.SubQuestions, found, sources), Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	md, st := report.Render(report.Report{Question: q, Draft: draft, Sources: sources, Gaps: gaps, Meta: report.Meta{Engine: draft.Engine, Corpus: "test"}})
	return md, st, sources
}

// A command in a Markdown code block, fenced or indented, reaches the
// report with its spacing ("'^TestFoo$' ./...", not "'^TestFoo$'./..."):
// ingestion (corpus.LoadFile, corpus.Split), the offline analyst and the
// renderer keep it as written. A line that reads as code is shown as a code
// span after the sentence that introduces it; one that reads as prose
// ("git worktree add ../hotfix main") is shown as prose, as a line of an
// HTML <pre> block is: nothing in the extracted text marks it as code.
func TestMarkdownCodeReachesTheReport(t *testing.T) {
	for _, tc := range []struct {
		name, intro, command, question, want string
	}{
		{"fenced", "To run only the tests whose name matches a pattern, use:", `go test -run '^TestFoo$' ./...`,
			"How do I run only the tests whose name matches a pattern?", "`go test -run '^TestFoo$' ./...`"},
		{"indented", "To run only the tests whose name matches a pattern, use:", `go test -run '^TestFoo$' ./...`,
			"How do I run only the tests whose name matches a pattern?", "`go test -run '^TestFoo$' ./...`"},
		{"fenced, reads as prose", "To work on a hotfix in a folder beside the current branch, run:", "git worktree add ../hotfix main",
			"How do I work on a hotfix in a folder beside the current branch?", "git worktree add ../hotfix main"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			block := "```sh\n" + tc.command + "\n```"
			if strings.HasPrefix(tc.name, "indented") {
				block = "    " + tc.command
			}
			src := "# Working on the code\n\n" + tc.intro + "\n\n" + block + "\n\nIt needs nothing else.\n"
			path := filepath.Join(t.TempDir(), "notes.md")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			doc, err := corpus.LoadFile(context.Background(), "notes", path)
			if err != nil {
				t.Fatal(err)
			}
			var passages []reasoning.Passage
			for _, c := range corpus.Split(doc, "notes", corpus.SplitOptions{}) {
				passages = append(passages, reasoning.Passage{ChunkID: c.ID, SourceID: c.SourceID, Title: c.SourceTitle, Location: c.SourceLocation, Score: 0.9, Text: c.Text})
			}
			md, _, _ := extractiveReport(t, tc.question, passages)
			if !strings.Contains(md, tc.want) {
				t.Errorf("report does not show %s:\n%s", tc.want, md)
			}
		})
	}
}
