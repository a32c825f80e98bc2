package report

import (
	"net/url"
	"regexp"
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
