package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	corpusfiles "github.com/researchflow/researchflow/internal/corpus"
)

// The files read in another format instead are one line; every other
// skipped file keeps its own.
func TestPrintSkippedGroupsFormatTwins(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.html", "a.txt", "b.html", "b.pdf", "c.md", "c.txt", "old.doc"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, skipped, err := corpusfiles.Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var in []rf.SkippedFile
	for _, s := range skipped {
		in = append(in, rf.SkippedFile{Path: s.Path, Reason: s.Reason})
	}
	var b strings.Builder
	printSkipped(&b, in, len(in))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.Contains(b.String(), "skipped 3 files read in another format instead, such as ") || !strings.Contains(b.String(), "old.doc") {
		t.Errorf("printSkipped =\n%s\nwant one line for the 3 twins and one for old.doc", b.String())
	}
}

// A result lists the first skipped files; the ones beyond are counted, not
// dropped from the count.
func TestPrintSkippedCountsTheUnlisted(t *testing.T) {
	in := []rf.SkippedFile{{Path: "/d/a.txt", Reason: "no text to read"}}
	var b strings.Builder
	printSkipped(&b, in, 64)
	if !strings.Contains(b.String(), "and 63 more skipped files, not listed") {
		t.Errorf("printSkipped =\n%s\nwant the 63 files not listed counted", b.String())
	}
	b.Reset()
	printSkipped(&b, in, 1)
	if strings.Contains(b.String(), "more") {
		t.Errorf("printSkipped =\n%s\nwant no line for unlisted files when all are listed", b.String())
	}
}

// The line after an ingestion adds up: the files found are those ingested,
// unchanged and skipped (a new user's folder of 6 files, 3 of them
// skipped, read "5 files (0 unchanged), … 3 skipped").
func TestIngestCountsAddUp(t *testing.T) {
	for _, tc := range []struct {
		files, unchanged, skipped int
		want                      string
	}{
		{6, 0, 3, "6 files found: 3 ingested, 0 unchanged, 3 skipped"},
		{31, 30, 1, "31 files found: 0 ingested, 30 unchanged, 1 skipped"},
		{1, 0, 0, "1 file found: 1 ingested, 0 unchanged, 0 skipped"},
		{0, 0, 0, "0 files found: 0 ingested, 0 unchanged, 0 skipped"},
		// A result recorded before skipped files counted as found.
		{2, 1, 3, "4 files found: 0 ingested, 1 unchanged, 3 skipped"},
	} {
		if got := fileCounts(tc.files, tc.unchanged, tc.skipped); got != tc.want {
			t.Errorf("fileCounts(%d, %d, %d) = %q, want %q", tc.files, tc.unchanged, tc.skipped, got, tc.want)
		}
	}
}
