package extractive

import (
	"slices"
	"strings"

	"github.com/researchflow/researchflow/internal/textproc"
)

// Answer passages. A finding is not a lone sentence but a window of
// contiguous sentences of one passage under one heading: the sentence the
// analyst selected, grown by its neighbours while they speak of the
// question (see relatedSentence), up to windowSentences sentences and
// windowWords words. The answer to "How do I create an associative
// array?" is often the sentence after the one that names associative
// arrays; a rule is often stated over two sentences, or a value in a
// short one beside it ("Pieces are 8 MiB.", too short to quote alone,
// joins when it speaks of the question as any neighbour must).
const (
	windowSentences = 4
	windowWords     = 130
	// windowBack is how many sentences a window may grow backwards (an
	// introduction of the selected sentence).
	windowBack = 1
	// relatedWeight is the weight (see termWeights) at which one shared
	// question term makes a neighbour related; lighter terms need a second
	// one, or a term of pseudo-relevance feedback beside them. 0.25 lets a
	// topic word found in up to about three in four candidate sentences
	// (four in five when there are few) count alone: on a page about the
	// topic the topic word is in most sentences, and the neighbour that
	// uses it continues the answer. (0.5 until 2026-12-06, which needed a
	// word in at most about one in five; at 0.25 the tune half's recall
	// rose 0.729 → 0.750 at precision 0.818 → 0.815, and 0.01 measured the
	// same as 0.25.)
	relatedWeight = 0.25
)

// listed reports whether sentence j is an item of a list that a sentence
// of the window from from on introduces with a final ":", the items
// before j in the window too.
func listed(sents []sentence, from, j int) bool {
	if !sents[j].item {
		return false
	}
	for k := j - 1; k >= from; k-- {
		if !sents[k].item {
			return announcesBlock(sents[k].text)
		}
	}
	return false
}

// window is a run of sentences [from, to] of one passage.
type window struct {
	passage, from, to int
	text              string
}

// grow returns the window around sentence i of sents: forward, then at
// most windowBack backward, each neighbour joining while it is under the
// same heading, continues its neighbour as written (no code or table left
// out between), is in no earlier window, reads as a sentence and is
// related; the first that is not ends the growth on that side.
//
// whole: the answer is a list sentence i is in or introduces, quoted
// whole (see steps) where it is short enough.
//
// step, when not nil, says whether a sentence gives a step of a procedure
// (see givesStep): the window of a how-to question that shows none grows
// over one more neighbour that does, related or not, before it or else
// after it ("You start screen as "screen -r"." before "screen magically
// reattaches all previous screen windows …"): a how-to answer shows the
// command. So a window may start windowBack+1 sentences before i.
func grow(sents []sentence, i, passage int, related, step func(string) bool, whole bool, before []window) window {
	w := window{passage: passage, from: i, to: i}
	if whole {
		if from, to, ok := steps(sents, i, passage, before); ok {
			w.from, w.to = from, to
			w.text = windowText(sents, w)
			return w
		}
	}
	words := len(textproc.Words(sents[i].text))
	// fits reports whether sentence j joins the window; join is the
	// sentence of the pair (j and its neighbour in the window) that comes
	// second, which must continue the first as written.
	fits := func(j, second int) bool {
		s := sents[j]
		if s.row || s.heading != sents[i].heading || sents[second].cut || sents[second].term != "" || w.to-w.from+1 >= windowSentences || covered(passage, j, before) || quoted(s.text, before) {
			// A sentence after a definition's term opens another
			// definition: the window ends before it, or starts with it.
			return false
		}
		n := len(textproc.Words(s.text))
		if words+n > windowWords {
			return false
		}
		switch intro, _, _ := strings.Cut(s.text, "\n"); {
		case s.code:
			// A code block stands right after the sentence that
			// introduces it: forward, the window's last; backward, it
			// joins with that sentence (see below).
		case j > i && listed(sents, w.from, j):
			// The items of a list the window's sentence introduces
			// ("To restart the worker, do this:", then "1. Stop …"):
			// what it announces, related or not.
		case isFragment(intro) && !shortSentence(intro):
			return false
		case !related(s.text) && !(j > i && sents[i].term != "" && s.defines == sents[i].defines):
			// The sentences after an entry's first describe the same
			// option or setting ("When any of --no-verify or -n is
			// given, these are bypassed.").
			return false
		}
		words += n
		return true
	}
	// A list item or table row (see typedItem) stands alone: its
	// neighbours are other items.
	intro, _, _ := strings.Cut(sents[i].text, "\n")
	item := !endsColon(intro) && isFragment(intro) || sents[i].row
	for !item && w.to+1 < len(sents) && fits(w.to+1, w.to+1) {
		w.to++
	}
	for back := 0; !item && back < windowBack && w.from > 0; back++ {
		j := w.from - 1
		if !sents[j].code {
			if !fits(j, w.from) {
				break
			}
			w.from = j
			continue
		}
		// A code block before the window comes with the sentence that
		// introduces it, or not at all.
		saved := words
		if j == 0 || !fits(j, w.from) {
			words = saved
			break
		}
		w.from = j
		if !fits(j-1, j) {
			w.from, words = j+1, saved
			break
		}
		w.from = j - 1
	}
	if step != nil && !item && !showsStep(sents, w, step) {
		// The step before the window, else the one after it.
		for _, j := range []int{w.from - 1, w.to + 1} {
			if j < 0 || j >= len(sents) || sents[j].code {
				continue
			}
			second := max(j, w.from)
			s := sents[j]
			n := len(textproc.Words(s.text))
			intro, _, _ := strings.Cut(s.text, "\n")
			if s.heading != sents[i].heading || sents[second].cut || sents[second].term != "" || w.to-w.from+1 >= windowSentences ||
				covered(passage, j, before) || quoted(s.text, before) || words+n > windowWords || isFragment(intro) || !step(s.text) {
				continue
			}
			w.from, w.to = min(w.from, j), max(w.to, j)
			words += n
			break
		}
	}
	w.text = windowText(sents, w)
	return w
}

