package changes

import (
	"slices"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
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
