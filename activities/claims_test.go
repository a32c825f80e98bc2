package activities

import (
	"context"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	rfclaims "github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/workflows"
)

func reviewBase() rfclaims.Revision {
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "Kilns", Location: "kilns.md"}}
	d := reasoning.Draft{Title: "Kilns", Summary: []reasoning.Sentence{{Text: "A stoneware kiln is fired to about 1280 degrees Celsius.", Cites: []int{1}}}}
	md, _ := report.Render(report.Report{Question: "How hot?", Draft: d, Sources: sources})
	return rfclaims.Revision{Revision: 1, Report: md, Claims: report.Claims(d, sources), Sources: sources}
}

// A statement of a source the report does not list corrects the claim
// citing the next number, and the source joins the list: no citation
// outside the numbered list, whatever the analyst (model or extractive)
// found. A claim no statement supports is withdrawn.
func TestReviewClaimNumbersANewSourceAndWithdraws(t *testing.T) {
	base := reviewBase()
	claim := base.Claims[0]
	check := rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute, Cites: claim.Cites}
	a := &Inference{}
	res, err := a.ReviewClaim(context.Background(), workflows.ReviewClaimInput{
		Base: base, Check: check, Revision: 2,
		Findings: []reasoning.Finding{{Text: "A stoneware kiln is fired to about 1300 degrees Celsius.", ChunkID: "k9", SourceID: "s9"}},
		Sources:  []rf.Source{{SourceID: "s9", Title: "Kilns, 2nd edition", Location: "kilns2.md"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Check.Outcome != rfclaims.OutcomeCorrected || len(res.Check.Cites) != 1 || res.Check.Cites[0] != 2 || res.Check.ChunkID != "k9" {
		t.Errorf("check %+v, want corrected citing [2]", res.Check)
	}
	if len(res.Report.Sources) != 2 || res.Report.Sources[1].N != 2 || !strings.Contains(res.Report.Report, "- [2] Kilns, 2nd edition") ||
		!strings.Contains(res.Report.Report, "1300 degrees Celsius [2].") {
		t.Errorf("revision 2:\n%s", res.Report.Report)
	}
	if err := report.CheckCitations(res.Report.Report); err != nil {
		t.Error(err)
	}

	res, err = a.ReviewClaim(context.Background(), workflows.ReviewClaimInput{Base: base, Check: check, Revision: 2,
		Findings: []reasoning.Finding{{Text: "Bees build comb.", ChunkID: "b1", SourceID: "s1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Check.Outcome != rfclaims.OutcomeWithdrawn || len(res.Report.Claims) != 0 || strings.Contains(res.Report.Report, "1280 degrees Celsius [1]") {
		t.Errorf("check %+v, revision:\n%s", res.Check, res.Report.Report)
	}
}