// windowText is the text of window w of sents: its sentences as written,
// code and list items on lines of their own.
func windowText(sents []sentence, w window) string {
	var b strings.Builder
	if t := sents[w.from].term; t != "" {
		// The term a definition defines: "nullglob", then "If set, …".
		// A later paragraph of the entry is not labelled: where an entry
		// ends is not always written ("-n string" on two lines), and a
		// wrong label makes a false statement.
		b.WriteString(t + "\n")
	}
	for j := w.from; j <= w.to; j++ {
		if j > w.from {
			// Code, a sentence after command lines, and the items of a
			// list the window introduces start a line of their own.
			if sents[j].code || sents[j-1].code || strings.Contains(sents[j-1].text, "\n") || listed(sents, w.from, j) {
				b.WriteString("\n")
			} else {
				b.WriteString(textproc.SpaceAfter(sents[j-1].text))
			}
		}
		if sents[j].code {
			b.WriteString(indented(sents[j].text))
			continue
		}
		b.WriteString(sents[j].text)
	}
	return b.String()
}

// Steps of a how-to answer. The answer to "How do I restore the
// database?" is the list of steps a page gives, all of them and in their
// order, with the commands they show: a window of a few sentences around
// the best-matching step gave steps 2 and 3, then step 1 in another
// finding, and left out step 4.
const (
	// listSentences and listWords bound a window over a whole list
	// (its items, their code blocks and the sentence that introduces
	// it); a longer list is quoted as other windows are.
	listSentences = 16
	listWords     = 300
)

// steps returns the window [from, to] over the list that sentence i of
// sents is an item of, or introduces with a final ":": the sentence that
// introduces it (when one does), every item under the same heading with
// the code blocks that follow items. ok is false when i is in no list of
// two items or more, the list is longer than listSentences or listWords,
// or a sentence of it is quoted already (before).
func steps(sents []sentence, i, passage int, before []window) (from, to int, ok bool) {
	h := sents[i].heading
	first := i
	if from, to, ok := proseSteps(sents, i); ok {
		return from, to, wholeFits(sents, from, to, passage, before)
	}
	if !sents[i].item {
		// "To restore a backup, do this:", perhaps a code block, then
		// the items.
		intro, _, _ := strings.Cut(sents[i].text, "\n")
		if !endsColon(intro) {
			return 0, 0, false
		}
		first = i + 1
		if first < len(sents) && sents[first].code {
			first++
		}
		if first >= len(sents) || !sents[first].item || sents[first].heading != h {
			return 0, 0, false
		}
	}
	from = first
	for from > 0 && sents[from-1].heading == h {
		switch {
		case sents[from-1].item:
			from--
			continue
		case sents[from-1].code && from >= 2 && sents[from-2].item && sents[from-2].heading == h:
			from -= 2
			continue
		}
		break
	}
	items := 0
	to = from
	for to = from; to+1 < len(sents) && sents[to+1].heading == h && (sents[to+1].item || sents[to+1].code); to++ {
	}
	for j := from; j <= to; j++ {
		if sents[j].item {
			items++
		}
	}
	if p := from - 1; p >= 0 && !sents[p].item && !sents[p].code && sents[p].heading == h {
		if intro, _, _ := strings.Cut(sents[p].text, "\n"); endsColon(intro) {
			from = p // the sentence that introduces the list
		}
	}
	if items < 2 {
		return 0, 0, false
	}
	return from, to, wholeFits(sents, from, to, passage, before)
}

