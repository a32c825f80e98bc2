package report

import (
	"slices"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/conflict"
)

// disagreeingBackups is a run's report on two notes that disagree, with
// the "Where sources disagree" section the run wrote, and more: a third
// statement of extra sources (more, each cited by its own source after [2]).
func disagreeingBackups(t *testing.T, more ...string) claims.Revision {
	t.Helper()
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md"}, {N: 2, SourceID: "s2", Title: "dublin.md", Location: "dublin.md"}}
	summary := []reasoning.Sentence{
		{Text: "Nightly database backups are retained for 30 days in Frankfurt.", Cites: []int{1}},
		{Text: "Nightly database backups are retained for 35 days in Dublin.", Cites: []int{2}},
	}
	for i, m := range more {
		n := len(sources) + 1
		sources = append(sources, rf.Source{N: n, SourceID: "s" + string(rune('3'+i)), Title: "more.md", Location: "more.md"})
		summary = append(summary, reasoning.Sentence{Text: m, Cites: []int{n}})
	}
	var found []conflict.Claim
	for _, s := range summary {
		found = append(found, conflict.Claim{Text: s.Text, SourceID: sources[s.Cites[0]-1].SourceID, N: s.Cites[0]})
	}
	cs := conflict.Detect(found)
	if len(cs) == 0 {
		t.Fatal("the notes do not disagree")
	}
	d := reasoning.Draft{Title: "How long are backups retained and where?", Summary: summary}
	md, _ := Render(Report{Question: d.Title, Draft: d, Sources: sources, Conflicts: cs})
	if !strings.Contains(md, "## "+headingConflicts) {
		t.Fatalf("no disagreement in revision 1:\n%s", md)
	}
	return claims.Revision{Revision: 1, Title: d.Title, Report: md, Claims: Claims(d, sources), Sources: sources}
}

// body is a revision's report less its changelog and sources.
func body(r claims.Revision) string {
	b, _, _ := strings.Cut(r.Report, "## "+headingChangelog)
	return b
}

func claimIDs(r claims.Revision) []string {
	var ids []string
	for _, c := range r.Claims {
		ids = append(ids, c.ID)
	}
	return ids
}

// A new user deleted backups.md and disputed its claim (30 days in
// Frankfurt): the re-check corrected it to what the other note states,
// and revision 2 said "… 35 days in Dublin [2]." twice, listed claim-B
// twice, still quoted "30 days in Frankfurt" [1] under "Where sources
// disagree" and still listed backups.md. The revision states it once,
// under the surviving claim's ID, with no disagreement left and no
// source [1].
func TestReviseMergesACorrectionThatStatesAnotherClaim(t *testing.T) {
	r1 := disagreeingBackups(t)
	a, b := r1.Claims[0], r1.Claims[1]
	corr := claims.Check{ClaimID: a.ID, Number: 1, Text: a.Text, Outcome: claims.OutcomeCorrected,
		Correction: "Nightly database backups are retained for 35 days in Dublin.", Cites: []int{2}}
	corr.Change = ChangeLine(corr)
	r2, err := Revise(r1, 2, corr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(r2.Report, "retained for 35 days in Dublin [2]."); n != 1 {
		t.Errorf("the statement is made %d times, want once:\n%s", n, r2.Report)
	}
	if got := claimIDs(r2); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("claims %v, want [%s]", got, b.ID)
	}
	if strings.Contains(r2.Report, headingConflicts) || strings.Contains(body(r2), "Frankfurt") {
		t.Errorf("revision 2 still says the sources disagree:\n%s", r2.Report)
	}
	if strings.Contains(r2.Report, "backups.md") || slices.ContainsFunc(r2.Sources, func(s rf.Source) bool { return s.N == 1 }) {
		t.Errorf("revision 2 still lists backups.md: %+v\n%s", r2.Sources, r2.Report)
	}
	if !strings.Contains(r2.Report, "- Revision 2: Claim 1 corrected:") || !strings.Contains(r2.Report, "It now states what claim 2 states") {
		t.Errorf("the changelog does not say claim 1 is now claim 2:\n%s", r2.Report)
	}
	if err := CheckCitations(r2.Report); err != nil {
		t.Errorf("revision 2: %v", err)
	}
}

// Withdrawn instead: the disagreement it was one side of is gone, and so
// is its source.
func TestReviseDropsTheDisagreementOfAWithdrawnClaim(t *testing.T) {
	r1 := disagreeingBackups(t)
	a, b := r1.Claims[0], r1.Claims[1]
	wd := claims.Check{ClaimID: a.ID, Number: 1, Text: a.Text, Outcome: claims.OutcomeWithdrawn, Why: SourceNotFound("backups.md", "this re-check")}
	wd.Change = ChangeLine(wd)
	r2, err := Revise(r1, 2, wd, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(r2); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("claims %v, want [%s]", got, b.ID)
	}
	if strings.Contains(r2.Report, headingConflicts) || strings.Contains(body(r2), "Frankfurt") {
		t.Errorf("revision 2 still says the sources disagree:\n%s", r2.Report)
	}
	if slices.ContainsFunc(r2.Sources, func(s rf.Source) bool { return s.N == 1 }) || strings.Contains(r2.Report, "- [1] ") {
		t.Errorf("revision 2 still lists source 1: %+v\n%s", r2.Sources, r2.Report)
	}
}

