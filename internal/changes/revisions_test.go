package changes

import (
	"slices"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/report"
)

// A corrected claim found under two sub-questions states its correction,
// citing the correction's source, under both; a withdrawn one leaves the
// snapshot with the source the revision no longer lists; a claim a writer
// rephrased is matched to the finding of the source it cites.
func TestReviseAppliesAReviewToTheSnapshot(t *testing.T) {
	const other = "Where are backups kept?"
	s := Snapshot{
		Findings: []rf.SnapshotFinding{
			finding(sq, "Nightly backups are retained for 35 days.", "retention"),
			finding(other, "Nightly backups are retained for 35 days.", "retention"),
			finding(sq, "Tapes are stored in the vault for 12 months.", "vault"),
		},
		Sources: []rf.SnapshotSource{source("retention"), source("vault")},
	}
	base := claims.Revision{Revision: 1,
		Claims: []rf.Claim{
			{ID: "claim-000000000001", Text: "Nightly backups are retained for 35 days.", Cites: []int{1}},
			{ID: "claim-000000000002", Text: "The bank vault keeps backup tapes for a year.", Cites: []int{2}},
		},
		Sources: []rf.Source{{N: 1, SourceID: "retention"}, {N: 2, SourceID: "vault"}},
	}
	next := base
	next.Revision, next.Sources = 2, append(slices.Clone(base.Sources), rf.Source{N: 3, SourceID: "policy", Title: "POLICY"})
	corrected, ok := Revise(s, claims.Check{ClaimID: "claim-000000000001", Text: base.Claims[0].Text,
		Outcome: claims.OutcomeCorrected, Correction: "Nightly backups are retained for 40 days.", Cites: []int{3}}, base, next)
	if !ok {
		t.Fatal("the corrected claim states no finding")
	}
	for i, f := range corrected.Findings[:2] {
		if f.Text != "Nightly backups are retained for 40 days." || f.SourceID != "policy" || f.Key != FindingKey(f.SubQuestion, f.Text) {
			t.Errorf("finding %d: %+v", i, f)
		}
	}
	if s.Findings[0].Text != "Nightly backups are retained for 35 days." {
		t.Error("Revise changed the snapshot it was given")
	}
	if len(corrected.Sources) != 3 || corrected.Sources[2].SourceID != "policy" {
		t.Errorf("sources after the correction: %+v", corrected.Sources)
	}

	third := next
	third.Revision, third.Sources = 3, []rf.Source{next.Sources[0], next.Sources[2]}
	withdrawn, ok := Revise(corrected, claims.Check{ClaimID: "claim-000000000002", Text: base.Claims[1].Text,
		Outcome: claims.OutcomeWithdrawn}, next, third)
	if !ok || len(withdrawn.Findings) != 2 || slices.ContainsFunc(withdrawn.Findings, func(f rf.SnapshotFinding) bool { return f.SourceID == "vault" }) {
		t.Errorf("after the withdrawal (%v): %+v", ok, withdrawn.Findings)
	}
	if slices.ContainsFunc(withdrawn.Sources, func(s rf.SnapshotSource) bool { return s.SourceID == "vault" }) {
		t.Errorf("the withdrawn claim's source is still listed: %+v", withdrawn.Sources)
	}

	// A claim that states no finding changes none.
	same, ok := Revise(s, claims.Check{ClaimID: "claim-000000000009", Text: "Disks are wiped twice.", Outcome: claims.OutcomeWithdrawn}, base, base)
	if ok || len(same.Findings) != len(s.Findings) {
		t.Errorf("an unknown claim changed the snapshot: %+v", same.Findings)
	}
}

