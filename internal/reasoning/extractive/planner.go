package extractive

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

// nearDuplicate is the term-vector cosine at or above which two
// sub-questions count as the same question.
const nearDuplicate = 0.9

// planDuplicate is the term-vector cosine at or above which a candidate
// sub-question repeats one already planned. It is higher than nearDuplicate
// so that one part of a two-part question ("… about channels?" of "… about
// channels and mutexes?") is kept.
const planDuplicate = 0.95

// questionWords open a question (or a clause that is one).
var questionWords = set(`what how why when where which who whom whose is are was were does do did can could
should would will shall has have had`)

// imperatives open a request that is not phrased as a question.
var imperatives = set(`explain describe compare list show tell give summarize summarise find outline discuss define`)

// verbs end a noun phrase: "the Go memory model guarantee" is "the Go memory
// model" followed by a verb.
var verbs = set(`guarantee guarantees guaranteed work works working mean means happen happens ensure ensures
provide provides handle handles differ differs compare make makes cause causes prevent prevents affect affects
implement implements support supports require requires return returns need needs behave behaves relate relates
interact interacts allow allows apply applies avoid explain describe tell give know want get gets happen
matter matters help helps change changes define defines work affect deal deals interplay
communicate communicates synchronize synchronizes share shares block blocks run runs start starts stop stops
close closes wait waits lock locks send sends receive receives use uses preempt preempts keep kept carry carries
control controls relate take takes took taken bring brings come comes`)

// fillers are words that are neither stop words nor topics.
var fillers = set(`long instead rather really actually exactly always never often usually sometimes correctly properly
safely better good bad new different same many much well still even ever yet already anything something everything
nothing one two way thing things stuff possible`)

// subjects are pronouns after which the next word is a verb ("how do I
// cancel …").
var subjects = set(`i you we they`)

// facetWords name a facet rather than a topic; they are never entities.
var facetWords = set(`pitfall pitfalls example examples rule rules guarantee guarantees limit limits limitation
limitations exception exceptions mechanism mechanisms difference differences mistake mistakes problem problems
caveat caveats constraint constraints detail details overview purpose way ways kind kinds thing things type types
best practice practices common risk risks danger dangers downside downsides drawback drawbacks disadvantage
disadvantages advantage advantages benefit benefits tradeoff tradeoffs`)

// clausePrepositions may open a question before its question word ("To
// what temperature …", "For how long …", "By how much …").
var clausePrepositions = set(`of for in on at about from to by with within inside under into onto since until till
during after before over through throughout across against among between toward towards per via upon`)

// whWords are the question words a preposition may stand before.
var whWords = set(`what which who whom whose how when where`)

// opensQuestion reports whether the words from ws[i] open a question: a
// question word, or a preposition before a wh-word with a verb of its own
// before the next coordinator ("to what temperature is a kiln fired",
// "for how long is it valid"; not the bare "since which kernel", which
// completes the clause before it).
func opensQuestion(ws []word, i int) bool {
	if i >= len(ws) {
		return false
	}
	if questionWords[ws[i].lower] {
		return true
	}
	if !clausePrepositions[ws[i].lower] || i+1 >= len(ws) || !whWords[ws[i+1].lower] {
		return false
	}
	for _, w := range ws[i+2:] {
		switch {
		case w.lower == "and" || w.lower == "but" || w.lower == "or":
			return false
		case questionWords[w.lower] && !whWords[w.lower]:
			return true
		}
	}
	return false
}

// contextPrepositions introduce the setting of a question ("… in the Go
// memory model"), not its focus.
var contextPrepositions = set(`in within inside under`)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// entity is a topic of the question: a quoted phrase, a code identifier or a
// noun phrase, as spelled in the question.
type entity struct {
	text    string // "the Go memory model"
	plural  bool
	context bool // introduced by "in", "within", …
	article bool // "the …": a named thing that can be a setting
	// the: the phrase follows "the", however many words it has ("the
	// cluster"); text carries "the " only when article is set.
	the    bool
	code   bool // a code identifier
	quoted bool
	pos    int
}

// Plan derives at most MaxSubQuestions sub-questions from the question
// itself, never from templates: the question as asked first; then its
// clauses ("… and how long are backups kept?") when it has several; then,
// for a comparison ("A vs B", "the difference between A and B", "compare A
// and B", "A or B?"), what each side is, since a comparison needs both
// defined. A question with one focus is researched as asked: generic facets
// ("What is X?", "What are common pitfalls of X?") retrieve the same
// passages and fill a report with sentences that answer nothing. Near
// duplicates are left out. Questions in scripts other than Latin are
// researched as asked and split only at their own question marks.
// KindNoWords is the fault kind of a question in which the planner finds
// nothing to research (the contract's Normalize refuses such questions; a
// run started before it did, or by another client, fails at once).
const KindNoWords = "reasoning.no_words"

// reasonAsAsked is the reason of the sub-question that is the question as
// asked.
const reasonAsAsked = "the question as asked"

