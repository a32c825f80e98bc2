package report

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/reasoning"
)

// linkedSourceLine is one entry of the Sources section whose location is a
// Markdown link: the link text may hold backslash escapes but no bare
// bracket, and the destination no space, parenthesis or angle bracket (the
// characters that end or break a CommonMark link destination).
var linkedSourceLine = regexp.MustCompile(`^- \[(\d+)\] .+ — \[((?:\\.|[^\[\]\\])+)\]\(([^\s()<>\\]+)\)$`)

// TestFileLinksResolve is issue 9's failing input: a source named
// "Release notes #3.md" got a file:// link that pointed at another file.
// Every link must parse back to the path of its source.
func TestFileLinksResolve(t *testing.T) {
	paths := []string{
		"/docs/Release notes #3.md",
		"/docs/100% done.md",
		"/docs/what?.md",
		"/docs/a b.md",
		"/docs/数据.md",
		"/docs/会议纪要 (2).md",
		"/docs/a (draft) [v2].md",
		"/docs/<tag> & more.md",
		"/docs/back\\slash `tick`.md",
		"/docs/%41%2F.md", // looks escaped, is not
		"/docs/caf\u00e9/ملاحظات 🚀.md",
		"/docs/semi;colon=equals+plus,comma@at:colon!bang'quote*star$dollar.md",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			u, err := url.Parse(FileURL(p))
			if err != nil {
				t.Fatalf("FileURL(%q) = %q: %v", p, FileURL(p), err)
			}
			if u.Scheme != "file" || u.Host != "" || u.Path != p || u.RawQuery != "" || u.Fragment != "" {
				t.Errorf("FileURL(%q) = %q parses to scheme %q host %q path %q query %q fragment %q",
					p, FileURL(p), u.Scheme, u.Host, u.Path, u.RawQuery, u.Fragment)
			}

			md, _ := Render(Report{
				Question: "Where is it?",
				Draft:    reasoning.Draft{Title: "T", Summary: []reasoning.Sentence{{Text: "It is there.", Cites: []int{1}}}},
				Sources:  []rf.Source{{N: 1, SourceID: "s", Title: "Notes", Location: p}},
			})
			var line string
			for l := range strings.SplitSeq(md, "\n") {
				if strings.HasPrefix(l, "- [1] ") {
					line = l
				}
			}
			m := linkedSourceLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("source line is not a valid Markdown link: %q", line)
			}
			if m[3] != FileURL(p) {
				t.Errorf("link destination %q, want %q", m[3], FileURL(p))
			}
			if u, err := url.Parse(m[3]); err != nil || u.Path != p {
				t.Errorf("link %q resolves to %v (err %v), want %q", m[3], u, err, p)
			}
		})
	}
}

// A report written before sources had links lists a file of the Go
// documentation by the path of the worker that read it (a file:// link);
// given its sources with their links, LinkSources lists it as Render does
// now, by its go.dev address. A file without a link keeps its path, a web
// page its entry, the text above the list is untouched, and a report
// written with links comes back as it was.
func TestLinkSourcesCitesAnOldReportsGoDocsByLink(t *testing.T) {
	sources := []rf.Source{
		{N: 1, SourceID: "s1", Title: "The Go Programming Language Specification", Location: "/usr/local/go/doc/go_spec.html"},
		{N: 2, SourceID: "s2", Title: "Package net/http", Location: "/usr/local/go/src/net/http/doc.go"},
		{N: 3, SourceID: "s3", Title: "Team notes", Location: "/home/ana/notes/http_notes.md"},
		{N: 4, SourceID: "s4", Title: "Go blog", Location: "https://go.dev/blog/", URL: "https://go.dev/blog/"},
	}
	draft := reasoning.Draft{Title: "T", Summary: []reasoning.Sentence{
		{Text: "The spec defines it, see /usr/local/go/doc/go_spec.html.", Cites: []int{1}},
		{Text: "Handlers serve requests.", Cites: []int{2, 3, 4}},
	}}
	old, _ := Render(Report{Question: "How do handlers work?", Draft: draft, Sources: sources})
	linked := slices.Clone(sources)
	linked[0].Link, linked[1].Link = "https://go.dev/ref/spec", "https://pkg.go.dev/net/http"
	want, _ := Render(Report{Question: "How do handlers work?", Draft: draft, Sources: linked})
	if old == want {
		t.Fatal("the report renders alike with and without links: the test proves nothing")
	}

	got := LinkSources(old, linked)
	if got != want {
		t.Errorf("LinkSources(old report) =\n%s\nwant, as Render writes it now,\n%s", got, want)
	}
	if strings.Contains(got, "file:///usr/local/go") || !strings.Contains(got, "/home/ana/notes/http_notes.md") {
		t.Errorf("LinkSources kept a Go documentation path or dropped a note's:\n%s", got)
	}
	if again := LinkSources(want, linked); again != want {
		t.Errorf("a report written with links changed:\n%s", again)
	}
	if same := LinkSources(old, sources); same != old {
		t.Errorf("sources without links changed the report:\n%s", same)
	}
	// An entry whose location text was written otherwise (an older
	// escaping) is known by its file:// link.
	other := strings.Replace(old, "[/usr/local/go/doc/go_spec.html](", `[go\_spec.html](`, 1)
	if other == old {
		t.Fatalf("no entry links go_spec.html:\n%s", old)
	}
	if got := LinkSources(other, linked); got != want {
		t.Errorf("LinkSources(entry with other location text) =\n%s\nwant\n%s", got, want)
	}
}
