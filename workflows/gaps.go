package workflows

import (
	"fmt"
	"strings"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/report"
)

// Gaps lists the failed sub-questions, in plan order, with what is missing
// in plain words (Reason) and the error behind it (Cause). A sub-question
// answered by some sources is not a gap: the sources that failed it are
// named by SourceNotes. A broader search the reflection made for a failed
// sub-question (SubQuestion.Broadens: "What does the documentation say
// about “paged”, “secondary” and “answer”?") is no question the reader
// asked: when it failed too, the gap of the sub-question it broadens says
// so, and it is not listed on its own.
func (s *ResearchState) Gaps() []rf.Gap {
	failed := map[string]bool{} // lookup only
	for _, sq := range s.SubQuestions {
		if sq.State == rf.SQFailed {
			failed[sq.SubQuestion.Text] = true
		}
	}
	broadened := map[string]bool{} // lookup only
	for _, sq := range s.SubQuestions {
		if b := sq.SubQuestion.Broadens; sq.State == rf.SQFailed && b != "" && failed[b] {
			broadened[b] = true
		}
	}
	var gaps []rf.Gap
	for _, sq := range s.SubQuestions {
		if sq.State != rf.SQFailed || broadened[sq.SubQuestion.Broadens] {
			continue
		}
		g := rf.Gap{SubQuestion: sq.SubQuestion.Text, Reason: plainReason(sq.Error)}
		if g.Reason != sq.Error {
			g.Cause = sq.Error
		}
		if failed := failedSearchesText(sq); len(failed) > 0 {
			g.Reason = "no source answered it: " + strings.Join(failed, "; ")
			g.Cause = sq.Error
		}
		if broadened[sq.SubQuestion.Text] {
			g.Reason += ", nor did a broader search for its words"
		}
		gaps = append(gaps, g)
	}
	return gaps
}

// failedSearchesText lists, in plain words, the searches of sq that failed,
// and the notes of those that found nothing.
func failedSearchesText(sq SubQuestionState) []string {
	var out []string
	for _, se := range sq.Searches {
		switch {
		case se.State == rf.SQFailed:
			out = append(out, plainFailure(sourceTitle(se.Source), se.Error))
		case se.Note != "":
			out = append(out, se.Note)
		}
	}
	return out
}

// SourceNotes are the report's notes on sources that failed while other
// sources answered: one line per source, naming how many sub-questions it
// missed. An answered sub-question is never a gap.
func (s *ResearchState) SourceNotes() []string {
	var order []string
	missed := map[string]int{} // counted, never iterated
	text := map[string]string{}
	for _, sq := range s.SubQuestions {
		if sq.State == rf.SQFailed {
			continue
		}
		for _, se := range sq.Searches {
			if se.State != rf.SQFailed {
				continue
			}
			if _, seen := missed[se.Source]; !seen {
				order = append(order, se.Source)
				text[se.Source] = plainFailure(sourceTitle(se.Source), se.Error)
			}
			missed[se.Source]++
		}
	}
	var notes []string
	for _, src := range order {
		answered := "were"
		if missed[src] == 1 {
			answered = "was"
		}
		notes = append(notes, fmt.Sprintf("%s for %s, which %s answered from the other sources.", text[src], report.Count(missed[src], "sub-question", ""), answered))
	}
	return notes
}
