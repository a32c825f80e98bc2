package changes

import (
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
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
	"Restores are tested once a month.",
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
