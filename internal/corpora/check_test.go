package corpora

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
)

// counts is a Counter over fixed counts; a corpus named "broken" fails.
type counts map[string]int

func (c counts) Count(_ context.Context, f memory.Filter) (int, error) {
	if f.Corpus == "broken" {
		return 0, errors.New("memory unavailable")
	}
	return c[f.Corpus], nil
}

// A run on a corpus with no documents is refused by name, with the fix;
// what can run (documents, the Go docs built on demand, a folder, sources
// without the corpus, uploads being ingested) passes, and a count that
// fails is no refusal.
func TestCheckResearchable(t *testing.T) {
	uploaded := t.TempDir()
	if err := os.WriteFile(filepath.Join(uploaded, "a.md"), []byte("# A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hidden := t.TempDir()
	if err := os.WriteFile(filepath.Join(hidden, ".partial"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := counts{"notes": 3}
	for _, tt := range []struct {
		name      string
		in        rf.ResearchInput
		uploadDir string
		refused   bool
	}{
		{"documents", rf.ResearchInput{Corpus: "notes"}, "", false},
		{"unknown", rf.ResearchInput{Corpus: "nosuch"}, "", true},
		{"unknown, an upload folder with only a hidden file", rf.ResearchInput{Corpus: "nosuch"}, hidden, true},
		{"uploaded, being ingested", rf.ResearchInput{Corpus: "nosuch"}, uploaded, false},
		{"go docs", rf.ResearchInput{Corpus: rf.DefaultCorpus}, "", false},
		{"folder", rf.ResearchInput{Corpus: "nosuch", CorpusPath: "/srv/nosuch"}, "", false},
		{"web only", rf.ResearchInput{Corpus: "nosuch", Sources: []string{rf.SourceWikipedia}}, "", false},
		{"web and corpus", rf.ResearchInput{Corpus: "nosuch", Sources: []string{rf.SourceWikipedia, rf.SourceCorpus}}, "", true},
	} {
		err := CheckResearchable(context.Background(), c, tt.in, "nosuch", tt.uploadDir)
		var nf *NotFoundError
		if got := errors.As(err, &nf); got != tt.refused {
			t.Errorf("%s: %v, want refused %v", tt.name, err, tt.refused)
			continue
		}
		if tt.refused && (nf.Name != "nosuch" || !strings.Contains(err.Error(), "starter ingest FOLDER --corpus nosuch")) {
			t.Errorf("%s: %q does not name the corpus and how to fill it", tt.name, err)
		}
	}
	err := CheckResearchable(context.Background(), c, rf.ResearchInput{Corpus: "broken"}, "broken", "")
	var nf *NotFoundError
	if err == nil || errors.As(err, &nf) {
		t.Errorf("a count that fails: %v, want an error that refuses nothing", err)
	}
}

func TestOwned(t *testing.T) {
	tests := []struct {
		owner, stored, want string
		ok                  bool
	}{
		{rf.LocalOwner, "opsdocs", "opsdocs", true},
		{rf.LocalOwner, "alice--notes", "", false},
		{rf.LocalOwner, "local--notes", "", false}, // moved to notes
		{rf.LocalOwner, rf.DefaultCorpus, "", false},
		{rf.LocalOwner, "run:research-1", "", false},
		{"alice", "alice--notes", "notes", true},
		{"alice", "opsdocs", "", false},
		{"alice", "bob--notes", "", false},
	}
	for _, tt := range tests {
		got, ok := Owned(tt.owner, tt.stored)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Owned(%q, %q) = %q, %v; want %q, %v", tt.owner, tt.stored, got, ok, tt.want, tt.ok)
		}
	}
}
