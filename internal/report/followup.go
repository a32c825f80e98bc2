package report

import (
	"cmp"
	"slices"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/reasoning"
)

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
// gaps, less those its statements answer (FollowUpGaps). The answer is
// titled with its question (title), which the report's rules then do not
// repeat on a Question line.
func FollowUp(title, question string, sentences []reasoning.Sentence, sources []rf.Source, gaps []rf.Gap) string {
	md, _ := Render(Report{
		Question: question,
		Draft:    reasoning.Draft{Title: title, Summary: sentences},
		Sources:  sources,
		Gaps:     FollowUpGaps(sentences, sources, gaps),
	})
	return md
}

// FollowUpGaps are the gaps of a follow-up's answer that its statements
// (sentences, citing sources) do not answer: OpenGaps, the report's rule.
func FollowUpGaps(sentences []reasoning.Sentence, sources []rf.Source, gaps []rf.Gap) []rf.Gap {
	return OpenGaps(reasoning.Draft{Summary: sentences}, sources, gaps)
}

// NumberThread gives a run and its follow-ups one numbering of sources: a
// citation number means one source for the whole run. The report's numbers
// (reportSources) stay; a follow-up that cites a source the report or an
// earlier answer numbered uses that number (the source is in its Sources);
// a source no earlier answer cited gets the next free number of the run
// (the source is in its NewSources) and keeps it in later answers.
//
// answers must be in the order they were written (their follow-ups' close
// time): an answer written later never changes the numbers of an earlier
// one. Each follow-up numbered its own new sources after the report's last,
// not knowing of the others; an answer whose numbers change is rendered
// again (titled with its question, as the follow-up workflow titles it),
// the others keep their Markdown.
// FromEvidence is set to what the thread shows: the run's passages answered
// (no search) and the answer cites no source new to the run.
func NumberThread(reportSources []rf.Source, answers []rf.FollowUpResult) []rf.FollowUpResult {
	number := map[string]int{} // source ID → the run's number; lookup only
	next := 0
	for _, s := range reportSources {
		if s.N <= 0 {
			continue
		}
		if _, ok := number[s.SourceID]; !ok && s.SourceID != "" {
			number[s.SourceID] = s.N
		}
		next = max(next, s.N)
	}
	out := make([]rf.FollowUpResult, len(answers))
	for i, a := range answers {
		renumber := map[int]int{} // the answer's number → the run's; lookup only
		changed := false
		var cited, fresh []rf.Source
		for _, s := range slices.Concat(a.Sources, a.NewSources) {
			n, ok := number[s.SourceID]
			if !ok {
				next++
				n = next
				if s.SourceID != "" {
					number[s.SourceID] = n
				}
			}
			if _, seen := renumber[s.N]; !seen {
				renumber[s.N] = n
			}
			changed = changed || s.N != n
			s.N = n
			if ok {
				cited = append(cited, s)
			} else {
				fresh = append(fresh, s)
			}
		}
		slices.SortStableFunc(cited, func(x, y rf.Source) int { return cmp.Compare(x.N, y.N) })
		a.Sources, a.NewSources = cited, fresh
		findings := slices.Clone(a.Findings)
		for j := range findings {
			if n, ok := renumber[findings[j].N]; ok {
				findings[j].N = n
			}
		}
		a.Findings = findings
		a.FromEvidence = len(a.Searches) == 0 && len(a.Findings) > 0 && len(fresh) == 0
		// An answer recorded before follow-ups left out the gaps their
		// statements answer lists none of them either.
		if open := FollowUpGaps(FollowUpSentences(a.Findings), slices.Concat(a.Sources, a.NewSources), a.Gaps); len(open) < len(a.Gaps) {
			a.Gaps, changed = open, true
		}
		if changed {
			a.Answer = FollowUp(a.Question, a.Question, FollowUpSentences(a.Findings),
				slices.Concat(a.Sources, a.NewSources), a.Gaps)
		}
		out[i] = a
	}
	return out
}
