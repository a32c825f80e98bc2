package corpus

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// An ingestion cancelled while pdftotext reads a file (the activity's
// context: a worker stopping, a heartbeat that failed, the run cancelled)
// ends with the cancellation: the file it was reading is not recorded as
// skipped ("pdftotext: signal: killed"), and the cursor does not pass it,
// so a resumed attempt reads it again. (Before the tool stopped with its
// context it ran to completion and no such skip could arise.)
func TestIngestCancelledDuringPDFToolSkipsNothing(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh")
	}
	bin := t.TempDir()
	mark := filepath.Join(t.TempDir(), "started")
	script := "#!/bin/sh\ntouch \"$FAKE_PDFTOTEXT_MARK\"\nexec sleep 600\n"
	if err := os.WriteFile(filepath.Join(bin, pdfTool), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_PDFTOTEXT_MARK", mark)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	dir := t.TempDir()
	writeFile(t, dir, "a.md", "# Alpha\n\n"+paragraphs(2, 6))
	// The built-in reader rejects it, so pdftotext is run.
	writeFile(t, dir, "b.pdf", "%PDF-1.4\nthis is not really a pdf\n%%EOF\n")

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
	var last IngestProgress
	stats, err := newIngester(newFakeStore()).Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir}, func(p IngestProgress) { last = p })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Ingest error = %v, want the cancellation", err)
	}
	if stats.SkippedTotal != 0 || len(stats.Skipped) != 0 || last.Skip != nil {
		t.Errorf("skipped %+v (progress %+v): the file being read when the ingestion was cancelled was recorded as skipped", stats.Skipped, last.Skip)
	}
	if last.Cursor != filepath.Join(dir, "a.md") {
		t.Errorf("cursor %q, want it before the file being read (%s)", last.Cursor, filepath.Join(dir, "a.md"))
	}
}