func (e *Engine) Plan(ctx context.Context, req reasoning.PlanRequest) (reasoning.Plan, error) {
	if err := ctx.Err(); err != nil {
		return reasoning.Plan{}, fmt.Errorf("plan: %w", err)
	}
	setting, asked := settingAndQuestion(withApostrophes(req.Question))
	// q is the sentence that asks ("What is the difference between
	// remove and purge?" of "i uninstalled a program but its config files
	// are still lying around. remove vs purge?"): the question's
	// structure (clauses, lists, comparisons) is read from it alone.
	q := normalizeQuestion(asked)
	if q == "" {
		// The same question gives the same answer: never worth a retry.
		return reasoning.Plan{}, fault.Permanent(KindNoWords, errors.New("plan: the question has no word to research"))
	}
	// When the asking sentence goes on from its setting (see continues),
	// the question as asked and its parts keep the setting: "What is -m?"
	// of "git revert on a merge commit fails and tells me to pass -m. What
	// is -m and what number do I give it?" is about git revert. Otherwise
	// the plan is the asking sentence's alone ("What is purge?" of "…
	// still lying around. remove vs purge?").
	whole, prefix := q, ""
	if setting != "" && continues(q) {
		whole = capitalize(setting) + " " + q
		prefix = capitalize(setting) + " "
	}
	limit := req.MaxSubQuestions
	if limit <= 0 {
		limit = e.cfg.MaxSubQuestions
	}
	limit = min(limit, MaxSubQuestionsLimit)

	cands := []facetQuestion{{q, reasonAsAsked}}
	if latin(q) {
		// The parts a coordinated question asks for, each of which the
		// report must answer or name as a gap: its clauses, and the items
		// of a list inside a clause ("the length, the opening year and the
		// designer of …").
		var parts []facetQuestion
		clauses := splitClauses(q)
		for i, c := range clauses {
			items := coordinatedItems(c)
			for j, it := range items {
				reason := fmt.Sprintf("item %d of the list in the question", j+1)
				if len(clauses) > 1 {
					reason = fmt.Sprintf("item %d of the list in clause %d of the question", j+1, i+1)
				}
				parts = append(parts, facetQuestion{it, reason})
			}
			if len(items) == 0 && len(clauses) > 1 && standsAlone(c, i == 0) {
				parts = append(parts, facetQuestion{c, fmt.Sprintf("clause %d of the question", i+1)})
			}
		}
		// When the parts fill the plan exactly, they replace the question as
		// asked: a part left out would vanish from the report without a
		// gap. When they cannot all fit, the question as asked stays first,
		// the one sub-question that still asks for every part.
		// A part that repeats the question as asked in its terms ("Can you
		// write to the zero value of a map?" of "What is the zero value of
		// a map and can you write to it?") would be dropped as its
		// duplicate; when the parts fit, they replace the question instead.
		if len(parts) == limit && limit > 1 || len(parts) > 1 && len(parts) <= limit && repeatsQuestion(q, parts) {
			cands = cands[:0]
		}
		cands = append(cands, parts...)
		if f := focusInSetting(q); f != "" {
			cands = append(cands, facetQuestion{f, "the focus of the question in its setting"})
		}
		for i, c := range conjuncts(q) {
			cands = append(cands, facetQuestion{c, fmt.Sprintf("part %d of the question", i+1)})
		}
		ask := sideQuestion(q)
		for i, side := range comparisonSides(q) {
			cands = append(cands, facetQuestion{ask(side), fmt.Sprintf("side %d of the comparison", i+1)})
		}
	} else if parts := splitForeign(q); len(parts) > 1 {
		for i, c := range parts {
			cands = append(cands, facetQuestion{c, fmt.Sprintf("clause %d of the question", i+1)})
		}
	}

	var plan reasoning.Plan
	var kept []textproc.Vector
	for _, c := range cands {
		if len(plan.SubQuestions) == limit {
			break
		}
		v := textproc.TermVector(c.text)
		if len(plan.SubQuestions) > 0 && len(v) == 0 {
			continue
		}
		dup := false
		for i, k := range kept {
			if textproc.Cosine(v, k) >= planDuplicate || strings.EqualFold(prefix+c.text, plan.SubQuestions[i].Text) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		kept = append(kept, v)
		text := prefix + c.text
		if c.reason == reasonAsAsked {
			text = whole
		}
		plan.SubQuestions = append(plan.SubQuestions, reasoning.SubQuestion{
			ID:     fmt.Sprintf("sq%d", len(plan.SubQuestions)+1),
			Text:   text,
			Reason: c.reason,
		})
	}
	plan.Engine = Name
	return plan, nil
}

// settingAndQuestion splits a question written after sentences that set
// its scene ("all the go modules i downloaded are eating my disk. how do i
// wipe them?") into that setting and the sentence that asks: the last, when
// it ends with "?" and no sentence before it does. setting is "" and
// asked the whole text otherwise.
func settingAndQuestion(text string) (setting, asked string) {
	text = strings.TrimSpace(text)
	if !strings.HasSuffix(text, "?") || !latin(text) {
		return "", text
	}
	// The last sentence end before the final "?": ". ", "! " or a line
	// break after one, lower case after it or not (newcomers write "…
	// my disk. how do i wipe them?"), but not the dot of an abbreviation
	// or a name ("e.g.", "v1.2.").
	body := text[:len(text)-1]
	if strings.ContainsRune(body, '?') {
		return "", text
	}
	end := -1
	for i := len(body) - 2; i > 0; i-- {
		if (body[i] == '.' || body[i] == '!') && (body[i+1] == ' ' || body[i+1] == '\n') {
			before := body[:i]
			w := before[strings.LastIndexAny(before, " \n")+1:]
			if len(w) > 1 && !strings.ContainsAny(w, ".") {
				end = i
				break
			}
		}
	}
	if end < 0 {
		return "", text
	}
	asked = strings.TrimSpace(text[end+1:])
	if len(textproc.Words(asked)) < 2 {
		return "", text
	}
	return squash(strings.TrimSpace(text[:end+1])), asked
}

// continues reports whether question asked goes on from the sentences
// written before it: it points back with a pronoun ("How do I wipe
// them?", "… what number do I give it?") or names too little to stand
// alone ("What am i missing?", one topic word). A question that names what
// it asks about ("how do i run just one test?" after "my test suite takes
// forever.") stands alone, the setting's words no part of its plan.
func continues(asked string) bool {
	for _, w := range textproc.Words(asked) {
		if backPronouns[w] {
			return true
		}
	}
	return len(queryTerms(asked)) < 2
}

// backPronouns point back to something named before.
var backPronouns = set(`it its them they their this that these those`)

// repeatsQuestion reports whether one of parts is a near duplicate of q
// (planDuplicate).
func repeatsQuestion(q string, parts []facetQuestion) bool {
	v := textproc.TermVector(q)
	for _, p := range parts {
		if textproc.Cosine(v, textproc.TermVector(p.text)) >= planDuplicate {
			return true
		}
	}
	return false
}

// latin reports whether the letters of s are mostly Latin script: the
// English phrasing rules of the planner apply only then.
func latin(s string) bool {
	var latinN, other int
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r):
			latinN++
		case unicode.IsLetter(r):
			other++
		}
	}
	return latinN > 0 && other*4 < latinN
}

// splitForeign splits a question in another script at its question marks
// (full-width or not), keeping each part's mark.
func splitForeign(q string) []string {
	var out []string
	start := 0
	for i, r := range q {
		if r == '？' || r == '?' || r == '؟' {
			end := i + utf8.RuneLen(r)
			if part := strings.TrimSpace(q[start:end]); len(textproc.Tokenize(part)) > 0 {
				out = append(out, part)
			}
			start = end
		}
	}
	if part := strings.TrimSpace(q[start:]); len(textproc.Tokenize(part)) > 0 {
		out = append(out, part)
	}
	return out
}

// focusInSetting returns "<focus> in <setting>" when the question asks
// about a focus within a named setting ("What does the Go memory model
// guarantee about channel communication?" → "Channel communication in the Go
// memory model"): both phrases are the question's own, and retrieval for
// them finds the passages of the focus inside the setting rather than the
// setting's generalities. "" otherwise.
func focusInSetting(q string) string {
	ents := entities(q)
	setting, focus := -1, -1
	for i, e := range ents {
		if setting < 0 && (e.context || (e.article && strings.Contains(e.text, " "))) {
			setting = i
		}
	}
	if setting < 0 {
		return ""
	}
	for i, e := range ents {
		if i != setting && focus < 0 && (strings.Contains(e.text, " ") || e.code || e.quoted) {
			focus = i
		}
	}
	// A setting named with "the" is the subject before the focus ("What
	// does the Go memory model guarantee about X"), not an object after it
	// ("Where are git hooks stored and how can I change the hooks
	// directory?").
	if focus < 0 || len(ents) > 3 || (!ents[setting].context && ents[setting].pos > ents[focus].pos) {
		return ""
	}
	// The focus must be named as what the question is about ("about
	// channel communication", "with context.Context"): a phrase picked
	// out of a clause ("Error wrap another", "Character inside") is not a
	// topic, and a sub-question made of it is a fragment.
	before := strings.Fields(strings.ToLower(q[:ents[focus].pos]))
	if len(before) == 0 || !topicMarkers[before[len(before)-1]] {
		return ""
	}
	return withMark("What about " + strings.TrimPrefix(ents[focus].text, "the ") + " in " + ents[setting].text)
}

