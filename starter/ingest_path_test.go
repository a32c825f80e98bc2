package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	rf "github.com/researchflow/researchflow"
)

// starter ingest takes the folder relative to where it runs, and starts
// the workflow with its absolute path: the search workers refuse a
// relative one ("path must be absolute"), which they would otherwise read
// from their own working directory.
func TestIngestSendsARelativeFolderAbsolute(t *testing.T) {
	cwd := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cwd, "team", "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(cwd)
	for _, arg := range []string{"team/notes", "./team/notes", "team/../team/notes/"} {
		dir, err := ingestFolder(arg)
		if err != nil {
			t.Fatalf("ingestFolder(%q): %v", arg, err)
		}
		in := ingestInput(rf.LocalOwner, "", dir, false)
		if want := filepath.Join(cwd, "team", "notes"); in.Path != want || !filepath.IsAbs(in.Path) {
			t.Errorf("starter ingest %s starts the workflow with path %q, want %q", arg, in.Path, want)
		}
		if in.Corpus != "notes" {
			t.Errorf("starter ingest %s fills corpus %q, want notes (the folder's name)", arg, in.Corpus)
		}
	}
	if _, err := ingestFolder("missing"); !errors.Is(err, errUsage) {
		t.Errorf("ingestFolder(missing) = %v, want a usage error", err)
	}
}
