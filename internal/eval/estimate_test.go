package eval

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestEstimateError(t *testing.T) {
	scores := []Score{
		{ID: "a", Estimate: &EstimateCheck{Estimated: Counts{Passages: 24, ModelCalls: 8, Tokens: 0}, Actual: Counts{Passages: 12, ModelCalls: 4}}},
		{ID: "b", Estimate: &EstimateCheck{Estimated: Counts{Passages: 24, ModelCalls: 8}, Actual: Counts{Passages: 24, ModelCalls: 10}}},
		{ID: "c", Error: "failed", Estimate: &EstimateCheck{Estimated: Counts{Passages: 1}, Actual: Counts{Passages: 100}}},
		{ID: "d"}, // no estimate
	}
	e := Total(scores).EstimateError
	if e == nil || e.Runs != 2 || e.UnderEstimated != 1 {
		t.Fatalf("estimate error = %+v", e)
	}
	// passages: (+100% + 0%) / 2; model calls: (+100% − 20%) / 2.
	if math.Abs(*e.Passages-0.5) > 1e-9 || math.Abs(*e.ModelCalls-0.4) > 1e-9 || *e.MaxModelCalls != 1 {
		t.Errorf("passages %v, model calls %v, max %v", *e.Passages, *e.ModelCalls, *e.MaxModelCalls)
	}
	if e.Tokens != nil {
		t.Errorf("tokens measured although no run used any: %v", *e.Tokens)
	}
	var buf bytes.Buffer
	Compare(&buf, Results{Totals: Total(scores)}, Results{Totals: Total(scores[3:])})
	if !strings.Contains(buf.String(), "estimate error: passages") || !strings.Contains(buf.String(), "+50.0%") || strings.Contains(buf.String(), "NaN") {
		t.Errorf("compare:\n%s", buf.String())
	}
}
