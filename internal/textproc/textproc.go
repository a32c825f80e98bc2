// Package textproc holds the small text tools shared by retrieval and the
// offline reasoning engine: a word tokenizer with stop words and light
// stemming, a sentence splitter, term-vector similarity, and the words of
// dates and measures with the expressions they make (Expression), which a
// schedule's "What changed" uses too.
package textproc

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// AnalysisVersion names the output of Tokenize (and so of Stem, NameParts
// and the stop words). Indexes that keep terms rather than text (the
// embedded memory's checkpoint) record it and analyse their stored text
// again when it differs, since a query's terms no longer meet terms made
// by another version. Bump it with every change that alters any token
// Tokenize returns; TestAnalysisVersion fails until then.
//
// History: 1 was every build before the version was recorded; 2 stems
// -ate verb forms as -ation ("related" → "rel", was "relat"); 3 drops
// the endings of contractions and the possessive ("can't" → "can", was
// "t"; "Git's" → "git", was "git", "s"); 4 gives "ain't" no term (was
// "ai"); 5 gives a shell's special parameters terms of their own ("$*",
// "$@", "$?": none before) and takes contractions typed without their
// apostrophe ("whats", "doesnt") as the stop words they are.
const AnalysisVersion = 5

// Words splits text into lower-case words (letters, digits, and inner '_',
// '.' or "::" as in "sync.Mutex" and "boost::optional"), keeping stop words
// and original forms. Scripts written without spaces between words (Han,
// Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) have no word boundaries to
// find; their runs become overlapping character bigrams ("备份数据" → "备份",
// "份数", "数据"), and a run of one character stays a word: the standard
// segmentation of n-gram retrieval for CJK (as Lucene's CJKBigramFilter).
func Words(text string) []string {
	var words []string
	scanWords(text, func(w string, _ int) {
		words = appendSegmented(words, strings.ToLower(w))
	})
	return words
}

