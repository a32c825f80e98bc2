package activities

import (
	"context"
	"strings"
	"testing"

	"go.temporal.io/sdk/testsuite"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/workflows"
)

// A report that cites the Go documentation (the default corpus, read from
// this machine's GOROOT) cites it by its go.dev address, which a reader on
// another machine can open, not by the path of the Go installation; the
// result's sources keep that path (Location) beside the address (Link).
// A file of another corpus keeps its path, even one laid out as GOROOT is.
func TestGoDocsAreCitedByTheirGoDevAddress(t *testing.T) {
	goDoc := func(id, source, title, loc, text string) memory.Chunk {
		return memory.Chunk{ID: id, Corpus: corpus.GoDocsCorpus, SourceID: source, SourceTitle: title, SourceLocation: loc, Text: text, ContentHash: memory.Hash(text)}
	}
	notes := memory.Chunk{ID: "c3", Corpus: "notes", SourceID: "notes", SourceTitle: "Team notes",
		SourceLocation: "/home/ana/notes/src/team/locks.go", Text: "Channel sends in our services are synchronized before the receive completes, as the review requires."}
	notes.ContentHash = memory.Hash(notes.Text)
	store := &fakeStore{chunks: map[string]memory.Chunk{
		"c1": goDoc("c1", "mem", "The Go Memory Model", "/usr/local/go/doc/go_mem.html",
			"A send on a channel is synchronized before the completion of the corresponding receive from that channel."),
		"c2": goDoc("c2", "sync", "Package sync", "/usr/local/go/src/sync/doc.go",
			"Besides channel sends and receives, package sync synchronizes goroutines with locks: an Unlock is synchronized before a later Lock returns."),
		"c3": notes,
	}}
	ext := extractive.New(extractive.Config{}).Roles()
	inf := &Inference{Engine: reasoning.Engine{Analyst: quoteEvery{}, Writer: ext.Writer}, Offline: ext, Chunks: store}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(inf)

	sq := reasoning.SubQuestion{ID: "sq1", Text: "How are channel sends synchronized with receives?"}
	val, err := aenv.ExecuteActivity(inf.Analyze, workflows.AnalyzeInput{Question: sq.Text, SubQuestion: sq, ChunkIDs: []string{"c1", "c2", "c3"}, MaxFindings: 5})
	if err != nil {
		t.Fatal(err)
	}
	var an workflows.AnalyzeResult
	_ = val.Get(&an)
	wantLinks := map[string][2]string{ // source ID: location, link
		"mem":   {"/usr/local/go/doc/go_mem.html", "https://go.dev/ref/mem"},
		"sync":  {"/usr/local/go/src/sync/doc.go", "https://pkg.go.dev/sync"},
		"notes": {"/home/ana/notes/src/team/locks.go", ""},
	}
	meta := map[string]rf.Source{}
	for _, s := range an.Sources {
		meta[s.SourceID] = s
		if w := wantLinks[s.SourceID]; s.Location != w[0] || s.Link != w[1] {
			t.Errorf("source %s: location %q, link %q; want %q, %q", s.SourceID, s.Location, s.Link, w[0], w[1])
		}
	}
	if len(meta) != 3 {
		t.Fatalf("the analysis found %d sources, want all 3: %+v", len(meta), an.Analysis.Findings)
	}

	findings := [][]reasoning.Finding{an.Analysis.Findings}
	sources := report.NumberSources(findings, func(id string) (rf.Source, bool) { s, ok := meta[id]; return s, ok })
	val, err = aenv.ExecuteActivity(inf.Synthesize, workflows.SynthesizeInput{ResearchID: "r1", Question: sq.Text, Corpus: corpus.GoDocsCorpus,
		Sections: report.CiteFindings([]reasoning.SubQuestion{sq}, findings, sources), Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	var syn workflows.SynthesizeResult
	_ = val.Get(&syn)
	for _, want := range []string{
		"The Go Memory Model — [https://go.dev/ref/mem](https://go.dev/ref/mem)\n",
		"Package sync — [https://pkg.go.dev/sync](https://pkg.go.dev/sync)\n",
		"Team notes — [/home/ana/notes/src/team/locks.go](file:///home/ana/notes/src/team/locks.go)\n",
	} {
		if !strings.Contains(syn.Markdown, want) {
			t.Errorf("the report lacks %q:\n%s", want, syn.Markdown)
		}
	}
	if strings.Contains(syn.Markdown, "/usr/local/go") || strings.Contains(syn.Markdown, "pkg.go.dev/team") {
		t.Errorf("the report cites the local Go installation, or a note by a go.dev address:\n%s", syn.Markdown)
	}
	for _, s := range syn.Sources {
		if w := wantLinks[s.SourceID]; s.Location != w[0] || s.Link != w[1] {
			t.Errorf("result source %s: location %q, link %q; want %q, %q", s.SourceID, s.Location, s.Link, w[0], w[1])
		}
	}
}

// quoteEvery is an analyst that finds every passage it is given, as it is.
type quoteEvery struct{}

func (quoteEvery) Analyze(_ context.Context, req reasoning.AnalyzeRequest) (reasoning.Analysis, error) {
	var a reasoning.Analysis
	for _, p := range req.Passages {
		a.Findings = append(a.Findings, reasoning.Finding{Text: p.Text, ChunkID: p.ChunkID, SourceID: p.SourceID, Score: 1})
	}
	return a, nil
}
