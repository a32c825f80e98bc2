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
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
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
	Runs RunQuerier
	// Chunks is the memory holding the run's passages; with it the
	// evidence says which of them are gone (RunEvidence.Gone).
	Chunks PassageChecker
	Logger *slog.Logger
}

// PassageChecker reads memory for the passages of a run (a memory.Store is
// one).
type PassageChecker interface {
	Get(ctx context.Context, ids []string) ([]memory.Chunk, error)
	Count(ctx context.Context, f memory.Filter) (int, error)
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
	ev, err := evidenceOf(in, rec)
	if err != nil || a.Chunks == nil {
		return ev, err
	}
	if err := goneFrom(ctx, a.Chunks, &ev); err != nil {
		// Only the follow-up's account of a gap needs it: the answer is
		// made from what memory holds either way.
		a.logger().WarnContext(ctx, "follow-up: cannot tell which of the run's passages are gone", "research", in.ResearchID, "error", err)
	}
	return ev, nil
}

func (a *FollowUp) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.Default()
	}
	return a.Logger
}

// goneFrom sets ev.Gone and ev.GoneUncited: which of the run's passages
// memory no longer holds. Ingesting a changed document deletes all its
// chunks and writes the new ones (a chunk ID is a hash of corpus, location
// and text, so an unchanged passage keeps its ID); deleting a document or
// a corpus, or a folder run that no longer finds the file, deletes them.
// A source of which memory holds no chunk was deleted; one with other
// chunks changed.
func goneFrom(ctx context.Context, chunks PassageChecker, ev *workflows.RunEvidence) error {
	ids := slices.Clone(ev.ChunkIDs)
	for _, s := range ev.Numbered {
		for _, id := range s.ChunkIDs {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	held, err := chunks.Get(ctx, ids)
	if err != nil {
		return fmt.Errorf("read %d passages: %w", len(ids), err)
	}
	there := make(map[string]bool, len(held)) // lookup only
	for _, c := range held {
		there[c.ID] = true
	}
	var cited []string
	for _, s := range ev.Numbered {
		g := workflows.GoneSource{N: s.N, SourceID: s.SourceID, Title: s.Title, Cited: len(s.ChunkIDs)}
		for _, id := range s.ChunkIDs {
			cited = append(cited, id)
			if !there[id] {
				g.Passages++
			}
		}
		if g.Passages == 0 {
			continue
		}
		n, err := chunks.Count(ctx, memory.Filter{SourceID: s.SourceID})
		if err != nil {
			return fmt.Errorf("count the passages of source %d: %w", s.N, err)
		}
		g.Deleted = n == 0
		ev.Gone = append(ev.Gone, g)
	}
	for _, id := range ev.ChunkIDs {
		if !there[id] && !slices.Contains(cited, id) {
			ev.GoneUncited++
		}
	}
	return nil
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
		// What the report was written from, as the run gave it to
		// Synthesize: its answered sub-questions and its gaps.
		for _, sq := range rec.State.SubQuestions {
			if sq.Analysis == nil {
				continue
			}
			sec := reasoning.SectionInput{SubQuestion: sq.SubQuestion}
			for _, f := range sq.Analysis.Analysis.Findings {
				sec.Findings = append(sec.Findings, reasoning.CitedFinding{Finding: f})
			}
			ev.Sections = append(ev.Sections, sec)
		}
		ev.Gaps, ev.Claims = rec.State.Gaps(), rec.State.Claims
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
// holds, the gaps its statements do not answer (returned too) and the
// numbered sources (numbers unchanged), under its confidence.
func (a *Inference) RenderFollowUp(_ context.Context, in workflows.RenderFollowUpInput) (workflows.RenderFollowUpResult, error) {
	// A gap the answer's own statements answer is no gap, as in a report.
	return workflows.RenderFollowUpResult{Markdown: report.FollowUp(in.Title, in.Question, in.Confidence, in.Sentences, in.Sources, in.Gaps, in.Changed),
		Gaps: report.FollowUpGaps(in.Sentences, in.Sources, in.Gaps), GapsSet: true}, nil
}
