package report

import (
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
)

func TestJudge(t *testing.T) {
	claim := "A stoneware kiln is fired to about 1280 degrees Celsius so that the glaze melts [2]."
	for _, c := range []struct {
		name  string
		found []string
		want  string
		best  int
	}{
		{"same statement", []string{"Bees build comb.", "A stoneware kiln is fired to about 1280 degrees Celsius so that the glaze melts."}, claims.OutcomeKept, 1},
		{"new value", []string{"Bees build comb.", "A stoneware kiln is fired to about 1310 degrees Celsius so that the glaze melts."}, claims.OutcomeCorrected, 1},
		{"new value, clause dropped", []string{"A stoneware kiln is now fired to about 1310 degrees Celsius."}, claims.OutcomeCorrected, 0},
		{"nothing about it", []string{"Worker bees build wax comb and store nectar."}, claims.OutcomeWithdrawn, -1},
		{"nothing found", nil, claims.OutcomeWithdrawn, -1},
		{"kept before corrected", []string{"A stoneware kiln is fired to about 1310 degrees Celsius so that the glaze melts.", "A stoneware kiln is fired to about 1280 degrees Celsius so that the glaze melts."}, claims.OutcomeKept, 1},
	} {
		var found []Statement
		for _, f := range c.found {
			found = append(found, Statement{Text: f})
		}
		got, best := Judge(claim, found)
		if got != c.want || best != c.best {
			t.Errorf("%s: %s %d, want %s %d", c.name, got, best, c.want, c.best)
		}
	}
}

// A passage about another subject is no correction, however alike its
// other words and its predicate: snapshots are not backups, staging logs
// not production logs. One that names the claim's subject with less
// detail, or rephrased, still corrects it.
func TestJudgeCorrectsOnlyTheSameSubject(t *testing.T) {
	for _, c := range []struct {
		claim, found string
		want         string
	}{
		{"Nightly database backups are retained for 35 days [1].", "Database snapshots are retained for 7 days.", claims.OutcomeWithdrawn},
		{"Production logs are kept for 90 days.", "Staging logs are kept for 14 days.", claims.OutcomeWithdrawn},
		{"Backups of the billing database are kept 35 days.", "Backups of the auth database are kept 7 days.", claims.OutcomeWithdrawn},
		{"The nightly database backups at Example Corp are retained for 35 days.", "The database snapshots at Example Corp are retained for 7 days.", claims.OutcomeWithdrawn},
		{"Nightly backups are kept for 35 days.", "Backups are kept for 30 days.", claims.OutcomeCorrected},
		{"Nightly database backups are retained for 35 days.", "Nightly database backups are kept for 30 days.", claims.OutcomeCorrected},
		{"Nightly database backups are retained for 35 days.", "At Example Corp, nightly backups of the database are retained for thirty days.", claims.OutcomeCorrected},
		{"Production logs are kept for 90 days.", "Staging logs are kept for 14 days. Production logs are kept for 60 days.", claims.OutcomeCorrected},
	} {
		if got, _ := Judge(c.claim, []Statement{{Text: c.found}}); got != c.want {
			t.Errorf("Judge(%q, %q) = %s, want %s", c.claim, c.found, got, c.want)
		}
	}
	// The statement of the same subject corrects, after one of another.
	got, best := Judge("Nightly database backups are retained for 35 days.", []Statement{
		{Text: "Database snapshots are retained for 7 days."}, {Text: "Nightly database backups are retained for 30 days."}})
	if got != claims.OutcomeCorrected || best != 1 {
		t.Errorf("snapshots, then backups: %s %d, want corrected 1", got, best)
	}
}

func TestSubQuestionFor(t *testing.T) {
	findings := [][]string{
		{"Worker bees build wax comb."},
		nil,
		{"A stoneware kiln is fired to about 1280 degrees Celsius.", "Glazes melt."},
	}
	if got := SubQuestionFor("A stoneware kiln is fired to about 1280 degrees Celsius [3].", findings); got != 2 {
		t.Errorf("exact: %d, want 2", got)
	}
	if got := SubQuestionFor("Kilns for stoneware are fired near 1280 degrees Celsius.", findings); got != 2 {
		t.Errorf("rephrased: %d, want 2", got)
	}
	if got := SubQuestionFor("Lighthouse keepers trim the wick.", findings); got != -1 {
		t.Errorf("unrelated: %d, want -1", got)
	}
}

