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
	printSkipped(&b, in)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.Contains(b.String(), "skipped 3 files read in another format instead, such as ") || !strings.Contains(b.String(), "old.doc") {
		t.Errorf("printSkipped =\n%s\nwant one line for the 3 twins and one for old.doc", b.String())
	}
}
