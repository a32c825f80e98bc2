package changes

import (
	"slices"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
)

// The sub-questions of one question, as the offline planner words them
// (alike: each finds the same sentences of a note).
var subQuestions = []string{
	"How long are nightly backups retained?",
	"What is the retention period for backups?",
	"Where are nightly backups kept?",
}

// note is a note's sentences; window joins sentences [from, to] of it as
// the extractive analyst writes a finding (sentences with one space).
type note []string

func (n note) window(from, to int) string { return strings.Join(n[from:to+1], " ") }

// edited is n with sentence i replaced by s.
func (n note) edited(i int, s string) note {
	out := append(note(nil), n...)
	out[i] = s
	return out
}

var backups = note{
	"Backups run every night at 02:00.",
	"They are written to the primary storage cluster.",
	"Nightly backups are retained for 30 days.",
	"After that they are deleted automatically.",
	"Restores are tested every 4 weeks.",
}

// snap is a run's snapshot as workflows' snapshot writes it: every
// sub-question's findings in order, keyed by sub-question and text.
func snap(findings ...rf.SnapshotFinding) Snapshot {
	s := Snapshot{}
	seen := map[string]bool{}
	for _, f := range findings {
		if !seen[f.SourceID] {
			seen[f.SourceID] = true
			s.Sources = append(s.Sources, rf.SnapshotSource{SourceID: f.SourceID, Title: f.SourceID, Location: "/notes/" + f.SourceID + ".md", N: len(s.Sources) + 1})
			s.Retrieved = append(s.Retrieved, f.SourceID)
		}
	}
	s.Findings = findings
	return s
}

// A trial's note was edited (30 days → 35 days) between two runs; its
// sentence was found under two sub-questions before and three after, or
// under one of them only. The change is the source's: one changed
// finding, neither new nor no longer supported under the other
// sub-questions; and a run that finds the edited sentence under more
// sub-questions than the run before reports no change.
func TestAChangeIsTheSourcesNotTheSubQuestions(t *testing.T) {
	before, after := backups[2], "Nightly backups are retained for 35 days."
	under := func(text string, sqs ...int) []rf.SnapshotFinding {
		var fs []rf.SnapshotFinding
		for _, i := range sqs {
			fs = append(fs, finding(subQuestions[i], text, "backups"))
		}
		return fs
	}
	for _, tt := range []struct {
		name      string
		prev, cur []int
	}{
		{"two sub-questions, then two", []int{0, 1}, []int{0, 1}},
		{"two sub-questions, then three", []int{0, 1}, []int{0, 1, 2}},
		{"one sub-question, then two", []int{0}, []int{0, 1}},
		{"two sub-questions, then one", []int{0, 1}, []int{1}},
		{"one sub-question, then another", []int{0}, []int{2}},
	} {
		c := Compare(snap(under(before, tt.prev...)...), snap(under(after, tt.cur...)...), "run-1", since)
		if len(c.Changed) != 1 || len(c.New) != 0 || len(c.Withdrawn) != 0 {
			t.Errorf("%s: %s, want 1 changed finding\n%s", tt.name, c.Summary(), Section(c))
			continue
		}
		if got := Label(c.Changed[0]); got != "30 days → 35 days" {
			t.Errorf("%s: label %q", tt.name, got)
		}
	}
	// The run after: the edited sentence found under more sub-questions
	// (or fewer) is no change.
	for _, tt := range []struct{ prev, cur []int }{{[]int{0}, []int{0, 1, 2}}, {[]int{0, 1, 2}, []int{2}}} {
		if c := Compare(snap(under(after, tt.prev...)...), snap(under(after, tt.cur...)...), "run-2", since); !c.Empty() {
			t.Errorf("%v → %v: %s, want no change\n%s", tt.prev, tt.cur, c.Summary(), Section(c))
		}
	}
}

