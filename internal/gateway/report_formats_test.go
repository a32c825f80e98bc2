package gateway

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportFormat(t *testing.T) {
	tests := map[string]string{
		"":                 formatMarkdown,
		"*/*":              formatMarkdown,
		"application/json": formatJSON,
		"text/html":        formatHTML,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": formatHTML, // a browser
		"text/markdown, text/html;q=0.5":                                  formatMarkdown,
		"text/html;q=0.2, application/json":                               formatJSON,
		"text/html;q=0":                                                   formatMarkdown,
	}
	for accept, want := range tests {
		if got := reportFormat(accept); got != want {
			t.Errorf("reportFormat(%q) = %q, want %q", accept, got, want)
		}
	}
}

// A browser asking for the report gets an HTML page of it.
func TestReportAsHTML(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What is a goroutine?")
	res := completedResult(id)
	h.fake.complete(id, res)
	rec := h.do("GET", "/v1/research/"+id+"/report", aliceKey, "", "Accept", "text/html")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("html: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	body := rec.Body.String()
	if !strings.Contains(body, "<!doctype html>") || !strings.Contains(body, "<title>") || !strings.Contains(body, "<h2>") {
		t.Errorf("not an HTML report:\n%s", body)
	}
}

// A PDF download opens: its text (pdftotext, when installed) is the report's.
func TestReportAsPDF(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What is a goroutine?")
	res := completedResult(id)
	h.fake.complete(id, res)
	rec := h.do("GET", "/v1/research/"+id+"/report", aliceKey, "", "Accept", "application/pdf")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), id+".pdf") || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
		t.Fatalf("pdf: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, rec.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	txt, err := exec.Command(tool, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(strings.Fields(string(txt)), " ")
	firstLine := strings.TrimLeft(strings.SplitN(res.Report, "\n", 2)[0], "# ")
	if !strings.Contains(got, firstLine) {
		t.Errorf("the PDF's text lacks %q:\n%s", firstLine, got)
	}
}