// revisionOne renders a small report and lists its claims, as a run does.
func revisionOne(t *testing.T) claims.Revision {
	t.Helper()
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "Bees", Location: "bees.txt"}, {N: 2, SourceID: "s2", Title: "Kilns", Location: "kilns.md"}}
	d := reasoning.Draft{Title: "Kilns and bees", Summary: []reasoning.Sentence{
		{Text: "Worker bees build wax comb.", Cites: []int{1}},
		{Text: "A stoneware kiln is fired to about 1280 degrees Celsius.", Cites: []int{2}},
	}, Sections: []reasoning.DraftSection{{Heading: "Bees", Sentences: []reasoning.Sentence{{Text: "Drones do not sting.", Cites: []int{1}}}}}}
	md, _ := Render(Report{Question: "Kilns and bees?", Draft: d, Sources: sources})
	return claims.Revision{Revision: 1, Title: d.Title, Report: md, Claims: Claims(d, sources), Sources: sources}
}

func TestReviseCorrectsWithdrawsAndKeeps(t *testing.T) {
	r1 := revisionOne(t)
	kiln := r1.Claims[1]
	corr := claims.Check{ClaimID: kiln.ID, Number: 2, Text: kiln.Text, Outcome: claims.OutcomeCorrected,
		Correction: "A stoneware kiln is fired to about 1310 degrees Celsius.", Cites: []int{3}}
	corr.Change = ChangeLine(corr)
	added := rf.Source{N: 3, SourceID: "s3", Title: "Kilns, new edition", Location: "kilns2.md"}
	r2, err := Revise(r1, 2, corr, &added)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r2.Report, "1310 degrees Celsius [3].") || strings.Contains(r2.Report, "1280 degrees Celsius [2]") ||
		!strings.Contains(r2.Report, "- [3] Kilns, new edition") || !strings.Contains(r2.Report, "## Changelog\n\n- Revision 2: Claim 2 corrected") {
		t.Errorf("revision 2:\n%s", r2.Report)
	}
	if err := CheckCitations(r2.Report); err != nil {
		t.Errorf("revision 2: %v", err)
	}
	if r2.Claims[1].ID != ClaimID(corr.Correction) || r2.Claims[1].Cites[0] != 3 || r2.Revision != 2 {
		t.Errorf("claims %+v", r2.Claims)
	}
	if r1.Report != revisionOne(t).Report || r1.Claims[1].ID != kiln.ID {
		t.Error("Revise changed revision 1")
	}

	drones := r2.Claims[2]
	wd := claims.Check{ClaimID: drones.ID, Number: 3, Text: drones.Text, Outcome: claims.OutcomeWithdrawn}
	wd.Change = ChangeLine(wd)
	r3, err := Revise(r2, 3, wd, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, changes, _ := strings.Cut(r3.Report, "## Changelog")
	if strings.Contains(body, "Drones") || !strings.Contains(body, "*Withdrawn in revision 3: no source states it.*") || len(r3.Claims) != 2 {
		t.Errorf("revision 3:\n%s", r3.Report)
	}
	if strings.Count(changes, "- Revision") != 2 || !strings.Contains(changes, "Claim 3 withdrawn: no source states it.") || strings.Count(r3.Report, "## Changelog") != 1 {
		t.Errorf("changelog of revision 3:\n%s", changes)
	}

	bees := r3.Claims[0]
	kept := claims.Check{ClaimID: bees.ID, Number: 1, Text: bees.Text, Outcome: claims.OutcomeKept, Cites: []int{1}}
	kept.Change = ChangeLine(kept)
	r4, err := Revise(r3, 4, kept, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r4.Report, "Worker bees build wax comb [1].") || !strings.Contains(r4.Report, "Claim 1 kept: source 1 still states it.") {
		t.Errorf("revision 4:\n%s", r4.Report)
	}
	if _, err := Revise(r4, 5, claims.Check{ClaimID: drones.ID, Outcome: claims.OutcomeWithdrawn}, nil); err == nil {
		t.Error("a claim withdrawn before was revised again")
	}
}