// objectPronouns stand for an object after a verb ("verify them").
var objectPronouns = set(`them it this that these those him her us me`)

// topicMarkers introduce what a question is about.
var topicMarkers = set(`about regarding concerning on with`)

// conjuncts splits a question that coordinates two topics ("What do the
// GOGC and GOMAXPROCS variables control?") into one question per topic
// ("What do the GOGC variables control?", "What do the GOMAXPROCS
// variables control?"), each the question with the other topic left out.
// Comparisons and coordinated clauses are split elsewhere.
func conjuncts(q string) []string {
	ws := scanWords(q)
	if comparisonMarker(ws) {
		return nil
	}
	topic := func(i int) bool {
		w := ws[i]
		return !(textproc.IsStopWord(w.lower) || verbs[w.lower] || fillers[w.lower] || questionWords[w.lower] ||
			imperatives[w.lower] || facetWords[w.lower]) || isIdentifier(w.text)
	}
	for i := 1; i+1 < len(ws); i++ {
		if ws[i].lower != "and" || !topic(i-1) || !topic(i+1) || (i >= 2 && ws[i-2].lower == ws[i+1].lower) {
			continue // "git merge and git rebase": two-word conjuncts are not split
		}
		if i+2 < len(ws) && questionWords[ws[i+2].lower] {
			continue // "…, and since which kernel": a clause, not a topic
		}
		if strings.TrimSpace(strings.Trim(q[ws[i-1].end:ws[i].start], ",")) != "" || strings.TrimSpace(q[ws[i].end:ws[i+1].start]) != "" {
			continue // punctuation other than a comma between
		}
		if i >= 2 && (ws[i-2].lower == "both" || strings.Contains(q[ws[i-2].end:ws[i-1].start], ",")) {
			// "redirect both stdout and stderr" asks for the two together;
			// "list, create and delete tags" ends a longer list.
			continue
		}
		if i+2 < len(ws) && objectPronouns[ws[i+2].lower] {
			continue // "sign commits with GPG and verify them": a verb and its object
		}
		if attached(q, ws[i-1]) != attached(q, ws[i+1]) {
			// "git reset --hard and lost my commits": an option and a
			// word are no pair of topics.
			continue
		}
		if particles[strings.ToLower(wordAfter(ws, i+1))] && sameVerbForm(ws[i-1].lower, ws[i+1].lower) {
			// "How are releases approved and rolled back?": two verbs,
			// the second with its particle: each is asked of what the
			// first follows ("How are releases rolled back?").
			return []string{capitalize(withMark(strings.TrimSpace(q[:ws[i-1].end]))),
				capitalize(withMark(strings.TrimSpace(q[:ws[i-1].start] + strings.TrimRight(q[ws[i+1].start:], " ?"))))}
		}
		if pv := textproc.PredicateVerb(q); pv != "" && i >= 3 && ws[1].lower == pv && ws[0].lower == "who" && sameVerbForm(pv, ws[i+1].lower) {
			// "Who approves purchases and books hotel rooms …?": two
			// verbs with their objects, each asked of who.
			return []string{capitalize(withMark(strings.TrimSpace(q[:ws[i-1].end]))),
				capitalize(withMark(strings.TrimSpace(q[:ws[1].start] + strings.TrimRight(q[ws[i+1].start:], " ?"))))}
		}
		if gerund(ws[i+1].lower) && !gerund(ws[i-1].lower) {
			// "the rules for deploying to production and rolling back"
			// coordinates two phrases that open with a verb in -ing, not
			// the words beside "and": each phrase follows what the first
			// one follows ("the rules for rolling back"); without such a
			// first phrase the words are no pair of topics.
			j := i - 2
			for j > 0 && !gerund(ws[j].lower) {
				j--
			}
			if j <= 0 || !gerund(ws[j].lower) {
				continue
			}
			head := q[:ws[j].start]
			return []string{capitalize(withMark(strings.TrimSpace(q[:ws[i-1].end]))), capitalize(withMark(strings.TrimSpace(head + strings.TrimRight(q[ws[i+1].start:], " ?"))))}
		}
		// The right conjunct is its first word; the left one, its last:
		// "the GOGC and GOMAXPROCS environment variables".
		left := strings.TrimSpace(q[:ws[i-1].end] + q[ws[i+1].end:])
		right := strings.TrimSpace(q[:ws[i-1].start] + q[ws[i+1].start:])
		return []string{capitalize(left), capitalize(right)}
	}
	return nil
}

// attached is what is written before word w within its whitespace-separated
// token: "--" of "--hard", "" of "lost".
func attached(q string, w word) string {
	start := strings.LastIndexAny(q[:w.start], " \t\n") + 1
	return q[start:w.start]
}

// maskCode returns q with every byte inside backticks, and the backticks,
// replaced by 'x': the same offsets, code read as one word.
func maskCode(q string) string {
	b := []byte(q)
	in := false
	for i, c := range b {
		if c == '`' {
			in = !in
			b[i] = 'x'
			continue
		}
		if in {
			b[i] = 'x'
		}
	}
	if in {
		b = []byte(q) // an unclosed backtick marks no code
	}
	// A special parameter is a word too: the "?" of "$?" ends no clause.
	// (Masking a parameter changes nothing another one is judged by: one
	// right after it would have been "$" after its symbol.)
	text := string(b)
	for i := 0; i+1 < len(b); i++ {
		if textproc.SpecialParamAt(text, i) {
			b[i], b[i+1] = 'x', 'x'
		}
	}
	return string(b)
}

// comparing words set the sides of a comparison apart ("xz compared to
// gzip"); they belong to neither.
var comparing = set(`vs versus compared comparing than`)

// comparisonMarker reports whether the words compare ("vs", "difference
// between", "compare", "differ").
func comparisonMarker(ws []word) bool {
	for i := range ws {
		if comparesTwo(ws, i) {
			return true
		}
	}
	for _, w := range ws {
		switch w.lower {
		case "vs", "versus", "between", "compare", "compared", "comparing", "differ", "differs", "difference", "differences":
			return true
		}
	}
	return false
}

// sideQuestion returns how a side of comparison q is asked about: what it
// is, or, when q asks for a measure of it ("How fast is xz compared to
// gzip?"), that measure ("How fast is gzip?").
func sideQuestion(q string) func(entity) string {
	ws := scanWords(q)
	if len(ws) > 3 && ws[0].lower == "how" && (ws[2].lower == "is" || ws[2].lower == "are") && !textproc.IsStopWord(ws[1].lower) {
		measure := ws[1].lower
		return func(e entity) string {
			return withMark("How " + measure + " " + be(e.plural) + " " + article(q, e) + e.text)
		}
	}
	return func(e entity) string { return withMark("What " + be(e.plural) + " " + article(q, e) + e.text) }
}

