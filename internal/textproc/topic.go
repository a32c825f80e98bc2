package textproc

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Topic is one word of a question that names what the question is about:
// the word as the question writes it (lower case) and its terms
// (Tokenize's: the stem, and for a code name such as "sync.once" the name
// whole and then its parts).
type Topic struct {
	Word  string
	Terms []string
	// Asked is set on the head of the noun phrase after "what" or
	// "which" that names the kind of answer asked ("command" in "Which
	// kubectl command undoes the rollout?"): a text may answer with one
	// (a command line) and never say the word (see HoldsKind).
	Asked bool
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
	asked := askedHead(Words(question), verb)
	docNoun, docVerb := AsksForSource(question)
	for _, w := range Words(question) {
		before := prev
		prev = w
		switch {
		case w == verb:
			continue // what the question asks of its topic (see PredicateVerb)
		case docNoun != "" && (w == docNoun || w == docVerb):
			continue // which document, not about what (see AsksForSource)
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
			out = append(out, Topic{Word: w, Terms: terms, Asked: w == asked})
		}
	}
	return out
}

// AsksForSource returns the noun and the verb of a question that asks
// which of the corpus's documents speaks of its topic ("notes" and
// "mention" in "Which notes mention the canary?", "document" and
// "explains" in "What document explains the rollback?"): the noun after
// "what" or "which" names a document and a verb of saying follows it. The
// documents cited answer it; neither word is its topic, and no passage
// need write them. "", "" for other questions ("Which file does git read
// for excludes?" asks for a file's name).
func AsksForSource(question string) (noun, verb string) {
	ws := Words(question)
	for i := 1; i+1 < len(ws); i++ {
		if (ws[i-1] == "what" || ws[i-1] == "which") && sourceNouns[ws[i]] && sourceVerbs[ws[i+1]] {
			return ws[i], ws[i+1]
		}
	}
	return "", ""
}

// sourceNouns name a document of a corpus; sourceVerbs what a document
// does with a topic (see AsksForSource).
var (
	sourceNouns = wordSet(`note notes document documents doc docs file files page pages source sources article articles
manual manuals chapter chapters section sections guide guides runbook runbooks`)
	sourceVerbs = wordSet(`say says mention mentions explain explains describe describes discuss discusses cover covers
document documents list lists talk talks`)
)

// AskedKind is the noun of question that names the kind of answer it
// asks for (lower case): the word after "what", "which" or "whose" when it
// is a kind ("city" in "In which city are the backups kept?"), or the last
// word of the noun phrase after "what" or "which" when an auxiliary or the
// question's verb (PredicateVerb) follows it ("command" in "Which kubectl
// command undoes the rollout?"). An answer states one (a city's name, a
// command line) and need not say the word. "" when it has none.
func AskedKind(question string) string {
	ws := Words(question)
	for i := 1; i < len(ws); i++ {
		if (ws[i-1] == "what" || ws[i-1] == "which" || ws[i-1] == "whose") && answerKinds[ws[i]] {
			return ws[i]
		}
	}
	return askedHead(ws, PredicateVerb(question))
}

// askedHead is the last word of the noun phrase after "what" or "which"
// (ws[0]) when an auxiliary or the question's verb follows it: the kind
// of answer asked ("command" in "Which kubectl command undoes the
// rollout?", "city" in "Which city are the backups kept in?"). "" when
// the question has none ("What does the rotation change?").
func askedHead(ws []string, verb string) string {
	if len(ws) < 3 || ws[0] != "what" && ws[0] != "which" {
		return ""
	}
	for j := 1; j < len(ws) && j <= 4; j++ {
		w := ws[j]
		if askAuxiliaries[w] || w == verb {
			if j > 1 {
				return ws[j-1]
			}
			return ""
		}
		if IsStopWord(w) {
			return ""
		}
	}
	return ""
}

// HoldsKind reports whether texts hold an answer of the kind a noun asks
// for, where the kind has a shape a text shows without saying the noun:
// a command, an option, a file and the like (CodeNoun) are answered by a
// command line or code (CodeShaped). Other kinds are not known by shape,
// and it reports false.
func HoldsKind(noun string, texts ...string) bool {
	if !CodeNoun(noun) {
		return false
	}
	return slices.ContainsFunc(texts, CodeShaped)
}

// CodeNoun reports whether w heads a question asking for something a
// manual names as code: a command, an option, a variable, a file.
func CodeNoun(w string) bool { return codeNouns[w] }