// proseSteps returns the window [from, to] over the steps of a how-to
// written as sentences that each introduce a code block with a final ":"
// ("Install it with:", the block, "Then fetch your config … and start the
// tunnel:", the block), sentence i one of them: every such pair in a row
// under one heading, and the sentence before the first when that one
// leans back on it ("We use WireGuard." for "Install it with:"). ok is
// false when i is no such sentence or the run has one step.
func proseSteps(sents []sentence, i int) (from, to int, ok bool) {
	h := sents[i].heading
	intro := func(j int) bool {
		if j < 0 || j+1 >= len(sents) || sents[j].code || sents[j].item || sents[j].heading != h {
			return false
		}
		first, _, _ := strings.Cut(sents[j].text, "\n")
		return endsColon(first) && sents[j+1].code && !sents[j+1].cut && sents[j+1].heading == h
	}
	if sents[i].code {
		i--
	}
	if !intro(i) {
		return 0, 0, false
	}
	from, to = i, i+1
	for intro(from - 2) {
		from -= 2
	}
	for intro(to + 1) {
		to += 2
	}
	if to-from+1 < 4 {
		return 0, 0, false
	}
	if p := from - 1; p >= 0 && leansBack(sents[from].text) && !sents[p].code && !sents[p].item && sents[p].heading == h && !sents[from].cut {
		from = p
	}
	return from, to, true
}

// wholeFits reports whether the window [from, to] can be quoted whole: at
// most listSentences sentences and listWords words, none quoted already
// (before).
func wholeFits(sents []sentence, from, to, passage int, before []window) bool {
	if to-from+1 > listSentences {
		return false
	}
	words := 0
	for j := from; j <= to; j++ {
		words += len(textproc.Words(sents[j].text))
		if covered(passage, j, before) || quoted(sents[j].text, before) {
			return false
		}
	}
	return words <= listWords
}

// showsStep reports whether a sentence of window w is code or shows a step.
func showsStep(sents []sentence, w window, step func(string) bool) bool {
	for j := w.from; j <= w.to; j++ {
		if sents[j].code || step(sents[j].text) {
			return true
		}
	}
	return false
}

// quoted reports whether s is in the text of a window before (from another
// passage: overlapping chunks, copies of a page).
func quoted(s string, before []window) bool {
	for _, o := range before {
		if strings.Contains(o.text, s) {
			return true
		}
	}
	return false
}

// covered reports whether sentence j of a passage stands in one of the
// windows before: its text is quoted already.
func covered(passage, j int, before []window) bool {
	for _, o := range before {
		if o.passage == passage && o.from <= j && j <= o.to {
			return true
		}
	}
	return false
}

// relatedSentence reports whether s speaks of the question: it holds a
// question term of weight at least relatedWeight, or two question terms,
// or one with a term of pseudo-relevance feedback. (Measured on the tune
// half: a neighbour that shares one question term and one word of the
// window, a lexical chain, quoted more and answered less.)
func relatedSentence(s string, sub, main, expansion []string, weight func(string) float64) bool {
	terms := map[string]bool{}
	for _, t := range textproc.Tokenize(s) {
		terms[t] = true
	}
	seen := map[string]bool{}
	n := 0
	for _, t := range append(append([]string(nil), sub...), main...) {
		if seen[t] || !terms[t] {
			continue
		}
		seen[t] = true
		if weight(t) >= relatedWeight {
			return true
		}
		n++
	}
	if n >= 2 {
		return true
	}
	if n == 1 {
		for _, t := range expansion {
			if terms[t] {
				return true
			}
		}
	}
	return false
}

// roomiest keeps, of candidates with the same text, the one with the most
// sentences after it in its passage (the first on a tie), in their order,
// with the best relevance of them all.
func roomiest(cands []*candidate, sents [][]sentence) []*candidate {
	room := func(c *candidate) int { return len(sents[c.passage]) - c.idx }
	best := map[string]*candidate{}
	rel := map[string]float64{}
	for _, c := range cands {
		k := sentenceKey(c.text)
		rel[k] = max(rel[k], c.rel)
		if b, ok := best[k]; !ok || room(c) > room(b) {
			best[k] = c
		}
	}
	out := cands[:0:0]
	for _, c := range cands {
		if k := sentenceKey(c.text); best[k] == c {
			c.rel = rel[k]
			out = append(out, c)
		}
	}
	return out
}

// indented returns the lines of a code block each starting with white
// space, as code stands in a finding's text (a tab before a line that has
// none: a <pre> block's lines come without), so that a report shows them as
// code, not prose.
func indented(code string) string {
	lines := strings.Split(code, "\n")
	for i, l := range lines {
		if l != "" && l[0] != ' ' && l[0] != '\t' {
			lines[i] = "\t" + l
		}
	}
	return strings.Join(lines, "\n")
}

// listAsked reports whether sentence i of sents is an item of a list
// under a heading the question names: every term of the heading is one of
// the question's (terms), "Action items" for "What are the action items
// from the payments postmortem?", "Decisions" for "What were the
// decisions of the engineering sync?".
func listAsked(sents []sentence, i int, terms []string) bool {
	if !sents[i].item || sents[i].heading == "" {
		return false
	}
	hs := textproc.Tokenize(sents[i].heading)
	if len(hs) == 0 {
		return false
	}
	for _, h := range hs {
		if !slices.Contains(terms, h) {
			return false
		}
	}
	return true
}
