package report

import (
	"slices"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// A sub-question the report's own cited sentences answer is no gap: a
// trial's report said "Escalation goes to the platform lead after 30
// minutes [2]" in its summary and listed "Who do we escalate to?" as one
// the retrieved passages did not answer.
func TestOpenGaps(t *testing.T) {
	sources := []rf.Source{{N: 1, SourceID: "pay"}, {N: 2, SourceID: "oncall"}}
	draft := reasoning.Draft{
		Summary: []reasoning.Sentence{
			{Text: "The on-call stipend is 400 EUR a week.", Cites: []int{1}},
			{Text: "Escalation goes to the platform lead after 30 minutes.", Cites: []int{2}},
			{Text: "Backups are kept in Frankfurt.", Cites: []int{7}}, // no listed source
		},
		Sections: []reasoning.DraftSection{{Heading: "Rollback", Sentences: []reasoning.Sentence{
			{Text: "Run kubectl -n payments rollout undo deployment/api.", Cites: []int{2}},
		}}},
	}
	gaps := []rf.Gap{
		{SubQuestion: "Who do we escalate to?", Reason: "the retrieved passages did not answer it"},
		{SubQuestion: "Which kubectl command undoes the rollout?", Reason: "the retrieved passages did not answer it"},
		// Not answered: a word the sentences lack ("engineer", "paged",
		// "pager"),
		// a sentence without a listed source, or no topic at all.
		{SubQuestion: "Whom does the on-call engineer escalate to?", Reason: "the retrieved passages did not answer it"},
		{SubQuestion: "Who is paged when escalation fails?", Reason: "the retrieved passages did not answer it"},
		{SubQuestion: "Which city are the backups kept in?", Reason: "the retrieved passages did not answer it"},
		{SubQuestion: "How is the pager rotation escalated?", Reason: "the retrieved passages did not answer it"},
		{SubQuestion: "Tell me more.", Reason: "the retrieved passages did not answer it"},
	}
	var got []string
	for _, g := range OpenGaps(draft, sources, gaps) {
		got = append(got, g.SubQuestion)
	}
	want := []string{"Whom does the on-call engineer escalate to?", "Who is paged when escalation fails?", "Which city are the backups kept in?", "How is the pager rotation escalated?", "Tell me more."}
	if !slices.Equal(got, want) {
		t.Errorf("open gaps %q, want %q", got, want)
	}
	if got := OpenGaps(reasoning.Draft{}, sources, gaps); len(got) != len(gaps) {
		t.Errorf("a report with no sentences answers %d gaps", len(gaps)-len(got))
	}
}

// The question as asked is no gap when a part of it is answered; its
// parts' gaps stay.
func TestWithoutAskedGap(t *testing.T) {
	q := "Which command restores a backup and what is the office Wi-Fi password?"
	gaps := []rf.Gap{
		{SubQuestion: q, Reason: "the retrieved passages did not answer it"},
		{SubQuestion: "What is the office Wi-Fi password?", Reason: "the retrieved passages did not answer it"},
	}
	got := WithoutAskedGap(q, true, gaps)
	if len(got) != 1 || got[0].SubQuestion != gaps[1].SubQuestion {
		t.Errorf("answered part: gaps %+v, want the Wi-Fi part only", got)
	}
	// Written otherwise by the planner (case, no question mark).
	if got := WithoutAskedGap(q, true, []rf.Gap{{SubQuestion: "which command restores a backup and what is the office wi-fi password"}}); len(got) != 0 {
		t.Errorf("the question reworded by case and mark: %+v, want no gap", got)
	}
	// Nothing answered: every gap stays, the question's too.
	if got := WithoutAskedGap(q, false, gaps); len(got) != 2 {
		t.Errorf("nothing answered: gaps %+v, want both", got)
	}
	// A part is no question as asked.
	if got := WithoutAskedGap("Where is the offsite?", true, gaps); len(got) != 2 {
		t.Errorf("another question: gaps %+v, want both", got)
	}
	if len(gaps) != 2 {
		t.Errorf("the caller's gaps changed: %+v", gaps)
	}
}