var codeNouns = wordSet(`command commands tool tools program programs utility utilities option options flag flags switch
variable variables setting settings function functions builtin builtins package packages file files directory
directories folder folders`)

// CodeShaped reports whether text shows code: a span in backticks, a
// line after a shell prompt (PromptCommand), or a lower-case word passed
// an option ("kubectl -n payments rollout undo deployment/api", "run git
// log --oneline").
func CodeShaped(text string) bool {
	if strings.Contains(text, "`") {
		return true
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if _, ok := PromptCommand(line); ok {
			return true
		}
		fs := strings.Fields(line)
		for i := 1; i < len(fs); i++ {
			if r, _ := utf8.DecodeRuneInString(fs[i-1]); unicode.IsLower(r) && optionShaped(strings.TrimRight(fs[i], ".,;:)")) {
				return true
			}
		}
	}
	return false
}

// optionShaped reports whether f is a command-line option: "-n", "--all",
// "--dry-run=client".
func optionShaped(f string) bool {
	if rest, ok := strings.CutPrefix(f, "--"); ok {
		r, _ := utf8.DecodeRuneInString(rest)
		return len(rest) > 1 && unicode.IsLower(r)
	}
	return len(f) == 2 && f[0] == '-' && unicode.IsLetter(rune(f[1]))
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
else know thing things way ways anything something everything nothing`)

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
// noun phrase, then a verb before a noun phrase: "Which kubectl command
// undoes the rollout?"), "Where is the offsite held?" and
// "How long are snapshots kept?" (a wh-word, perhaps a measure, "be", the
// subject and a participle), and "How long must the canary stay green?",
// "When does the on-call rotation change?" or "Which city will host the
// offsite?" (a wh-word, perhaps a measure or an answer's kind, a modal or
// "do", the subject, and the verb: see auxiliaryPredicate). It is what the
// question asks of its topic, not the topic: a text that shares only it
// ("Marco Bianchi approves any single purchase") is about something else.
// "" when the question has no such verb.
func PredicateVerb(question string) string {
	if fs := strings.Fields(question); len(fs) > 2 && leadPrepositions[strings.ToLower(fs[0])] && whWords[strings.ToLower(fs[1])] {
		// "In which city are the backups kept?" asks as "Which city are
		// the backups kept in?".
		return PredicateVerb(strings.Join(fs[1:], " "))
	}
	if v := auxiliaryPredicate(question); v != "" {
		return v
	}
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
	case first == "what" || first == "which":
		// "Which kubectl command undoes the rollout?": a noun phrase of
		// up to three words, then the verb before a noun phrase.
		for j := 2; j <= 4 && j+1 < len(ws); j++ {
			if IsStopWord(ws[j-1]) || askAuxiliaries[ws[j-1]] {
				break
			}
			if verbLike(ws[j]) && nounDeterminers[ws[j+1]] {
				return ws[j]
			}
		}
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

// leadPrepositions may stand before a question's wh-word ("In which
// city …", "To what temperature …").
var leadPrepositions = wordSet(`in on at by for from to into with within until since during under`)

// whWords open a question.
var whWords = wordSet(`what which whom whose where when`)

// askModals are the auxiliaries a question puts before its subject and
// main verb ("When does the rotation change?", "How long must the canary
// stay green?"); a modal, unlike "do", may stand before a verb with no
// subject between when the wh-phrase is the subject ("Who must approve
// the release?").
var askModals = wordSet(`can could will would should shall may might must`)

// askDo are the forms of "do" a question is asked with.
var askDo = wordSet(`do does did`)

// askHave are the forms of "have" a question is asked with: the verb
// after the subject is a participle ("When has the canary been promoted?").
var askHave = wordSet(`has have had`)

// askBe are the forms of "be" a question is asked with: the verb after
// the subject is a participle ("Which city are the backups kept in?").
var askBe = wordSet(`is are was were`)

// askedPhrase is the noun phrase after "what" or "which" (ws[0]) that
// names the kind of answer asked, up to the auxiliary that follows it
// ("which city" in "Which city are the backups kept in?", "what kubectl
// command" in "What kubectl command can undo the rollout?"): one to three
// words that are no stop words, auxiliaries or question words, then an
// auxiliary. nil when the words after the wh-word take no such shape
// ("What does …", "Which city hosts …").
func askedPhrase(ws []string) []string {
	for j := 1; j < len(ws) && j <= 4; j++ {
		w := ws[j]
		if askAuxiliaries[w] {
			return ws[1:j]
		}
		if IsStopWord(w) {
			return nil
		}
	}
	return nil
}

// subjectPronouns stand alone as a question's subject ("Where do I file …").
var subjectPronouns = wordSet(`i you we they he she it one`)

// auxiliaryPredicate is the main verb of a question asked with a modal,
// "do", "have" or "be": a wh-word (where, when, who, what, which), or
// "how" with its measure ("how long", "how often"), or "what"/"which"
// with the noun phrase of the kind of answer ("what time", "which city",
// "which kubectl command": askedPhrase); then the auxiliary; then the
// subject; then the verb ("How long must the canary stay green
// before promotion?": "stay"). The verb is found by its place after the
// subject, not by knowing verbs: the subject is a pronoun, or a noun
// phrase (perhaps with a determiner) whose words after the first are
// plurals ("the database backups run"), words after a hyphenated
// modifier ("the on-call rotation change"), code names or nouns by their
// ending (-tion, -sion, -ness, -ity); the next word is the verb when it
// has a base form's shape (no -s, -ed or -ing, no hyphen, no digit).
// After "be" or "been" the verb is the participle that follows ("How
// often should passwords be rotated?"); asked with "be" or "have", the
// verb is the first participle after the subject's first word ("Which
// city are the backups kept in?", "Which datacenter is the primary
// replica hosted in?"). With no subject between, a modal
// is followed by the verb when the wh-phrase is the subject ("Who must
// approve the release?", "Which city will host the offsite?").
//
// Bare "how" and "why" ask the way or the reason of the verb itself
// ("How do I cancel a request?"): the verb is their topic, and "" is
// returned. So is "" when the words after the auxiliary take no such
// shape; a subject of two bare nouns ("the release train leave") is read
// as one noun and the verb ("train"), a known limit of reading by place.
func auxiliaryPredicate(question string) string {
	verb, _, _ := askedClause(question, false)
	return verb
}

// QuestionSubject is the subject of a question asked in the passive (or
// with "be" and what the subject is) after an auxiliary (see
// auxiliaryPredicate), bare "how" and "why" included: the words between
// the auxiliary (and a determiner) and the verb, "backups" of "How are
// backups handled by the Kestrel team?", "new deploy checklist" of "When
// will the new deploy checklist be ready?". Such a subject is what the
// question asks about; the words after the verb set the scene ("by the
// Kestrel team"). The subject of an active verb is often the actor, not
// the topic ("How can a script get the current time?"), and is not
// returned; nor is a pronoun, or anything when the words take no such
// shape.
func QuestionSubject(question string) []string {
	if verb, subject, passive := askedClause(question, true); verb != "" && passive {
		return subject
	}
	return nil
}

// askedClause is the verb and the subject of a question asked with an
// auxiliary (see auxiliaryPredicate), and whether the verb is passive or
// says what the subject is (asked with "be": "Where are backups kept?",
// "When will the checklist be ready?"); bare "how" and "why" are read too
// when bare is set. The subject is nil when it is a pronoun or absent.
func askedClause(question string, bare bool) (verb string, subject []string, passive bool) {
	ws := compoundWords(question)
	if len(ws) < 3 {
		return "", nil, false
	}
	i, subjectWh := 1, false
	switch first := ws[0]; {
	case first == "who":
		subjectWh = true
	case first == "what" || first == "which":
		subjectWh = true
		i = 1 + len(askedPhrase(ws))
	case first == "where" || first == "when":
	case first == "how" && howMeasures[ws[1]]:
		i = 2
	case bare && (first == "how" || first == "why"):
	default:
		return "", nil, false
	}
	if i+1 >= len(ws) {
		return "", nil, false
	}
	aux := ws[i]
	if !askModals[aux] && !askDo[aux] && !askHave[aux] && !askBe[aux] {
		return "", nil, false
	}
	// verbAt is the verb at j, if one has its shape there.
	verbAt := func(j int) string {
		if j >= len(ws) {
			return ""
		}
		w := ws[j]
		if (w == "be" || w == "been") && j+1 < len(ws) && passiveParticiple(ws[j+1]) {
			return ws[j+1]
		}
		if askHave[aux] || askBe[aux] {
			if passiveParticiple(w) && !IsStopWord(w) {
				return w
			}
			return ""
		}
		if !baseVerbShape(w) {
			return ""
		}
		return w
	}
	j := i + 1
	switch w := ws[j]; {
	case subjectPronouns[w]:
		return verbAt(j + 1), nil, false
	case nounDeterminers[w]:
		j++
	case IsStopWord(w) || askAuxiliaries[w]:
		return "", nil, false
	case subjectWh && askModals[aux]:
		// "Who must approve the release?": no subject, the verb.
		return verbAt(j), nil, false
	case askDo[aux] && ws[0] == "who":
		// "Who does code review?": "does" is the verb.
		return "", nil, false
	}
	if j >= len(ws) || IsStopWord(ws[j]) || askAuxiliaries[ws[j]] {
		return "", nil, false
	}
	if askModals[aux] {
		// "When will the new deploy checklist be ready?": the subject
		// runs to "be", and the word after it is what is asked of it, a
		// participle or an adjective ("ready", "due", "available").
		for m := j + 1; m < len(ws)-1 && m <= j+4; m++ {
			if ws[m] == "be" {
				if w := ws[m+1]; !IsStopWord(w) && !askAuxiliaries[w] {
					return w, ws[j:m], true
				}
				break
			}
			if IsStopWord(ws[m]) || askAuxiliaries[ws[m]] {
				break
			}
		}
	}
	k := j + 1
	for k < len(ws) && (nounShape(ws[k]) || strings.Contains(ws[k-1], "-") && !IsStopWord(ws[k])) {
		k++
	}
	if askBe[aux] || askHave[aux] {
		// The verb after "be" or "have" is a participle, known by its
		// shape: the subject runs to it ("the primary replica hosted").
		for ; k < len(ws) && k <= j+3; k++ {
			if v := verbAt(k); v != "" {
				return v, ws[j:k], askBe[aux] || ws[k] == "been"
			}
			if IsStopWord(ws[k]) || askAuxiliaries[ws[k]] {
				break
			}
		}
		return "", nil, false
	}
	if v := verbAt(k); v != "" {
		return v, ws[j:k], ws[k] == "be" || ws[k] == "been"
	}
	return "", nil, false
}

// compoundWords are the words of text as Words gives them, save that
// words joined by hyphens are one ("on-call", "long-running").
func compoundWords(text string) []string {
	ws := placedWords(text)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.w
	}
	return out
}

// placedWord is a word of compoundWords with the byte offset it starts at.
type placedWord struct {
	w     string
	start int
}

// placedWords are the words of compoundWords with where each starts.
func placedWords(text string) []placedWord {
	var out []placedWord
	end := -1
	scanWords(text, func(w string, start int) {
		lw := strings.ToLower(w)
		if len(out) > 0 && start == end+1 && text[end] == '-' {
			out[len(out)-1].w += "-" + lw
		} else {
			out = append(out, placedWord{lw, start})
		}
		end = start + len(w)
	})
	return out
}

// passiveParticiple reports whether w has a past participle's shape.
func passiveParticiple(w string) bool {
	return strings.HasSuffix(w, "ed") && len(w) > 4 || IrregularPast(w) || participles[w]
}

// baseVerbShape reports whether w can be a verb's base form by its shape:
// a word of letters with no hyphen, and no -s (but -ss, -us), -ed or -ing.
func baseVerbShape(w string) bool {
	if len(w) < 2 || IsStopWord(w) || askAuxiliaries[w] || strings.Contains(w, "-") || hasNameByte(w) {
		return false
	}
	if strings.HasSuffix(w, "ing") || strings.HasSuffix(w, "ed") && len(w) > 4 {
		return false
	}
	return !pluralShape(w) && !nominalEnding(w)
}

// pluralShape reports whether w ends as an English plural ("backups"),
// not as "access", "status" or "analysis".
func pluralShape(w string) bool {
	return len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is")
}

// nominalEnding reports whether w ends with a suffix that makes nouns
// ("rotation", "readiness", "availability").
func nominalEnding(w string) bool {
	for _, suf := range []string{"tion", "sion", "ness", "ity"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+2 {
			return true
		}
	}
	return false
}

// nounShape reports whether w continues a subject's noun phrase by its
// shape: a plural, a code name or number, a hyphenated word, or a noun's
// ending.
func nounShape(w string) bool {
	if IsStopWord(w) || askAuxiliaries[w] {
		return false
	}
	return pluralShape(w) || hasNameByte(w) || strings.Contains(w, "-") || nominalEnding(w)
}
