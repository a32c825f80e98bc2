package activities

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
)

// ChunkGetter reads chunks back from memory by ID.
type ChunkGetter interface {
	Get(ctx context.Context, ids []string) ([]memory.Chunk, error)
}

// Inference serves the inference pool: the three reasoning roles.
type Inference struct {
	Engine reasoning.Engine
	Chunks ChunkGetter
	Logger *slog.Logger
	// WithHeartbeat, if set, lets an engine heartbeat while it streams
	// (langchaingo streaming calls); it returns the context to call with.
	WithHeartbeat func(ctx context.Context, beat func()) context.Context
}

func (a *Inference) logger(ctx context.Context) interface {
	Info(string, ...any)
	Warn(string, ...any)
} {
	if activity.IsActivity(ctx) {
		return activity.GetLogger(ctx)
	}
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

func (a *Inference) callCtx(ctx context.Context) context.Context {
	if a.WithHeartbeat == nil || !activity.IsActivity(ctx) {
		return ctx
	}
	return a.WithHeartbeat(ctx, func() { activity.RecordHeartbeat(ctx) })
}

// Plan splits the question into sub-questions.
func (a *Inference) Plan(ctx context.Context, in PlanInput) (reasoning.Plan, error) {
	if strings.TrimSpace(in.Question) == "" {
		return reasoning.Plan{}, invalid(ErrInvalidInput, "plan needs a question")
	}
	defer keepAlive(ctx)()
	plan, err := a.Engine.Planner.Plan(a.callCtx(ctx), reasoning.PlanRequest{Question: in.Question, MaxSubQuestions: in.MaxSubQuestions})
	if err != nil {
		return reasoning.Plan{}, classify(fmt.Errorf("plan %q: %w", in.Question, err))
	}
	if in.MaxSubQuestions > 0 && len(plan.SubQuestions) > in.MaxSubQuestions {
		plan.SubQuestions = plan.SubQuestions[:in.MaxSubQuestions]
	}
	a.logger(ctx).Info("planned", "subQuestions", len(plan.SubQuestions), "engine", plan.Engine)
	return plan, nil
}

// Analyze extracts the findings of one sub-question from its chunks. Findings
// that point at a chunk the analyst was not given are dropped here, whatever
// the engine did.
func (a *Inference) Analyze(ctx context.Context, in AnalyzeInput) (AnalyzeResult, error) {
	if len(in.ChunkIDs) == 0 {
		return AnalyzeResult{}, invalid(ErrInvalidInput, "analyze needs chunk IDs")
	}
	defer keepAlive(ctx)()
	chunks, err := a.Chunks.Get(ctx, in.ChunkIDs)
	if err != nil {
		return AnalyzeResult{}, classify(fmt.Errorf("read %d chunks: %w", len(in.ChunkIDs), err))
	}
	if len(chunks) == 0 {
		return AnalyzeResult{}, invalid(ErrCorpusEmpty, "none of the retrieved chunks is in memory any more")
	}
	passages := make([]reasoning.Passage, len(chunks))
	given := make(map[string]memory.Chunk, len(chunks))
	for i, c := range chunks {
		given[c.ID] = c
		passages[i] = reasoning.Passage{
			ChunkID: c.ID, SourceID: c.SourceID, Title: c.SourceTitle, Location: c.SourceLocation,
			Section: c.Section, Text: c.Text, Score: float64(len(chunks) - i),
		}
	}
	analysis, err := a.Engine.Analyst.Analyze(a.callCtx(ctx), reasoning.AnalyzeRequest{
		Question: in.Question, SubQuestion: in.SubQuestion, Passages: passages, MaxFindings: in.MaxFindings,
	})
	if err != nil {
		return AnalyzeResult{}, classify(fmt.Errorf("analyze %q: %w", in.SubQuestion.Text, err))
	}
	kept := analysis.Findings[:0]
	var sources []reasoning.Source
	index := map[string]int{}
	for _, f := range analysis.Findings {
		c, ok := given[f.ChunkID]
		if !ok {
			a.logger(ctx).Warn("dropped a finding bound to a chunk that was not given", "chunk", f.ChunkID)
			continue
		}
		f.SourceID = c.SourceID
		kept = append(kept, f)
		i, seen := index[c.SourceID]
		if !seen {
			i = len(sources)
			index[c.SourceID] = i
			sources = append(sources, reasoning.Source{SourceID: c.SourceID, Title: c.SourceTitle, Location: c.SourceLocation})
		}
		if !contains(sources[i].ChunkIDs, c.ID) {
			sources[i].ChunkIDs = append(sources[i].ChunkIDs, c.ID)
		}
	}
	analysis.Findings = kept
	a.logger(ctx).Info("analyzed", "subQuestion", in.SubQuestion.ID, "findings", len(kept), "engine", analysis.Engine)
	return AnalyzeResult{Analysis: analysis, Sources: sources}, nil
}

// Synthesize writes the report from the cited findings and renders it. The
// renderer drops any citation that is not in the numbered source list.
func (a *Inference) Synthesize(ctx context.Context, in SynthesizeInput) (SynthesizeResult, error) {
	defer keepAlive(ctx)()
	var draft reasoning.Draft
	if len(in.Sections) > 0 {
		var err error
		draft, err = a.Engine.Writer.Write(a.callCtx(ctx), reasoning.WriteRequest{
			Question: in.Question, Sections: in.Sections, Sources: in.Sources,
		})
		if err != nil {
			return SynthesizeResult{}, classify(fmt.Errorf("write report: %w", err))
		}
	}
	engines := in.Engines
	if draft.Engine != "" && !contains(engines, draft.Engine) {
		engines = append(append([]string(nil), engines...), draft.Engine)
	}
	gaps := make([]report.Gap, len(in.Gaps))
	for i, g := range in.Gaps {
		gaps[i] = report.Gap{SubQuestion: g.SubQuestion, Reason: g.Reason}
	}
	var generatedAt = activity.GetInfo(ctx).StartedTime
	md, stats := report.Render(report.Report{
		Question: in.Question,
		Draft:    draft,
		Sources:  in.Sources,
		Gaps:     gaps,
		Meta: report.Meta{
			ResearchID:  in.ResearchID,
			Engine:      strings.Join(engines, "; "),
			Corpus:      in.Corpus,
			Usage:       in.Usage.Add(draft.Usage),
			GeneratedAt: generatedAt,
		},
	})
	title := draft.Title
	if title == "" {
		title = in.Question
	}
	return SynthesizeResult{Title: title, Markdown: md, Engine: draft.Engine, Usage: draft.Usage, Dropped: stats.Dropped}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
