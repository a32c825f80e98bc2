package eval

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sampleTSV = "# id\tcorpus\tanswerable\tquestion\tnuggets\tgold\n" +
	"mem-1\t\tyes\tWhat does the memory model say about channels?\tsynchroni[sz]ed before ;; close\tgo_mem.html\n" +
	"\n" +
	"git-1\tgit-doc=docs/git\tyes\tHow do I rebase?\tupstream\tgit-rebase ;; user-manual.html\n" +
	"none-1\tgo-docs\tno\tWhat is the capital of Peru?\t\t\n"

func TestParseTSV(t *testing.T) {
	s, err := ParseTSV(strings.NewReader(sampleTSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Questions) != 3 {
		t.Fatalf("got %d questions, want 3", len(s.Questions))
	}
	q := s.Questions[0]
	if q.Corpus != DefaultCorpus || !q.Answerable || len(q.Nuggets) != 2 || q.Nuggets[1] != "close" || q.Gold[0] != "go_mem.html" {
		t.Errorf("first question = %+v", q)
	}
	g := s.Questions[1]
	if g.Corpus != "git-doc" || g.CorpusPath != "docs/git" || len(g.Gold) != 2 {
		t.Errorf("second question = %+v", g)
	}
	if s.Questions[2].Answerable {
		t.Error("third question should be unanswerable")
	}
}

func TestParseTSVErrors(t *testing.T) {
	for name, text := range map[string]string{
		"columns":       "a\tb\tyes\n",
		"answerable":    "a\t\tmaybe\tq?\tx\tgo_mem.html\n",
		"bad regexp":    "a\t\tyes\tq?\t(unclosed\tgo_mem.html\n",
		"no nuggets":    "a\t\tyes\tq?\t\tgo_mem.html\n",
		"nuggets on no": "a\t\tno\tq?\tx\t\n",
		"duplicate id":  "a\t\tno\tq?\t\t\na\t\tno\tq2?\t\t\n",
		"empty":         "# nothing\n",
	} {
		if _, err := ParseTSV(strings.NewReader(text)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLoadSetResolvesPathsAndJSON(t *testing.T) {
	dir := t.TempDir()
	tsv := filepath.Join(dir, "dev.tsv")
	if err := os.WriteFile(tsv, []byte(sampleTSV), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSet(tsv)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "dev" || s.Questions[1].CorpusPath != filepath.Join(dir, "docs/git") {
		t.Errorf("name %q, path %q", s.Name, s.Questions[1].CorpusPath)
	}
	// A set named by a relative path ("testdata/eval/probes/trial.tsv",
	// as from the repository) gives its corpora absolute paths: the
	// search workers refuse others.
	t.Chdir(dir)
	rel, err := LoadSet("dev.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if p := rel.Questions[1].CorpusPath; !filepath.IsAbs(p) || filepath.Base(p) != "git" {
		t.Errorf("relative set: corpus path %q, want an absolute path to docs/git", p)
	}
	js := filepath.Join(dir, "dev.json")
	if err := os.WriteFile(js, []byte(`{"questions":[{"id":"a","question":"q?","nuggets":["x"],"gold":["y"],"answerable":true}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := LoadSet(js)
	if err != nil {
		t.Fatal(err)
	}
	if j.Questions[0].Corpus != DefaultCorpus || j.Name != "dev" {
		t.Errorf("json set = %+v", j)
	}
}

const sampleReport = `# Research: channels

**Question:** What does the memory model say about channels and close?

## Summary

A send on a channel is synchronized before the completion of the corresponding receive [1]. Goroutines are cheap [2].

## What about close?

The closing of a channel is synchronized before a receive that returns a zero value [1][1].

## Gaps

- **Is close safe twice?** — nothing about panics on close found

## Sources

- [1] The Go Memory Model — [/usr/local/go/doc/go_mem.html](file:///usr/local/go/doc/go_mem.html)
- [2] Effective Go — [/usr/local/go/doc/effective_go.html](file:///usr/local/go/doc/effective_go.html)
- [3] Spec — /usr/local/go/doc/go_spec.html
`

func sampleAnswer() Answer {
	return Answer{Report: sampleReport, Gaps: 1, Sources: []Source{
		{N: 1, Location: "/usr/local/go/doc/go_mem.html"},
		{N: 2, Location: "/usr/local/go/doc/effective_go.html"},
		{N: 3, Location: "/usr/local/go/doc/go_spec.html"},
	}}
}

func TestScoreAnswer(t *testing.T) {
	q := Question{ID: "m", Answerable: true, Gold: []string{"go_mem"},
		Nuggets: []string{`synchronized before the completion`, `closing of a channel`, `panic`, `channels and close`}}
	s := ScoreAnswer(q, sampleAnswer())
	// "panic" is only in the Gaps section and "channels and close" only in
	// the question line: neither counts.
	if s.NuggetRecall != 0.5 || len(s.Missed) != 2 {
		t.Errorf("recall = %v, missed %v", s.NuggetRecall, s.Missed)
	}
	if !s.GoldCited || s.Citations != 4 || s.GoldCitations != 3 {
		t.Errorf("gold %v, citations %d/%d", s.GoldCited, s.GoldCitations, s.Citations)
	}
	if s.Sources != 3 || s.Uncited != 1 {
		t.Errorf("sources %d, uncited %d", s.Sources, s.Uncited)
	}
	if s.Words == 0 || strings.Contains(sampleReport[:strings.Index(sampleReport, "## Sources")], "Spec") {
		t.Errorf("words = %d", s.Words)
	}
	if s.Abstained || s.Pass {
		t.Errorf("abstained %v pass %v", s.Abstained, s.Pass)
	}
}

// Nuggets are matched against the report as it renders: the Markdown
// escapes the writer adds ("\[\]", "&lt;") are undone first.
func TestScoreMatchesRenderedText(t *testing.T) {
	q := Question{ID: "w", Answerable: true, Gold: []string{"errors"},
		Nuggets: []string{`Unwrap\(\) \[\]error`, `a <- b`, `\*p`}}
	a := Answer{Report: "# R\n\n## Summary\n\nA type wraps others with Unwrap() \\[\\]error [1]. Send with a &lt;- b and read \\*p [1].\n\n## Sources\n\n- [1] errors — /src/errors/doc.go\n",
		Sources: []Source{{N: 1, Title: "errors", Location: "/src/errors/doc.go"}}}
	if s := ScoreAnswer(q, a); s.NuggetRecall != 1 || s.Citations != 2 {
		t.Errorf("recall = %v, missed %v, citations %d", s.NuggetRecall, s.Missed, s.Citations)
	}
	// A code span's brackets are code, not citations.
	a.Report = "# R\n\n## Summary\n\nSet the first element: `a[1] = 2` [1].\n\n## Sources\n\n- [1] errors — /src/errors/doc.go\n"
	if s := ScoreAnswer(q, a); s.Citations != 1 {
		t.Errorf("citations = %d, want 1 (the code span's [1] is code)", s.Citations)
	}
}

func TestScoreUnanswerable(t *testing.T) {
	q := Question{ID: "u"}
	if s := ScoreAnswer(q, sampleAnswer()); s.Pass {
		t.Error("a report with cited statements passes an unanswerable question")
	}
	a := Answer{Report: "# R\n\n## Summary\n\nNo statement could be grounded in the sources.\n\n## Gaps\n\n- **x** — none\n\n## Sources\n\nNo sources.\n", Gaps: 1}
	if s := ScoreAnswer(q, a); !s.Pass || !s.Abstained {
		t.Errorf("abstaining report: %+v", s)
	}
	a.Gaps = 0
	if s := ScoreAnswer(q, a); s.Pass {
		t.Error("a report without gaps passes an unanswerable question")
	}
}

func TestIsGold(t *testing.T) {
	for _, c := range []struct {
		loc  string
		gold []string
		want bool
	}{
		{"/usr/share/doc/git-doc/git-rebase.html", []string{"git-rebase"}, true},
		{"/usr/share/doc/git-doc/git-rebase.txt", []string{"git-rebase.html"}, false},
		{"/usr/share/doc/git-doc/git-rebase.txt", []string{"git-rebase.html", "git-rebase.txt"}, true},
		{"/usr/local/go/src/sync/mutex.go", []string{"src/sync"}, false},
		{"/usr/local/go/src/sync/mutex.go", []string{"sync/mutex.go"}, true},
	} {
		if got := isGold(c.loc, c.gold); got != c.want {
			t.Errorf("isGold(%q, %v) = %v", c.loc, c.gold, got)
		}
	}
}

type fakeResearcher map[string]Answer

func (f fakeResearcher) Research(_ context.Context, q Question) (Answer, error) {
	a, ok := f[q.ID]
	if !ok {
		return Answer{}, errors.New("boom")
	}
	return a, nil
}

func TestRunTotalsAndCompare(t *testing.T) {
	set := Set{Name: "s", Questions: []Question{
		{ID: "a", Answerable: true, Nuggets: []string{"synchronized before", "zero value"}, Gold: []string{"go_mem.html"}},
		{ID: "b", Answerable: true, Nuggets: []string{"x"}, Gold: []string{"y"}},
		{ID: "c"},
	}}
	good := Answer{Report: "## Summary\n\nGaps elsewhere.\n\n## Gaps\n\n- x\n\n## Sources\n\nNo sources.\n", Gaps: 2}
	res, err := Run(context.Background(), set, fakeResearcher{"a": sampleAnswer(), "c": good}, Configuration{Engine: "extractive", Embedder: "hashing"}, Options{KeepReports: true})
	if err != nil {
		t.Fatal(err)
	}
	tot := res.Totals
	if tot.Questions != 3 || tot.Answerable != 2 || tot.Errors != 1 || tot.Passed != 2 {
		t.Errorf("totals = %+v", tot)
	}
	if tot.NuggetRecall != 0.5 || tot.GoldCitedShare != 0.5 || tot.CitationPrecision != 0.75 || tot.AbstainedShare != 1 {
		t.Errorf("recall %v gold %v precision %v abstained %v", tot.NuggetRecall, tot.GoldCitedShare, tot.CitationPrecision, tot.AbstainedShare)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteJSON(path, res); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Totals != res.Totals || back.Configuration.Engine != "extractive" || back.Reports["a"] != sampleReport {
		t.Error("results do not survive JSON")
	}
	better := back
	better.Questions = append([]Score(nil), back.Questions...)
	better.Questions[1] = Score{ID: "b", Answerable: true, NuggetRecall: 1, GoldCited: true, Pass: true}
	better.Totals = Total(better.Questions)
	var out bytes.Buffer
	Compare(&out, back, better)
	if !strings.Contains(out.String(), "nugget recall") || !strings.Contains(out.String(), "b: recall 0.00 → 1.00") || !strings.Contains(out.String(), "better") {
		t.Errorf("compare output:\n%s", out.String())
	}
	out.Reset()
	PrintTable(&out, res)
	if !strings.Contains(out.String(), "error") || !strings.Contains(out.String(), "citation precision") {
		t.Errorf("table:\n%s", out.String())
	}
}

// The calibration counts, for each stated confidence, the reports and
// those of them that were right; the table prints them per half.
func TestTotalCalibration(t *testing.T) {
	scores := []Score{
		{ID: "right-high", Answerable: true, GoldCited: true, NuggetRecall: 0.5, Confidence: "high"},
		{ID: "wrong-source-high", Answerable: true, GoldCited: false, NuggetRecall: 1, Confidence: "high"},
		{ID: "few-nuggets-medium", Answerable: true, GoldCited: true, NuggetRecall: 0.4, Confidence: "medium"},
		{ID: "abstained-low", Abstained: true, Confidence: "low"},
		{ID: "answered-unanswerable-low", Confidence: "low"},
		{ID: "failed-low", Answerable: true, GoldCited: true, NuggetRecall: 1, Confidence: "low", Error: "timeout"},
		{ID: "no-confidence", Answerable: true, GoldCited: true, NuggetRecall: 1},
	}
	c := Total(scores).Calibration
	want := Calibration{High: Stated{2, 1}, Medium: Stated{1, 0}, Low: Stated{3, 1}}
	if c != want {
		t.Fatalf("calibration = %+v, want %+v", c, want)
	}
	if got := c.Low.RightShare(); got != 1.0/3 {
		t.Errorf("low right share = %v", got)
	}
	res := Results{Set: "s", Questions: scores, Totals: Total(scores)}
	res.Halves, res.GeneralizationGap = halves(scores)
	var out bytes.Buffer
	PrintTable(&out, res)
	if !strings.Contains(out.String(), "confidence (reports, right)") || !strings.Contains(out.String(), "2, 50%") {
		t.Errorf("table has no calibration:\n%s", out.String())
	}
	if Total(nil).Calibration != (Calibration{}) {
		t.Error("no reports, yet a calibration")
	}
}
