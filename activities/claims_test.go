package activities

import (
	"context"
	"encoding/json"
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
	// [1] is cited no more: it leaves the list, and [2] keeps its number.
	if len(res.Report.Sources) != 1 || res.Report.Sources[0].N != 2 || !strings.Contains(res.Report.Report, "- [2] Kilns, 2nd edition") ||
		strings.Contains(res.Report.Report, "- [1] Kilns") ||
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

// A user deleted the note and disputed its claim: revision 3 read "Claim
// 1 withdrawn: no source states it", still said "Confidence: medium",
// still listed [1] backups.md that nothing cited and had no claims key.
func TestReviewClaimWithdrawsADeletedSource(t *testing.T) {
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md"}}
	d := reasoning.Draft{Title: "Backups", Summary: []reasoning.Sentence{{Text: "Nightly database backups are retained for 40 days.", Cites: []int{1}}}}
	md, _ := report.Render(report.Report{Question: "How long are backups retained?", Confidence: report.ConfidenceMedium, Draft: d, Sources: sources})
	base := rfclaims.Revision{Revision: 2, Confidence: report.ConfidenceMedium, Report: md, Claims: report.Claims(d, sources), Sources: sources}
	claim := base.Claims[0]
	sq := reasoning.SubQuestion{ID: "q1", Text: "How long are backups retained?"}
	sections := []reasoning.SectionInput{{SubQuestion: sq, Findings: []reasoning.CitedFinding{{Finding: reasoning.Finding{
		Text: "Nightly database backups are retained for 35 days.", Score: 0.5, SourceID: "s1"}}}}}
	res, err := (&Inference{}).ReviewClaim(context.Background(), workflows.ReviewClaimInput{
		Base: base, Revision: 3, Sections: sections,
		RunClaims: []rf.Claim{{ID: "claim-000000000001", Text: "Nightly database backups are retained for 35 days.", Cites: []int{1}}},
		Check:     rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Claim 1 withdrawn: its source, backups.md, was not found in this re-check."; res.Check.Change != want {
		t.Errorf("change %q, want %q", res.Check.Change, want)
	}
	rev := res.Report
	if rev.Confidence != report.ConfidenceLow || !strings.Contains(rev.Report, "**Confidence:** low") || strings.Contains(rev.Report, "medium") {
		t.Errorf("confidence %q:\n%s", rev.Confidence, rev.Report)
	}
	if len(rev.Sources) != 0 || strings.Contains(rev.Report, "[1]") || !strings.Contains(rev.Report, "## Sources\n\nNo sources.\n") {
		t.Errorf("sources %+v:\n%s", rev.Sources, rev.Report)
	}
	b, err := json.Marshal(rev)
	if err != nil || !strings.Contains(string(b), `"claims":[]`) {
		t.Errorf("JSON has no empty claims list: %s (%v)", b, err)
	}

	// The note is there and no longer says it: the source is named as
	// retrieved.
	res, err = (&Inference{}).ReviewClaim(context.Background(), workflows.ReviewClaimInput{
		Base: base, Revision: 3, Retrieved: []string{"s1"},
		Findings: []reasoning.Finding{{Text: "Restores are tested monthly.", ChunkID: "c2", SourceID: "s1"}},
		Check:    rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Claim 1 withdrawn: its source, backups.md, no longer states it."; res.Check.Change != want {
		t.Errorf("change %q, want %q", res.Check.Change, want)
	}
}
