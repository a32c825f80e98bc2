package claims

import (
	"errors"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
)

func TestReviewInputNormalize(t *testing.T) {
	ok := ReviewInput{ResearchID: " r1 ", ClaimID: "claim-0123456789ab", Verdict: " Dispute ", Reason: " wrong ", Revision: 2}
	got, err := ok.Normalize()
	if err != nil || got.ResearchID != "r1" || got.Verdict != VerdictDispute || got.Reason != "wrong" {
		t.Fatalf("Normalize = %+v, %v", got, err)
	}
	for _, c := range []struct {
		in    ReviewInput
		field string
	}{
		{ReviewInput{ClaimID: "claim-0123456789ab", Verdict: "confirm", Revision: 1}, "researchId"},
		{ReviewInput{ResearchID: "r1", ClaimID: "claim-0123", Verdict: "confirm", Revision: 1}, "claimId"},
		{ReviewInput{ResearchID: "r1", ClaimID: "claim-0123456789AB", Verdict: "confirm", Revision: 1}, "claimId"},
		{ReviewInput{ResearchID: "r1", ClaimID: "claim-0123456789ab", Verdict: "maybe", Revision: 1}, "verdict"},
		{ReviewInput{ResearchID: "r1", ClaimID: "claim-0123456789ab", Verdict: "dispute", Revision: 1}, "revision"},
		{ReviewInput{ResearchID: "r1", ClaimID: "claim-0123456789ab", Verdict: "confirm", Revision: 0}, "revision"},
		{ReviewInput{ResearchID: "r1", ClaimID: "claim-0123456789ab", Verdict: "confirm", Revision: 1, Reason: strings.Repeat("x", maxFeedbackReason+1)}, "reason"},
		{ReviewInput{ResearchID: "r1", ClaimID: "claim-0123456789ab", Verdict: "confirm", Revision: 1, Owner: "no spaces allowed"}, ""},
	} {
		_, err := c.in.Normalize()
		var ie *rf.InputError
		if !errors.As(err, &ie) || (c.field != "" && ie.Field != c.field) {
			t.Errorf("%+v: %v, want an input error on %q", c.in, err, c.field)
		}
	}
}
