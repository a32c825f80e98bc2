package researchflow

import (
	"errors"
	"math"
	"testing"
)

func TestBudgetExceeds(t *testing.T) {
	used := Usage{PromptTokens: 60, CompletionTokens: 10, CostUSD: 0.5}
	tests := []struct {
		b    Budget
		need Usage
		want bool
	}{
		{Budget{}, Usage{PromptTokens: 1e6}, false},
		{Budget{MaxTokens: 100}, Usage{PromptTokens: 30}, false},
		{Budget{MaxTokens: 100}, Usage{PromptTokens: 31}, true},
		{Budget{MaxTokens: 70}, Usage{}, true}, // spent already
		{Budget{MaxCostUSD: 1}, Usage{CostUSD: 0.5}, false},
		{Budget{MaxCostUSD: 1}, Usage{CostUSD: 0.51}, true},
		{Budget{MaxTokens: 1000, MaxCostUSD: 0.6}, Usage{PromptTokens: 1, CostUSD: 0.2}, true},
	}
	for _, tt := range tests {
		if got := tt.b.Exceeds(used, tt.need); got != tt.want {
			t.Errorf("%+v.Exceeds(used %+v, need %+v) = %v, want %v", tt.b, used, tt.need, got, tt.want)
		}
	}
}

func TestBudgetExtension(t *testing.T) {
	used := Usage{PromptTokens: 60, CompletionTokens: 10, CostUSD: 0.5}
	for _, e := range []BudgetRequest{{}, {MaxTokens: -5}, {MaxCostUSD: -1}, {MaxCostUSD: math.NaN()}, {MaxCostUSD: 2e6}} {
		var ie *InputError
		if _, err := e.Normalize(); !errors.As(err, &ie) {
			t.Errorf("Normalize(%+v) = %v, want an *InputError", e, err)
		}
	}
	b := Budget{MaxTokens: 70, MaxCostUSD: 1}
	if _, err := b.Extend(BudgetRequest{MaxTokens: 70}, used); err == nil {
		t.Error("a token limit not above the use was accepted")
	}
	if _, err := b.Extend(BudgetRequest{MaxCostUSD: 0.5}, used); err == nil {
		t.Error("a cost limit not above the use was accepted")
	}
	got, err := b.Extend(BudgetRequest{MaxTokens: 500}, used)
	if err != nil || got != (Budget{MaxTokens: 500, MaxCostUSD: 1}) {
		t.Errorf("Extend = %+v, %v; want the token limit raised, the cost limit kept", got, err)
	}
}