// Three notes, three values: the first corrected to the second's leaves
// one statement of it and the disagreement of the second and third, which
// still stands.
func TestReviseMergesTwoOfThreeClaims(t *testing.T) {
	r1 := disagreeingBackups(t, "Nightly database backups are retained for 40 days in Dublin.")
	a, b, c := r1.Claims[0], r1.Claims[1], r1.Claims[2]
	corr := claims.Check{ClaimID: a.ID, Number: 1, Text: a.Text, Outcome: claims.OutcomeCorrected,
		Correction: "Nightly database backups are retained for 35 days in Dublin.", Cites: []int{2}}
	corr.Change = ChangeLine(corr)
	r2, err := Revise(r1, 2, corr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(r2); !slices.Equal(got, []string{b.ID, c.ID}) {
		t.Errorf("claims %v, want [%s %s]", got, b.ID, c.ID)
	}
	if n := strings.Count(body(r2), "retained for 35 days in Dublin [2]."); n != 1 {
		t.Errorf("the statement is made %d times in the text, want once:\n%s", n, r2.Report)
	}
	_, dis, _ := strings.Cut(r2.Report, "## "+headingConflicts)
	dis, _, _ = strings.Cut(dis, "\n## ")
	if strings.Contains(dis, "Frankfurt") || !strings.Contains(dis, "35 days in Dublin” [2]") || !strings.Contains(dis, "40 days in Dublin” [3]") {
		t.Errorf("revision 2's disagreements:\n%s\nreport:\n%s", dis, r2.Report)
	}
	if strings.Contains(r2.Report, "- [1] ") {
		t.Errorf("revision 2 still lists source 1:\n%s", r2.Report)
	}
}

// A correction that still disagrees with the other note: the entry quotes
// the correction.
func TestReviseQuotesACorrectionThatStillDisagrees(t *testing.T) {
	r1 := disagreeingBackups(t)
	a := r1.Claims[0]
	corr := claims.Check{ClaimID: a.ID, Number: 1, Text: a.Text, Outcome: claims.OutcomeCorrected,
		Correction: "Nightly database backups are retained for 50 days in Frankfurt.", Cites: []int{1}}
	corr.Change = ChangeLine(corr)
	r2, err := Revise(r1, 2, corr, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, dis, _ := strings.Cut(r2.Report, "## "+headingConflicts+"\n\n")
	dis, _, _ = strings.Cut(dis, "\n## ")
	want := "- **50 days or 35 days**: “Nightly database backups are retained for 50 days in Frankfurt” [1] — but “Nightly database backups are retained for 35 days in Dublin” [2].\n"
	if dis != want {
		t.Errorf("revision 2's disagreements:\n%s\nwant:\n%s", dis, want)
	}
}

// The correction states another claim's statement from a source the
// report did not list: that claim cites both, and is made once.
func TestReviseMergesACorrectionFromANewSource(t *testing.T) {
	r1 := disagreeingBackups(t)
	a, b := r1.Claims[0], r1.Claims[1]
	corr := claims.Check{ClaimID: a.ID, Number: 1, Text: a.Text, Outcome: claims.OutcomeCorrected,
		Correction: "Nightly database backups are retained for 35 days in Dublin.", Cites: []int{3}}
	corr.Change = ChangeLine(corr)
	added := rf.Source{N: 3, SourceID: "s3", Title: "policy.md", Location: "policy.md"}
	r2, err := Revise(r1, 2, corr, &added)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(body(r2), "retained for 35 days in Dublin [2][3]."); n != 1 || strings.Contains(body(r2), "Dublin [2].") {
		t.Errorf("the statement is not made once citing both:\n%s", r2.Report)
	}
	if len(r2.Claims) != 1 || r2.Claims[0].ID != b.ID || !slices.Equal(r2.Claims[0].Cites, []int{2, 3}) {
		t.Errorf("claims %+v", r2.Claims)
	}
	if strings.Contains(r2.Report, headingConflicts) || strings.Contains(r2.Report, "- [1] ") || !strings.Contains(r2.Report, "- [3] policy.md") {
		t.Errorf("revision 2:\n%s", r2.Report)
	}
	if err := CheckCitations(r2.Report); err != nil {
		t.Errorf("revision 2: %v", err)
	}
}
