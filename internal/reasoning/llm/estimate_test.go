package llm

import (
	"math"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

func TestCallEstimatePricesServedSteps(t *testing.T) {
	rc := RoleConfig{Provider: ProviderOllama, Model: "qwen3", BaseURL: "http://127.0.0.1:1", MaxTokens: 800}
	var calls int
	prices := PriceTable{"qwen3": {Input: 1, Output: 4}}
	e, err := New(Config{Analyst: rc}, Options{Fallback: offlinePlanner(&calls), Prices: prices})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, step := range []string{reasoning.StepPlan, reasoning.StepReflect, reasoning.StepWrite} {
		if u, ok := e.CallEstimate(step, 1000); ok || u != (rf.Usage{}) {
			t.Errorf("%s is served offline, yet estimated at %+v", step, u)
		}
	}
	u, ok := e.CallEstimate(reasoning.StepAnalyze, 1000)
	if !ok {
		t.Fatal("the analyst's step is not estimated")
	}
	// The prompt is the material plus the prompt's own text; the answer
	// half the completion cap.
	if u.PromptTokens <= 1000+50 || u.PromptTokens > 1000+5000 || u.CompletionTokens != 400 || u.Calls != 1 {
		t.Errorf("estimate = %+v", u)
	}
	want := (float64(u.PromptTokens)*1 + 400*4) / 1e6
	if math.Abs(u.CostUSD-want) > 1e-12 {
		t.Errorf("cost = %g, want %g from the price table", u.CostUSD, want)
	}
}
