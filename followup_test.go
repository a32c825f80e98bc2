package researchflow

import (
	"errors"
	"testing"
)

func TestFollowUpInputNormalize(t *testing.T) {
	in, err := FollowUpInput{ResearchID: " research-1 ", Question: "  How hot is the kiln?\n"}.Normalize()
	if err != nil || in.ResearchID != "research-1" || in.Question != "How hot is the kiln?" {
		t.Fatalf("%+v, %v", in, err)
	}
	if again, err := in.Normalize(); err != nil || again != in {
		t.Errorf("not idempotent: %+v, %v", again, err)
	}
	for _, bad := range []FollowUpInput{
		{Question: "How hot is the kiln?"},
		{ResearchID: "r", Question: "?"},
		{ResearchID: "r", Question: "ok?\x00"},
		{ResearchID: "r", Question: "How hot?", MaxTokens: -1},
		{ResearchID: "r", Question: "How hot?", MaxCostUSD: -1},
		{ResearchID: "r", Question: "How hot?", Owner: "not an owner!"},
	} {
		var ie *InputError
		if _, err := bad.Normalize(); !errors.As(err, &ie) {
			t.Errorf("%+v: error %v, want an *InputError", bad, err)
		}
	}
	req := FollowUpRequest{Question: "How hot is the kiln?", MaxTokens: 100}
	got, err := req.Input("research-1", "alice")
	if err != nil || got.Owner != "alice" || got.ResearchID != "research-1" || got.MaxTokens != 100 {
		t.Errorf("Input = %+v, %v", got, err)
	}
}