// One edited sentence stands in the windows (passages of several
// sentences) that different sub-questions found: it is one change,
// labelled with the changed expression, however the windows overlap.
func TestOneEditInOverlappingWindowsIsOneChange(t *testing.T) {
	edited := backups.edited(2, "Nightly backups are retained for 35 days.")
	type win struct{ from, to int }
	for _, tt := range []struct {
		name    string
		windows []win
	}{
		{"overlapping by one sentence", []win{{0, 2}, {2, 4}}},
		{"overlapping by two sentences", []win{{0, 2}, {1, 3}}},
		{"nested", []win{{1, 3}, {2, 2}}},
		{"nested, the wider last", []win{{2, 2}, {0, 4}}},
		{"three sub-questions", []win{{0, 2}, {1, 3}, {2, 4}}},
	} {
		var prev, cur []rf.SnapshotFinding
		for i, w := range tt.windows {
			prev = append(prev, finding(subQuestions[i], backups.window(w.from, w.to), "backups"))
			cur = append(cur, finding(subQuestions[i], edited.window(w.from, w.to), "backups"))
		}
		c := Compare(snap(prev...), snap(cur...), "run-1", since)
		if len(c.Changed) != 1 || len(c.New)+len(c.Withdrawn) != 0 {
			t.Errorf("%s: %s, want 1 changed finding\n%s", tt.name, c.Summary(), Section(c))
			continue
		}
		if got := Label(c.Changed[0]); got != "30 days → 35 days" {
			t.Errorf("%s: label %q", tt.name, got)
		}
		if md := Section(c); !strings.Contains(md, "- 30 days → 35 days: ") {
			t.Errorf("%s: section\n%s", tt.name, md)
		}
	}
}

// Overlapping windows with different edits are as many changes; an edit
// beside an unrelated new finding is a change and a new finding.
func TestEditsInOverlappingWindowsAreCountedApart(t *testing.T) {
	edited := backups.edited(0, "Backups run every night at 03:00.").edited(4, "Restores are tested every 2 weeks.")
	prev := snap(
		finding(subQuestions[0], backups.window(0, 2), "backups"),
		finding(subQuestions[1], backups.window(2, 4), "backups"),
	)
	cur := snap(
		finding(subQuestions[0], edited.window(0, 2), "backups"),
		finding(subQuestions[1], edited.window(2, 4), "backups"),
	)
	c := Compare(prev, cur, "run-1", since)
	if len(c.Changed) != 2 || len(c.New)+len(c.Withdrawn) != 0 {
		t.Fatalf("%s, want 2 changed findings\n%s", c.Summary(), Section(c))
	}
	if a, b := Label(c.Changed[0]), Label(c.Changed[1]); a != "02:00 → 03:00" || b != "4 weeks → 2 weeks" {
		t.Errorf("labels %q, %q", a, b)
	}

	// One edit in overlapping windows, and a new finding of another note
	// and of the edited note's own unchanged sentence under a third
	// sub-question.
	edited = backups.edited(2, "Nightly backups are retained for 35 days.")
	prev = snap(
		finding(subQuestions[0], backups.window(0, 2), "backups"),
		finding(subQuestions[1], backups.window(2, 3), "backups"),
	)
	cur = snap(
		finding(subQuestions[0], edited.window(0, 2), "backups"),
		finding(subQuestions[1], edited.window(2, 3), "backups"),
		finding(subQuestions[1], "Backups are encrypted with AES-256.", "crypto"),
		finding(subQuestions[2], edited.window(4, 4), "backups"),
	)
	c = Compare(prev, cur, "run-1", since)
	if len(c.Changed) != 1 || len(c.New) != 2 || len(c.Withdrawn) != 0 {
		t.Fatalf("%s, want 1 changed and 2 new findings\n%s", c.Summary(), Section(c))
	}
	if c.New[0].SourceID != "crypto" || c.New[1].Text != backups[4] {
		t.Errorf("new %+v", c.New)
	}
}

// Two edited sentences are two changes, however the windows that show
// them overlap: a window that shows both beside windows that show each is
// no third change; one that shows both beside one that shows one of them
// is the other's change (labelled with both).
func TestTwoEditsAreTwoChangesWhateverTheWindows(t *testing.T) {
	edited := backups.edited(0, "Backups run every night at 03:00.").edited(2, "Nightly backups are retained for 35 days.")
	type win struct{ from, to int }
	for _, tt := range []struct {
		name    string
		windows []win
		labels  []string
	}{
		{"each, and both", []win{{0, 0}, {0, 2}, {2, 4}}, []string{"02:00 → 03:00", "30 days → 35 days"}},
		{"both, and each", []win{{0, 2}, {2, 4}, {0, 0}}, []string{"30 days → 35 days", "02:00 → 03:00"}},
		{"both, then one", []win{{0, 2}, {2, 4}}, []string{"02:00 → 03:00, 30 days → 35 days", "30 days → 35 days"}},
		{"one, then both", []win{{2, 4}, {0, 2}}, []string{"30 days → 35 days", "02:00 → 03:00, 30 days → 35 days"}},
	} {
		var prev, cur []rf.SnapshotFinding
		for i, w := range tt.windows {
			prev = append(prev, finding(subQuestions[i], backups.window(w.from, w.to), "backups"))
			cur = append(cur, finding(subQuestions[i], edited.window(w.from, w.to), "backups"))
		}
		c := Compare(snap(prev...), snap(cur...), "run-1", since)
		var labels []string
		for _, f := range c.Changed {
			labels = append(labels, Label(f))
		}
		if strings.Join(labels, "; ") != strings.Join(tt.labels, "; ") || len(c.New)+len(c.Withdrawn) != 0 {
			t.Errorf("%s: %s, labels %q, want %q\n%s", tt.name, c.Summary(), labels, tt.labels, Section(c))
		}
	}
}

