package report

import (
	"cmp"
	"fmt"
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
// confidence (a low one with LowConfidenceBanner), its statements with
// their citations, the numbered sources they cite and its gaps, less those
// its statements answer (FollowUpGaps). The answer is titled with its
// question (title), which the report's rules then do not repeat on a
// Question line. Unlike a low report, a low answer keeps its statements
// under the banner: they are what the passages nearest the question say,
// and the reader sees why they do not answer it. A source it cites whose
// document changed since the run (changed) is said so under the
// confidence (ChangedNote).
func FollowUp(title, question, confidence string, sentences []reasoning.Sentence, sources []rf.Source, gaps []rf.Gap, changed []rf.Source) string {
	var notes []string
	for _, c := range changed {
		notes = append(notes, ChangedNote(c))
	}
	md, _ := Render(Report{
		Notes:      notes,
		Question:   question,
		Draft:      reasoning.Draft{Title: title, Summary: sentences},
		Sources:    sources,
		Gaps:       FollowUpGaps(sentences, sources, gaps),
		Confidence: confidence,
	})
	return md
}

// ChangedNote says what it means for a follow-up's answer that source s,
// which it cites, changed since the run: "Source 1, backups.md, changed
// since the run: this answer quotes it as it is now, the report as the run
// read it."
func ChangedNote(s rf.Source) string {
	name := fmt.Sprintf("Source %d", s.N)
	if s.Title != "" {
		name += ", " + s.Title + ","
	}
	return name + " changed since the run: this answer quotes it as it is now, the report as the run read it."
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
// (no search) and the answer cites no source new to the run. An answer with
// no Confidence (recorded before answers were rated) is rated
// (FollowUpConfidence) and states it under its title (AddConfidence).
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
		changes := slices.Clone(a.Changed)
		for j := range changes {
			if n, ok := renumber[changes[j].N]; ok {
				changes[j].N = n
			}
		}
		a.Changed = changes
		a.FromEvidence = len(a.Searches) == 0 && len(a.Findings) > 0 && len(fresh) == 0
		// An answer recorded before follow-ups left out the gaps their
		// statements answer lists none of them either.
		if open := FollowUpGaps(FollowUpSentences(a.Findings), slices.Concat(a.Sources, a.NewSources), a.Gaps); len(open) < len(a.Gaps) {
			a.Gaps, changed = open, true
		}
		// An answer recorded before follow-ups were rated is rated here,
		// from what it recorded, and states it.
		if a.Confidence == "" {
			a.Confidence = FollowUpConfidence(a.Findings, a.Gaps, 0)
			a.Answer = AddConfidence(a.Answer, a.Confidence)
		}
		if changed {
			a.Answer = FollowUp(a.Question, a.Question, a.Confidence, FollowUpSentences(a.Findings),
				slices.Concat(a.Sources, a.NewSources), a.Gaps, a.Changed)
		}
		out[i] = a
	}
	return out
}

// FollowUpConfidence rates a follow-up's answer as Confidence rates a
// report: findings are the answer's statements, gaps what it left open
// (those its statements answer not counted) and parts how many parts the
// question was answered in (0 when not known: one part per gap, and one
// for the statements). The parts answered count as answered
// sub-questions, each by the answer's best finding; no statement is low.
//
// One rule is the follow-up's own: a question of one part answered by
// statements of two or more sources, none of which speaks of the whole of
// its topic, is low. Each statement then answers a piece of the question,
// and read together they may say what neither source does ("The offsite
// moves to Porto" of one note and "We stay at the Hotel Alfama" of
// another, the Lisbon hotel, for "Which hotel do we stay at in Porto?").
func FollowUpConfidence(findings []rf.FollowUpFinding, gaps []rf.Gap, parts int) string {
	if len(findings) == 0 {
		return ConfidenceLow
	}
	answered := parts - len(gaps)
	if parts <= 0 || answered < 1 {
		answered = 1
	}
	var cited []reasoning.CitedFinding
	var sources []string
	whole := false
	for _, f := range findings {
		cited = append(cited, reasoning.CitedFinding{Finding: reasoning.Finding{Text: f.Text, ChunkID: f.ChunkID, SourceID: f.SourceID, Score: f.Score, Support: f.Support}, N: f.N})
		if !slices.Contains(sources, f.SourceID) {
			sources = append(sources, f.SourceID)
		}
		whole = whole || f.Support == 0 || f.Support >= 1
	}
	if parts <= 1 && len(gaps) == 0 && len(sources) > 1 && !whole {
		return ConfidenceLow
	}
	sections := make([]reasoning.SectionInput, answered)
	for i := range sections {
		sections[i].Findings = cited
	}
	return Confidence(sections, gaps)
}
