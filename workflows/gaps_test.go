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

// A broader search the reflection made for a failed sub-question is not a
// question the reader asked: when it fails too, the gap of the
// sub-question it broadens says so, and it is not listed on its own. One
// that failed while the sub-question it broadens was answered elsewhere
// (not failed) stays a gap, as does any other failed sub-question.
func TestGapsFoldABroaderSearchIntoTheGapItBroadens(t *testing.T) {
	asked := "Who gets paged if the secondary does not answer?"
	broader := "What does the documentation say about “paged”, “secondary” and “answer”?"
	failed := "the retrieved passages did not answer it"
	st := ResearchState{SubQuestions: []SubQuestionState{
		{SubQuestion: reasoning.SubQuestion{Text: "How long does an on-call shift last?"}, State: rf.SQDone},
		{SubQuestion: reasoning.SubQuestion{Text: asked}, State: rf.SQFailed, Error: failed},
		{SubQuestion: reasoning.SubQuestion{Text: broader, Broadens: asked}, State: rf.SQFailed, Error: failed},
		{SubQuestion: reasoning.SubQuestion{Text: "Is there a parking allowance?"}, State: rf.SQFailed, Error: failed},
	}}
	gaps := st.Gaps()
	if len(gaps) != 2 || gaps[0].SubQuestion != asked || gaps[1].SubQuestion != "Is there a parking allowance?" {
		t.Fatalf("gaps = %+v, want the asked sub-question and the parking one", gaps)
	}
	if gaps[0].Reason != failed+", nor did a broader search for its words" || gaps[1].Reason != failed {
		t.Errorf("reasons %q, %q", gaps[0].Reason, gaps[1].Reason)
	}
	// The broader search of a sub-question that is no gap stays listed.
	st.SubQuestions[1].State = rf.SQDone
	if gaps := st.Gaps(); len(gaps) != 2 || gaps[0].SubQuestion != broader {
		t.Errorf("gaps = %+v, want the broader search and the parking one", gaps)
	}
}
