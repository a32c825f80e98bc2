package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const pdfSample = "# How do channels synchronize?\n\nA send on a channel happens before the matching receive completes [1]. Escaped text reads as written: \\<group> and \\[9\\] and a &lt;- b [1].\n\n## Gaps\n\n- **Who designed Go?** — Wikipedia could not be reached\n\n## Sources\n\n- [1] The Go Memory Model — [https://go.dev/ref/mem](https://go.dev/ref/mem)\n- [2] Ελληνικά σημειώσεις — café.md\n\n```go\nch <- v\n```\n\n---\n\nEngine: offline · Corpus: go-docs  \nTokens: 10 prompt, 2 completion\n"

func TestPDFExport(t *testing.T) {
	out, err := PDF("How do channels synchronize?", pdfSample)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", out[:min(20, len(out))])
	}
	txt := pdfText(t, out)
	got := strings.Join(strings.Fields(string(txt)), " ")
	wants := []string{"How do channels synchronize?", "happens before the matching receive completes [1]",
		"Wikipedia could not be reached", "https://go.dev/ref/mem", "ch <- v", "Engine: offline · Corpus: go-docs", "Tokens: 10 prompt", "café.md",
		"reads as written: <group> and [9] and a <- b"} // escapes and entities resolved, as goldmark renders them
	if _, err := os.Stat(unicodeFonts[0]); err == nil {
		wants = append(wants, "Ελληνικά σημειώσεις") // Greek needs the Unicode font
	}
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "```") || strings.Contains(got, "---") {
		t.Errorf("Markdown syntax printed literally:\n%s", got)
	}
}

// pdfText is the text of pdf as pdftotext reads it; the test is skipped
// where poppler-utils is not installed.
func pdfText(t *testing.T, pdf []byte) []byte {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed: the PDF's text is not checked")
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	txt, err := exec.Command(tool, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return txt
}
