package fetch

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
)

// fakePDFTool puts a pdftotext on PATH that runs script (after reading
// its input).
func fakePDFTool(t *testing.T, script string) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh")
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "pdftotext"), []byte("#!/bin/sh\ncat >/dev/null\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// brokenPDF serves a PDF the built-in reader rejects, so that pdftotext
// reads it.
func brokenPDF(t *testing.T) *site {
	return newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write([]byte("%PDF-1.4\nthis is not really a pdf\n%EOF\n"))
	}))
}

// The fetch timeout bounds the download (RESEARCHFLOW_FETCH_TIMEOUT:
// "bounds one fetch, robots.txt and redirects included"), not the reading
// of a downloaded PDF, which has pdftotext's own bound: a PDF whose text
// takes pdftotext longer than what is left of the fetch's time is read,
// as before pdftotext stopped with its context.
func TestSlowPDFToolIsNotCutByTheFetchTimeout(t *testing.T) {
	fakePDFTool(t, "sleep 1\nprintf 'Slow but readable.\\f'")
	s := brokenPDF(t)
	f := New(Config{AllowCIDRs: loopback, Timeout: 300 * time.Millisecond})
	p, err := f.Fetch(context.Background(), s.URL+"/slow.pdf")
	if err != nil {
		t.Fatalf("slow PDF: %v", err)
	}
	if !strings.Contains(p.Text, "Slow but readable.") {
		t.Errorf("text %q", p.Text)
	}
}

// A PDF whose reading was cut short by the caller's cancellation is not an
// unreadable document (egress.KindUnsupported is permanent: the page would
// be given up on and reported unreadable): the error is transient.
func TestPDFReadCutByCancellationIsNotUnreadable(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "started")
	fakePDFTool(t, "touch '"+mark+"'\nexec sleep 600")
	s := brokenPDF(t)
	f := New(Config{AllowCIDRs: loopback, Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(mark); err == nil {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	_, err := f.Fetch(ctx, s.URL+"/doc.pdf")
	if err == nil {
		t.Fatal("a cancelled read gave a page")
	}
	if k := kindOf(t, err); k == egress.KindUnsupported {
		t.Errorf("cancelled PDF read: %v is %s (permanent, unreadable), want a transient kind", err, k)
	}
}
