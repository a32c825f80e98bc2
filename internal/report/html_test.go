package report

import (
	"strings"
	"testing"
)

func TestHTMLExport(t *testing.T) {
	md := "# How do channels synchronize?\n\nA send happens before the receive [1].\n\n<script>alert(1)</script>\n\n## Sources\n\n- [1] The Go Memory Model — [https://go.dev/ref/mem](https://go.dev/ref/mem)\n\n---\n\nEngine: offline · Corpus: go-docs\nTokens: 10 prompt, 2 completion\n"
	out, err := HTML("How do channels <synchronize>?", md)
	if err != nil {
		t.Fatal(err)
	}
	h := string(out)
	for _, want := range []string{
		"<title>How do channels &lt;synchronize&gt;?</title>",
		"<h1>How do channels synchronize?</h1>",
		`<a href="https://go.dev/ref/mem">https://go.dev/ref/mem</a>`,
		"<hr>", // a thematic break, not a literal ---
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "<script>") || strings.Contains(h, "\n---\n") {
		t.Errorf("raw HTML or a literal rule in the export:\n%s", h)
	}
}
