package activities

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/embedded"
	"github.com/researchflow/researchflow/workflows"
)

func finishedRun(owner string) workflows.RunRecord {
	return workflows.RunRecord{
		ResearchID: "research-1",
		Input:      rf.ResearchInput{Question: "Bees?", Corpus: "notes", CorpusPath: "/notes", Owner: owner, MaxSources: 4},
		State: workflows.ResearchState{
			Status:  rf.StatusCompleted,
			Sources: []rf.Source{{N: 1, SourceID: "s1", ChunkIDs: []string{"c5"}}},
			SubQuestions: []workflows.SubQuestionState{
				{Retrieved: workflows.RetrieveResult{ChunkIDs: []string{"c1", "c5", "c2"}}},
				{Retrieved: workflows.RetrieveResult{ChunkIDs: []string{"c2", "c3"}}},
			},
		},
	}
}

func wantKind(t *testing.T, err error, kind string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != kind || !app.NonRetryable() {
		t.Errorf("error %v, want a non-retryable %s", err, kind)
	}
}

// The evidence is the run's cited passages first, then the other retrieved
// ones, once each, with what the follow-up needs to search again.
func TestRunEvidenceCollectsTheRunsPassages(t *testing.T) {
	ev, err := evidenceOf(workflows.RunEvidenceInput{ResearchID: "research-1", Owner: "alice"}, finishedRun("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"c5", "c1", "c2", "c3"}; !slices.Equal(ev.ChunkIDs, want) {
		t.Errorf("chunks %v, want %v", ev.ChunkIDs, want)
	}
	if ev.Corpus != "notes" || ev.CorpusPath != "/notes" || ev.MaxSources != 4 || len(ev.Numbered) != 1 {
		t.Errorf("evidence %+v", ev)
	}
}

// Owners see only their own runs (a run without owner is LocalOwner's);
// an unfinished run cannot be asked; the passages are bounded.
func TestRunEvidenceRefusals(t *testing.T) {
	_, err := evidenceOf(workflows.RunEvidenceInput{ResearchID: "research-1", Owner: "bob"}, finishedRun("alice"))
	wantKind(t, err, workflows.ErrRunNotFinished)
	_, err = evidenceOf(workflows.RunEvidenceInput{ResearchID: "research-1", Owner: "bob"}, finishedRun(""))
	wantKind(t, err, workflows.ErrRunNotFinished)
	if _, err := evidenceOf(workflows.RunEvidenceInput{ResearchID: "research-1", Owner: rf.LocalOwner}, finishedRun("")); err != nil {
		t.Errorf("local owner of an unowned run: %v", err)
	}
	if _, err := evidenceOf(workflows.RunEvidenceInput{ResearchID: "research-1"}, finishedRun("alice")); err != nil {
		t.Errorf("no owner asked (Temporal CLI): %v", err)
	}
	for _, st := range []string{rf.StatusRunning, rf.StatusFailed, rf.StatusAwaitingApproval, ""} {
		rec := finishedRun("alice")
		rec.State.Status = st
		_, err := evidenceOf(workflows.RunEvidenceInput{ResearchID: "research-1"}, rec)
		wantKind(t, err, workflows.ErrRunNotFinished)
	}
	rec := finishedRun("alice")
	rec.State.SubQuestions = nil
	for i := range 2 * workflows.MaxEvidencePassages {
		rec.State.SubQuestions = append(rec.State.SubQuestions, workflows.SubQuestionState{Retrieved: workflows.RetrieveResult{ChunkIDs: []string{fmt.Sprint("x", i)}}})
	}
	ev, err := evidenceOf(workflows.RunEvidenceInput{ResearchID: "research-1"}, rec)
	if err != nil || len(ev.ChunkIDs) != workflows.MaxEvidencePassages || ev.ChunkIDs[0] != "c5" {
		t.Errorf("%d chunks (first %q), %v: want %d, cited first", len(ev.ChunkIDs), ev.ChunkIDs[0], err, workflows.MaxEvidencePassages)
	}
}

// What happens to a run's passages when its notes change: a note edited
// and ingested again keeps none of its changed passages, a note deleted
// keeps nothing; the evidence says which of the run's sources lost
// passages and why (a new user's follow-up said only "neither the run's
// passages nor a new search answered it" after deleting the note).
func TestRunEvidenceTellsWhichPassagesAreGone(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("backups.md", "# Backups\n\nNightly backups are kept for 30 days in Frankfurt.\n")
	write("restore.md", "# Restore\n\nThe on-call engineer tests a restore every quarter.\n")
	write("bees.md", "# Bees\n\nWorker bees build wax comb.\n")
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ing := &corpus.Ingester{Store: store, Logger: slog.New(slog.DiscardHandler)}
	ingest := func() {
		t.Helper()
		if _, err := ing.Ingest(t.Context(), corpus.IngestRequest{Corpus: "notes", Path: dir, DropMissing: true}, nil); err != nil {
			t.Fatal(err)
		}
	}
	ingest()
	docs, err := store.Documents(t.Context(), memory.Filter{Corpus: "notes"})
	if err != nil || len(docs) != 3 {
		t.Fatalf("documents %+v, %v", docs, err)
	}
	source := map[string]rf.Source{} // by file name
	var all []string
	for i, d := range docs {
		hits, err := store.Search(t.Context(), memory.Query{Text: d.Title, TopK: 10, Filter: memory.Filter{SourceID: d.SourceID}})
		if err != nil || len(hits) == 0 {
			t.Fatalf("passages of %s: %v, %v", d.Location, hits, err)
		}
		s := rf.Source{N: i + 1, SourceID: d.SourceID, Title: d.Title, Location: d.Location}
		for _, h := range hits {
			s.ChunkIDs = append(s.ChunkIDs, h.Chunk.ID)
			all = append(all, h.Chunk.ID)
		}
		source[filepath.Base(d.Location)] = s
	}
	// The run cited backups and restore; it read bees too.
	ev := workflows.RunEvidence{Numbered: []rf.Source{source["backups.md"], source["restore.md"]}, ChunkIDs: all}

	write("backups.md", "# Backups\n\nNightly backups are kept for 35 days in Dublin.\n")
	if err := os.Remove(filepath.Join(dir, "restore.md")); err != nil {
		t.Fatal(err)
	}
	ingest()
	if err := store.Delete(t.Context(), memory.Filter{Corpus: "notes", SourceID: source["bees.md"].SourceID}); err != nil {
		t.Fatal(err) // as DELETE /v1/corpora/notes/documents/{id} does
	}

	if err := goneFrom(t.Context(), store, &ev); err != nil {
		t.Fatal(err)
	}
	b, r := source["backups.md"], source["restore.md"]
	want := []workflows.GoneSource{
		{N: b.N, SourceID: b.SourceID, Title: b.Title, Passages: len(b.ChunkIDs), Cited: len(b.ChunkIDs)},
		{N: r.N, SourceID: r.SourceID, Title: r.Title, Passages: len(r.ChunkIDs), Cited: len(r.ChunkIDs), Deleted: true},
	}
	if !slices.Equal(ev.Gone, want) {
		t.Errorf("gone %+v, want %+v", ev.Gone, want)
	}
	if ev.GoneUncited != len(source["bees.md"].ChunkIDs) {
		t.Errorf("%d uncited passages gone, want bees.md's %d", ev.GoneUncited, len(source["bees.md"].ChunkIDs))
	}
	if got := ev.Gone[0].Why(); got != "its document changed since the run" {
		t.Errorf("backups.md: %q", got)
	}
	if got := ev.Gone[1].Why(); got != "its document was deleted since the run" {
		t.Errorf("restore.md: %q", got)
	}
}
