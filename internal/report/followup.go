package report

import (
	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/reasoning"
)

// FollowUpTitle is the title of a follow-up's answer about a run that
// asked runQuestion.
func FollowUpTitle(runQuestion string) string {
	return "Follow-up on " + runQuestion
}

// FollowUpSentences are the statements of a follow-up's answer: each
// finding, citing the number of its source.
func FollowUpSentences(findings []rf.FollowUpFinding) []reasoning.Sentence {
	out := make([]reasoning.Sentence, 0, len(findings))
	for _, fd := range findings {
		out = append(out, reasoning.Sentence{Text: fd.Text, Cites: []int{fd.N}})
	}
	return out
}

// FollowUp renders a follow-up's answer with the report's rules: its
// statements with their citations, the numbered sources they cite and its
// gaps.
func FollowUp(title, question string, sentences []reasoning.Sentence, sources []rf.Source, gaps []rf.Gap) string {
	md, _ := Render(Report{
		Question: question,
		Draft:    reasoning.Draft{Title: title, Summary: sentences},
		Sources:  sources,
		Gaps:     gaps,
	})
	return md
}
