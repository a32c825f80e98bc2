package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/workflows"
)

// RunQuerier asks a workflow a query (go.temporal.io/sdk/client.Client
// satisfies it).
type RunQuerier interface {
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
}

// FollowUp serves the follow-up workflow's reads of the run it asks about.
// It runs on the search pool, next to the memory that holds the run's
// passages.
type FollowUp struct {
	Runs   RunQuerier
	Logger *slog.Logger
}

// RunEvidence reads a finished run's record (its StateQuery) and returns
// what a follow-up answers from: the run's corpus and sources, its numbered
// sources and the passages it retrieved, cited ones first. A run that does
// not exist, is not this owner's, or has not completed is a non-retryable
// workflows.ErrRunNotFinished: asking again cannot change it (a running run is
// asked about once it has finished).
func (a *FollowUp) RunEvidence(ctx context.Context, in workflows.RunEvidenceInput) (workflows.RunEvidence, error) {
	v, err := a.Runs.QueryWorkflow(ctx, in.ResearchID, "", workflows.StateQuery)
	if err != nil {
		var notFound *serviceerror.NotFound
		var queryFailed *serviceerror.QueryFailed
		switch {
		case errors.As(err, &notFound):
			return workflows.RunEvidence{}, invalid(workflows.ErrRunNotFinished, fmt.Sprintf("no research run %s", in.ResearchID))
		case errors.As(err, &queryFailed):
			return workflows.RunEvidence{}, invalid(workflows.ErrRunNotFinished, fmt.Sprintf("run %s cannot tell its state: %s", in.ResearchID, queryFailed.Message))
		}
		return workflows.RunEvidence{}, fmt.Errorf("read the state of %s: %w", in.ResearchID, err)
	}
	var rec workflows.RunRecord
	if err := v.Get(&rec); err != nil {
		return workflows.RunEvidence{}, invalid(workflows.ErrRunNotFinished, fmt.Sprintf("decode the state of %s: %v", in.ResearchID, err))
	}
	return evidenceOf(in, rec)
}

// evidenceOf checks that rec may be asked about by in.Owner and collects
// its evidence.
func evidenceOf(in workflows.RunEvidenceInput, rec workflows.RunRecord) (workflows.RunEvidence, error) {
	owner := rec.Input.Owner
	if owner == "" {
		owner = rf.LocalOwner
	}
	if in.Owner != "" && in.Owner != owner {
		// The same answer as for a run that does not exist: an owner
		// learns nothing of the runs of others.
		return workflows.RunEvidence{}, invalid(workflows.ErrRunNotFinished, fmt.Sprintf("no research run %s", in.ResearchID))
	}
	if rec.State.Status != rf.StatusCompleted {
		return workflows.RunEvidence{}, invalid(workflows.ErrRunNotFinished,
			fmt.Sprintf("run %s is %s: follow-ups ask about completed runs", in.ResearchID, orNone(rec.State.Status)))
	}
	ev := workflows.RunEvidence{
		ResearchID: in.ResearchID, Question: rec.Input.Question, Owner: rec.Input.Owner,
		Corpus: rec.Input.Corpus, CorpusPath: rec.Input.CorpusPath, Sources: rec.Input.Sources,
		MaxSources: rec.Input.MaxSources, Numbered: rec.State.Sources,
		Email: slices.Clone(rec.Input.NotifyEmail()),
	}
	if ev.MaxSources <= 0 {
		ev.MaxSources = rf.DefaultMaxSources
	}
	add := func(ids []string) {
		for _, id := range ids {
			if len(ev.ChunkIDs) < workflows.MaxEvidencePassages && !slices.Contains(ev.ChunkIDs, id) {
				ev.ChunkIDs = append(ev.ChunkIDs, id)
			}
		}
	}
	for _, s := range rec.State.Sources {
		add(s.ChunkIDs)
	}
	if in.Claim != "" {
		var findings [][]string
		for _, sq := range rec.State.SubQuestions {
			var texts []string
			if sq.Analysis != nil {
				for _, f := range sq.Analysis.Analysis.Findings {
					texts = append(texts, f.Text)
				}
			}
			findings = append(findings, texts)
		}
		if i := report.SubQuestionFor(in.Claim, findings); i >= 0 {
			sq := rec.State.SubQuestions[i].SubQuestion
			ev.ClaimSubQuestion = &sq
		}
	}
	for _, sq := range rec.State.SubQuestions {
		add(sq.Retrieved.ChunkIDs)
	}
	return ev, nil
}

func orNone(s string) string {
	if s == "" {
		return "not started"
	}
	return s
}

// RenderFollowUp renders a follow-up's answer as the report is rendered:
// sanitized statements with their citations, only numbers the source list
// holds, the gaps and the numbered sources (numbers unchanged).
func (a *Inference) RenderFollowUp(_ context.Context, in workflows.RenderFollowUpInput) (workflows.RenderFollowUpResult, error) {
	return workflows.RenderFollowUpResult{Markdown: report.FollowUp(in.Title, in.Question, in.Sentences, in.Sources, in.Gaps)}, nil
}
