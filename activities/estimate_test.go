package activities

import (
	"context"
	"errors"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/workflows"
	"go.temporal.io/sdk/temporal"
)

// callPrices prices every step served at a flat cost per prompt token.
type callPrices map[string]bool

func (c callPrices) CallEstimate(step string, inputTokens int) (rf.Usage, bool) {
	if !c[step] {
		return rf.Usage{}, false
	}
	return rf.Usage{PromptTokens: inputTokens, CompletionTokens: 100, CostUSD: float64(inputTokens) / 1e6, Calls: 1}, true
}

func estimateInput() workflows.EstimateInput {
	return workflows.EstimateInput{Question: "How do channels synchronize?", TopK: 6, Depth: 1, Breadth: 2,
		Sources:      []string{rf.SourceCorpus, rf.SourceWikipedia},
		SubQuestions: []reasoning.SubQuestion{{ID: "sq1", Text: "What is a channel?"}, {ID: "sq2", Text: "What is a send?"}, {ID: "sq3", Text: "What is a receive?"}}}
}

func TestEstimatePlanOfflineCountsAndCostsNothing(t *testing.T) {
	a := &Inference{}
	e, err := a.EstimatePlan(context.Background(), estimateInput())
	if err != nil {
		t.Fatal(err)
	}
	// 3 sub-questions and 2 follow-ups, each searched in 2 sources for 6
	// passages; 3 analyses, a reflection, 2 follow-up analyses, the report.
	if e.Searches != 10 || e.Passages != 60 || e.ModelCalls != 7 || e.Usage != (rf.Usage{}) {
		t.Errorf("estimate = %d searches, %d passages, %d calls, %+v", e.Searches, e.Passages, e.ModelCalls, e.Usage)
	}
	if len(e.SubQuestions) != 4 || e.SubQuestions[0].ID != "sq1" || e.SubQuestions[0].Searches != 2 || e.SubQuestions[3].ModelCalls != 3 {
		t.Errorf("per sub-question: %+v", e.SubQuestions)
	}
}

func TestEstimatePlanPricesServedSteps(t *testing.T) {
	a := &Inference{Calls: callPrices{reasoning.StepAnalyze: true, reasoning.StepWrite: true}}
	e, err := a.EstimatePlan(context.Background(), estimateInput())
	if err != nil {
		t.Fatal(err)
	}
	one := e.SubQuestions[0].Usage
	if one.PromptTokens < 12*passageTokens || one.CostUSD <= 0 {
		t.Errorf("an analysis of 12 passages is estimated at %+v", one)
	}
	var sum rf.Usage
	for _, sq := range e.SubQuestions {
		sum = sum.Add(sq.Usage)
	}
	write := e.Usage.Tokens() - sum.Tokens()
	if write <= 0 {
		t.Errorf("the report is not priced: total %+v, sub-questions %+v", e.Usage, sum)
	}
	// The reflection is offline: the round's cost is its two follow-ups.
	if got := e.SubQuestions[3].Usage.Tokens(); got != 2*one.Tokens() {
		t.Errorf("round 1 = %d tokens, want two analyses (%d)", got, 2*one.Tokens())
	}
	var reflect rf.Usage
	for _, s := range e.Steps {
		if s.ModelCalls != 1 {
			t.Errorf("step %s counts %d model calls: a step's price is one call's", s.Step, s.ModelCalls)
		}
		if s.Step == reasoning.StepReflect {
			reflect = s.Usage
		}
	}
	if reflect != (rf.Usage{}) {
		t.Errorf("an offline reflection costs %+v", reflect)
	}
}

func TestEstimatePlanRefusesBadInput(t *testing.T) {
	a := &Inference{}
	bad := estimateInput()
	bad.SubQuestions = nil
	_, err := a.EstimatePlan(context.Background(), bad)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() {
		t.Errorf("err = %v, want non-retryable", err)
	}
}

// A corpus smaller than a search's TopK gives each corpus search at most
// what it holds: a 3-passage corpus is not priced at 18 passages a search
// (providers still count TopK).
func TestEstimatePlanCapsPassagesByTheCorpus(t *testing.T) {
	a := &Inference{}
	in := estimateInput()
	in.TopK, in.CorpusChunks = 18, 3
	e, err := a.EstimatePlan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	// 5 sub-questions (3 and 2 follow-ups), each 3 corpus passages and 18 from Wikipedia.
	if e.Searches != 10 || e.Passages != 5*(3+18) || e.SubQuestions[0].Passages != 21 {
		t.Errorf("estimate = %d searches, %d passages (first %d), want 10 and 105 (21 each)", e.Searches, e.Passages, e.SubQuestions[0].Passages)
	}
	in.Sources = nil // the corpus only
	if e, _ := a.EstimatePlan(context.Background(), in); e.Passages != 5*3 {
		t.Errorf("corpus only: %d passages, want 15", e.Passages)
	}
}