// scheduledRevisionOne is a scheduled run's report on one note, with the
// "What changed" section the run put at its top (as internal/changes
// writes it) and two sources.
func scheduledRevisionOne(t *testing.T) claims.Revision {
	t.Helper()
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md"}, {N: 2, SourceID: "s2", Title: "restore.md", Location: "restore.md"}}
	d := reasoning.Draft{Title: "How long are backups retained?", Summary: []reasoning.Sentence{
		{Text: "Nightly database backups are retained for 35 days before they are deleted.", Cites: []int{1}},
		{Text: "A restore takes about two hours.", Cites: []int{2}},
	}}
	md, _ := Render(Report{Question: "How long are backups retained?", Confidence: ConfidenceMedium, Draft: d, Sources: sources})
	section := "## What changed since 2026-12-04 07:00 UTC\n\nCompared with run research-x: 1 changed finding.\n\n**Changed findings**\n\n" +
		"- 30 days → 35 days: Nightly database backups are retained for 35 days before they are deleted. — *How long are backups retained?* (was: Nightly database backups are retained for 30 days before they are deleted.)\n\n"
	at := strings.Index(md, "## Summary")
	md = md[:at] + section + md[at:]
	return claims.Revision{Revision: 1, Title: d.Title, Report: md, Claims: Claims(d, sources), Sources: sources}
}

// A user disputed "35 days" after editing the note to 40: revision 2's
// Summary said 40 days while its own "What changed" still said "30 days →
// 35 days". The section's entry now tells the revision's change.
func TestReviseRewritesWhatChangedOfTheClaim(t *testing.T) {
	r1 := scheduledRevisionOne(t)
	c := r1.Claims[0]
	corr := claims.Check{ClaimID: c.ID, Number: 1, Text: c.Text, Outcome: claims.OutcomeCorrected,
		Correction: "Nightly database backups are retained for 40 days before they are deleted.", Cites: []int{1}}
	corr.Change = ChangeLine(corr)
	r2, err := Revise(r1, 2, corr, nil)
	if err != nil {
		t.Fatal(err)
	}
	changed, _, _ := strings.Cut(r2.Report[strings.Index(r2.Report, "## What changed"):], "## Summary")
	if strings.Contains(changed, "30 days → 35 days") || !strings.Contains(changed, "- Revision 2: Claim 1 corrected:") ||
		!strings.Contains(r2.Report, "retained for 40 days before they are deleted [1].") {
		t.Errorf("revision 2 contradicts itself:\n%s", r2.Report)
	}
	if !strings.Contains(changed, "Compared with run research-x") {
		t.Errorf("the comparison's summary line is gone:\n%s", changed)
	}
	// A dispute of a claim the section does not state leaves it alone.
	other := r2.Claims[1]
	kept := claims.Check{ClaimID: other.ID, Number: 2, Text: other.Text, Outcome: claims.OutcomeKept, Cites: []int{2}}
	kept.Change = ChangeLine(kept)
	r3, err := Revise(r2, 3, kept, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r3.Report, "- Revision 2: Claim 1 corrected:") {
		t.Errorf("revision 3:\n%s", r3.Report)
	}
}

