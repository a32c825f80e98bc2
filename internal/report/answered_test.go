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
