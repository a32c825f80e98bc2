package textproc

import (
	"slices"
	"strconv"
	"strings"
)

// Subject is what a statement speaks of: the noun phrase before its verb
// ("Nightly database backups" of "Nightly database backups are retained
// for 35 days.").
type Subject struct {
	// Words are the phrase's words, lower case as Words gives them,
	// without its determiners and prepositions ("backups", "billing",
	// "database" of "Backups of the billing database").
	Words []string
	// Head is the noun the phrase names: its last word before a
	// preposition ("backups" of "Backups of the billing database",
	// "backups" of "Nightly database backups"). The other words say which
	// or what kind.
	Head string
}

// SentenceSubject is the subject of sentence (the first of a text), found
// by its place: the words before the sentence's first finite auxiliary
// ("is", "are", "was", "has", "does", "can", "must": a passive, a "be"
// or a modal sentence), after a leading clause set off by a comma ("At
// Example Corp, logs are kept …"), up to a relative pronoun or a
// participle after a plural ("Backups stored offsite are …"). ok is false
// when the sentence takes no such shape: an active verb ("Example Corp
// keeps logs …"), a pronoun ("They are …", "There are …"), a
// subordinate clause ("When backups are taken, …"), "and" or "or" in the
// phrase, or more than six words in it. Reading by place, it knows no
// verbs: a subject of two bare nouns before an active verb is not found.
func SentenceSubject(sentence string) (Subject, bool) {
	if ss := Sentences(sentence); len(ss) > 0 {
		sentence = ss[0]
	}
	ws := placedWords(sentence) // "on-call" one word
	verb := slices.IndexFunc(ws, func(w placedWord) bool {
		return askBe[w.w] || askHave[w.w] || askDo[w.w] || askModals[w.w]
	})
	if verb < 1 {
		return Subject{}, false
	}
	// A clause set off before the subject ("At Example Corp, logs …").
	from := 0
	if at := strings.LastIndexAny(sentence[:ws[verb].start], ",;:()—–"); at >= 0 {
		from = slices.IndexFunc(ws, func(w placedWord) bool { return w.start > at })
	}
	var phrase []string
	for _, w := range ws[from:verb] {
		phrase = append(phrase, w.w)
	}
	// Up to a relative clause or a participle after a plural ("Backups
	// that run nightly", "Backups stored offsite").
	for i, w := range phrase {
		if i > 0 && (relativePronouns[w] || passiveParticiple(w) && !IsStopWord(w) && pluralShape(phrase[i-1])) {
			phrase = phrase[:i]
			break
		}
	}
	var s Subject
	afterPreposition := false
	for i, w := range phrase {
		switch {
		case nounDeterminers[w] && (i == 0 || afterPreposition):
			continue
		case subjectPrepositions[w] && len(s.Words) > 0:
			if !afterPreposition {
				s.Head = s.Words[len(s.Words)-1]
			}
			afterPreposition = true
			continue
		case IsStopWord(w):
			// A pronoun, a conjunction, a subordinate clause: no noun
			// phrase read by its place.
			return Subject{}, false
		}
		s.Words = append(s.Words, w)
	}
	if len(s.Words) == 0 || len(s.Words) > 6 {
		return Subject{}, false
	}
	if s.Head == "" {
		s.Head = s.Words[len(s.Words)-1]
	}
	if isNumber(s.Head) {
		return Subject{}, false
	}
	return s, true
}

// relativePronouns open a relative clause after a noun ("Backups that run
// nightly").
var relativePronouns = wordSet(`that which who whose whom`)

// subjectPrepositions may join a subject's head to the words after it
// ("Backups of the billing database", "logs at Example Corp").
var subjectPrepositions = wordSet(`of at in on for from with by under over within across between per`)

func isNumber(w string) bool {
	_, err := strconv.ParseFloat(strings.ReplaceAll(w, ",", ""), 64)
	return err == nil
}

// OtherSubject reports whether text (a statement or a passage) speaks of
// another subject than claim, a statement whose subject SentenceSubject
// finds: text never names the head of claim's subject (stemmed: "Database
// snapshots are retained for 7 days" for "Nightly database backups are
// retained for 35 days", which share only a modifier and what is said of
// them), or every sentence of text whose subject has that head names it
// with a word claim lacks while claim's subject has a word the sentence
// lacks: two kinds of one thing ("Staging logs" for "Production logs",
// "Backups of the auth database" for "Backups of the billing database").
// A subject that only adds detail is the same ("Backups" for "Nightly
// backups"); numbers in the phrases are left out ("The 2025 budget").
// false when claim's subject is not found: nothing is known of it.
func OtherSubject(claim, text string) bool {
	cs, ok := SentenceSubject(claim)
	if !ok {
		return false
	}
	head := Stem(cs.Head)
	if !stems(text)[head] {
		return true
	}
	claimStems := stems(claim)
	same, other := false, false
	for _, sentence := range Sentences(text) {
		ts, ok := SentenceSubject(sentence)
		if !ok || Stem(ts.Head) != head {
			continue
		}
		if lacks(cs, stems(sentence)) && lacks(ts, claimStems) {
			other = true
		} else {
			same = true
		}
	}
	return other && !same
}

// stems is the set of the stems of text's words.
func stems(text string) map[string]bool {
	out := map[string]bool{}
	for _, w := range Words(text) {
		out[Stem(w)] = true
	}
	return out
}

// lacks reports whether s has a word besides its head, not a number, whose
// stem is not in other.
func lacks(s Subject, other map[string]bool) bool {
	return slices.ContainsFunc(s.Words, func(w string) bool {
		return w != s.Head && !isNumber(w) && !other[Stem(w)]
	})
}
