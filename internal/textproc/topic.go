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
// states one ("1280 degrees", "Frankfurt", "09:00"), not the word; and the
// verb the question asks with (PredicateVerb: "Which city hosts the
// offsite?" is about the offsite).
func Topics(question string) []Topic {
	var out []Topic
	var prev string
	verb := PredicateVerb(question)
	for _, w := range Words(question) {
		before := prev
		prev = w
		switch {
		case w == verb:
			continue // what the question asks of its topic (see PredicateVerb)
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

// askAuxiliaries are the auxiliary and modal verbs a question is asked
// with ("Who is …", "What does …").
var askAuxiliaries = wordSet(`is are was were be been do does did has have had can could will would should shall may might must`)

// nounDeterminers open a noun phrase after a verb ("What caused the
// outage?", "Which city hosts the offsite?").
var nounDeterminers = wordSet(`the a an my our your its their this that these those his her`)

// howMeasureWords follow "how" as the measure asked ("how long are …").
var howMeasureWords = wordSet(`long often much many soon far old big large`)

// participles are past participles of common irregular verbs that stemming
// leaves alone (they are other words too: "set", "run", "found"), read as
// participles only where a passive question ends with one.
var participles = wordSet(`held kept made done set put sent spent paid told found left lost run said sold stood met hit cut shut`)

// PredicateVerb is the verb a question asks with (lower case), found by its
// place: "Who approves deploys?" (who and a verb), "What caused the
// outage?" and "Which city hosts the offsite?" (what or which, perhaps a
// noun, then a verb before a noun phrase), "Where is the offsite held?" and
// "How long are snapshots kept?" (a wh-word, perhaps a measure, "be", the
// subject and a participle). It is what the question asks of its topic,
// not the topic: a text that shares only it ("Marco Bianchi approves any
// single purchase") is about something else. "" when the question has no
// such verb.
func PredicateVerb(question string) string {
	ws := Words(question)
	if len(ws) < 3 {
		return ""
	}
	verbLike := func(w string) bool {
		return !IsStopWord(w) && !askAuxiliaries[w] && (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "s") || IrregularPast(w))
	}
	participle := func(w string) bool {
		return strings.HasSuffix(w, "ed") && len(w) > 4 || IrregularPast(w) || participles[w]
	}
	switch first := ws[0]; {
	case first == "who" && !IsStopWord(ws[1]) && !askAuxiliaries[ws[1]]:
		return ws[1]
	case (first == "what" || first == "which") && verbLike(ws[1]) && nounDeterminers[ws[2]]:
		return ws[1]
	case (first == "what" || first == "which") && len(ws) >= 4 && !IsStopWord(ws[1]) && verbLike(ws[2]) && nounDeterminers[ws[3]]:
		return ws[2]
	case first == "where" || first == "when" || first == "how" || first == "why":
		i := 1
		if first == "how" && howMeasureWords[ws[1]] {
			i = 2
		}
		if i < len(ws) && (ws[i] == "is" || ws[i] == "are" || ws[i] == "was" || ws[i] == "were") && len(ws) >= i+3 && participle(ws[len(ws)-1]) {
			return ws[len(ws)-1]
		}
	}
	return ""
}