// scanWords calls fn with every word of text as written (see Words) and
// its byte offset.
func scanWords(text string, fn func(w string, start int)) {
	start := -1
	flush := func(end int) {
		if start >= 0 {
			raw := text[start:end]
			w := strings.TrimLeft(raw, "._")
			lead := len(raw) - len(w)
			if w = strings.TrimRight(w, "._"); w != "" {
				fn(w, start+lead)
			}
			start = -1
		}
	}
	skip := 0 // the end of a contraction's ending, passed over
	for i, r := range text {
		if i < skip {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || ((r == '_' || r == '.') && start >= 0 && i+1 < len(text) && isWordByte(text[i+1])) ||
			(r == ':' && start >= 0 && isScopeColon(text, i)) {
			if start < 0 {
				start = i
			}
			continue
		}
		if (r == '\'' || r == '’') && start >= 0 {
			if end, cut := contraction(text, start, i, i+utf8.RuneLen(r)); end > 0 {
				if cut >= 0 {
					i = cut
				} else {
					start = -1 // "won't": no word
				}
				flush(i)
				skip = end
				continue
			}
		}
		flush(i)
	}
	flush(len(text))
}

// contractionEndings are the English endings written after an apostrophe:
// "can't", "it's", "I'm", "you're", "we've", "they'll", "she'd" (the
// possessive "'s" too).
var contractionEndings = []string{"t", "s", "m", "re", "ve", "ll", "d"}

// contraction reports whether the apostrophe at text[at:after] follows the
// word text[start:at] with a contraction's ending: it returns where the
// ending stops (0 when it is none) and where the word stops, less the "n"
// of "n't" ("doesn't": "does"; "can't": "can"), or -1 when the word is
// none ("won't", "ain't").
func contraction(text string, start, at, after int) (end, cut int) {
	for _, e := range contractionEndings {
		rest := text[after:]
		if len(rest) < len(e) || !strings.EqualFold(rest[:len(e)], e) {
			continue
		}
		if next, _ := utf8.DecodeRuneInString(rest[len(e):]); len(rest) > len(e) && (unicode.IsLetter(next) || unicode.IsDigit(next)) {
			continue
		}
		word := strings.ToLower(text[start:at])
		switch {
		case e != "t":
			return after + len(e), at
		case word == "won" || word == "ain":
			return after + len(e), -1
		case word == "can" || !strings.HasSuffix(word, "n"):
			return after + len(e), at
		}
		return after + len(e), at - 1
	}
	return 0, 0
}

// Unspaced reports whether r belongs to a script written without spaces
// between words.
func Unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// appendSegmented appends w to words, as bigrams for its runs of unspaced
// script and as words for the rest ("go语言" → "go", "语言").
func appendSegmented(words []string, w string) []string {
	if !hasUnspaced(w) {
		return append(words, w)
	}
	var run []rune
	other := -1
	flushRun := func() {
		switch {
		case len(run) == 1:
			words = append(words, string(run))
		case len(run) > 1:
			for i := 0; i+1 < len(run); i++ {
				words = append(words, string(run[i:i+2]))
			}
		}
		run = run[:0]
	}
	for i, r := range w {
		if Unspaced(r) || (len(run) > 0 && unicode.Is(unicode.Mn, r)) {
			if other >= 0 {
				if t := strings.Trim(w[other:i], "._"); t != "" {
					words = append(words, t)
				}
				other = -1
			}
			run = append(run, r)
			continue
		}
		flushRun()
		if other < 0 {
			other = i
		}
	}
	flushRun()
	if other >= 0 {
		if t := strings.Trim(w[other:], "._"); t != "" {
			words = append(words, t)
		}
	}
	return words
}

func hasUnspaced(w string) bool {
	for _, r := range w {
		if r >= 0x0E00 && Unspaced(r) {
			return true
		}
	}
	return false
}

// isScopeColon reports whether the ':' at i is part of a "::" scope
// operator between words ("boost::optional", "std::vector").
func isScopeColon(text string, i int) bool {
	switch {
	case i+2 < len(text) && text[i+1] == ':':
		return isWordByte(text[i+2])
	case i > 0 && text[i-1] == ':' && i+1 < len(text):
		return isWordByte(text[i+1])
	}
	return false
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= utf8.RuneSelf
}

// Tokenize returns the index terms of text: lower-case words without stop
// words, lightly stemmed. Retrieval and similarity use the same terms.
//
// Code is matched by its parts as well as whole: a compound identifier
// ("sync.Once", "once.Do", "max_procs", "boost::optional") gives itself and
// then each of its parts that has a letter ("sync", "once"), stop words
// included, since inside code they are names; so the question "sync.Once"
// meets a text that writes "the Once type" or "once.Do(f)". A stop word
// written in code case in running text (a capital then lower case, after a
// lower-case word: "the Once type", "calls Do") is a name too and is kept;
// at the start of a sentence or in a Title Case run ("Once The", "How To
// Use It") it stays a stop word.
func Tokenize(text string) []string {
	var terms []string
	prevLower := false // the word before was written in lower case
	last := 0          // where the text after the last word begins
	scanWords(text, func(w string, start int) {
		terms = appendSpecialParams(terms, text, last, start)
		last = start + len(w)
		lower := strings.ToLower(w)
		afterLower := prevLower && !sentenceBreak(text[:start])
		prevLower = startsLower(w)
		if hasUnspaced(lower) {
			for _, s := range appendSegmented(nil, lower) {
				if !IsStopWord(s) {
					terms = append(terms, Stem(s))
				}
			}
			return
		}
		if IsStopWord(lower) {
			if afterLower && codeCase(w) {
				terms = append(terms, Stem(lower))
			}
			return
		}
		terms = append(terms, Stem(lower))
		if !hasSeparator(lower) {
			return
		}
		terms = append(terms, NameParts(lower)...)
	})
	return appendSpecialParams(terms, text, last, len(text))
}

// specialParamNames are the characters that name a shell's special
// parameters after "$" ("$?", "$@", "$*", "$#", "$$", "$!", "$-", "$_").
const specialParamNames = "?@*#$!-_"

// appendSpecialParams appends the shell special parameters written in
// text[from:to] as terms of their own ("$*", "$@"): they have no letter,
// so no word names them, and a question about "$*" and "$@" otherwise has
// no term of what it asks. A "$" inside or after a word, or after a
// backslash, names none.
func appendSpecialParams(terms []string, text string, from, to int) []string {
	for i := from; i+1 < to; i++ {
		if SpecialParamAt(text, i) {
			terms = append(terms, text[i:i+2])
			i++
		}
	}
	return terms
}

// SpecialParamAt reports whether text[i:i+2] is a shell special parameter
// written in symbols ("$?"): not inside or after a word, not escaped, not
// before a word, "$" or "{".
func SpecialParamAt(text string, i int) bool {
	if i < 0 || i+1 >= len(text) || text[i] != '$' || strings.IndexByte(specialParamNames, text[i+1]) < 0 {
		return false
	}
	if i > 0 && (isWordByte(text[i-1]) || text[i-1] == '$' || text[i-1] == '\\') {
		return false
	}
	return i+2 >= len(text) || !(isWordByte(text[i+2]) || text[i+2] == '$' || text[i+2] == '{')
}

// IsSpecialParam reports whether term is a shell special parameter as
// Tokenize gives it ("$?").
func IsSpecialParam(term string) bool {
	return len(term) == 2 && term[0] == '$' && strings.IndexByte(specialParamNames, term[1]) >= 0
}

// NameParts returns the stemmed parts of a compound code name ("sync.once"
// → sync, once; "max_idle_conns" → max, idle, conn): the parts of at least
// two characters with a letter, split at '.', '_' and ':'. Tokenize indexes
// a name whole and by these parts; a word without those separators has none.
func NameParts(name string) []string {
	var parts []string
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '_' || r == ':' }) {
		if len(part) > 1 && strings.IndexFunc(part, unicode.IsLetter) >= 0 {
			parts = append(parts, Stem(part))
		}
	}
	return parts
}