// A reader disputed a claim of a run's report after its note was edited;
// the re-check corrected it (30 days → 35 days), citing a passage of the
// note, and the reader saw the correction in revision 2. The next run
// finds the edited sentence in the windows two sub-questions found it in
// before: it has nothing to report of it (a trial's next run reported
// the correction again as a changed finding).
func TestACorrectedClaimIsNotReportedAgain(t *testing.T) {
	edited := backups.edited(2, "Nightly backups are retained for 35 days.")
	type win struct{ from, to int }
	for _, tt := range []struct {
		name       string
		windows    []win
		correction win
	}{
		{"the correction one of the windows", []win{{0, 2}, {2, 3}}, win{2, 3}},
		{"the correction another window", []win{{0, 2}, {2, 4}}, win{1, 2}},
		{"three sub-questions", []win{{2, 2}, {0, 2}, {2, 4}}, win{2, 2}},
	} {
		var run1, run2 []rf.SnapshotFinding
		for i, w := range tt.windows {
			run1 = append(run1, finding(subQuestions[i], backups.window(w.from, w.to), "backups"))
			run2 = append(run2, finding(subQuestions[i], edited.window(w.from, w.to), "backups"))
		}
		base := claims.Revision{Revision: 1,
			Claims:  []rf.Claim{{ID: "claim-000000000001", Text: backups[2], Cites: []int{1}}},
			Sources: []rf.Source{{N: 1, SourceID: "backups", Title: "backups", Location: "/notes/backups.md"}},
		}
		next := base
		next.Revision = 2
		check := claims.Check{ClaimID: "claim-000000000001", Text: backups[2], Outcome: claims.OutcomeCorrected,
			Correction: edited.window(tt.correction.from, tt.correction.to), Cites: []int{1}}
		prev, ok := Revise(snap(run1...), check, base, next)
		if !ok {
			t.Errorf("%s: the corrected claim states no finding", tt.name)
			continue
		}
		if c := Compare(prev, snap(run2...), "run-1", since); !c.Empty() {
			t.Errorf("%s: %s, want no change\n%s", tt.name, c.Summary(), Section(c))
		}
	}
}

// inserted is n with s inserted before sentence i.
func (n note) inserted(i int, s string) note {
	out := append(note(nil), n[:i]...)
	return append(append(out, s), n[i:]...)
}

