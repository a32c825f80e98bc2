package activities

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
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
