package report

import (
	"maps"
	"slices"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

// OpenGaps are the gaps of gaps that the draft does not answer after all.
// A sub-question is a gap when what was found for it answered nothing, but
// the report's findings for the whole question or another sub-question may
// answer it ("How much is the stipend, and who do we escalate to?": the
// summary's "Escalation goes to the platform lead after 30 minutes [2]");
// a report that then lists it as unanswered says something false. A gap
// is answered when one cited sentence of the draft (summary or sections,
// with a citation to a listed source) holds every word that names what its
// sub-question asks about (textproc.Topics) and the verb it asks with
// (textproc.PredicateVerb): the sub-question's words, each of them, not
// some. A sub-question with no such word ("Tell me more.") stays a gap.
func OpenGaps(d reasoning.Draft, sources []rf.Source, gaps []rf.Gap) []rf.Gap {
	listed := map[int]bool{}
	for _, s := range sources {
		listed[s.N] = true
	}
	var cited []string
	for _, s := range slices.Concat(d.Summary, sectionSentences(d.Sections)) {
		if slices.ContainsFunc(s.Cites, func(n int) bool { return listed[n] }) {
			cited = append(cited, s.Text)
		}
	}
	if len(cited) == 0 {
		return gaps
	}
	var open []rf.Gap
	for _, g := range gaps {
		if !slices.ContainsFunc(cited, func(s string) bool { return covers(s, g.SubQuestion) }) {
			open = append(open, g)
		}
	}
	return open
}

// OpenRevisionGaps is md, a revision's report, and gaps, its gaps, less
// the gaps its claims (cited statements of sources) answer (OpenGaps), its
// Gaps section written again without them (none when none is left).
func OpenRevisionGaps(md string, claims []rf.Claim, sources []rf.Source, gaps []rf.Gap) (string, []rf.Gap) {
	var d reasoning.Draft
	for _, c := range claims {
		d.Summary = append(d.Summary, reasoning.Sentence{Text: c.Text, Cites: c.Cites})
	}
	open := OpenGaps(d, sources, gaps)
	if len(open) == len(gaps) {
		return md, gaps
	}
	return RemoveGaps(md, slices.DeleteFunc(slices.Clone(gaps), func(g rf.Gap) bool { return slices.Contains(open, g) })), slices.Clone(open)
}

func sectionSentences(sections []reasoning.DraftSection) []reasoning.Sentence {
	var out []reasoning.Sentence
	for _, sec := range sections {
		out = append(out, sec.Sentences...)
	}
	return out
}

// covers reports whether sentence holds every topic word of question and
// the verb it asks with, and holds one at least. The noun of the kind
// asked is held by a sentence that shows one (textproc.HoldsKind).
func covers(sentence, question string) bool {
	terms := textproc.TermSet(sentence)
	n := 0
	for _, t := range textproc.Topics(question) {
		if !t.In(terms) && !(t.Asked && textproc.HoldsKind(t.Word, sentence)) {
			return false
		}
		n++
	}
	if v := textproc.PredicateVerb(question); v != "" {
		for _, t := range textproc.Tokenize(v) {
			if !terms[t] {
				return false
			}
			n++
		}
	}
	return n > 0
}

// WithoutAskedGap drops the gap of the question as asked when the report
// answers part of it (answered: a section states findings): its parts'
// gaps say what is missing, and "Which command restores a backup and what
// is the office Wi-Fi password? — the retrieved passages did not answer
// it" above the restore command says something false. The question as
// asked is the gap whose sub-question has the question's words.
func WithoutAskedGap(question string, answered bool, gaps []rf.Gap) []rf.Gap {
	if !answered {
		return gaps
	}
	asked := textproc.TermSet(question)
	return slices.DeleteFunc(slices.Clone(gaps), func(g rf.Gap) bool {
		return len(asked) > 0 && maps.Equal(textproc.TermSet(g.SubQuestion), asked)
	})
}
