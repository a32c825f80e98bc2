package eval

import (
	"fmt"
	"math"
)

// Counts are what a run is estimated to use, or used: searches, passages,
// model steps, tokens and cost (see researchflow.Estimate and .Actual).
type Counts struct {
	Searches   int `json:"searches"`
	Passages   int `json:"passages"`
	ModelCalls int `json:"modelCalls"`
	Tokens     int `json:"tokens"`
	// Prompt is the part of Tokens that is prompt.
	Prompt  int     `json:"promptTokens"`
	CostUSD float64 `json:"costUsd"`
}

// EstimateCheck puts a run's estimate (made before it ran, shown at
// approval) beside what it used.
type EstimateCheck struct {
	Estimated Counts `json:"estimated"`
	Actual    Counts `json:"actual"`
}

// EstimateError is how far the estimates were off over a set: for each
// measure, the mean of (estimated − actual) / actual over the runs whose
// actual is not zero (positive: over-estimated), and the largest such
// error in absolute value. A measure no run used is left out.
type EstimateError struct {
	Runs           int      `json:"runs"`
	Searches       *float64 `json:"searches,omitempty"`
	Passages       *float64 `json:"passages,omitempty"`
	ModelCalls     *float64 `json:"modelCalls,omitempty"`
	Tokens         *float64 `json:"tokens,omitempty"`
	MaxModelCalls  *float64 `json:"maxModelCalls,omitempty"`
	MaxTokens      *float64 `json:"maxTokens,omitempty"`
	UnderEstimated int      `json:"underEstimated"` // runs that used more tokens or model calls than estimated
}

// estimateError aggregates the checks of scores.
func estimateError(scores []Score) *EstimateError {
	type acc struct {
		sum, max float64
		n        int
	}
	var searches, passages, calls, tokens acc
	add := func(a *acc, est, act float64) {
		if act == 0 {
			return
		}
		e := (est - act) / act
		a.sum += e
		a.n++
		if math.Abs(e) > math.Abs(a.max) {
			a.max = e
		}
	}
	out := &EstimateError{}
	for _, s := range scores {
		c := s.Estimate
		if c == nil || s.Error != "" {
			continue
		}
		out.Runs++
		add(&searches, float64(c.Estimated.Searches), float64(c.Actual.Searches))
		add(&passages, float64(c.Estimated.Passages), float64(c.Actual.Passages))
		add(&calls, float64(c.Estimated.ModelCalls), float64(c.Actual.ModelCalls))
		add(&tokens, float64(c.Estimated.Tokens), float64(c.Actual.Tokens))
		if c.Actual.Tokens > c.Estimated.Tokens || c.Actual.ModelCalls > c.Estimated.ModelCalls {
			out.UnderEstimated++
		}
	}
	if out.Runs == 0 {
		return nil
	}
	mean := func(a acc) *float64 {
		if a.n == 0 {
			return nil
		}
		v := a.sum / float64(a.n)
		return &v
	}
	maxOf := func(a acc) *float64 {
		if a.n == 0 {
			return nil
		}
		v := a.max
		return &v
	}
	out.Searches, out.Passages, out.ModelCalls, out.Tokens = mean(searches), mean(passages), mean(calls), mean(tokens)
	out.MaxModelCalls, out.MaxTokens = maxOf(calls), maxOf(tokens)
	return out
}

// estimateRows are the estimate error's rows of the totals (NaN: not
// measured).
func estimateRows(e *EstimateError) []totalRow {
	v := func(p *float64) float64 {
		if e == nil || p == nil {
			return math.NaN()
		}
		return *p
	}
	pct := func(x float64) string {
		if math.IsNaN(x) {
			return "n/a"
		}
		return fmt.Sprintf("%+.1f%%", 100*x)
	}
	var p EstimateError
	if e != nil {
		p = *e
	}
	return []totalRow{
		{"estimate error: searches", v(p.Searches), pct, false, false},
		{"estimate error: passages", v(p.Passages), pct, false, false},
		{"estimate error: model calls", v(p.ModelCalls), pct, false, false},
		{"estimate error: tokens", v(p.Tokens), pct, false, false},
	}
}
