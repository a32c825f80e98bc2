package extractive

import (
	"strings"
	"unicode"

	"github.com/researchflow/researchflow/internal/textproc"
)

// determiners open a noun phrase that can be one item of a coordinated list
// ("the length, the opening year, the designer and the number of arches").
var determiners = set(`the a an its their his her this that these those our your my`)

// listPrepositions introduce the shared complement of a coordinated list
// ("… of the Varga bridge").
var listPrepositions = set(`of for in on at about from`)

// coordinatedItems splits a question that asks for several things of one
// topic, listed as noun phrases with commas and a final "and" ("What are
// the length, the opening year, the designer and the number of arches of
// the Varga bridge?"), into one question per item ("What is the length of
// the Varga bridge?", …, "What is the number of arches of the Varga
// bridge?"). Every word of a part is the question's own: the item, the
// shared complement after the last item, and "What is/are". Two items are
// split only when both open with a determiner ("the length and the width
// of …"); a pair of bare words is conjuncts' case. A question with no such
// list gives nil.
func coordinatedItems(q string) []string {
	body := strings.TrimRight(strings.TrimSpace(q), " ?.!")
	ws := scanWords(body)
	if len(ws) < 4 || comparisonMarker(ws) {
		return nil
	}
	// The last "and"/"or" joins the last item to the others.
	and := -1
	for i := len(ws) - 2; i >= 1; i-- {
		if ws[i].lower == "and" || ws[i].lower == "or" {
			and = i
			break
		}
	}
	if and < 0 || ws[and].lower == "or" && ws[0].lower == "which" && ws[1].lower != "of" {
		return nil // "Which is faster, A or B?" asks to choose: see comparisonSides
	}
	// The list runs from after the last asking word ("What are", "Tell
	// me") before "and"; its items before "and" are separated by commas.
	open := -1
	for k := and - 1; k >= 0; k-- {
		if opensClause(ws[k]) {
			open = k
			break
		}
	}
	if open < 0 || open+1 >= and {
		return nil
	}
	if ws[open].lower == "which" || ws[open].lower == "what" {
		// The words right after "Which"/"What" ask ("Which compresses
		// better, gzip or xz?"): what follows them is no list of what
		// is asked for.
		return nil
	}
	for k := 0; k < open; k++ {
		if !(questionWords[ws[k].lower] || imperatives[ws[k].lower] || textproc.IsStopWord(ws[k].lower)) {
			return nil
		}
	}
	type span struct{ from, to int } // word indexes, inclusive
	var spans []span
	from := open + 1
	for k := open + 2; k < and; k++ {
		if strings.Contains(body[ws[k-1].end:ws[k].start], ",") {
			spans = append(spans, span{from, k - 1})
			from = k
		}
	}
	spans = append(spans, span{from, and - 1})
	// The last item runs from after "and" to the shared complement.
	tail := len(ws)
	for k := len(ws) - 2; k > and+1; k-- {
		if listPrepositions[ws[k].lower] && opensNounPhrase(ws[k+1]) {
			tail = k
			break
		}
	}
	spans = append(spans, span{and + 1, tail - 1})
	var items []string
	for _, sp := range spans {
		if sp.to < sp.from || !nounPhrase(ws[sp.from:sp.to+1]) {
			return nil
		}
		items = append(items, body[ws[sp.from].start:ws[sp.to].end])
	}
	rest := ""
	if tail < len(ws) {
		rest = " " + body[ws[tail].start:]
	}
	// "X and its/their Y on Z" ("the latest trends in quantum computing
	// and their potential impact on AI"): the last item belongs to the
	// items before it, and the complement after it is its own. The parts
	// are what X is and what the Y of X on Z is, in the question's words.
	if last := spans[len(spans)-1]; possessives[ws[last.from].lower] && last.to > last.from {
		if len(items) > 2 {
			return nil // "A, B and their C": whose C is unclear
		}
		owner := items[0]
		// The item's own complement follows the owner: "their cost in
		// memory" is "the cost of goroutines in memory".
		cut := last.to + 1
		for k := last.from + 2; k <= last.to; k++ {
			if listPrepositions[ws[k].lower] {
				cut = k
				break
			}
		}
		own := body[ws[last.from+1].start:ws[cut-1].end]
		if cut <= last.to {
			rest = " " + body[ws[cut].start:ws[last.to].end] + rest
		}
		var out []string
		out = append(out, "What "+be(isPlural(headNoun(scanWords(owner))))+" "+owner+"?")
		out = append(out, "What "+be(isPlural(ws[cut-1]))+" the "+own+" of "+owner+rest+"?")
		return out
	}
	if len(items) == 2 && !(determiners[ws[spans[0].from].lower] && determiners[ws[spans[1].from].lower]) {
		return nil
	}
	// "the default values of HISTSIZE, HISTFILESIZE and HISTCONTROL": the
	// first item opens with what is asked of every item, the others are
	// bare names; each part asks it ("What are the default values of
	// HISTFILESIZE?").
	frame := ""
	if first := spans[0]; determiners[ws[first.from].lower] {
		for k := first.from + 1; k < first.to; k++ {
			if listPrepositions[ws[k].lower] && k+1 == first.to {
				frame = body[ws[first.from].start:ws[k].end] + " "
				break
			}
		}
		for _, sp := range spans[1:] {
			if frame != "" && (determiners[ws[sp.from].lower] || sp.to != sp.from) {
				frame = "" // "the X of A, the Y of B": items of their own
			}
		}
	}
	var out []string
	for i, it := range items {
		if i > 0 && frame != "" {
			it = frame + it
		}
		head := headNoun(scanWords(it))
		out = append(out, "What "+be(isPlural(head))+" "+it+rest+"?")
	}
	return out
}

// possessives open an item that belongs to the item before it ("its
// impact", "their cost").
var possessives = set(`its their`)

// opensClause reports whether w ends the asking part before a list ("are",
// "is", "me", "what").
func opensClause(w word) bool {
	return questionWords[w.lower] || imperatives[w.lower] || w.lower == "me" || w.lower == "us"
}

// opensNounPhrase reports whether w can open the object of a complement:
// a determiner, a name or a code identifier.
func opensNounPhrase(w word) bool {
	if determiners[w.lower] || isIdentifier(w.text) {
		return true
	}
	r := []rune(w.text)
	return len(r) > 0 && unicode.IsUpper(r[0])
}

// nounPhrase reports whether ws is an item of a list: no verb, no question
// word, at least one topic word.
func nounPhrase(ws []word) bool {
	topic := false
	for _, w := range ws {
		if questionWords[w.lower] || verbs[w.lower] || imperatives[w.lower] || subjects[w.lower] {
			return false
		}
		if !textproc.IsStopWord(w.lower) {
			topic = true
		}
	}
	return topic
}

// headNoun is the word an item agrees with: the last word before its first
// preposition ("the number of arches": number).
func headNoun(ws []word) word {
	for i, w := range ws {
		if i > 0 && listPrepositions[w.lower] {
			return ws[i-1]
		}
	}
	return ws[len(ws)-1]
}
