package corpus

import (
	"context"
	"strings"
	"testing"
)

// The command a user reported coming out of ingestion as "'^TestFoo$'./...".
const testCommand = `go test -run '^TestFoo$' ./...`

// Code blocks come out as an HTML <pre> block does: a paragraph of their
// own, each line as written; text around them, list items and their
// continuations stay text with their inline markup removed.
func TestParseMarkdownCodeBlocks(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		sections        string
	}{
		{
			name: "backtick fence",
			src:  "To run one test:\n\n```sh\n" + testCommand + "\nx := *p  // a_b `c`\n```\n\nThe *pattern* is a regexp.\n",
			want: "To run one test:\n\n" + testCommand + "\nx := *p  // a_b `c`\n\nThe pattern is a regexp.",
		},
		{
			name: "tilde fence holding a backtick fence",
			src:  "Write:\n~~~~markdown\n```\n# not a heading\n```\n~~~~\nafter\n",
			want: "Write:\n\n```\n# not a heading\n```\n\nafter",
		},
		{
			name: "fence in a list item",
			src:  "1. Run:\n\n   ```\n   " + testCommand + "\n   ```\n2. Look.\n",
			want: "1. Run:\n\n   " + testCommand + "\n\n2. Look.",
		},
		{
			name:     "indented with spaces",
			src:      "# Tests\n\nTo run one test:\n\n    " + testCommand + "\n    # only *this* one\n\n    x := a_b * c_d\nDone.\n",
			want:     "Tests\n\nTo run one test:\n\n    " + testCommand + "\n    # only *this* one\n\n    x := a_b * c_d\n\nDone.",
			sections: "Tests",
		},
		{
			name: "indented with a tab",
			src:  "Run:\n\n\t" + testCommand + "\n\tgo  vet\n\nThen *look*.\n",
			want: "Run:\n\n\t" + testCommand + "\n\tgo  vet\n\nThen look.",
		},
		{
			name:     "indented right after a heading",
			src:      "## Usage\n    make  all\n",
			want:     "Usage\n\n    make  all",
			sections: "Usage",
		},
		{
			name: "paragraph continuation",
			src:  "Some *text*\n    continued `here`\n",
			want: "Some text\ncontinued here",
		},
		{
			name: "list item continuation",
			src:  "- an item\n    continued *here*\n- another\n",
			want: "- an item\ncontinued here\n- another",
		},
		{
			name: "list item paragraph after a blank line",
			src:  "1. Step one.\n\n    Then *this* ` a `.\n\n2. Step two.\n",
			want: "1. Step one.\n\nThen this a.\n\n2. Step two.",
		},
		{
			name: "code in a list item",
			src:  "- Run:\n\n        " + testCommand + "\n\n  Then *look*.\n",
			want: "- Run:\n\n        " + testCommand + "\n\nThen look.",
		},
		{
			name: "code after a list",
			src:  "- an item\n\nText at the margin.\n\n    make  all\n",
			want: "- an item\n\nText at the margin.\n\n    make  all",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := parseMarkdown(tc.src)
			if d.Text != tc.want {
				t.Errorf("Text =\n%q\nwant\n%q", d.Text, tc.want)
			}
			if got := strings.Join(sectionNames(d), "|"); got != tc.sections {
				t.Errorf("sections = %q, want %q", got, tc.sections)
			}
			checkSections(t, d)
		})
	}
}

// A code line reaches the chunks whole, its spacing kept, wherever the
// splitter cuts the text around it.
func TestSplitKeepsMarkdownCodeLines(t *testing.T) {
	prose := strings.Repeat("The test runner reads the pattern as a regular expression. ", 12)
	for _, src := range []string{
		"# Tests\n\n" + prose + "\n\nTo run one test:\n\n```\n" + testCommand + "\n```\n\n" + prose + "\n",
		"# Tests\n\n" + prose + "\n\nTo run one test:\n\n    " + testCommand + "\n\n" + prose + "\n",
	} {
		d, err := LoadFile(context.Background(), "c", writeFile(t, t.TempDir(), "tests.md", src))
		if err != nil {
			t.Fatal(err)
		}
		for _, opt := range []SplitOptions{{}, {Size: 300, Overlap: 60}, {Size: 120, Overlap: -1}} {
			found := false
			for _, c := range Split(d, "c", opt) {
				if !strings.Contains(c.Text, "go test") {
					continue
				}
				found = true
				if !strings.Contains(c.Text, testCommand) {
					t.Errorf("size %d: chunk %q cuts the command %q", opt.Size, c.Text, testCommand)
				}
				if c.Section != "Tests" {
					t.Errorf("size %d: chunk with the command is in section %q", opt.Size, c.Section)
				}
			}
			if !found {
				t.Errorf("size %d: no chunk holds the command; text %q", opt.Size, d.Text)
			}
		}
	}
}
