package report

import (
	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// CitedInOrder renumbers the sources of a draft by first citation — summary
// first, then sections, sentence by sentence, citations in the order
// written — and leaves out the sources that no sentence cites, so that a
// report lists only what it cites, numbered as a reader meets it. Citations
// of numbers not in sources are kept as they are (Render removes them).
// The input draft is not modified.
func CitedInOrder(d reasoning.Draft, sources []rf.Source) (reasoning.Draft, []rf.Source) {
	byN := map[int]rf.Source{}
	for _, s := range numbered(sources) {
		byN[s.N] = s
	}
	renum := map[int]int{}
	var out []rf.Source
	remap := func(list []reasoning.Sentence) []reasoning.Sentence {
		res := make([]reasoning.Sentence, len(list))
		for i, s := range list {
			res[i] = reasoning.Sentence{Text: s.Text, Cites: make([]int, 0, len(s.Cites))}
			for _, n := range s.Cites {
				src, ok := byN[n]
				if !ok {
					res[i].Cites = append(res[i].Cites, -n) // unknown: stays invalid
					continue
				}
				m, seen := renum[n]
				if !seen {
					m = len(out) + 1
					renum[n] = m
					src.N = m
					out = append(out, src)
				}
				res[i].Cites = append(res[i].Cites, m)
			}
		}
		return res
	}
	nd := d
	nd.Summary = remap(d.Summary)
	nd.Sections = make([]reasoning.DraftSection, len(d.Sections))
	for i, sec := range d.Sections {
		nd.Sections[i] = reasoning.DraftSection{Heading: sec.Heading, Sentences: remap(sec.Sentences)}
	}
	return nd, out
}