// codeCase reports whether w is written as a name: an upper-case first
// letter followed by at least one lower-case letter ("Once", "Do"; not
// "ONCE" nor "I").
func codeCase(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	return strings.IndexFunc(w[n:], unicode.IsLower) >= 0
}

// startsLower reports whether w begins with a lower-case letter.
func startsLower(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsLower(r)
}

// sentenceBreak reports whether the text between the previous word and the
// next one (the end of before) holds a sentence or clause break: a full
// stop, '!', '?', ':', ';', a blank line or a list bullet.
func sentenceBreak(before string) bool {
	i := len(before)
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(before[:i])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		i -= n
	}
	gap := before[i:]
	if len(gap) == 1 && gap[0] == ' ' {
		return false // the common gap, decided without the scans below
	}
	return strings.ContainsAny(gap, ".!?:;*•") || strings.Contains(gap, "\n\n") || fullStopIn(gap)
}

func fullStopIn(s string) bool {
	for _, r := range s {
		if fullStop(r) {
			return true
		}
	}
	return false
}

// Stem strips common English inflections ("channels" → "channel",
// "guaranteed" → "guarante"), -sion/-tion after s or t (Porter's step 4:
// "selection" → "select") and maps irregular past forms to their verb
// ("chosen" → "choos", as "choose"). It is deliberately light: the same
// function is used on both sides of every comparison.
func Stem(w string) string {
	if len(w) <= 3 || hasNameByte(w) {
		return w
	}
	if base, ok := irregular[w]; ok {
		return Stem(base)
	}
	// Porter's step 4 rule for -ate, on the verb's forms: "communicates",
	// "communicated", "communicating" → "communic", as "communication"
	// (below). The base keeps at least three letters: "state", "date".
	for _, suf := range []string{"ating", "ated", "ates", "ate"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			return w[:len(w)-len(suf)]
		}
	}
	// Porter's step 4 rule (*S or *T)ION: "selection" → "select",
	// "completions" → "complet" meets "complete", "completed".
	for _, suf := range []string{"sions", "tions", "sion", "tion"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf)+1 >= 4 && !strings.HasSuffix(w, "ations") && !strings.HasSuffix(w, "ation") {
			return w[:len(w)-len(suf)+1]
		}
	}
	for _, suf := range []string{"ations", "ation", "ingly", "ings", "ing", "edly", "ies", "ied", "ed", "es", "ly", "s"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			base := w[:len(w)-len(suf)]
			switch suf {
			case "ies", "ied":
				return base + "y"
			case "es":
				// "caches" → "cach", "goroutines" → "goroutin": keep the e-less
				// base so that "goroutine" (→ "goroutin" below) meets it.
				return base
			case "s":
				if strings.HasSuffix(base, "s") || strings.HasSuffix(base, "u") || strings.HasSuffix(base, "i") {
					return w // "class", "status", "analysis"
				}
				return strings.TrimSuffix(base, "e")
			}
			return base
		}
	}
	return strings.TrimSuffix(w, "e")
}

