package workflows

import (
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// A sub-question answered by one source while another failed is a note,
// not a gap; one nobody answered is a gap in plain words with its cause.
func TestGapsAreForReaders(t *testing.T) {
	dns := "wikipedia: dial tcp: lookup en.wikipedia.org on 10.0.0.53:53: no such host"
	st := ResearchState{SubQuestions: []SubQuestionState{
		{SubQuestion: reasoning.SubQuestion{Text: "What is a goroutine?"}, State: rf.SQDone, Searches: []SourceSearch{
			{Source: rf.SourceCorpus, State: rf.SQDone}, {Source: rf.SourceWikipedia, State: rf.SQFailed, Error: dns}}},
		{SubQuestion: reasoning.SubQuestion{Text: "Who designed Go?"}, State: rf.SQFailed, Error: "no source answered it: wikipedia failed after 3 attempt(s): " + dns,
			Searches: []SourceSearch{{Source: rf.SourceWikipedia, State: rf.SQFailed, Error: dns}}},
		{SubQuestion: reasoning.SubQuestion{Text: "What is a channel?"}, State: rf.SQFailed, Error: "no passage of the corpus matched it"},
	}}
	gaps := st.Gaps()
	if len(gaps) != 2 || gaps[0].SubQuestion != "Who designed Go?" || gaps[1].SubQuestion != "What is a channel?" {
		t.Fatalf("gaps = %+v, want the two unanswered sub-questions", gaps)
	}
	if gaps[0].Reason != "no source answered it: Wikipedia could not be reached" || !strings.Contains(gaps[0].Cause, "no such host") {
		t.Errorf("gap = %+v", gaps[0])
	}
	if gaps[1].Reason != "no passage of the corpus matched it" || gaps[1].Cause != "" {
		t.Errorf("a plain reason is kept as it is: %+v", gaps[1])
	}
	notes := st.SourceNotes()
	if len(notes) != 1 || notes[0] != "Wikipedia could not be reached for 1 sub-question, which was answered from the other sources." {
		t.Errorf("notes = %q", notes)
	}
}
