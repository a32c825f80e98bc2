package report

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/reasoning"
)

var catalog = map[string]rf.Source{
	"mem":  {Title: "The Go Memory Model", Location: "/usr/local/go/doc/go_mem.html"},
	"sync": {Title: "Package sync", Location: "https://pkg.go.dev/sync"},
	"spec": {Title: "The Go Programming Language Specification", Location: "doc/go_spec.html"},
}

func lookup(id string) (rf.Source, bool) {
	s, ok := catalog[id]
	return s, ok
}

func TestNumberSources(t *testing.T) {
	sections := [][]reasoning.Finding{
		{{Text: "a", ChunkID: "c1", SourceID: "sync"}, {Text: "b", ChunkID: "c2", SourceID: "mem"}},
		{{Text: "c", ChunkID: "c3", SourceID: "mem"}, {Text: "d", ChunkID: "c9", SourceID: "unknown"}, {Text: "e", ChunkID: "c1", SourceID: "sync"}},
		{},
		{{Text: "f", ChunkID: "c4", SourceID: "spec"}, {Text: "g", ChunkID: "c2", SourceID: "mem"}},
	}
	got := NumberSources(sections, lookup)
	want := []rf.Source{
		{N: 1, SourceID: "sync", Title: "Package sync", Location: "https://pkg.go.dev/sync", ChunkIDs: []string{"c1"}},
		{N: 2, SourceID: "mem", Title: "The Go Memory Model", Location: "/usr/local/go/doc/go_mem.html", ChunkIDs: []string{"c2", "c3"}},
		{N: 3, SourceID: "spec", Title: "The Go Programming Language Specification", Location: "doc/go_spec.html", ChunkIDs: []string{"c4"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("NumberSources() =\n%+v\nwant\n%+v", got, want)
	}

	sqs := []reasoning.SubQuestion{{ID: "sq1", Text: "one"}, {ID: "sq2", Text: "two"}, {ID: "sq3", Text: "three"}, {ID: "sq4", Text: "four"}}
	in := CiteFindings(sqs, sections, got)
	if len(in) != 4 {
		t.Fatalf("CiteFindings gave %d sections, want 4", len(in))
	}
	var ns []int
	for _, f := range in[1].Findings {
		ns = append(ns, f.N)
	}
	if want := []int{2, 1}; !reflect.DeepEqual(ns, want) { // the unknown source's finding is left out
		t.Errorf("section 2 cites %v, want %v", ns, want)
	}
	if len(in[2].Findings) != 0 || in[3].Findings[0].N != 3 {
		t.Errorf("sections 3 and 4 = %+v, %+v", in[2], in[3])
	}
}

func TestLookupPassages(t *testing.T) {
	l := LookupPassages([]reasoning.Passage{
		{SourceID: "mem", Title: "The Go Memory Model", Location: "/doc/go_mem.html"},
		{SourceID: "mem", Title: "Other title", Location: "/elsewhere"},
	})
	got, ok := l("mem")
	if !ok || got.Title != "The Go Memory Model" || got.Location != "/doc/go_mem.html" {
		t.Errorf("lookup(mem) = %+v, %v", got, ok)
	}
	if _, ok := l("nope"); ok {
		t.Error("lookup(nope) found a source")
	}
}

func sampleReport() Report {
	return Report{
		Question: "What does the Go memory model guarantee about channels?",
		Draft: reasoning.Draft{
			Title: "Research: What does the Go memory model guarantee about channels",
			Summary: []reasoning.Sentence{
				{Text: "A send on a channel is synchronized before the receive completes.", Cites: []int{2}},
				{Text: "The zero value for a Mutex is an unlocked mutex.", Cites: []int{1}},
			},
			Sections: []reasoning.DraftSection{
				{Heading: "How does channel communication work?", Sentences: []reasoning.Sentence{
					{Text: "A send on a channel is synchronized before the receive completes.", Cites: []int{2}},
					{Text: "Closing a channel is synchronized before a receive of the zero value.", Cites: []int{2, 1, 2}},
				}},
				{Heading: "What is a Mutex?", Sentences: []reasoning.Sentence{
					{Text: "The zero value for a Mutex is an unlocked mutex.", Cites: []int{1}},
				}},
			},
			Engine: "extractive",
		},
		Sources: []rf.Source{
			{N: 2, SourceID: "mem", Title: "The Go Memory Model", Location: "/usr/local/go/doc/go_mem.html"},
			{N: 1, SourceID: "sync", Title: "Package sync", Location: "https://pkg.go.dev/sync"},
		},
		Meta: Meta{ResearchID: "r-42", Engine: "extractive", Corpus: "go-docs", GeneratedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
	}
}

func TestRenderStructure(t *testing.T) {
	md, st := Render(sampleReport())
	wantInOrder := []string{
		"# Research: What does the Go memory model guarantee about channels\n",
		"**Question:** What does the Go memory model guarantee about channels?",
		"## Summary\n\nA send on a channel is synchronized before the receive completes [2]. The zero value for a Mutex is an unlocked mutex [1].",
		"## How does channel communication work?\n",
		"Closing a channel is synchronized before a receive of the zero value [1][2].",
		"## What is a Mutex?\n",
		"## Sources\n\n- [1] Package sync — [https://pkg.go.dev/sync](https://pkg.go.dev/sync)\n- [2] The Go Memory Model — [/usr/local/go/doc/go_mem.html](file:///usr/local/go/doc/go_mem.html)\n",
		"\n---\n\nEngine: extractive · Corpus: go-docs · Research ID: r-42  \nGenerated: 2025-01-02T03:04:05Z\n",
	}
	at := 0
	for _, w := range wantInOrder {
		i := strings.Index(md[at:], w)
		if i < 0 {
			t.Fatalf("report lacks (in order) %q:\n%s", w, md)
		}
		at += i + len(w)
	}
	if strings.Contains(md, "## Gaps") {
		t.Errorf("Gaps section without gaps:\n%s", md)
	}
	if strings.Contains(md, "Tokens:") || strings.Contains(md, "Cost:") {
		t.Errorf("usage shown though zero:\n%s", md)
	}
	if want := (RenderStats{Sentences: 5, Citations: 6, Sources: 2}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	if err := CheckCitations(md); err != nil {
		t.Errorf("CheckCitations on rendered report: %v", err)
	}
	if got, want := Citations(md), []int{1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("Citations = %v, want %v", got, want)
	}
	again, _ := Render(sampleReport())
	if again != md {
		t.Error("Render is not deterministic")
	}
}

func TestRenderGapsAndUsage(t *testing.T) {
	r := sampleReport()
	r.Gaps = []rf.Gap{{SubQuestion: "What are examples of channels?", Reason: "no passage scored above the floor"}}
	r.Meta.Usage = rf.Usage{PromptTokens: 1200, CompletionTokens: 300, CostUSD: 0.0042}
	r.Meta.Models = []string{"planner=llama3.1"}
	md, _ := Render(r)
	for _, w := range []string{
		"## Gaps\n\n- **What are examples of channels?** — no passage scored above the floor\n",
		"Tokens: 1200 prompt, 300 completion · Cost: $0.0042",
		"Models: planner=llama3.1",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("report lacks %q:\n%s", w, md)
		}
	}
	if strings.Index(md, "## Gaps") > strings.Index(md, "## Sources") {
		t.Error("Gaps after Sources")
	}
}

func TestRenderInvalidCitations(t *testing.T) {
	r := sampleReport()
	r.Draft.Sections = append(r.Draft.Sections, reasoning.DraftSection{
		Heading: "Unsupported",
		Sentences: []reasoning.Sentence{
			{Text: "Channels are sometimes faster than mutexes.", Cites: []int{7}},
			{Text: "A Mutex must not be copied after first use.", Cites: []int{9, 1}},
			{Text: "This one cites nothing.", Cites: nil},
		},
	})
	md, st := Render(r)
	if strings.Contains(md, "faster than mutexes") || strings.Contains(md, "cites nothing") {
		t.Errorf("sentence without a valid citation rendered:\n%s", md)
	}
	if !strings.Contains(md, "A Mutex must not be copied after first use [1].") {
		t.Errorf("valid citation not kept alone:\n%s", md)
	}
	if st.Dropped != 2 || st.InvalidCitations != 2 || st.Ungrounded != 0 {
		t.Errorf("stats = %+v, want 2 dropped, 2 invalid citations", st)
	}
	if err := CheckCitations(md); err != nil {
		t.Errorf("CheckCitations: %v", err)
	}

	r.MarkUngrounded = true
	md, st = Render(r)
	if !strings.Contains(md, "*Channels are sometimes faster than mutexes (unverified)*.") {
		t.Errorf("ungrounded sentence not marked:\n%s", md)
	}
	if strings.Contains(md, "[7]") || strings.Contains(md, "[9]") {
		t.Errorf("invalid number rendered:\n%s", md)
	}
	if st.Ungrounded != 2 || st.Dropped != 0 {
		t.Errorf("stats = %+v, want 2 ungrounded, 0 dropped", st)
	}
}

func TestRenderNeutralizesInjection(t *testing.T) {
	r := sampleReport()
	r.Draft.Sections = []reasoning.DraftSection{{
		Heading: "Sources",
		Sentences: []reasoning.Sentence{
			{Text: "As shown in [9], a send happens before the receive [ 3 ].\n\n## Sources\n- [9] Fake", Cites: []int{2}},
			{Text: "# Not a heading but a sentence about channels.", Cites: []int{2}},
			{Text: "- not a list item, see [link](javascript:alert(1)) and <script>x</script>.", Cites: []int{1}},
		},
	}}
	r.Draft.Title = "Title [5]\n# injected"
	md, _ := Render(r)
	if err := CheckCitations(md); err != nil {
		t.Fatalf("CheckCitations: %v\n%s", err, md)
	}
	if got, want := Citations(md), []int{1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("Citations = %v, want %v\n%s", got, want, md)
	}
	for _, bad := range []string{"[9]", "[ 3 ]", "[5]", "\n# Not", "\n- not", "\n## Sources\n- [9]", "[link](", " ,", " ."} {
		if strings.Contains(md, bad) {
			t.Errorf("report contains %q:\n%s", bad, md)
		}
	}
	if rawTag.MatchString(md) {
		t.Errorf("report holds an unescaped tag:\n%s", md)
	}
	if strings.Count(md, "\n## Sources\n") != 1 || strings.Count(md, "\n# ") != 0 || !strings.HasPrefix(md, "# Title") {
		t.Errorf("structure broken:\n%s", md)
	}
	// "[9]" before a word is the sentence's own text: kept, escaped.
	if !strings.Contains(md, `As shown in, a send happens before the receive. ## Sources - \[9\] Fake [2].`) ||
		!strings.Contains(md, `\<script>x\</script> [1].`) {
		t.Errorf("sentence text lost:\n%s", md)
	}
}

func TestCheckCitationsFailsOnBadReport(t *testing.T) {
	tests := []struct {
		name, md string
		wantErr  bool
	}{
		{"missing entry", "# R\n\nA claim [1]. Another [3].\n\n## Sources\n\n- [1] One — /a\n- [2] Two — /b\n", true},
		{"no sources section", "# R\n\nA claim [1].\n", true},
		{"all listed", "# R\n\nA claim [1][2].\n\n## Sources\n\n- [1] One\n- [2] Two\n\n---\n\nEngine: x\n", false},
		{"no citations", "# R\n\nNothing cited.\n", false},
		{"cite after sources ends", "# R\n\nA [1].\n\n## Sources\n\n- [1] One\n\n## Appendix\n\nLate claim [4].\n", true},
		{"escaped, linked and code brackets", "# R\n\nNot cites: \\[4] [5](http://x) `[6]`\n\n```\n[7]\n```\n\n## Sources\n", false},
	}
	for _, tt := range tests {
		err := CheckCitations(tt.md)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: CheckCitations() = %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
	if err := CheckCitations(tests[0].md); err == nil || !strings.Contains(err.Error(), "[3]") {
		t.Errorf("error %v does not name [3]", err)
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain sentence.", "plain sentence."},
		// Marks followed by a word are text, kept and escaped; a mark at the
		// end is a citation and goes.
		{"see [12] and [1, 2] and [3-4] and [^5]", `see \[12\] and \[1, 2\] and \[3-4\] and`},
		{"The oldest sample is buf[0] and the newest sample is buf[63].", `The oldest sample is buf\[0\] and the newest sample is buf\[63\].`},
		{"line\nbreaks\r\n\tand  spaces", "line breaks and spaces"},
		{"## heading", `\## heading`},
		{"1. item", `1\. item`},
		{"a [link](x) *bold*", `a \[link\](x) \*bold\*`},
		{"odd ` tick", "odd \\` tick"},
		{"use `sync.Mutex` here", "use `sync.Mutex` here"},
		{"---", ""},
		// The space a removed citation leaves goes; a word that starts
		// with a dot keeps the space before it.
		{"It is fast [1]. It is cheap [2], they say.", "It is fast. It is cheap, they say."},
		{"Edit your .bashrc, then run ./configure or ../x [2].", "Edit your .bashrc, then run ./configure or ../x."},
		{"go test -run '^TestFoo$' ./...", "go test -run '^TestFoo$' ./..."},
	}
	for _, tt := range tests {
		if got := sanitize(tt.in); got != tt.want {
			t.Errorf("sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCitedInOrder(t *testing.T) {
	sources := []rf.Source{
		{N: 1, SourceID: "a", Title: "A"}, {N: 2, SourceID: "b", Title: "B"},
		{N: 3, SourceID: "c", Title: "C"}, {N: 4, SourceID: "d", Title: "D"},
	}
	d := reasoning.Draft{
		Summary: []reasoning.Sentence{{Text: "From C.", Cites: []int{3}}},
		Sections: []reasoning.DraftSection{{Heading: "H", Sentences: []reasoning.Sentence{
			{Text: "From A and C.", Cites: []int{1, 3}}, {Text: "Bad.", Cites: []int{9}},
		}}},
	}
	nd, got := CitedInOrder(d, sources)
	if len(got) != 2 || got[0].SourceID != "c" || got[0].N != 1 || got[1].SourceID != "a" || got[1].N != 2 {
		t.Fatalf("sources = %+v", got)
	}
	if !reflect.DeepEqual(nd.Summary[0].Cites, []int{1}) || !reflect.DeepEqual(nd.Sections[0].Sentences[0].Cites, []int{2, 1}) {
		t.Errorf("cites = %v, %v", nd.Summary[0].Cites, nd.Sections[0].Sentences[0].Cites)
	}
	if d.Summary[0].Cites[0] != 3 {
		t.Error("the input draft was modified")
	}
	md, st := Render(Report{Question: "q", Draft: nd, Sources: got})
	if strings.Contains(md, "[3]") || strings.Contains(md, "— B") || st.Sources != 2 || st.InvalidCitations != 1 {
		t.Errorf("stats %+v, report:\n%s", st, md)
	}
	if err := CheckCitations(md); err != nil {
		t.Error(err)
	}
	if i, j := strings.Index(md, "[1] C"), strings.Index(md, "[2] A"); i < 0 || j < i {
		t.Errorf("sources not in order of first citation:\n%s", md)
	}
}

// The lines of code a sentence carries (a command after its prompt, an
// indented line of a code block) are shown as code spans, as written;
// the prose around them is escaped as ever.
func TestRenderShowsCodeAsCode(t *testing.T) {
	tests := []struct{ text, want string }{
		{"The following sets the zone of the *system* clock:\n# dpkg-reconfigure tzdata", "The following sets the zone of the \\*system\\* clock: `# dpkg-reconfigure tzdata` [1]."},
		{"A type wraps errors with one of the methods\n\tUnwrap() error\n\tUnwrap() []error\nIf e.Unwrap() returns w, e wraps w.",
			"A type wraps errors with one of the methods `Unwrap() error`; `Unwrap() []error`. If e.Unwrap() returns w, e wraps w [1]."},
		// Two commands of one block read as two.
		{"Roll out to everyone:\n    kubectl -n prod rollout restart deploy/ingest-api\n    kubectl -n prod rollout status deploy/ingest-api",
			"Roll out to everyone: `kubectl -n prod rollout restart deploy/ingest-api`; `kubectl -n prod rollout status deploy/ingest-api` [1]."},
		// A block ends its sentence: the next one starts after a stop
		// outside the code span; prose that goes on after the code
		// continues the sentence.
		{"To deploy the service, run:\n    kestrelctl deploy --env prod --canary 10\nThe on-call engineer approves every production deploy.",
			"To deploy the service, run: `kestrelctl deploy --env prod --canary 10`. The on-call engineer approves every production deploy [1]."},
		{"List them with\n$ git worktree list\nEach line names a worktree.", "List them with `$ git worktree list`. Each line names a worktree [1]."},
		{"Run\n\tgo vet ./...\nto check every package.", "Run `go vet ./...` to check every package [1]."},
		{"Print it with:\n$ echo `date` *", "Print it with: `` $ echo `date` * `` [1]."},
		{"A plain sentence\nwrapped over two lines.", "A plain sentence wrapped over two lines [1]."},
		{"# Not code on the first line", "\\# Not code on the first line [1]."},
		// Prose is prose, however a line starts; code stays as written.
		{"This paragraph continues\n    on an indented line of prose [3].", "This paragraph continues on an indented line of prose [1]."},
		{"Costs\n$ 5 per month.", "Costs $ 5 per month [1]."},
		{"The -p flag sets the number of programs\n    that can be run in parallel (see 'go help build').", "The -p flag sets the number of programs that can be run in parallel (see 'go help build') [1]."},
		{"Run the tests\n    with the race detector (\"go test -race\").", "Run the tests with the race detector (\"go test -race\") [1]."},
		{"Print it:\n\tprintf '%s  %s'\t\"a\"", "Print it: `printf '%s  %s'\t\"a\"` [1]."},
		{"Prose with `a*b` and `[1]` here.", "Prose with `a*b` and `[1]` here [1]."},
		{"See https://go.dev/ref/mod#go-mod-tidy.", "See `https://go.dev/ref/mod#go-mod-tidy` [1]."},
		{"The __init__ method and snake_case names.", "The \\_\\_init\\_\\_ method and snake_case names [1]."},
		// The term a definition defines, on the line before it.
		{"expand_aliases\nIf set, aliases are expanded in scripts too.", "`expand_aliases`: If set, aliases are expanded in scripts too [1]."},
		{"-n, --dry-run\nShow what would be removed:\n$ tool clean -n", "`-n, --dry-run`: Show what would be removed: `$ tool clean -n` [1]."},
		// A mark after a space is a word of the text, not the sentence's end.
		{"At the end of options, name is set to ?", "At the end of options, name is set to ? [1]."},
		{"In a subshell, it expands to the ID of the shell, not the subshell. !", "In a subshell, it expands to the ID of the shell, not the subshell [1]."},
		{"Is it safe?", "Is it safe [1]?"},
		{"The status is kept in the special parameter $?", "The status is kept in the special parameter $? [1]."},
		// Dots after a slash or a space are a path or a word, not the end.
		{"To vet every package of the module, run go vet ./...", "To vet every package of the module, run go vet ./... [1]."},
		{"Go up a folder with cd ..", "Go up a folder with cd .. [1]."},
		{"Backups are kept under /var/backups/.", "Backups are kept under /var/backups/ [1]."},
	}
	for _, tt := range tests {
		var st RenderStats
		got := renderSentence(reasoning.Sentence{Text: tt.text, Cites: []int{1}}, map[int]bool{1: true}, false, &st)
		if got != tt.want {
			t.Errorf("renderSentence(%q) =\n %q, want\n %q", tt.text, got, tt.want)
		}
	}
}

// A sentence keeps its own final mark, in its own script, after its
// citations: no ASCII full stop is added after a Chinese one.
func TestRenderKeepsTheSentenceEndOfItsScript(t *testing.T) {
	tests := []struct{ text, want string }{
		{"备份每天凌晨两点半运行，数据保留三十五天。", "备份每天凌晨两点半运行，数据保留三十五天 [1]。"},
		{"データの保存期間は三十五日です。", "データの保存期間は三十五日です [1]。"},
		{"备份保留多少天？", "备份保留多少天 [1]？"},
		{"كم يوما تحفظ النسخ؟", "كم يوما تحفظ النسخ [1]؟"},
		{"Backups are kept for 35 days.", "Backups are kept for 35 days [1]."},
		{"Is it kept?", "Is it kept [1]?"},
		{"No final mark", "No final mark [1]."},
	}
	for _, tt := range tests {
		var st RenderStats
		got := renderSentence(reasoning.Sentence{Text: tt.text, Cites: []int{1}}, map[int]bool{1: true}, false, &st)
		if got != tt.want {
			t.Errorf("renderSentence(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestRenderKeepsQuotedBrackets is issue 19 item 12: citation clean-up
// removed every bracketed number, so "buf[0]" lost its index and "bits [0]
// to [3]" its numbers. Only marks in citation position go; the rest of the
// sentence is the source's, kept as written (escaped, so it cites nothing).
func TestRenderKeepsQuotedBrackets(t *testing.T) {
	r := sampleReport()
	r.Draft.Sections = []reasoning.DraftSection{{
		Heading: "Samples",
		Sentences: []reasoning.Sentence{
			{Text: "The oldest sample is buf[0] and the newest sample is buf[63].", Cites: []int{1}},
			{Text: "bits [0] to [3] hold the channel number", Cites: []int{2}},
			{Text: "The header is h[2][3] wide [7].", Cites: []int{1}},
		},
	}}
	md, _ := Render(r)
	for _, want := range []string{
		`The oldest sample is buf\[0\] and the newest sample is buf\[63\] [1].`,
		`bits \[0\] to \[3\] hold the channel number [2].`,
		`The header is h\[2\]\[3\] wide [1].`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if got, want := Citations(md), []int{1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("Citations = %v, want %v\n%s", got, want, md)
	}
}

// A report titled by its question (every engine's is) shows the question
// once, as its title; one titled otherwise keeps the question line.
func TestRenderTitleIsTheQuestion(t *testing.T) {
	r := sampleReport()
	r.Draft.Title = r.Question
	md, _ := Render(r)
	if !strings.HasPrefix(md, "# What does the Go memory model guarantee about channels?\n\n") || strings.Count(md, r.Question) != 1 {
		t.Errorf("report titled by its question:\n%.300s", md)
	}
	r.Draft.Title = "Channels and the memory model"
	md, _ = Render(r)
	if !strings.Contains(md, "**Question:** "+r.Question) {
		t.Errorf("report with another title lost its question line:\n%.300s", md)
	}
}

// rawTag is a "<" that opens a tag, not backslash-escaped.
var rawTag = regexp.MustCompile(`(^|[^\\])<[A-Za-z/!?]`)

// Text that looks like a tag is escaped as "\<" (which reads as written in
// a terminal: "if &lt;group&gt; is given" did not, a new user's
// complaint); "a < b" and "a -> b" need no escape; a ">" that opens the
// text would quote it. Every form renders the text as written.
func TestEscapeTextReadsAsWritten(t *testing.T) {
	tests := []struct{ in, want string }{
		{"if <group> is given", `if \<group> is given`},
		{"close with </script>", `close with \</script>`},
		{"see <https://example.org>", "see <`https://example.org`>"},
		{"a < b and a -> b", "a < b and a -> b"},
		{"> quoted", `\> quoted`},
		// Two tildes would strike through what is between them; one
		// alone stays.
		{"reset HEAD~3 and HEAD~2 later", `reset HEAD\~3 and HEAD\~2 later`},
		{"see ~/.bashrc", "see ~/.bashrc"},
		// A ">" after a code span does not start the line.
		{"Author: A U Thor <author@example.com>", "Author: A U Thor <`author@example.com`>"},
	}
	for _, tt := range tests {
		got := escape(tt.in)
		if got != tt.want {
			t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		html, err := HTML("t", got)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.NewReplacer("<code>", "", "</code>", "").Replace(string(html))
		if !strings.Contains(text, strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(tt.in)) {
			t.Errorf("%q renders as\n%s\nwant the text as written", got, html)
		}
	}
}

// A count of one is singular wherever a report, a note or a progress line
// shows it ("1 sources" in a trial).
func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n         int
		one, many string
		want      string
	}{
		{0, "source", "", "0 sources"},
		{1, "source", "", "1 source"},
		{2, "source", "", "2 sources"},
		{1, "retry", "retries", "1 retry"},
		{3, "retry", "retries", "3 retries"},
	} {
		if got := Count(tc.n, tc.one, tc.many); got != tc.want {
			t.Errorf("Count(%d, %q, %q) = %q, want %q", tc.n, tc.one, tc.many, got, tc.want)
		}
	}
}

// A report that found nothing (every sub-question a gap, no finding) is
// titled with its question like any other, in Markdown, HTML and PDF: a
// trial's was titled "Research report" with a separate "Question:" line.
func TestReportOfNoFindingsIsTitledWithItsQuestion(t *testing.T) {
	const q = "Which caterer serves the offsite?"
	gaps := []rf.Gap{{SubQuestion: q, Reason: "no passage answers it"}}
	md, _ := Render(Report{Question: q, Gaps: gaps, Confidence: Confidence(nil, gaps)})
	if !strings.HasPrefix(md, "# "+q+"\n") || strings.Contains(md, "Research report") || strings.Contains(md, "**Question:**") {
		t.Errorf("Markdown, want it titled with the question, said once:\n%s", md)
	}
	page, err := HTML(q, md)
	if err != nil {
		t.Fatal(err)
	}
	if h := regexp.MustCompile(`<h1[^>]*>([^<]*)</h1>`).FindStringSubmatch(string(page)); h == nil || h[1] != q || strings.Contains(string(page), "Research report") {
		t.Errorf("HTML heading %q, want %q", h, q)
	}
	pdf, err := PDF(q, md)
	if err != nil {
		t.Fatal(err)
	}
	txt := pdfText(t, pdf)
	if text := strings.Join(strings.Fields(string(txt)), " "); !strings.HasPrefix(text, q) || strings.Contains(text, "Research report") || strings.Contains(text, "Question:") {
		t.Errorf("PDF text, want it to open with the question, said once: %.300s", text)
	}
}

// Summary sentences in a script written without spaces follow one another
// as written, with no space after a full stop.
func TestRenderJoinsCJKSentencesAsWritten(t *testing.T) {
	r := sampleReport()
	r.Draft.Summary = []reasoning.Sentence{{Text: "会议在三楼的 Kelp 会议室开。", Cites: []int{1}}, {Text: "预算是 5,000 EUR。", Cites: []int{2}}}
	md, _ := Render(r)
	if want := "会议在三楼的 Kelp 会议室开 [1]。预算是 5,000 EUR [2]。"; !strings.Contains(md, want) {
		t.Errorf("summary not %q:\n%s", want, md)
	}
}

// A statement keeps its claim ID when the report starts showing a stop
// after the command that ends its first sentence.
func TestClaimIDIgnoresTheStopAfterCode(t *testing.T) {
	before := "To deploy the service, run: `kestrelctl deploy --env prod` The on-call engineer approves it."
	now := ClaimText("To deploy the service, run:\n    kestrelctl deploy --env prod\nThe on-call engineer approves it.")
	if !strings.Contains(now, "`kestrelctl deploy --env prod`. The") {
		t.Fatalf("ClaimText = %q, want a stop after the code span", now)
	}
	if ClaimID(before) != ClaimID(now) {
		t.Errorf("ClaimID changed: %s → %s", ClaimID(before), ClaimID(now))
	}
	if ClaimID("Run: `a` `b`") != ClaimID(ClaimText("Run:\n    a\n    b")) {
		t.Errorf("ClaimID changed with the semicolon between two commands: %q", ClaimText("Run:\n    a\n    b"))
	}
	if ClaimID("Run `a`. Then b.") == ClaimID("Run `a`. Then c.") {
		t.Error("different statements share an ID")
	}
}