// hasNameByte reports whether w has a byte of a code name or number ('.',
// '_', ':' or a digit), which Stem leaves alone. A loop: strings.ContainsAny
// built its byte set on every call, a fifth of Stem's time at ingest.
func hasNameByte(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c == '.' || c == '_' || c == ':' || c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// hasSeparator reports whether w has a '.', '_' or ':' (see NameParts).
func hasSeparator(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c == '.' || c == '_' || c == ':' {
			return true
		}
	}
	return false
}

// IrregularPast reports whether w (lower case) is a past form of a common
// irregular English verb ("chosen", "built"; see irregular).
func IrregularPast(w string) bool {
	_, ok := irregular[w]
	return ok
}

// irregular maps past forms of common irregular English verbs to their
// base form, which Stem then stems ("chosen" → "choose" → "choos"): no
// suffix rule reaches them. Forms that are also common other words
// ("left", "bound", "found", "lost") are not listed.
var irregular = map[string]string{
	"chose": "choose", "chosen": "choose", "froze": "freeze", "frozen": "freeze",
	"wrote": "write", "written": "write", "hidden": "hide", "began": "begin",
	"begun": "begin", "broke": "break", "broken": "break", "took": "take",
	"taken": "take", "gave": "give", "given": "give", "threw": "throw",
	"thrown": "throw", "knew": "know", "known": "know", "shown": "show",
	"drove": "drive", "driven": "drive", "forgot": "forget", "forgotten": "forget",
	"caught": "catch", "sought": "seek", "bought": "buy", "brought": "bring",
	"taught": "teach", "built": "build", "spoke": "speak", "spoken": "speak",
}

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself
no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that
the their theirs them themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves also may might must
shall us use used using via per e.g i.e etc let lets see
whats hows wheres whens whys thats theres dont doesnt didnt isnt arent wasnt werent havent hasnt hadnt shouldnt
wouldnt couldnt
什么 怎么 怎样 如何 多少 哪些 哪个 为什 是否 吗 呢 的 了 何で どの どう です ます`) {
		m[w] = true
	}
	return m
}()

// IsStopWord reports whether w (lower case) carries no topic.
func IsStopWord(w string) bool { return stopWords[w] }

// Sentences splits text into sentences. A sentence ends at '.', '!' or '?'
// followed by white space and an upper-case letter, digit or quote (or any
// letter of a script without letter case), at a full-width or script
// terminator (。！？ and the Devanagari, Arabic, Armenian, Ethiopic,
// Myanmar and Khmer full stops: see fullStop) wherever it stands, or at a
// blank line; abbreviations such as "e.g." and identifiers such as
// "sync.Mutex" do not end a sentence.
func Sentences(text string) []string {
	var out []string
	emit := func(s string) {
		s = strings.Join(strings.Fields(s), " ")
		if s != "" {
			out = append(out, s)
		}
	}
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' && i+1 < len(text) && strings.TrimLeft(text[i+1:min(len(text), i+8)], " \t") != "" && blankLineAt(text, i) {
			emit(text[start:i])
			start = i + 1
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(text[i:])
			if fullStop(r) {
				j := i + size
				// Closing quotes and brackets stay with their sentence.
				for j < len(text) {
					q, qs := utf8.DecodeRuneInString(text[j:])
					if !strings.ContainsRune("」』）)”’\"'", q) {
						break
					}
					j += qs
				}
				emit(text[start:j])
				start = j
				i = j - 1
				continue
			}
			i += size - 1
			continue
		}
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		if j < len(text) && (text[j] == ')' || text[j] == '"' || text[j] == '\'') {
			j++
		}
		if j >= len(text) || !unicode.IsSpace(rune(text[j])) {
			continue
		}
		k := j
		for k < len(text) && unicode.IsSpace(rune(text[k])) {
			k++
		}
		if k < len(text) {
			r, _ := utf8.DecodeRuneInString(text[k:])
			if !(unicode.IsUpper(r) || unicode.IsDigit(r) || r == '"' || r == '(' || r == '`' || caseless(r)) {
				continue
			}
		}
		if c == '.' && isAbbreviation(text[start:i]) {
			continue
		}
		emit(text[start:j])
		start = j
	}
	emit(text[start:])
	return out
}