// without is n without sentence s.
func (n note) without(s string) note {
	var out note
	for _, x := range n {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// encrypted is a sentence a note gained between two runs.
const encrypted = "Backups are encrypted before they leave the host."

// span is a window of a note: sentences [from, to].
type span struct{ from, to int }

// windows are the findings of sub-questions 0, 1, … in n's windows ws,
// each without sentence drop (a window that holds only it is no finding):
// a sub-question finds a passage of a note, which holds the sentences of
// the note around the one it looks for.
func windows(n note, ws []span, drop string) []rf.SnapshotFinding {
	var fs []rf.SnapshotFinding
	for i, w := range ws {
		if text := strings.Join(n[w.from:w.to+1].without(drop), " "); text != "" {
			fs = append(fs, finding(subQuestions[i], text, "backups"))
		}
	}
	return fs
}

// A note gained a sentence between two runs, which the passages that
// different sub-questions found hold, beside sentences those passages held
// before: it is one new finding, shown in the shortest passage that holds
// it, and no passage of the run before is no longer supported.
func TestOneNewSentenceInOverlappingWindowsIsOneNewFinding(t *testing.T) {
	grown := backups.inserted(3, encrypted)
	for _, tt := range []struct {
		name    string
		windows []span // of grown
		shown   span
	}{
		{"overlapping by one sentence", []span{{1, 3}, {3, 5}}, span{1, 3}},
		{"overlapping by two sentences", []span{{2, 4}, {3, 5}}, span{2, 4}},
		{"nested", []span{{2, 4}, {3, 3}}, span{3, 3}},
		{"nested, the wider first", []span{{0, 5}, {2, 4}}, span{2, 4}},
		{"three sub-questions", []span{{1, 3}, {2, 4}, {3, 4}}, span{3, 4}},
	} {
		prev, cur := windows(grown, tt.windows, encrypted), windows(grown, tt.windows, "")
		c := Compare(snap(prev...), snap(cur...), "run-1", since)
		if len(c.New) != 1 || len(c.Changed)+len(c.Withdrawn) != 0 {
			t.Errorf("%s: %s, want 1 new finding\n%s", tt.name, c.Summary(), Section(c))
			continue
		}
		if want := grown.window(tt.shown.from, tt.shown.to); c.New[0].Text != want {
			t.Errorf("%s: new finding %q, want %q", tt.name, c.New[0].Text, want)
		}
	}
}

// A sentence left a note between two runs, which the passages that
// different sub-questions found held: it is one finding no longer
// supported, shown in the shortest passage that held it.
func TestOneRemovedSentenceInOverlappingWindowsIsOneFindingNoLongerSupported(t *testing.T) {
	removed := backups[3]
	for _, tt := range []struct {
		name    string
		windows []span // of backups
		shown   span
	}{
		{"overlapping by one sentence", []span{{1, 3}, {3, 4}}, span{3, 4}},
		{"overlapping by two sentences", []span{{1, 3}, {2, 4}}, span{1, 3}},
		{"nested", []span{{1, 4}, {3, 3}}, span{3, 3}},
		{"three sub-questions", []span{{0, 3}, {2, 4}, {3, 4}}, span{3, 4}},
	} {
		prev, cur := windows(backups, tt.windows, ""), windows(backups, tt.windows, removed)
		c := Compare(snap(prev...), snap(cur...), "run-1", since)
		if len(c.Withdrawn) != 1 || len(c.Changed)+len(c.New) != 0 {
			t.Errorf("%s: %s, want 1 finding no longer supported\n%s", tt.name, c.Summary(), Section(c))
			continue
		}
		w := c.Withdrawn[0]
		if want := backups.window(tt.shown.from, tt.shown.to); w.Text != want || w.SourceGone {
			t.Errorf("%s: no longer supported %q (source gone: %v), want %q", tt.name, w.Text, w.SourceGone, want)
		}
	}
}

// A sentence gained or lost beside an edit of another sentence and a new
// finding of another note: one change, and one new finding or finding no
// longer supported besides the other note's. A passage that holds the
// edit and the gained (or lost) sentence shows both as one changed finding
// (its label names both), which another passage does not show again.
func TestASentenceGainedOrLostBesideAnEdit(t *testing.T) {
	grown, lost := backups.inserted(3, encrypted), backups[3]
	edit := func(n note) note { return n.edited(0, "Backups run every night at 03:00.") }
	for _, tt := range []struct {
		name                  string
		windows               []span // of the note with both sentences
		before, after         []rf.SnapshotFinding
		new, withdrawn, label string
	}{
		{name: "gained, apart from the edit", windows: []span{{0, 2}, {2, 4}, {3, 5}},
			new: grown.window(2, 4), label: "02:00 → 03:00"},
		{name: "gained, with the edit", windows: []span{{0, 3}, {3, 3}},
			label: "02:00 → 03:00, (nothing) → " + strings.TrimSuffix(encrypted, ".")},
		{name: "lost, apart from the edit", windows: []span{{0, 2}, {2, 3}, {3, 4}},
			withdrawn: backups.window(2, 3), label: "02:00 → 03:00"},
		{name: "lost, with the edit", windows: []span{{0, 3}, {3, 3}},
			label: "02:00 → 03:00, " + strings.TrimSuffix(lost, ".") + " → (nothing)"},
	} {
		var prev, cur []rf.SnapshotFinding
		if strings.HasPrefix(tt.name, "gained") {
			prev, cur = windows(grown, tt.windows, encrypted), windows(edit(grown), tt.windows, "")
		} else {
			prev, cur = windows(backups, tt.windows, ""), windows(edit(backups), tt.windows, lost)
		}
		other := finding(subQuestions[2], "Backups are encrypted with AES-256.", "crypto")
		c := Compare(snap(prev...), snap(append(cur, other)...), "run-1", since)
		var news, gone []string
		for _, f := range c.New {
			news = append(news, f.Text)
		}
		for _, f := range c.Withdrawn {
			gone = append(gone, f.Text)
		}
		wantNew := []string{other.Text}
		if tt.new != "" {
			wantNew = []string{tt.new, other.Text}
		}
		var wantGone []string
		if tt.withdrawn != "" {
			wantGone = []string{tt.withdrawn}
		}
		if len(c.Changed) != 1 || !slices.Equal(news, wantNew) || !slices.Equal(gone, wantGone) {
			t.Errorf("%s: %s; new %q, no longer supported %q; want 1 changed, new %q, no longer supported %q\n%s",
				tt.name, c.Summary(), news, gone, wantNew, wantGone, Section(c))
			continue
		}
		if got := Label(c.Changed[0]); got != tt.label {
			t.Errorf("%s: label %q, want %q", tt.name, got, tt.label)
		}
	}
}

// A reader disputed a claim of a run's report after its note lost the
// claim's sentence; the re-check withdrew it, and the reader saw revision 2
// without it. Passages of the note that different sub-questions found held
// the sentence among others. The next run finds those passages without
// it: it has nothing to report of the sentence (the passages holding it
// stayed in the snapshot, and the next run reported them as no longer
// supported, the withdrawal the reader had seen), but an edit of another
// sentence and a new finding of another note.
func TestAWithdrawnClaimIsNotReportedAgain(t *testing.T) {
	claim := backups[2]
	edit := func(n note) note { return n.edited(0, "Backups run every night at 03:00.") }
	other := finding(subQuestions[2], "Backups are encrypted with AES-256.", "crypto")
	for _, tt := range []struct {
		name    string
		windows []span
		edited  bool // the next run: another sentence edited, another note's new finding
	}{
		{"overlapping by one sentence", []span{{0, 2}, {2, 4}}, false},
		{"overlapping by two sentences", []span{{1, 3}, {2, 4}}, false},
		{"nested", []span{{1, 3}, {2, 2}}, false},
		{"the sentence alone, then a window", []span{{2, 2}, {0, 4}}, false},
		{"three sub-questions", []span{{0, 2}, {1, 3}, {2, 4}}, false},
		{"with an edit and a new finding", []span{{0, 2}, {2, 3}, {2, 2}}, true},
	} {
		run1, run2 := windows(backups, tt.windows, ""), windows(backups, tt.windows, claim)
		if tt.edited {
			run2 = append(windows(edit(backups), tt.windows, claim), other)
		}
		base := claims.Revision{Revision: 1,
			Claims: []rf.Claim{
				{ID: "claim-000000000001", Text: claim, Cites: []int{1}},
				{ID: "claim-000000000002", Text: backups[1], Cites: []int{1}},
			},
			Sources: []rf.Source{{N: 1, SourceID: "backups", Title: "backups", Location: "/notes/backups.md"}},
		}
		next := base
		next.Revision, next.Claims = 2, base.Claims[1:]
		check := claims.Check{ClaimID: "claim-000000000001", Text: claim, Outcome: claims.OutcomeWithdrawn,
			Why: "its source, backups (/notes/backups.md), no longer states it"}
		prev, ok := Revise(snap(run1...), check, base, next)
		if !ok {
			t.Errorf("%s: the withdrawn claim states no finding", tt.name)
			continue
		}
		for _, f := range prev.Findings {
			if strings.Contains(f.Text, claim) || f.Key != FindingKey(f.SubQuestion, f.Text) {
				t.Errorf("%s: the revised snapshot holds %+v", tt.name, f)
			}
		}
		c := Compare(prev, snap(run2...), "run-1", since)
		if !tt.edited && !c.Empty() {
			t.Errorf("%s: %s, want no change\n%s", tt.name, c.Summary(), Section(c))
		}
		if tt.edited && (len(c.Changed) != 1 || len(c.New) != 1 || c.New[0].SourceID != "crypto" || len(c.Withdrawn) != 0) {
			t.Errorf("%s: %s, want 1 changed and 1 new finding\n%s", tt.name, c.Summary(), Section(c))
		}
	}
}
