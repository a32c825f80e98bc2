package textproc

import (
	"slices"
	"strings"
)

// Topic is one word of a question that names what the question is about:
// the word as the question writes it (lower case) and its terms
// (Tokenize's: the stem, and for a code name such as "sync.once" the name
// whole and then its parts).
type Topic struct {
	Word  string
	Terms []string
}

// Topics are the words of a question that name what it is about, each
// once, in the question's order: its words that have a term (not stop
// words) less those that only frame a question. Framing words are the
// verbs and adverbs of asking ("explain", "tell", "what happens", "how
// does it work", "usually"), the measure after "how" ("how often", "how
// long", "how many") and the kind of answer after "what", "which" or
// "whose" ("what temperature", "which city", "what time"): the answer
// states one ("1280 degrees", "Frankfurt", "09:00"), not the word.
func Topics(question string) []Topic {
	var out []Topic
	var prev string
	for _, w := range Words(question) {
		before := prev
		prev = w
		switch {
		case askWords[w]:
			continue
		case before == "how" && howMeasures[w]:
			continue
		case (before == "what" || before == "which" || before == "whose") && answerKinds[w]:
			continue
		}
		terms := Tokenize(w)
		if len(terms) == 0 {
			continue
		}
		if !slices.ContainsFunc(out, func(t Topic) bool { return t.Terms[0] == terms[0] }) {
			out = append(out, Topic{Word: w, Terms: terms})
		}
	}
	return out
}

// In reports whether terms (a text's, see TermSet) hold the topic: its
// term, or for a code name the name whole or each of its parts ("the Once
// type" of package sync holds "sync.Once" when it also names sync).
func (t Topic) In(terms map[string]bool) bool {
	if len(t.Terms) == 0 || terms[t.Terms[0]] {
		return true
	}
	if len(t.Terms) == 1 {
		return false
	}
	for _, p := range t.Terms[1:] {
		if !terms[p] {
			return false
		}
	}
	return true
}

// TermSet is the set of the terms of texts (Tokenize).
func TermSet(texts ...string) map[string]bool {
	out := map[string]bool{}
	for _, text := range texts {
		for _, t := range Tokenize(text) {
			out[t] = true
		}
	}
	return out
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// askWords frame a question wherever they stand: the question words that
// are not stop words, the verbs of asking and of asking how something
// goes, and hedges.
var askWords = wordSet(`whose explain explains describe compare comparison list show tell give summarize summarise
find outline discuss define elaborate clarify please documentation docs doc say says said mention mentions mentioned
difference differences differ differs vs versus compared mean means meaning happen happens happened work works
worked usually typically generally normally currently exactly actually really ever still always often sometimes
else know thing things way ways`)

// howMeasures are what "how" asks the measure of ("how often", "how long").
var howMeasures = wordSet(`often long many much far big large small old soon fast slow quickly frequently high
tall wide deep heavy early late`)

// answerKinds are the kinds of answer "what", "which" or "whose" ask for
// ("what temperature", "which city", "what kind of").
var answerKinds = wordSet(`time times year years date dates day days month months week weeks hour hours minute
minutes temperature city cities country countries place places location locations person people name names number
numbers amount size length price cost percentage version versions kind kinds type types sort sorts value values
level levels unit units`)