// fullStop reports whether r ends a sentence by itself: the ideographic
// full stop and full-width ! ? ; (CJK), the Devanagari danda, the Arabic
// full stop and question mark, the Armenian, Ethiopic, Myanmar and Khmer
// full stops.
func fullStop(r rune) bool {
	switch r {
	case '。', '！', '？', '｡', '।', '॥', '۔', '؟', '։', '።', '။', '។':
		return true
	}
	return false
}

// caseless reports whether r is a letter of a script without letter case
// (Arabic, Hebrew, Thai, Devanagari, …), where a sentence may start with any
// letter.
func caseless(r rune) bool {
	return unicode.IsLetter(r) && !unicode.IsUpper(r) && !unicode.IsLower(r)
}

func blankLineAt(text string, i int) bool {
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case ' ', '\t', '\r':
			continue
		case '\n':
			return true
		default:
			return false
		}
	}
	return false
}

func isAbbreviation(before string) bool {
	fields := strings.Fields(before)
	if len(fields) == 0 {
		return false
	}
	last := strings.ToLower(fields[len(fields)-1])
	switch last {
	case "e.g", "i.e", "etc", "vs", "cf", "mr", "dr", "fig", "no", "approx":
		return true
	}
	// An initial: "J." in "Hans-J. Boehm", "V." in "Sarita V. Adve".
	if i := strings.LastIndexAny(last, "-("); i >= 0 {
		last = last[i+1:]
	}
	return len(last) == 1 && unicode.IsLetter(rune(last[0]))
}

// Vector is a sparse term-frequency vector.
type Vector map[string]float64

// TermVector counts the terms of text.
func TermVector(text string) Vector {
	v := Vector{}
	for _, t := range Tokenize(text) {
		v[t]++
	}
	return v
}

// Cosine is the cosine similarity of a and b (0 when either is empty).
func Cosine(a, b Vector) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(b) < len(a) {
		a, b = b, a
	}
	var dot float64
	for t, x := range a {
		dot += x * b[t]
	}
	if dot == 0 {
		return 0
	}
	return dot / (a.norm() * b.norm())
}

func (v Vector) norm() float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// PromptCommand returns the command of a shell line as a manual shows it
// after a prompt ("# dpkg-reconfigure tzdata", "$ ./configure"): the rest
// after "# " or "$ " when it starts as a command does (a lower-case
// letter, ".", "/" or "~"), not as a comment ("# Note that …").
func PromptCommand(line string) (string, bool) {
	for _, prompt := range []string{"# ", "$ "} {
		rest, ok := strings.CutPrefix(line, prompt)
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		r, _ := utf8.DecodeRuneInString(rest)
		return rest, rest != "" && (unicode.IsLower(r) || r == '.' || r == '/' || r == '~')
	}
	return "", false
}

// DefinitionTerm reports whether line reads as the term of a definition
// list, standing on its own line before its definition: one to three words
// with no sentence end that are an option, a code name, a lower-case word
// or a name in capitals ("-n, --dry-run", "expand_aliases", "nullglob",
// "EPOCHSECONDS"), not a title ("Description").
func DefinitionTerm(line string) bool {
	t := strings.TrimSpace(line)
	ws := strings.Fields(t)
	if len(ws) == 0 || len(ws) > 3 {
		return false
	}
	if last, _ := utf8.DecodeLastRuneInString(t); strings.ContainsRune(".!?:;。！？", last) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t)
	switch {
	case r == '-':
		return true
	case unicode.IsLower(r):
		return len(ws) == 1
	case unicode.IsUpper(r):
		return len(ws) == 1 && strings.ToUpper(t) == t && len(t) > 2
	}
	return false
}

// SpaceAfter returns the space that follows sentence s when another
// sentence comes after it: none after a CJK full stop ("…開かれます。会議室は…"),
// as those scripts write, one otherwise.
func SpaceAfter(s string) string {
	switch r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, " ")); r {
	case '。', '！', '？', '｡':
		return ""
	}
	return " "
}

// JoinSentences joins sentences as running text (see SpaceAfter).
func JoinSentences(ss []string) string {
	var b strings.Builder
	for i, s := range ss {
		if i > 0 {
			b.WriteString(SpaceAfter(ss[i-1]))
		}
		b.WriteString(s)
	}
	return b.String()
}
