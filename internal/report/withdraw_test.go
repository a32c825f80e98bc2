package report

import (
	"slices"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// withdrawFirst renders a report of draft d over sources, as a run does,
// and withdraws its first claim in revision 2.
func withdrawFirst(t *testing.T, d reasoning.Draft, sources []rf.Source) (claims.Revision, claims.Revision) {
	t.Helper()
	md, _ := Render(Report{Question: "How are backups kept?", Draft: d, Sources: sources})
	r1 := claims.Revision{Revision: 1, Title: d.Title, Report: md, Claims: Claims(d, sources), Sources: sources}
	c := r1.Claims[0]
	wd := claims.Check{ClaimID: c.ID, Number: 1, Text: c.Text, Outcome: claims.OutcomeWithdrawn, Why: SourceNoLongerStates("retention.md")}
	wd.Change = ChangeLine(wd)
	r2, err := Revise(r1, 2, wd, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCitations(r2.Report); err != nil {
		t.Errorf("revision 2: %v\n%s", err, r2.Report)
	}
	return r1, r2
}

func backupSources(n int) []rf.Source {
	names := []string{"retention.md", "restore.md", "vault.md"}
	var out []rf.Source
	for i := range n {
		out = append(out, rf.Source{N: i + 1, SourceID: "s" + names[i], Title: names[i], Location: names[i]})
	}
	return out
}

func sourceNumbers(ss []rf.Source) []int {
	var out []int
	for _, s := range ss {
		out = append(out, s.N)
	}
	return out
}

// A trial's report stated "Nightly backups are retained for 30 days [1]."
// in its Summary, and its Restores section quoted the passage of another
// note that holds the same sentence ("Restores take two hours. Nightly
// backups are retained for 30 days [2]."). The claim was withdrawn, and
// revision 2 still said it, in the section. The statement leaves the
// section's passage too, which keeps its other sentence, its claim and its
// source; the source only the withdrawn claim cited leaves.
func TestWithdrawingAClaimRemovesItFromAnotherSourcesPassage(t *testing.T) {
	const retained = "Nightly backups are retained for 30 days."
	d := reasoning.Draft{Title: "Backups", Summary: []reasoning.Sentence{
		{Text: retained, Cites: []int{1}},
		{Text: "Tapes are stored in the bank vault.", Cites: []int{3}},
	}, Sections: []reasoning.DraftSection{{Heading: "Restores", Sentences: []reasoning.Sentence{
		{Text: "Restores take two hours. " + retained, Cites: []int{2}},
	}}}}
	r1, r2 := withdrawFirst(t, d, backupSources(3))
	body := body(r2)
	if strings.Contains(body, "retained for 30 days") {
		t.Errorf("revision 2 still states the withdrawn claim:\n%s", r2.Report)
	}
	if !strings.Contains(body, "## Restores\n\nRestores take two hours [2].\n") || !strings.Contains(body, "Tapes are stored in the bank vault [3].") {
		t.Errorf("revision 2 lost another claim:\n%s", r2.Report)
	}
	want := []rf.Claim{r1.Claims[1], {ID: ClaimID("Restores take two hours."), Text: "Restores take two hours.", Cites: []int{2}, Section: "Restores"}}
	if !slices.EqualFunc(r2.Claims, want, func(a, b rf.Claim) bool {
		return a.ID == b.ID && a.Text == b.Text && slices.Equal(a.Cites, b.Cites) && a.Section == b.Section
	}) {
		t.Errorf("claims %+v, want %+v", r2.Claims, want)
	}
	if got := sourceNumbers(r2.Sources); !slices.Equal(got, []int{2, 3}) || strings.Contains(r2.Report, "- [1] ") {
		t.Errorf("sources %v, want [2 3]:\n%s", got, r2.Report)
	}
}

// The same statement made twice, citing another source each time: the
// claim lists it once (its first citations), and withdrawing it removes
// both; a source only the second statement cited leaves too. A Japanese
// paragraph, whose sentences no space parts, keeps its other sentence
// without a withdrawal note in its middle.
func TestWithdrawingAClaimRemovesEachStatementOfIt(t *testing.T) {
	const retained = "Nightly backups are retained for 30 days."
	d := reasoning.Draft{Title: "Backups", Summary: []reasoning.Sentence{
		{Text: retained, Cites: []int{1}},
		{Text: "Restores take two hours.", Cites: []int{2}},
	}, Sections: []reasoning.DraftSection{{Heading: "Retention", Sentences: []reasoning.Sentence{
		{Text: retained, Cites: []int{3}},
	}}}}
	_, r2 := withdrawFirst(t, d, backupSources(3))
	if b := body(r2); strings.Contains(b, "retained for 30 days") || !strings.Contains(b, "Restores take two hours [2].") {
		t.Errorf("revision 2:\n%s", r2.Report)
	}
	if got := sourceNumbers(r2.Sources); !slices.Equal(got, []int{2}) || len(r2.Claims) != 1 {
		t.Errorf("sources %v, claims %+v; want [2] and the restore claim:\n%s", got, r2.Claims, r2.Report)
	}

	ja := reasoning.Draft{Title: "バックアップ", Summary: []reasoning.Sentence{
		{Text: "夜間バックアップは30日間保存されます。", Cites: []int{1}},
		{Text: "復元には2時間かかります。", Cites: []int{2}},
	}}
	_, r2 = withdrawFirst(t, ja, backupSources(2))
	if b := body(r2); strings.Contains(b, "30日間") || strings.Contains(b, "Withdrawn") || !strings.Contains(b, "## Summary\n\n復元には2時間かかります [2]。\n") {
		t.Errorf("revision 2 of the Japanese report:\n%s", r2.Report)
	}
}
