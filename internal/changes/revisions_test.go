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

// rephrased is a writer's wording of backups[2], the sentence of the
// backups note that the report's claim stands for.
const rephrased = "Backups are kept for 30 days."

// revisedRephrased is the snapshot of a run whose backups note was found in
// the windows ws by as many sub-questions, after a dispute of its rephrased
// claim had the outcome given (with correction, when corrected).
func revisedRephrased(t *testing.T, ws [][2]int, outcome, correction string) Snapshot {
	t.Helper()
	var fs []rf.SnapshotFinding
	for i, w := range ws {
		fs = append(fs, finding(subQuestions[i], backups.window(w[0], w[1]), "backups"))
	}
	base := claims.Revision{Revision: 1, Claims: []rf.Claim{{ID: report.ClaimID(rephrased), Text: rephrased, Cites: []int{1}}},
		Sources: []rf.Source{{N: 1, SourceID: "backups"}}}
	next := base
	next.Revision = 2
	check := claims.Check{ClaimID: base.Claims[0].ID, Number: 1, Text: rephrased, Outcome: outcome, Correction: correction, Cites: []int{1}}
	revised, ok := Revise(snap(fs...), check, base, next)
	if !ok {
		t.Fatalf("%v: the rephrased claim states no finding", ws)
	}
	return revised
}

// A model writer rephrased the backups note's sentence ("Backups are kept
// for 30 days."), which sub-questions found in windows of several
// sentences. A dispute corrected it to 35 days (the note was edited);
// only the window most alike the claim became the correction, the others
// kept "30 days", and the next run, which found 45 days, reported "2
// changed findings" for one edit (35 days → 45 days and 30 days → 45
// days), and a change where the note said what the revision said.
func TestACorrectedRephrasedClaimIsOneChange(t *testing.T) {
	for _, ws := range [][][2]int{{{0, 2}, {2, 4}}, {{2, 2}, {1, 3}}, {{0, 2}, {1, 3}, {2, 4}}, {{2, 2}, {2, 3}}} {
		prev := revisedRephrased(t, ws, claims.OutcomeCorrected, "Nightly backups are retained for 35 days.")
		run := func(days string) Snapshot {
			edited := backups.edited(2, "Nightly backups are retained for "+days+" days.")
			var fs []rf.SnapshotFinding
			for i, w := range ws {
				fs = append(fs, finding(subQuestions[i], edited.window(w[0], w[1]), "backups"))
			}
			return snap(fs...)
		}
		if c := Compare(prev, run("35"), "run-1", since); !c.Empty() {
			t.Errorf("%v, the note as the revision says: %s, want no change\n%s", ws, c.Summary(), Section(c))
		}
		c := Compare(prev, run("45"), "run-1", since)
		if len(c.Changed) != 1 || len(c.New)+len(c.Withdrawn) != 0 {
			t.Errorf("%v, the note edited again: %s, want 1 changed finding\n%s", ws, c.Summary(), Section(c))
			continue
		}
		if got := Label(c.Changed[0]); got != "35 days → 45 days" {
			t.Errorf("%v: label %q", ws, got)
		}
	}
}

// The same claim withdrawn (its sentence deleted from the note): the
// reader saw the withdrawal in the revision, so the next run, which finds
// the note without it, reports no change, not the sentence's windows as
// no longer supported.
func TestAWithdrawnRephrasedClaimIsNotReportedAgain(t *testing.T) {
	for _, ws := range [][][2]int{{{0, 2}, {2, 4}}, {{2, 2}, {1, 3}}, {{1, 3}, {2, 2}}, {{2, 2}, {2, 3}}} {
		prev := revisedRephrased(t, ws, claims.OutcomeWithdrawn, "")
		deleted := append(append(note(nil), backups[:2]...), backups[3:]...)
		var fs []rf.SnapshotFinding
		for i, w := range ws {
			// The same windows (each holds sentence 2), less the deleted
			// sentence.
			from, to := w[0], w[1]-1
			if to < from {
				continue
			}
			fs = append(fs, finding(subQuestions[i], deleted.window(from, to), "backups"))
		}
		if c := Compare(prev, snap(fs...), "run-1", since); !c.Empty() {
			t.Errorf("%v: %s, want no change\n%s", ws, c.Summary(), Section(c))
		}
	}
}
