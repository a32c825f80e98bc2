package report

import (
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/conflict"
)

// "Where sources disagree" quotes the passages the sub-questions found,
// which may hold a claim of the report among other sentences. Withdrawing
// the claim drops the entry it was one side of: the quote is split into
// sentences as the rest of the revision splits them (textproc.Sentences).
// A quote split at ". " only kept the entry of a Japanese claim (no space
// after "。") and of one with "Dr." inside, and the withdrawn statement
// stayed quoted, with its source.
func TestReviseFindsAWithdrawnClaimInTheSentencesOfAQuote(t *testing.T) {
	for _, tt := range []struct {
		name, claim, window, other, from, to string
	}{
		{name: "Japanese",
			claim:  "夜間バックアップはフランクフルトで30日間保存されます。",
			window: "復元には2時間かかります。夜間バックアップはフランクフルトで30日間保存されます。",
			other:  "夜間バックアップはダブリンで35日間保存されます。", from: "30日間", to: "35日間"},
		{name: "an abbreviation inside the claim",
			claim:  "According to the runbook of Dr. Weber, nightly backups are kept 30 days.",
			window: "Restores take two hours. According to the runbook of Dr. Weber, nightly backups are kept 30 days.",
			other:  "Nightly backups are kept 35 days.", from: "30 days", to: "35 days"},
	} {
		sources := []rf.Source{{N: 1, SourceID: "s1", Title: "frankfurt.md", Location: "frankfurt.md"}, {N: 2, SourceID: "s2", Title: "dublin.md", Location: "dublin.md"}}
		d := reasoning.Draft{Title: "Backups", Summary: []reasoning.Sentence{{Text: tt.claim, Cites: []int{1}}, {Text: tt.other, Cites: []int{2}}}}
		cs := []conflict.Conflict{{Kind: conflict.KindQuantity, A: conflict.Claim{Text: tt.window, SourceID: "s1", N: 1},
			B: conflict.Claim{Text: tt.other, SourceID: "s2", N: 2}, AValue: tt.from, BValue: tt.to}}
		md, _ := Render(Report{Question: "How long are backups kept?", Draft: d, Sources: sources, Conflicts: cs})
		if !strings.Contains(md, "## "+headingConflicts) {
			t.Fatalf("%s: no disagreement in revision 1:\n%s", tt.name, md)
		}
		r1 := claims.Revision{Revision: 1, Title: d.Title, Report: md, Claims: Claims(d, sources), Sources: sources}
		wd := claims.Check{ClaimID: r1.Claims[0].ID, Number: 1, Text: r1.Claims[0].Text, Outcome: claims.OutcomeWithdrawn, Why: SourceNotFound("frankfurt.md", "this re-check")}
		wd.Change = ChangeLine(wd)
		r2, err := Revise(r1, 2, wd, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if strings.Contains(r2.Report, headingConflicts) || strings.Contains(r2.Report, "frankfurt.md —") || len(r2.Sources) != 1 {
			t.Errorf("%s: revision 2 still quotes the withdrawn claim:\n%s", tt.name, r2.Report)
		}
	}
}
