package extractive

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// The Go documentation of the local installation, split as ingestion
// splits it, read once per test binary.
var (
	goDocsOnce   sync.Once
	goDocsChunks []memory.Chunk
	goDocsRoot   string
	goDocsErr    error
)

func goDocs(t *testing.T) ([]memory.Chunk, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("reads the Go documentation of the installation (-short)")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command (for GOROOT)")
	}
	goDocsOnce.Do(func() {
		goDocsRoot, goDocsErr = corpus.GoRoot(context.Background())
		if goDocsErr != nil {
			return
		}
		var docs []corpus.Document
		docs, _, goDocsErr = corpus.GoDocs(context.Background(), goDocsRoot)
		for _, d := range docs {
			goDocsChunks = append(goDocsChunks, corpus.Split(d, corpus.GoDocsCorpus, corpus.SplitOptions{})...)
		}
	})
	if goDocsErr != nil {
		t.Skipf("needs a Go installation: %v", goDocsErr)
	}
	return goDocsChunks, goDocsRoot
}

// passagesOf returns, as retrieved passages, the chunks of the documents
// at rel (relative to GOROOT) whose section or text matches pick.
func passagesOf(chunks []memory.Chunk, root string, pick *regexp.Regexp, rel ...string) []reasoning.Passage {
	var out []reasoning.Passage
	for _, r := range rel {
		loc := filepath.Join(root, r)
		for _, c := range chunks {
			if c.SourceLocation != loc || !pick.MatchString(c.Section+"\n"+c.Text) {
				continue
			}
			out = append(out, reasoning.Passage{ChunkID: c.ID, SourceID: c.SourceID, Title: c.SourceTitle,
				Location: c.SourceLocation, Section: c.Section, Text: c.Text})
		}
	}
	return out
}

// Issue 18 item 3 on the Go specification: the zero value of a map is
// answered by an answer passage, not a lone sentence. The sentence that
// introduces make's code block comes with the code and with the sentences
// after it that speak of maps ("A nil map is equivalent to an empty map
// except that no elements may be added"), and the definition of a map
// comes with the sentence after it ("The value of an uninitialized map is
// nil"), which alone shares too little with the question.
func TestGoSpecAnswerPassages(t *testing.T) {
	chunks, root := goDocs(t)
	spec := "doc/go_spec.html"
	passages := passagesOf(chunks, root, regexp.MustCompile(`Map types`), spec)
	if len(passages) == 0 {
		t.Fatalf("no chunk of %s under Map types", spec)
	}
	for i := range passages {
		passages[i].Score = float64(len(passages) - i)
	}
	md, cites := research(t, "What is the zero value of a map?", passages)
	for _, want := range []string{
		`(?i)value of an uninitialized map is nil`,
		`(?i)no elements may be added`,
		`(?s)as arguments:\n\tmake\(map\[string\]int\)\n\tmake\(map\[string\]int, 100\)\nThe initial capacity`,
	} {
		if !regexp.MustCompile(want).MatchString(md) {
			t.Errorf("report does not state %s:\n%s", want, md)
		}
	}
	if len(cites) == 0 || !strings.HasSuffix(cites[0], spec) {
		t.Errorf("cited %v, want %s first", cites, spec)
	}
}

// research plans q, analyzes every sub-question over passages and writes
// the draft; it returns the draft as text and the locations of the sources
// cited, in order of first citation.
func research(t *testing.T, q string, passages []reasoning.Passage) (string, []string) {
	t.Helper()
	ctx := context.Background()
	e := New(Config{})
	plan, err := e.Plan(ctx, reasoning.PlanRequest{Question: q})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	var sources []rf.Source
	var sections []reasoning.SectionInput
	for _, sq := range plan.SubQuestions {
		a, err := e.Analyze(ctx, reasoning.AnalyzeRequest{Question: q, SubQuestion: sq, Passages: passages})
		if err != nil {
			t.Fatal(err)
		}
		sec := reasoning.SectionInput{SubQuestion: sq}
		for _, f := range a.Findings {
			loc := ""
			for _, p := range passages {
				if p.ChunkID == f.ChunkID {
					loc = p.Location
				}
			}
			if n[loc] == 0 {
				n[loc] = len(n) + 1
				sources = append(sources, rf.Source{N: n[loc], Title: loc, Location: loc})
			}
			sec.Findings = append(sec.Findings, reasoning.CitedFinding{Finding: f, N: n[loc]})
		}
		sections = append(sections, sec)
	}
	d, err := e.Write(ctx, reasoning.WriteRequest{Question: q, Sections: sections, Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var order []string
	seen := map[int]bool{}
	add := func(s reasoning.Sentence) {
		b.WriteString(s.Text + "\n")
		for _, c := range s.Cites {
			if !seen[c] {
				seen[c] = true
				order = append(order, sources[c-1].Location)
			}
		}
	}
	for _, s := range d.Summary {
		add(s)
	}
	for _, sec := range d.Sections {
		for _, s := range sec.Sentences {
			add(s)
		}
	}
	return b.String(), order
}
