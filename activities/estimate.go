package activities

import (
	"context"
	"fmt"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/workflows"
)

// CallEstimator prices one model call of a step (reasoning.StepAnalyze, …) whose
// prompt carries inputTokens tokens of material; ok is false when no model
// serves the step. *llm.Engine is one.
type CallEstimator interface {
	CallEstimate(step string, inputTokens int) (rf.Usage, bool)
}

// How big the material of each step is expected to be, in tokens (four
// bytes a token, as the model engine counts before a call): a passage is a
// chunk of the corpus splitter's default size; a finding is a sentence or
// two; an analysis states at most maxFindingsPerAnalysis findings.
const (
	passageTokens          = corpus.DefaultChunkSize / 4
	findingTokens          = 50
	maxFindingsPerAnalysis = 8 // workflows.maxFindings
)

// EstimatePlan prices a plan before it runs: per sub-question the searches
// (one per source), passages (TopK per search, at most CorpusChunks for
// the corpus) and the analysis; then
// every reflection round the depth allows (one reflection, and up to
// Breadth follow-ups searched and analyzed), and the report. Tokens and
// cost come from Calls, the models' own estimate and price table; the
// offline engine (Calls nil, or a step no model serves) counts 0 tokens and
// cost 0. It makes no model call.
func (a *Inference) EstimatePlan(ctx context.Context, in workflows.EstimateInput) (rf.Spend, error) {
	if len(in.SubQuestions) == 0 {
		return rf.Spend{}, invalid(workflows.ErrInvalidInput, "estimate needs a plan with sub-questions")
	}
	if in.TopK <= 0 || in.Depth < 0 || in.Breadth < 0 {
		return rf.Spend{}, invalid(workflows.ErrInvalidInput, fmt.Sprintf("estimate: topK %d, depth %d, breadth %d", in.TopK, in.Depth, in.Breadth))
	}
	// One search per source (the corpus when none is named), TopK
	// passages each; a corpus search finds at most what the corpus holds.
	searches := max(len(in.Sources), 1)
	passages := 0
	for i := range searches {
		n := in.TopK
		if (len(in.Sources) == 0 || in.Sources[i] == rf.SourceCorpus) && in.CorpusChunks > 0 {
			n = min(n, in.CorpusChunks)
		}
		passages += n
	}
	q := textTokens(in.Question)
	e := rf.Spend{Rounds: in.Depth, FollowUps: in.Breadth, Engine: "offline extractive engine (no paid model call)"}
	price := func(step string, material int) rf.Usage {
		if a.Calls == nil {
			return rf.Usage{}
		}
		u, ok := a.Calls.CallEstimate(step, material)
		if ok {
			e.Engine = "the configured models, at their prices"
			return u
		}
		return rf.Usage{}
	}
	analyze := func(text string) rf.Usage {
		return price(reasoning.StepAnalyze, q+textTokens(text)+passages*passageTokens)
	}
	add := func(sq rf.Spend) {
		e.SubQuestions = append(e.SubQuestions, sq)
		e.Searches += sq.Searches
		e.Passages += sq.Passages
		e.ModelCalls += sq.ModelCalls
		e.Usage = e.Usage.Add(sq.Usage)
	}
	for _, sq := range in.SubQuestions {
		add(rf.Spend{ID: sq.ID, Text: sq.Text, Searches: searches, Passages: passages, ModelCalls: 1, Usage: analyze(sq.Text)})
	}
	// Each round reflects on every sub-question so far and adds up to
	// Breadth follow-ups (their text is not known yet: a sub-question's
	// length is taken for it).
	subqs := len(in.SubQuestions)
	for round := 1; round <= in.Depth; round++ {
		reflect := price(reasoning.StepReflect, q+subqs*maxFindingsPerAnalysis*findingTokens)
		followUp := analyze(in.SubQuestions[0].Text)
		sq := rf.Spend{ID: fmt.Sprintf("round%d", round),
			Text:     fmt.Sprintf("reflection round %d and up to %s", round, report.Count(in.Breadth, "follow-up sub-question", "")),
			Searches: in.Breadth * searches, Passages: in.Breadth * passages, ModelCalls: 1 + in.Breadth, Usage: reflect}
		for range in.Breadth {
			sq.Usage = sq.Usage.Add(followUp)
		}
		add(sq)
		subqs += in.Breadth
	}
	write := price(reasoning.StepWrite, q+subqs*maxFindingsPerAnalysis*findingTokens)
	e.ModelCalls++
	e.Usage = e.Usage.Add(write)
	e.Steps = []rf.Spend{ // one call of each step
		{Step: reasoning.StepAnalyze, ModelCalls: 1, Usage: analyze(in.SubQuestions[0].Text)},
		{Step: reasoning.StepReflect, ModelCalls: 1, Usage: price(reasoning.StepReflect, q+len(in.SubQuestions)*maxFindingsPerAnalysis*findingTokens)},
		{Step: reasoning.StepWrite, ModelCalls: 1, Usage: write},
	}
	return e, nil
}

func textTokens(s string) int { return (len(s) + 3) / 4 }
