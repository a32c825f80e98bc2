package activities

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/embedded"
	"github.com/researchflow/researchflow/workflows"
)

// A run on a folder researches the folder as it is: a note deleted or
// renamed since an earlier run is not cited any more (a new user's trial
// cited a renamed note by its old path, and a deleted one at high
// confidence), while what the corpus holds from elsewhere stays.
func TestPrepareCorpusDropsFilesGoneFromTheFolder(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "notes")
	elsewhere := filepath.Join(parent, "archive")
	for path, body := range map[string]string{
		filepath.Join(dir, "starter.md"):      "# Sourdough\n\nFeed the starter twice a day at room temperature.\n",
		filepath.Join(dir, "wifi.txt"):        "Wifi\n\nThe guest wifi password changes every Monday.\n",
		filepath.Join(elsewhere, "boiler.md"): "# Boiler\n\nThe boiler pressure should read between 1 and 1.5 bar.\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	search := &Search{Store: store, Ingester: &corpus.Ingester{Store: store, Logger: slog.New(slog.DiscardHandler)}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(search)
	prepare := func(path string) workflows.PrepareCorpusResult {
		t.Helper()
		val, err := aenv.ExecuteActivity(search.PrepareCorpus, workflows.PrepareCorpusInput{Corpus: "notes", Path: path})
		if err != nil {
			t.Fatal(err)
		}
		var res workflows.PrepareCorpusResult
		if err := val.Get(&res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	prepare(elsewhere) // another folder read into the same corpus
	prepare(dir)

	if err := os.Rename(filepath.Join(dir, "starter.md"), filepath.Join(dir, "bread.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "wifi.txt")); err != nil {
		t.Fatal(err)
	}
	res := prepare(dir)
	if res.Ingest.Removed == 0 {
		t.Errorf("ingest summary %+v: want the chunks of the renamed and deleted notes counted as removed", res.Ingest)
	}
	docs, err := store.Documents(t.Context(), memory.Filter{Corpus: "notes"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		rel, _ := filepath.Rel(parent, d.Location)
		got = append(got, rel)
	}
	want := []string{"archive/boiler.md", "notes/bread.md"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("corpus documents %v, want %v", got, want)
	}
}
