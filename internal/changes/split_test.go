package changes

import (
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/textproc"
)

// A Japanese note, its sentences joined as the analyst joins them
// (textproc.JoinSentences: no space after "。").
var japanese = note{
	"夜間バックアップは30日間保存されます。",
	"復元テストは4週間ごとに行われます。",
	"バックアップはAES-256で暗号化されます。",
}

func (n note) joined(from, to int) string { return textproc.JoinSentences(n[from : to+1]) }

// A reader disputed the restore-test claim of a Japanese note and the
// re-check withdrew it (the note had lost the sentence); the revision cut
// the claim's sentence out of the snapshot's passage as textproc.Sentences
// splits it, after "。". The note then got the sentence back. The next run
// has one new finding, the restore test: Compare split sentences at a word
// that ends in ".", "!" or "?", so the whole passage was one sentence, the
// passage the reader saw (its first sentence, unchanged) was no longer
// supported and the new one, both sentences, a change or new.
func TestCompareSplitsSentencesAsTheRevisionDoes(t *testing.T) {
	claim := japanese[1]
	run1 := []rf.SnapshotFinding{finding(subQuestions[0], japanese.joined(0, 1), "backups")}
	base := claims.Revision{Revision: 1,
		Claims: []rf.Claim{
			{ID: "claim-000000000001", Text: claim, Cites: []int{1}},
			{ID: "claim-000000000002", Text: japanese[0], Cites: []int{1}},
		},
		Sources: []rf.Source{{N: 1, SourceID: "backups", Title: "backups", Location: "/notes/backups.md"}},
	}
	next := base
	next.Revision, next.Claims = 2, base.Claims[1:]
	check := claims.Check{ClaimID: "claim-000000000001", Text: claim, Outcome: claims.OutcomeWithdrawn,
		Why: "its source, backups (/notes/backups.md), no longer states it"}
	prev, ok := Revise(snap(run1...), check, base, next)
	if !ok || len(prev.Findings) != 1 || prev.Findings[0].Text != japanese[0] {
		t.Fatalf("the revised snapshot (%v): %+v, want the passage without %q", ok, prev.Findings, claim)
	}
	c := Compare(prev, snap(run1...), "run-1", since)
	if len(c.New) != 1 || len(c.Changed)+len(c.Withdrawn) != 0 || c.New[0].Text != japanese.joined(0, 1) {
		t.Errorf("%s, want 1 new finding (the restore test)\n%s", c.Summary(), Section(c))
	}
}

// Two runs find the same sentences of a Hindi note (sentences end with
// the danda, "।") in windows of other extents: one sub-question found
// both before, each its own after. Nothing changed; Compare, which did
// not end a sentence at the danda, called the wide passage no longer
// supported and the two narrow ones new.
func TestWindowsOfOtherExtentsInAScriptWithItsOwnFullStop(t *testing.T) {
	hindi := note{"बैकअप 30 दिन तक रखे जाते हैं।", "रीस्टोर का परीक्षण हर 4 हफ़्ते होता है।"}
	prev := snap(finding(subQuestions[0], hindi.window(0, 1), "backups"))
	cur := snap(finding(subQuestions[0], hindi[0], "backups"), finding(subQuestions[1], hindi[1], "backups"))
	if c := Compare(prev, cur, "run-1", since); !c.Empty() {
		t.Errorf("%s, want no change\n%s", c.Summary(), Section(c))
	}
	if c := Compare(cur, prev, "run-1", since); !c.Empty() {
		t.Errorf("the other way: %s, want no change\n%s", c.Summary(), Section(c))
	}
}