// A scheduled report's "What changed" quotes a new finding as the report
// does, citation and all ("… 45 days in Dublin [1]. — *…*"), before the
// Summary: a dispute replaced that copy, the section's line then became
// the changelog's, and the Summary kept stating the old value (a trial's
// revision 2 said 45 days in its Summary and 50 in its changelog; a
// withdrawn claim stayed in the Summary).
func TestReviseChangesTheSummaryWhenWhatChangedQuotesTheClaim(t *testing.T) {
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md"}, {N: 2, SourceID: "s2", Title: "restore.md", Location: "restore.md"}}
	d := reasoning.Draft{Title: "How long are backups retained?", Summary: []reasoning.Sentence{
		{Text: "Nightly database backups are retained for 45 days in Dublin.", Cites: []int{1}},
		{Text: "A restore takes about two hours.", Cites: []int{2}},
	}}
	md, _ := Render(Report{Question: "How long are backups retained?", Confidence: ConfidenceMedium, Draft: d, Sources: sources})
	section := "## What changed since 2026-12-04 07:00 UTC\n\nCompared with run research-x: 1 new finding.\n\n**New findings**\n\n" +
		"- Nightly database backups are retained for 45 days in Dublin [1]. — *How long are backups retained?*\n\n"
	at := strings.Index(md, "## Summary")
	r1 := claims.Revision{Revision: 1, Title: d.Title, Report: md[:at] + section + md[at:], Claims: Claims(d, sources), Sources: sources}
	c := r1.Claims[0]
	summary := func(r claims.Revision) string {
		_, s, _ := strings.Cut(r.Report, "## Summary")
		s, _, _ = strings.Cut(s, "## Changelog")
		return s
	}

	corr := claims.Check{ClaimID: c.ID, Number: 1, Text: c.Text, Outcome: claims.OutcomeCorrected,
		Correction: "Nightly database backups are retained for 50 days in Dublin.", Cites: []int{1}}
	corr.Change = ChangeLine(corr)
	r2, err := Revise(r1, 2, corr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := summary(r2); strings.Contains(s, "45 days") || !strings.Contains(s, "retained for 50 days in Dublin [1].") {
		t.Errorf("revision 2's Summary after the correction:\n%s\nreport:\n%s", s, r2.Report)
	}
	if changed, _, _ := strings.Cut(r2.Report[strings.Index(r2.Report, "## What changed"):], "## Summary"); !strings.Contains(changed, "- Revision 2: Claim 1 corrected:") {
		t.Errorf("revision 2's What changed:\n%s", changed)
	}

	gone := claims.Check{ClaimID: c.ID, Number: 1, Text: c.Text, Outcome: claims.OutcomeWithdrawn, Why: SourceNotFound("backups.md", "this re-check")}
	gone.Change = ChangeLine(gone)
	r2w, err := Revise(r1, 2, gone, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := summary(r2w); strings.Contains(s, "45 days") || !strings.Contains(s, "A restore takes about two hours [2].") {
		t.Errorf("revision 2's Summary after the withdrawal:\n%s\nreport:\n%s", s, r2w.Report)
	}
}

// A user replaced an uploaded note (deleted, uploaded again: the same
// source, new passages) and disputed its claim: revision 2 cited the new
// passage, yet its source [2] still listed only the passage the run read,
// gone from memory, and the source opened empty. The passage that
// corrects or keeps a claim is its source's first now.
func TestReviseListsThePassageThatStatesTheClaim(t *testing.T) {
	r1 := revisionOne(t)
	r1.Sources[1].ChunkIDs = []string{"old"}
	kiln := r1.Claims[1]
	corr := claims.Check{ClaimID: kiln.ID, Number: 2, Text: kiln.Text, Outcome: claims.OutcomeCorrected,
		Correction: "A stoneware kiln is fired to about 1310 degrees Celsius.", Cites: []int{2}, ChunkID: "new"}
	corr.Change = ChangeLine(corr)
	r2, err := Revise(r1, 2, corr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := r2.Sources[1].ChunkIDs; len(got) != 2 || got[0] != "new" || got[1] != "old" {
		t.Errorf("corrected: source [2] lists %v, want [new old]", got)
	}
	if got := r1.Sources[1].ChunkIDs; len(got) != 1 {
		t.Errorf("revision 1's source changed: %v", got)
	}
	// Kept by another passage of the same source; kept again by it.
	bees := r2.Claims[0]
	kept := claims.Check{ClaimID: bees.ID, Number: 1, Text: bees.Text, Outcome: claims.OutcomeKept, Cites: []int{1}, ChunkID: "b2"}
	kept.Change = ChangeLine(kept)
	r3, err := Revise(r2, 3, kept, nil)
	if err != nil {
		t.Fatal(err)
	}
	r4, err := Revise(r3, 4, kept, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := r4.Sources[0].ChunkIDs; len(got) != 1 || got[0] != "b2" {
		t.Errorf("kept: source [1] lists %v, want [b2]", got)
	}
	if r4.Report != strings.Replace(r3.Report, "- Revision 3: Claim 1 kept: source 1 still states it.\n", "- Revision 3: Claim 1 kept: source 1 still states it.\n- Revision 4: Claim 1 kept: source 1 still states it.\n", 1) {
		t.Errorf("a kept claim changed the text of revision 4:\n%s", r4.Report)
	}
}

// StampRevised says when a revision was written after the generation time
// the footer keeps, replaces an earlier revision's time, keeps the line's
// break, and leaves a footer without a generation time as it is.
func TestStampRevised(t *testing.T) {
	at := time.Date(2026, 12, 7, 18, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, tt := range []struct{ md, want string }{
		{"# R\n\n---\n\nEngine: extractive  \nGenerated: 2026-12-07T09:00:00Z\n", "# R\n\n---\n\nEngine: extractive  \nGenerated: 2026-12-07T09:00:00Z · Revised: 2026-12-07T17:00:00Z\n"},
		{"Generated: 2026-12-07T09:00:00Z · Revised: 2026-12-07T10:00:00Z  \nNote: x\n", "Generated: 2026-12-07T09:00:00Z · Revised: 2026-12-07T17:00:00Z  \nNote: x\n"},
		{"# R\n\nEngine: extractive\n", "# R\n\nEngine: extractive\n"},
	} {
		if got := StampRevised(tt.md, at); got != tt.want {
			t.Errorf("StampRevised(%q) = %q, want %q", tt.md, got, tt.want)
		}
	}
}
