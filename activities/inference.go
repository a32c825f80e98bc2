package activities

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/activity"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
)

// ChunkGetter reads chunks back from memory by ID.
type ChunkGetter interface {
	Get(ctx context.Context, ids []string) ([]memory.Chunk, error)
}

// Inference serves the inference pool: the reasoning roles.
type Inference struct {
	Engine reasoning.Engine
	// Offline writes reports when a run's budget is spent (the extractive
	// engine: it costs no tokens).
	Offline reasoning.Engine
	Chunks  ChunkGetter
	Logger  *slog.Logger
	// WithHeartbeat, if set, lets an engine heartbeat while it streams
	// (langchaingo streaming calls); it returns the context to call with.
	WithHeartbeat func(ctx context.Context, beat func()) context.Context
	// WithBudget, if set, caps the model tokens of one call.
	WithBudget func(ctx context.Context, maxTokens int) context.Context
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

// callCtx is the context of one model call: heartbeating while it streams,
// capped to budget tokens when budget > 0.
func (a *Inference) callCtx(ctx context.Context, budget int) context.Context {
	call := ctx
	if a.WithHeartbeat != nil && activity.IsActivity(ctx) {
		call = a.WithHeartbeat(call, func() { activity.RecordHeartbeat(ctx) })
	}
	if a.WithBudget != nil && budget > 0 {
		call = a.WithBudget(call, budget)
	}
	return call
}

// Plan splits the question into sub-questions.
func (a *Inference) Plan(ctx context.Context, in rf.PlanInput) (reasoning.Plan, error) {
	if strings.TrimSpace(in.Question) == "" {
		return reasoning.Plan{}, invalid(rf.ErrInvalidInput, "plan needs a question")
	}
	defer keepAlive(ctx)()
	plan, err := a.Engine.Planner.Plan(a.callCtx(ctx, in.Budget.MaxTokens), reasoning.PlanRequest{Question: in.Question, MaxSubQuestions: in.MaxSubQuestions})
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
func (a *Inference) Analyze(ctx context.Context, in rf.AnalyzeInput) (rf.AnalyzeResult, error) {
	if len(in.ChunkIDs) == 0 {
		return rf.AnalyzeResult{}, invalid(rf.ErrInvalidInput, "analyze needs chunk IDs")
	}
	defer keepAlive(ctx)()
	chunks, err := a.Chunks.Get(ctx, in.ChunkIDs)
	if err != nil {
		return rf.AnalyzeResult{}, classify(fmt.Errorf("read %d chunks: %w", len(in.ChunkIDs), err))
	}
	if len(chunks) == 0 {
		return rf.AnalyzeResult{}, invalid(rf.ErrCorpusEmpty, "none of the retrieved chunks is in memory any more")
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
	analysis, err := a.Engine.Analyst.Analyze(a.callCtx(ctx, in.Budget.MaxTokens), reasoning.AnalyzeRequest{
		Question: in.Question, SubQuestion: in.SubQuestion, Passages: passages, MaxFindings: in.MaxFindings,
	})
	if err != nil {
		return rf.AnalyzeResult{}, classify(fmt.Errorf("analyze %q: %w", in.SubQuestion.Text, err))
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
	return rf.AnalyzeResult{Analysis: analysis, Sources: sources}, nil
}

// Synthesize writes the report from the cited findings and renders it. The
// renderer drops any citation that is not in the numbered source list.
func (a *Inference) Synthesize(ctx context.Context, in rf.SynthesizeInput) (rf.SynthesizeResult, error) {
	defer keepAlive(ctx)()
	var draft reasoning.Draft
	writer := a.Engine.Writer
	if in.Offline && a.Offline.Writer != nil {
		writer = a.Offline.Writer
	}
	if len(in.Sections) > 0 {
		var err error
		draft, err = writer.Write(a.callCtx(ctx, in.Budget.MaxTokens), reasoning.WriteRequest{
			Question: in.Question, Sections: in.Sections, Sources: in.Sources,
		})
		if err != nil {
			return rf.SynthesizeResult{}, classify(fmt.Errorf("write report: %w", err))
		}
	}
	engines := in.Engines
	if draft.Engine != "" && !contains(engines, draft.Engine) {
		engines = append(append([]string(nil), engines...), draft.Engine)
	}
	md, stats := report.Render(report.Report{
		Question: in.Question,
		Draft:    draft,
		Sources:  in.Sources,
		Gaps:     in.Gaps,
		// A sentence whose citations were all invalid stays visible, marked
		// as unverified, rather than silently dropped or silently trusted.
		MarkUngrounded: true,
		Meta: report.Meta{
			ResearchID:  in.ResearchID,
			Engine:      strings.Join(engines, "; "),
			Corpus:      in.Corpus,
			Usage:       in.Usage.Add(draft.Usage),
			GeneratedAt: activity.GetInfo(ctx).StartedTime,
			Notes:       in.Notes,
		},
	})
	title := draft.Title
	if title == "" {
		title = in.Question
	}
	return rf.SynthesizeResult{Title: title, Markdown: md, Engine: draft.Engine, Usage: draft.Usage, Dropped: stats.Dropped, Ungrounded: stats.Ungrounded}, nil
}

// Reflect names follow-up sub-questions for the gaps a round left.
func (a *Inference) Reflect(ctx context.Context, in rf.ReflectInput) (reasoning.Reflection, error) {
	if a.Engine.Reflector == nil {
		return reasoning.Reflection{}, nil
	}
	defer keepAlive(ctx)()
	refl, err := a.Engine.Reflector.Reflect(a.callCtx(ctx, in.Budget.MaxTokens), in.Request)
	if err != nil {
		return reasoning.Reflection{}, classify(fmt.Errorf("reflect on %q: %w", in.Request.Question, err))
	}
	if max := in.Request.MaxFollowUps; len(refl.FollowUps) > max {
		refl.FollowUps = refl.FollowUps[:max]
	}
	a.logger(ctx).Info("reflected", "followUps", len(refl.FollowUps), "engine", refl.Engine)
	return refl, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