// A scheduled report whose "What changed" listed the vault note among its
// new sources ("- [2] Offsite vault"); a reader disputed the vault claim
// and it was withdrawn (the note was edited and no longer states it). The
// revision keeps [2] in its list, which that line still cites, though no
// claim cites it any more. The next run, which does not cite the edited
// note, reported "1 vanished source" (a trial): the source the revision
// stopped citing is not vanished. A note really deleted from the corpus,
// whose claim no dispute touched, still is.
func TestAWithdrawnClaimsSourceIsNotAVanishedSource(t *testing.T) {
	const (
		retention = "Nightly database backups are retained for 35 days before they are deleted."
		vault     = "Offsite backup tapes are stored in the bank vault for 12 months."
		weekly    = "Weekly full backups are copied to a second region every Sunday."
	)
	src := func(n int, id, title string) rf.Source {
		return rf.Source{N: n, SourceID: id, Title: title, Location: "/notes/" + id + ".md"}
	}
	sources := []rf.Source{src(1, "retention", "Backup retention"), src(2, "vault", "Offsite vault"), src(3, "weekly", "Weekly backups")}
	md := "# How are the backups retained and stored?\n\n" +
		"## What changed since 2026-12-06 07:00 UTC\n\n" +
		"Compared with run research-schedule-x-2026-12-06T07:00:00Z: 1 new finding, 1 new source.\n\n" +
		"**New findings**\n\n- " + strings.TrimSuffix(vault, ".") + " [2]. — *How are the backups retained and stored?*\n\n" +
		"**New sources**\n\n- [2] Offsite vault (/notes/vault.md)\n\n" +
		"## Summary\n\n" + strings.TrimSuffix(retention, ".") + " [1]. " + strings.TrimSuffix(vault, ".") + " [2]. " + strings.TrimSuffix(weekly, ".") + " [3].\n\n" +
		"## Sources\n\n- [1] Backup retention — /notes/retention.md\n- [2] Offsite vault — /notes/vault.md\n- [3] Weekly backups — /notes/weekly.md\n"
	base := claims.Revision{Revision: 1, Report: md, Sources: sources, Claims: []rf.Claim{
		{ID: report.ClaimID(retention), Text: retention, Cites: []int{1}},
		{ID: report.ClaimID(vault), Text: vault, Cites: []int{2}},
		{ID: report.ClaimID(weekly), Text: weekly, Cites: []int{3}},
	}}
	check := claims.Check{ClaimID: base.Claims[1].ID, Number: 2, Text: vault, Verdict: claims.VerdictDispute,
		Outcome: claims.OutcomeWithdrawn, Why: "its source, Offsite vault (/notes/vault.md), no longer states it"}
	check.Change = report.ChangeLine(check)
	next, err := report.Revise(base, 2, check, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !listed(next.Sources, "vault") {
		t.Fatalf("the revision no longer lists the vault note; this test needs one that does:\n%s", next.Report)
	}
	snap := func(ss []rf.Source, texts ...string) Snapshot {
		var s Snapshot
		for _, x := range ss {
			s.Sources = append(s.Sources, rf.SnapshotSource{SourceID: x.SourceID, Title: x.Title, Location: x.Location, N: x.N})
			s.Retrieved = append(s.Retrieved, x.SourceID)
		}
		for i, text := range texts {
			s.Findings = append(s.Findings, finding(sq, text, ss[i].SourceID))
		}
		return s
	}
	prev, _ := Revise(snap(sources, retention, vault, weekly), check, base, next)

	// The vault note is still in the corpus (retrieved), no longer cited.
	cur := snap([]rf.Source{sources[0], sources[2]}, retention, weekly)
	cur.Retrieved = append(cur.Retrieved, "vault")
	if c := Compare(prev, cur, "run-1", since); !c.Empty() {
		t.Errorf("the edited vault note: %s, want no change\n%s", c.Summary(), Section(c))
	}
	// Nor when this run's retrieval no longer finds the edited note.
	cur.Retrieved = cur.Retrieved[:2]
	if c := Compare(prev, cur, "run-1", since); !c.Empty() {
		t.Errorf("the edited vault note, not retrieved: %s, want no change\n%s", c.Summary(), Section(c))
	}
	// The weekly note, whose claim stands, deleted: vanished.
	gone := snap([]rf.Source{sources[0]}, retention)
	c := Compare(prev, gone, "run-1", since)
	if len(c.VanishedSources) != 1 || c.VanishedSources[0].SourceID != "weekly" {
		t.Errorf("the deleted weekly note: %s, want it vanished\n%s", c.Summary(), Section(c))
	}
}