// describing reports whether a word reads as an adjective by its ending
// ("buffered", "static", "optional").
func describing(w string) bool {
	for _, suf := range []string{"ed", "al", "ive", "ous", "able", "ible", "less", "ful", "ic"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// article returns the article q writes before entity e ("a Go map"), with
// its space, or "".
func article(q string, e entity) string {
	if e.quoted || e.code || e.article {
		return "" // "the working tree" is named with its article
	}
	before := strings.ToLower(q[:e.pos])
	for _, a := range []string{"a ", "an ", "the "} {
		if strings.HasSuffix(before, " "+a) || before == a {
			return a
		}
	}
	return ""
}

// comparesTwo reports whether word i of ws sets two things against each
// other: "different from/than/to" ("How is a here document different from
// a here string?"), or "than" after a comparative and before no number
// ("Is xz slower than gzip?"; not "larger than 1 GB", "rather than",
// "more than").
func comparesTwo(ws []word, i int) bool {
	switch ws[i].lower {
	case "different":
		return i+1 < len(ws) && (ws[i+1].lower == "from" || ws[i+1].lower == "than" || ws[i+1].lower == "to")
	case "than":
		if i == 0 || i+1 >= len(ws) {
			return false
		}
		prev, next := ws[i-1].lower, ws[i+1]
		if !strings.HasSuffix(prev, "er") || notComparatives[prev] || numberWords[next.lower] {
			return false
		}
		r, _ := utf8.DecodeRuneInString(next.text)
		return !unicode.IsDigit(r)
	}
	return false
}

// notComparatives end in -er without comparing two things.
var notComparatives = set(`rather other more less fewer further either whether never ever over under later earlier`)

// comparisonSides finds the two sides of a comparison: "X vs Y", "X versus
// Y", "difference(s) between X and Y", "compare X and/with/to Y", "X or Y"
// after "should I use" / "which". Each side is an entity of the question.
func comparisonSides(q string) []entity {
	ws := scanWords(q)
	marker, alternative := -1, false
	for i, w := range ws {
		switch w.lower {
		case "vs", "versus":
			// "the tradeoffs of tar vs cpio": the sides stand either side.
			// After a preposition or determiner it begins a name ("in vs
			// code"): no side stands before it.
			if namesAfter(ws, i) {
				continue
			}
			marker, alternative = i, true
		case "between", "compare", "compared", "comparing", "differ", "differs", "difference", "differences", "different", "than":
			if marker < 0 && (w.lower != "different" && w.lower != "than" || comparesTwo(ws, i)) {
				marker = i
			}
		case "or":
			if marker < 0 && i > 0 && (ws[0].lower == "should" || ws[0].lower == "which" || ws[0].lower == "what" && strings.ContainsAny(q[:w.start], ":,")) {
				marker, alternative = i, true
			}
		}
	}
	if marker < 0 {
		return nil
	}
	ents := entities(q)
	var sides []entity
	for _, e := range ents {
		if e.context {
			continue
		}
		sides = append(sides, e)
	}
	if alternative {
		// "Which compresses better, gzip or xz?": the sides are the
		// phrases either side of "or"; what comes before them asks.
		at := ws[marker].start
		var left, right *entity
		for i := range sides {
			if sides[i].pos < at {
				left = &sides[i]
			} else if right == nil {
				right = &sides[i]
			}
		}
		if left == nil || right == nil {
			return nil
		}
		sides = []entity{*left, *right}
	} else if len(sides) < 2 {
		return nil
	}
	sides = sides[:2]
	for i := range sides {
		s, other := &sides[i], sides[1-i]
		rest := strings.ToLower(q[min(len(q), s.pos+len(s.text)):])
		if !s.code && !s.quoted && !strings.Contains(s.text, " ") && strings.Contains(other.text, " ") &&
			(strings.HasPrefix(rest, " one") || strings.HasPrefix(rest, " ones")) {
			// "a buffered channel … an unbuffered one": "one" stands for
			// the noun the other side names.
			s.text += other.text[strings.LastIndex(other.text, " "):]
		} else if i == 0 && !s.code && !s.quoted && !strings.Contains(s.text, " ") && strings.Contains(other.text, " ") && other.pos > s.pos {
			// "single vs double quotes": the noun ends the phrase after
			// the marker and is both sides' ("single quotes"; "What is
			// single?" was a fragment).
			between := strings.Fields(strings.ToLower(q[min(len(q), s.pos+len(s.text)):other.pos]))
			if len(between) == 1 && sideMarkers[strings.TrimSuffix(between[0], ".")] {
				s.text += other.text[strings.LastIndex(other.text, " "):]
				s.plural = other.plural
			}
		}
	}
	return sides
}

// sideMarkers join the two sides of a comparison written "A vs B N".
var sideMarkers = set(`vs versus or and`)

// normalizeQuestion collapses white space, capitalizes, ends a question with
// one '?', and turns a bare topic ("goroutines") into "What are goroutines?".
func normalizeQuestion(q string) string {
	q = squash(trimPictographs(squash(q)))
	if !latin(q) {
		// Another script keeps its own punctuation and phrasing.
		if len(textproc.Words(q)) == 0 {
			return ""
		}
		return q
	}
	asked := strings.Contains(q, "?")
	stated := !asked && strings.HasSuffix(q, ".")
	q = trimEnd(q)
	if q == "" {
		return ""
	}
	ws := scanWords(q)
	if len(ws) == 0 {
		return ""
	}
	if !asked {
		// A need stated ("I want to undo my last commit", "show me how to
		// set the time zone") asks how.
		if rest, ok := statedNeed(q, ws); ok {
			return withMark("How do I " + rest)
		}
	}
	first := ws[0].lower
	if d, ok := statedComparison(q, ws); ok {
		return d
	}
	if isBareTopic(ws) {
		return withMark("What " + be(pluralPhrase(ws)) + " " + q)
	}
	q = capitalize(q)
	if imperatives[first] && !asked || stated && !questionWords[first] {
		// A request ("Explain the scheduler"), or an instruction the
		// asker ended with a full stop ("Run go vet on a package."),
		// stays one.
		return q + "."
	}
	return withMark(q)
}

// needOpenings state a need or ask for help with a task; what follows
// them is the task.
var needOpenings = []string{"i want to", "i need to", "i'd like to", "i would like to", "i'm trying to", "i am trying to",
	"i wish to", "i have to", "show me how to", "tell me how to", "help me to", "help me", "how to"}

// statedNeed returns the task of a stated need (see needOpenings), when
// what follows the opening has words of its own.
func statedNeed(q string, ws []word) (string, bool) {
	lower := strings.ToLower(strings.ReplaceAll(q, "’", "'"))
	for _, o := range needOpenings {
		rest, ok := strings.CutPrefix(lower, o+" ")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(q[len(q)-len(rest):])
		if len(scanWords(rest)) < 2 {
			return "", false
		}
		return rest, true
	}
	return "", false
}

// isBareTopic reports whether ws is a short noun phrase with no question or
// request word: "goroutines", "Go generics", "sync.WaitGroup".
func isBareTopic(ws []word) bool {
	if len(ws) > 4 || questionWords[ws[0].lower] || imperatives[ws[0].lower] {
		return false
	}
	for _, w := range ws {
		if verbs[w.lower] || (textproc.IsStopWord(w.lower) && w.lower != "and" && w.lower != "of") {
			return false
		}
	}
	return true
}

// namesAfter reports whether "vs" at ws[i] opens a name rather than
// comparing ("breakpoints in vs code"): it follows a preposition or a
// determiner, which no side of a comparison ends with.
func namesAfter(ws []word, i int) bool {
	return i > 0 && (prepositions[ws[i-1].lower] || determiners[ws[i-1].lower])
}

// statedComparison turns a comparison stated without a question ("git
// merge vs git rebase", "Nano versus vim for beginners") into the question
// it asks: "What is the difference between git merge and git rebase?".
func statedComparison(q string, ws []word) (string, bool) {
	if questionWords[ws[0].lower] || imperatives[ws[0].lower] || auxiliaries[ws[0].lower] {
		return "", false
	}
	at := -1
	for i, w := range ws {
		if (w.lower == "vs" || w.lower == "versus") && !namesAfter(ws, i) {
			if at >= 0 {
				return "", false // "A vs B vs C"
			}
			at = i
		}
	}
	if at <= 0 || at+1 >= len(ws) {
		return "", false
	}
	head := q[:ws[0].end]
	if !isIdentifier(ws[0].text) && !isAcronym(ws[0].text) {
		head = q[:ws[0].start] + strings.ToLower(ws[0].text) // "Nano versus vim" → "nano"
	}
	left := strings.TrimSpace(head + q[ws[0].end:ws[at].start])
	right := strings.TrimSpace(strings.TrimLeft(q[ws[at].end:], "."))
	if left == "" || right == "" || strings.ContainsAny(left+right, ",;:–—()") || strings.Contains(right, " - ") {
		// "git fetch vs git pull - what's the difference": more than
		// a comparison, left as written.
		return "", false
	}
	return withMark("What is the difference between " + left + " and " + right), true
}

func pluralPhrase(ws []word) bool {
	for _, w := range ws {
		if w.lower == "and" {
			return true
		}
	}
	return isPlural(ws[len(ws)-1])
}

func isPlural(w word) bool {
	l := w.lower
	if isIdentifier(w.text) || len(l) < 4 || !strings.HasSuffix(l, "s") {
		return false
	}
	if !strings.ContainsAny(l[:len(l)-1], "aeiouy") {
		return false // "https", "btrfs": an abbreviation, no plural
	}
	return !strings.HasSuffix(l, "ss") && !strings.HasSuffix(l, "us") && !strings.HasSuffix(l, "is")
}

func be(plural bool) string {
	if plural {
		return "are"
	}
	return "is"
}

// withMark ends question q with its question mark, which a question ending in
// "$?" has ("What is $?").
func withMark(q string) string {
	if strings.HasSuffix(q, "$?") {
		return q
	}
	return q + "?"
}

// trimEnd trims the marks that end q, but not the symbol of a special
// parameter that ends it ("what is $!", "… hold $?").
func trimEnd(q string) string {
	for {
		t := strings.TrimRight(q, " ")
		if t == "" {
			return ""
		}
		last := t[len(t)-1]
		if !strings.ContainsRune("?.!", rune(last)) || len(t) >= 2 && textproc.SpecialParamAt(t, len(t)-2) {
			return t
		}
		q = t[:len(t)-1]
	}
}

// apostrophes are the contractions people type without their apostrophe,
// as written with it.
var apostrophes = map[string]string{"whats": "what's", "hows": "how's", "wheres": "where's", "whens": "when's",
	"whys": "why's", "thats": "that's", "theres": "there's", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't",
	"arent": "aren't", "wasnt": "wasn't", "werent": "weren't", "havent": "haven't", "hasnt": "hasn't", "hadnt": "hadn't",
	"shouldnt": "shouldn't", "wouldnt": "wouldn't", "couldnt": "couldn't"}

// withApostrophes writes the contractions of q typed without their
// apostrophe with it ("whats the difference" → "what's the difference"),
// so that "whats" asks and is no topic of the question.
func withApostrophes(q string) string {
	ws := scanWords(q)
	for i := len(ws) - 1; i >= 0; i-- {
		// A word in capitals is a name ("DONT", a telnet command).
		if a, ok := apostrophes[ws[i].lower]; ok && !(len(ws[i].text) > 1 && strings.ToUpper(ws[i].text) == ws[i].text) {
			if capitalized(ws[i].text) {
				a = strings.ToUpper(a[:1]) + a[1:]
			}
			q = q[:ws[i].start] + a + q[ws[i].end:]
		}
	}
	return q
}

// splitClauses splits a question at '?', ';' and at "and"/"but"/"or" when
// what follows is itself a question ("… work and when should I use it").
// Pronouns "it"/"they" in later clauses are replaced by the first topic of
// the clause before, so that each clause stands alone.
func splitClauses(q string) []string {
	// Code in backticks is one word of the question: its ";", "?" and
	// "do" cut nothing ("… after a `cat f | while read l; do n=$((n+1));
	// done` loop?").
	masked := maskCode(q)
	var pieces, maskedPieces []string
	start := 0
	for i := 0; i <= len(masked); i++ {
		if i < len(masked) && masked[i] != '?' && masked[i] != ';' {
			continue
		}
		if p := strings.TrimSpace(q[start:i]); p != "" {
			lead := len(q[start:i]) - len(strings.TrimLeft(q[start:i], " \t\n"))
			pieces = append(pieces, p)
			maskedPieces = append(maskedPieces, masked[start+lead:start+lead+len(p)])
		}
		start = i + 1
	}
	var clauses []string
	for k, p := range pieces {
		ws := scanWords(maskedPieces[k])
		// A list of questions ("How long is X, when did it open, who
		// designed it and how many arches does it have") is cut at each
		// comma before a question word too, but only when it ends with a
		// coordinated question: a lone ", which …" is a relative clause.
		// "and" opens a clause only when the question word is the next
		// thing written: in `"$*" and "$@" when …` a name without
		// letters stands between them.
		opensAfter := func(i int) bool {
			return (ws[i].lower == "and" || ws[i].lower == "but" || ws[i].lower == "or") && opensQuestion(ws, i+1) &&
				strings.Trim(maskedPieces[k][ws[i].end:ws[i+1].start], " ,\t\n") == ""
		}
		coordinated := false
		for i := 2; i+1 < len(ws); i++ {
			if opensAfter(i) {
				coordinated = true
			}
		}
		cut := 0
		for i := 1; i+1 < len(ws); i++ {
			switch {
			case opensAfter(i) && i >= 2:
				clauses = append(clauses, strings.TrimRight(strings.TrimSpace(p[cut:ws[i].start]), " ,"))
				cut = ws[i+1].start
			case coordinated && i >= 2 && questionWords[ws[i].lower] && strings.Contains(p[ws[i-1].end:ws[i].start], ",") &&
				questionWords[strings.ToLower(scanWords(p[cut:])[0].text)]:
				clauses = append(clauses, strings.TrimRight(strings.TrimSpace(p[cut:ws[i].start]), " ,"))
				cut = ws[i].start
			}
		}
		clauses = append(clauses, strings.TrimSpace(p[cut:]))
	}
	// Merge clauses too small to stand alone into the one before.
	var out []string
	for _, c := range clauses {
		if len(out) > 0 && (len(scanWords(c)) < 3 || len(textproc.Tokenize(c)) == 0) {
			continue
		}
		out = append(out, c)
	}
	// The referent of a pronoun is the topic of the clause that introduced
	// it, found in the clauses as asked (a clause already rewritten would
	// offer its own words as a topic: "Who designed the Varga bridge open").
	var refs referents
	for i := range out {
		if i > 0 && refs.found() {
			out[i] = replacePronoun(out[i], refs)
		}
		if ents := entities(out[i]); len(ents) > 0 && (!refs.found() || i == 0) {
			refs = referentsOf(out[i], ents)
		}
		out[i] = normalizeQuestion(out[i])
	}
	return out
}

// referents are what a later clause's pronouns stand for: one, the
// singular topic ("it", "its"), and many, the plural one ("they", "them",
// "their"), each the noun phrase as the clause wrote it.
type referents struct{ one, many string }

func (r referents) found() bool { return r.one != "" || r.many != "" }

// referentsOf picks the referents among a clause's entities: the topic
// (topicOf) among those that agree in number with the pronoun, spelled
// as the whole noun phrase with its determiner and hyphenated words ("a
// long-running HTTP request", not "HTTP"). A code name agrees with both.
func referentsOf(clause string, ents []entity) referents {
	pick := func(plural bool) string {
		var agree []entity
		for _, e := range ents {
			if e.code || e.quoted || e.plural == plural {
				agree = append(agree, e)
			}
		}
		e, ok := topicEntity(agree)
		if !ok {
			return ""
		}
		// The subject after an auxiliary ends before the verb that
		// follows it: "does bash read" names bash, "does the reflog
		// record" the reflog.
		if n := len(scanWords(strings.TrimPrefix(e.text, "the "))); n > 1 && !e.quoted && !e.code && !e.plural && auxiliaryBefore(clause, e.pos) {
			ws := scanWords(clause[e.pos:])
			if n < len(ws) && verbs[ws[n].lower] {
				// "does the Go runtime preempt": the verb follows.
				return topicOf([]entity{e})
			}
			subject := clause[e.pos : e.pos+ws[n-2].end]
			if e.article {
				subject = "the " + subject
			}
			return subject
		}
		if np := nounPhraseAt(clause, e.pos); np != "" {
			return np
		}
		return topicOf([]entity{e})
	}
	many := coordinatedPair(clause, ents)
	if many == "" {
		many = pick(true)
	}
	return referents{one: pick(false), many: many}
}

// coordinatedPair returns the first two topics of clause joined by "and"
// or "or", as the clause writes them with their determiners ("goroutines
// and channels", "a mutex and a channel", `"$*" and "$@"`): what a later
// "they" stands for, rather than the first of them alone. "" when the
// clause coordinates no two topics.
func coordinatedPair(clause string, ents []entity) string {
	span := func(e entity) (start, end int, ok bool) {
		start, end = e.pos, e.pos+len(e.text)
		if e.quoted {
			_, open := utf8.DecodeRuneInString(clause[e.pos:])
			end = e.pos + open + len(e.text)
			if end > len(clause) || clause[e.pos+open:end] != e.text {
				return 0, 0, false
			}
			_, shut := utf8.DecodeRuneInString(clause[end:])
			end += shut
		} else if end > len(clause) || !strings.EqualFold(clause[e.pos:end], e.text) {
			return 0, 0, false
		}
		before := strings.ToLower(clause[:start])
		for _, d := range []string{"a ", "an ", "the "} {
			if strings.HasSuffix(before, " "+d) || before == d {
				start -= len(d)
				break
			}
		}
		return start, end, true
	}
	for i := 0; i+1 < len(ents); i++ {
		s1, e1, ok1 := span(ents[i])
		s2, e2, ok2 := span(ents[i+1])
		if !ok1 || !ok2 || s2 < e1 {
			continue
		}
		if gap := strings.ToLower(strings.TrimSpace(clause[e1:s2])); gap == "and" || gap == "or" {
			return clause[s1:e2]
		}
	}
	return ""
}

// auxiliaryBefore reports whether the word before pos in clause is an
// auxiliary verb ("does", "can", "should").
func auxiliaryBefore(clause string, pos int) bool {
	ws := scanWords(clause[:pos])
	if len(ws) > 0 && ws[len(ws)-1].lower == "the" {
		ws = ws[:len(ws)-1]
	}
	if len(ws) == 0 {
		return false
	}
	switch ws[len(ws)-1].lower {
	case "do", "does", "did", "can", "could", "should", "would", "will", "shall":
		return len(ws) > 1
	}
	return false
}

// standsAlone reports whether a clause of a question can be a sub-question
// by itself: it asks (it opens with a question word or a request, or a
// preposition before one: "In what order …") and it names what it asks
// about (no pronoun left that nothing in the question resolves: "How do I
// add one afterwards?", "Is that a good idea?").
func standsAlone(c string, first bool) bool {
	ws := scanWords(c)
	if len(ws) < 2 {
		return false
	}
	asks := opensQuestion(ws, 0) || imperatives[ws[0].lower]
	if len(topicWords(c)) == 0 {
		return false // "what's the difference": of what, the clause does not say
	}
	if !first && uncountedMany(ws) {
		// "… and how many can I create?": how many of what, the clause
		// does not say (the question as asked still asks it).
		return false
	}
	// A first clause's pronouns refer inside it ("How many commands does
	// bash remember in its history").
	return asks && (first || unresolvedPronoun(ws) == "")
}

// uncountedMany reports whether ws ask "how many" with no noun after it
// ("how many can I create", "how many are there"): the noun is in another
// clause.
func uncountedMany(ws []word) bool {
	for i := 0; i+2 < len(ws); i++ {
		if ws[i].lower == "how" && ws[i+1].lower == "many" {
			next := ws[i+2].lower
			return auxiliaries[next] || subjects[next] || next == "it" || next == "there"
		}
	}
	return false
}

// unresolvedPronoun returns the first pronoun of ws that stands for
// something outside ws: "it", "they", "them", "its", "their" (but the
// "it" of "is it safe to …"), a demonstrative "that"/"this" after a verb,
// question word or preposition ("change that", "is that a good idea"),
// and "one" as a verb's object ("avoid one"). "" when there is none.
func unresolvedPronoun(ws []word) string {
	for i, w := range ws {
		prev, prev2 := "", ""
		if i > 0 {
			prev = ws[i-1].lower
		}
		if i > 1 {
			prev2 = ws[i-2].lower
		}
		switch w.lower {
		case "they", "them", "its", "their":
			return w.lower
		case "it":
			if !(i == 1 && (prev == "is" || prev == "was")) {
				return w.lower
			}
		case "that", "this":
			if i == 0 || questionWords[prev] || verbs[prev] || subjects[prev2] || listPrepositions[prev] || contextPrepositions[prev] {
				return w.lower
			}
		case "one":
			if i > 0 && (verbs[prev] || subjects[prev2]) {
				return w.lower
			}
		}
	}
	return ""
}

// topicOf picks the topic a later pronoun refers to: the first noun phrase
// named with a determiner ("the Varga bridge"), a code name or a quoted
// phrase, else the first entity.
func topicOf(ents []entity) string {
	for _, e := range ents {
		switch {
		case e.article || e.code || e.quoted:
			return e.text
		case e.the:
			return "the " + e.text
		}
	}
	return strings.TrimPrefix(ents[0].text, "the ")
}

// topicEntity is the entity topicOf names.
func topicEntity(ents []entity) (entity, bool) {
	for _, e := range ents {
		if e.article || e.code || e.quoted || e.the {
			return e, true
		}
	}
	if len(ents) == 0 {
		return entity{}, false
	}
	return ents[0], true
}

// nounPhraseAt returns the noun phrase of clause that holds the word at
// byte offset pos, spelled as in the clause: the run of topic words around
// it (words joined by a hyphen belong to it), with the determiner that
// opens it. A phrase without a determiner, one that opens the clause (its
// determiner is capitalized), or a clause with a quote gives "": the
// entity as found is then the referent.
func nounPhraseAt(clause string, pos int) string {
	ws := scanWords(clause)
	at := -1
	for i, w := range ws {
		if w.start == pos {
			at = i
		}
	}
	if at < 0 || strings.ContainsAny(clause, "\"“`") {
		return ""
	}
	joined := func(i int) bool { // ws[i-1] and ws[i] are one phrase's words
		gap := clause[ws[i-1].end:ws[i].start]
		return gap == " " || gap == "-"
	}
	inPhrase := func(w word) bool {
		return isIdentifier(w.text) || !(textproc.IsStopWord(w.lower) || verbs[w.lower] || questionWords[w.lower] ||
			imperatives[w.lower] || subjects[w.lower] || listPrepositions[w.lower] || contextPrepositions[w.lower])
	}
	from := at
	for from > 0 && joined(from) && (inPhrase(ws[from-1]) || clause[ws[from-1].end:ws[from].start] == "-") && !determiners[ws[from-1].lower] {
		from--
	}
	if from == 0 || !joined(from) || !determiners[ws[from-1].lower] {
		return ""
	}
	to := at
	for to+1 < len(ws) && joined(to+1) && inPhrase(ws[to+1]) && !determiners[ws[to+1].lower] {
		to++
	}
	if to-from > 5 {
		return ""
	}
	if ws[from-1].start == 0 {
		return ""
	}
	// The head's of-phrase belongs to it: "the zero value of a map" is
	// what a later "it" stands for, not "the zero value".
	if k := to + 1; k+2 < len(ws) && ws[k].lower == "of" && determiners[ws[k+1].lower] && joined(k) && joined(k+1) && joined(k+2) && inPhrase(ws[k+2]) {
		end := k + 2
		for end+1 < len(ws) && joined(end+1) && inPhrase(ws[end+1]) && !determiners[ws[end+1].lower] && end-k < 4 {
			end++
		}
		to = end
	}
	return clause[ws[from-1].start:ws[to].end]
}

// replacePronoun puts the referent's noun phrase in place of the pronouns
// "it", "they", "them", and writes "its X"/"their X" as "the X of <referent>",
// all in the question's own words. A pronoun whose number no referent
// agrees with is left, and the clause does not stand alone.
func replacePronoun(clause string, refs referents) string {
	ws := scanWords(clause)
	for i := len(ws) - 1; i >= 0; i-- {
		ref := refs.one
		if ws[i].lower == "they" || ws[i].lower == "them" || ws[i].lower == "their" {
			ref = refs.many
		}
		if ref == "" {
			continue
		}
		switch ws[i].lower {
		case "it", "they", "them":
			if i == 1 && (ws[0].lower == "is" || ws[0].lower == "was") && ws[i].lower == "it" {
				continue // "is it safe to …"
			}
			clause = clause[:ws[i].start] + ref + clause[ws[i].end:]
		case "its", "their":
			// The noun phrase the possessive opens: "its entries".
			// It ends at a participle ("their arguments evaluated") or
			// after a plural ("its entries").
			j := i + 1
			for j < len(ws) && clause[ws[j-1].end:ws[j].start] == " " && !(textproc.IsStopWord(ws[j].lower) || verbs[ws[j].lower] ||
				questionWords[ws[j].lower] || listPrepositions[ws[j].lower] || determiners[ws[j].lower] ||
				(j > i+1 && strings.HasSuffix(ws[j].lower, "ed"))) {
				j++
				if isPlural(ws[j-1]) {
					break
				}
			}
			if j == i+1 {
				continue
			}
			clause = clause[:ws[i].start] + "the " + clause[ws[i+1].start:ws[j-1].end] + " of " + ref + clause[ws[j-1].end:]
		}
	}
	return clause
}

// entities finds the topics of q in order of appearance: quoted phrases,
// then code identifiers and noun phrases (runs of words that are neither
// stop words, verbs, fillers nor facet words). In "buffered and unbuffered
// channels" the lone adjective shares the head of the phrase after it.
func entities(q string) []entity {
	var out []entity
	seen := map[string]bool{}
	add := func(e entity) {
		k := strings.ToLower(strings.Trim(strings.TrimPrefix(e.text, "the "), `"`))
		if k == "" || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, e)
	}
	// Quoted phrases; their words are not scanned again.
	masked := []byte(q)
	for _, pair := range [][2]string{{`"`, `"`}, {"“", "”"}, {"`", "`"}} {
		from := 0
		for {
			i := strings.Index(q[from:], pair[0])
			if i < 0 {
				break
			}
			i += from
			j := strings.Index(q[i+len(pair[0]):], pair[1])
			if j < 0 {
				break
			}
			j += i + len(pair[0])
			if inner := squash(q[i+len(pair[0]) : j]); inner != "" {
				add(entity{text: `"` + inner + `"`, pos: i, quoted: true})
			}
			for k := i; k < j+len(pair[1]); k++ {
				masked[k] = ' '
			}
			from = j + len(pair[1])
		}
	}

	// A shell's special parameters ("$@", "$*") are code names without a
	// letter, which no word scan finds.
	unmasked := string(masked)
	for i := 0; i+1 < len(masked); i++ {
		if textproc.SpecialParamAt(unmasked, i) {
			add(entity{text: q[i : i+2], pos: i, code: true})
			masked[i], masked[i+1] = ' ', ' '
			i++
		}
	}

	// Runs of topic words, as index ranges [from, to) into ws.
	ws := scanWords(string(masked))
	type span struct{ from, to int }
	var runs []span
	open := -1
	end := func(i int) {
		if open >= 0 {
			runs = append(runs, span{open, i})
			open = -1
		}
	}
	for i, w := range ws {
		if i > 0 && strings.TrimSpace(string(masked[ws[i-1].end:w.start])) != "" {
			end(i) // punctuation between words ends a phrase
		}
		switch {
		case isIdentifier(w.text):
			end(i)
			runs = append(runs, span{i, i + 1})
		case verbs[w.lower] && strings.HasSuffix(w.lower, "ing") && i > 0 && determiners[ws[i-1].lower] &&
			i+1 < len(ws) && !textproc.IsStopWord(ws[i+1].lower) && !verbs[ws[i+1].lower]:
			// "the working tree": a participle between an article and its
			// noun describes the noun.
			if open < 0 {
				open = i
			}
		case textproc.IsStopWord(w.lower) || verbs[w.lower] || fillers[w.lower] || facetWords[w.lower] ||
			questionWords[w.lower] || imperatives[w.lower] || comparing[w.lower] || len(textproc.Tokenize(w.lower)) == 0 ||
			(i > 0 && subjects[ws[i-1].lower]) || clitic(string(masked), w) ||
			i > 0 && ws[i-1].lower == "how" || i+1 < len(ws) && ws[i+1].lower == "than":
			// "how fast", "how big": the measure asked, not a topic; nor is
			// a comparative ("dash faster than bash").
			end(i)
		default:
			if open < 0 {
				open = i
			}
		}
	}
	end(len(ws))

	for ri, r := range runs {
		if r.to-r.from > 4 {
			r.from = r.to - 4
		}
		first, last := ws[r.from], ws[r.to-1]
		text := q[first.start:last.end]
		if first.start == 0 && !isIdentifier(first.text) && !isAcronym(first.text) {
			text = strings.ToLower(text[:len(first.text)]) + text[len(first.text):]
		}
		e := entity{text: text, plural: isPlural(last), pos: first.start, code: r.to-r.from == 1 && isIdentifier(first.text)}
		before := strings.TrimRight(q[:first.start], "-")
		if dashes := first.start - len(before); dashes > 0 && r.to-r.from == 1 && (before == "" || strings.HasSuffix(before, " ")) {
			// A command-line flag ("--cached") is named with its dashes.
			e.text, e.pos, e.code = q[first.start-dashes:last.end], first.start-dashes, true
		}
		// "buffered and unbuffered channels": borrow the head "channels".
		// "a buffered and an unbuffered channel" too, when the first
		// reads as a describing word ("the index and the working tree"
		// are two things).
		next := r.to + 1
		if ri+1 < len(runs) && next+1 == runs[ri+1].from && next < len(ws) && (ws[next].lower == "a" || ws[next].lower == "an" || ws[next].lower == "the") && describing(first.lower) {
			next++
		}
		if r.to-r.from == 1 && !e.code && ri+1 < len(runs) && next == runs[ri+1].from &&
			(ws[r.to].lower == "and" || ws[r.to].lower == "or") && runs[ri+1].to-runs[ri+1].from >= 2 {
			head := ws[runs[ri+1].to-1]
			e.text += " " + head.text
			e.plural = isPlural(head)
		}
		if r.from > 0 && (ws[r.from-1].lower == "a" || ws[r.from-1].lower == "an") {
			e.plural = false // "an alias"
		}
		e.the = r.from > 0 && ws[r.from-1].lower == "the"
		if r.from > 0 && ws[r.from-1].lower == "the" && r.to-r.from > 1 {
			e.text = "the " + e.text
			e.article = true
			e.context = r.from > 1 && contextPrepositions[ws[r.from-2].lower]
		} else {
			e.context = r.from > 0 && contextPrepositions[ws[r.from-1].lower]
		}
		add(e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}

func isAcronym(w string) bool {
	return len(w) > 1 && strings.ToUpper(w) == w && strings.ToLower(w) != w
}

// facetQuestion is a candidate sub-question with the reason for asking it.
type facetQuestion struct{ text, reason string }

// gerund reports whether w, a lower-case word, reads as a verb in -ing
// ("deploying", "rolling"), not a word that only ends so ("string",
// "thing", "during").
func gerund(w string) bool {
	if len(w) < 6 || !strings.HasSuffix(w, "ing") || textproc.IsStopWord(w) {
		return false
	}
	switch w {
	case "string", "strings", "nothing", "something", "anything", "everything", "morning", "evening", "ceiling":
		return false
	}
	return true
}

// trimPictographs trims the emoji and other pictographs that end q ("Wo
// findet das Offsite statt? 🤔"), with their joiners and presentation
// selectors: they are no part of what is asked, and the question's mark
// is before them. ASCII symbols (a code span's backtick) stay.
func trimPictographs(q string) string {
	return strings.TrimRightFunc(q, func(r rune) bool {
		return r == ' ' || r == '\u200d' || r >= 0xfe00 && r <= 0xfe0f ||
			r >= utf8.RuneSelf && (unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r))
	})
}

// particles complete a phrasal verb ("rolled back", "set up").
var particles = set(`back up down out off over away`)

// wordAfter is the word after ws[i], "" at the end.
func wordAfter(ws []word, i int) string {
	if i+1 < len(ws) {
		return ws[i+1].lower
	}
	return ""
}

// sameVerbForm reports whether a and b, lower-case words, read as the same
// form of two verbs: both past forms in -ed, or both in -s of the third
// person (a word in -ss is none: "process").
func sameVerbForm(a, b string) bool {
	ed := func(w string) bool { return len(w) > 4 && strings.HasSuffix(w, "ed") }
	s := func(w string) bool { return len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") }
	return ed(a) && ed(b) || s(a) && s(b)
}

// IsPart reports whether sq, a sub-question this planner planned, asks
// for one part of a coordinated question (see Parts): a clause or an item
// of a list.
func IsPart(sq reasoning.SubQuestion) bool {
	return strings.HasPrefix(sq.Reason, "clause ") || strings.HasPrefix(sq.Reason, "item ")
}

// Parts are the sub-questions of plan, this planner's, that each ask for
// one part of a coordinated question: its clauses ("How long are backups
// kept?" of "When does the rotation change and how long are backups
// kept?") and the items of a list in a clause. The question as asked, its
// focus in a setting, the conjuncts of a phrase ("passwords" and "API
// keys" of one clause) and the sides of a comparison are not parts: each
// asks for the whole again, or for less than a part. A question of one
// part, a plan of another planner, and a plan asked for
// MaxSubQuestionsLimit sub-questions that is full and still holds the
// question as asked (its last parts may not have fitted) give nil: the
// question is then asked whole.
func Parts(plan reasoning.Plan) []reasoning.SubQuestion {
	if plan.Engine != Name {
		return nil
	}
	var parts []reasoning.SubQuestion
	asked := false
	for _, sq := range plan.SubQuestions {
		switch {
		case sq.Reason == reasonAsAsked:
			asked = true
		case IsPart(sq):
			parts = append(parts, sq)
		}
	}
	if len(parts) < 2 || asked && len(plan.SubQuestions) >= MaxSubQuestionsLimit {
		return nil
	}
	return parts
}
