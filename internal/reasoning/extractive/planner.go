package extractive

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

// nearDuplicate is the term-vector cosine at or above which two
// sub-questions count as the same question.
const nearDuplicate = 0.9

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
close closes wait waits lock locks send sends receive receives use uses`)

// fillers are words that are neither stop words nor topics.
var fillers = set(`instead rather really actually exactly always never often usually sometimes correctly properly
safely better good bad new different same many much well still even ever yet already anything something everything
nothing one two way thing things stuff possible`)

// subjects are pronouns after which the next word is a verb ("how do I
// cancel …").
var subjects = set(`i you we they`)

// facetWords name a facet rather than a topic; they are never entities.
var facetWords = set(`pitfall pitfalls example examples rule rules guarantee guarantees limit limits limitation
limitations exception exceptions mechanism mechanisms difference differences mistake mistakes problem problems
caveat caveats constraint constraints detail details overview purpose way ways kind kinds thing things type types
best practice practices common`)

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

type facet int

const (
	facetDefinition facet = iota
	facetMechanism
	facetGuarantees
	facetPitfalls
	facetExamples
)

// entity is a topic of the question: a quoted phrase, a code identifier or a
// noun phrase, as spelled in the question.
type entity struct {
	text    string // "the Go memory model"
	plural  bool
	context bool // introduced by "in", "within", …
	article bool // "the …": a named thing that can be a setting
	code    bool // a code identifier
	quoted  bool
	pos     int
}

// Plan splits the question into at most MaxSubQuestions sub-questions: the
// question itself first, then its clauses, then facets (definition,
// mechanism, guarantees, pitfalls, examples) of the topics it names. Near
// duplicates are left out, so a short question may give fewer.
func (e *Engine) Plan(ctx context.Context, req reasoning.PlanRequest) (reasoning.Plan, error) {
	if err := ctx.Err(); err != nil {
		return reasoning.Plan{}, fmt.Errorf("plan: %w", err)
	}
	q := normalizeQuestion(req.Question)
	if q == "" {
		return reasoning.Plan{}, errors.New("plan: empty question")
	}
	limit := req.MaxSubQuestions
	if limit <= 0 {
		limit = e.cfg.MaxSubQuestions
	}
	limit = min(limit, MaxSubQuestionsLimit)

	cands := []facetQuestion{{q, "the question as asked"}}
	clauses := splitClauses(q)
	if len(clauses) > 1 {
		for i, c := range clauses {
			cands = append(cands, facetQuestion{c, fmt.Sprintf("clause %d of the question", i+1)})
		}
	}
	ents := entities(q)
	asked := askedFacets(q)
	cands = append(cands, facetQuestions(ents, asked)...)

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
			if textproc.Cosine(v, k) >= nearDuplicate || strings.EqualFold(c.text, plan.SubQuestions[i].Text) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		kept = append(kept, v)
		plan.SubQuestions = append(plan.SubQuestions, reasoning.SubQuestion{
			ID:     fmt.Sprintf("sq%d", len(plan.SubQuestions)+1),
			Text:   c.text,
			Reason: c.reason,
		})
	}
	plan.Engine = Name
	return plan, nil
}

// normalizeQuestion collapses white space, capitalizes, ends a question with
// one '?', and turns a bare topic ("goroutines") into "What are goroutines?".
func normalizeQuestion(q string) string {
	q = squash(q)
	asked := strings.Contains(q, "?")
	q = strings.TrimRight(q, " ?.!")
	if q == "" {
		return ""
	}
	ws := scanWords(q)
	if len(ws) == 0 {
		return ""
	}
	first := ws[0].lower
	if isBareTopic(ws) {
		return "What " + be(pluralPhrase(ws)) + " " + q + "?"
	}
	q = capitalize(q)
	if asked || !imperatives[first] {
		return q + "?"
	}
	return q + "."
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
	return !strings.HasSuffix(l, "ss") && !strings.HasSuffix(l, "us") && !strings.HasSuffix(l, "is")
}

func be(plural bool) string {
	if plural {
		return "are"
	}
	return "is"
}

// splitClauses splits a question at '?', ';' and at "and"/"but"/"or" when
// what follows is itself a question ("… work and when should I use it").
// Pronouns "it"/"they" in later clauses are replaced by the first topic of
// the clause before, so that each clause stands alone.
func splitClauses(q string) []string {
	var pieces []string
	for _, p := range strings.FieldsFunc(q, func(r rune) bool { return r == '?' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			pieces = append(pieces, p)
		}
	}
	var clauses []string
	for _, p := range pieces {
		ws := scanWords(p)
		cut := 0
		for i := 1; i+1 < len(ws); i++ {
			if (ws[i].lower == "and" || ws[i].lower == "but" || ws[i].lower == "or") && questionWords[ws[i+1].lower] && i >= 2 {
				clauses = append(clauses, strings.TrimRight(strings.TrimSpace(p[cut:ws[i].start]), " ,"))
				cut = ws[i+1].start
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
	for i := range out {
		if i > 0 {
			if ents := entities(out[i-1]); len(ents) > 0 {
				out[i] = replacePronoun(out[i], strings.TrimPrefix(ents[0].text, "the "))
			}
		}
		out[i] = normalizeQuestion(out[i])
	}
	return out
}

func replacePronoun(clause, topic string) string {
	ws := scanWords(clause)
	for i := len(ws) - 1; i >= 0; i-- {
		if ws[i].lower == "it" || ws[i].lower == "they" || ws[i].lower == "them" {
			clause = clause[:ws[i].start] + topic + clause[ws[i].end:]
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
		case textproc.IsStopWord(w.lower) || verbs[w.lower] || fillers[w.lower] || facetWords[w.lower] ||
			questionWords[w.lower] || imperatives[w.lower] || len(textproc.Tokenize(w.lower)) == 0 ||
			(i > 0 && subjects[ws[i-1].lower]):
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
		// "buffered and unbuffered channels": borrow the head "channels".
		if r.to-r.from == 1 && !e.code && ri+1 < len(runs) && r.to+1 == runs[ri+1].from &&
			(ws[r.to].lower == "and" || ws[r.to].lower == "or") && runs[ri+1].to-runs[ri+1].from >= 2 {
			head := ws[runs[ri+1].to-1]
			e.text += " " + head.text
			e.plural = isPlural(head)
		}
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

// askedFacets reports the facets the question already asks about.
func askedFacets(q string) map[facet]bool {
	asked := map[facet]bool{}
	ws := scanWords(q)
	for i, w := range ws {
		switch w.lower {
		case "guarantee", "guarantees", "guaranteed", "rule", "rules", "constraint", "constraints", "ensure", "ensures", "safe":
			asked[facetGuarantees] = true
		case "pitfall", "pitfalls", "mistake", "mistakes", "avoid", "limit", "limits", "limitation", "limitations", "exception", "exceptions", "caveat", "caveats", "wrong":
			asked[facetPitfalls] = true
		case "example", "examples":
			asked[facetExamples] = true
		case "work", "works", "mechanism", "implemented", "implement":
			asked[facetMechanism] = true
		case "define", "definition":
			asked[facetDefinition] = true
		case "what":
			if i+1 < len(ws) && (ws[i+1].lower == "is" || ws[i+1].lower == "are") && i+2 < len(ws) && !questionWords[ws[i+2].lower] {
				asked[facetDefinition] = true
			}
		}
	}
	if len(ws) > 0 && ws[0].lower == "how" {
		asked[facetMechanism] = true
	}
	return asked
}

// facetQuestion is a candidate sub-question with the reason for asking it.
type facetQuestion struct{ text, reason string }

// facetQuestions asks about the facets of the question's topics. When the
// question names a setting ("… in net/http", "the Go memory model") and a
// focus ("channel communication"), the setting is defined and the focus is
// asked about within it; otherwise the topics are treated as peers.
func facetQuestions(ents []entity, asked map[facet]bool) []facetQuestion {
	if len(ents) == 0 {
		return nil
	}
	setting := -1
	for i, e := range ents {
		if e.context {
			setting = i
			break
		}
	}
	if setting < 0 && len(ents) > 1 && ents[0].article {
		setting = 0
	}
	focus := -1
	for i, e := range ents { // prefer code and quoted topics as the focus
		if i != setting && (e.code || e.quoted) {
			focus = i
			break
		}
	}
	for i := range ents {
		if focus < 0 && i != setting {
			focus = i
		}
	}

	var out []facetQuestion
	definition := func(e entity) {
		out = append(out, facetQuestion{"What " + be(e.plural) + " " + e.text + "?", "facet: definition"})
	}
	mechanism := func(e entity, in string) {
		if in != "" {
			out = append(out, facetQuestion{"How " + do(e.plural) + " " + e.text + " work in " + in + "?", "facet: mechanism"})
		} else if !asked[facetMechanism] {
			out = append(out, facetQuestion{"How " + do(e.plural) + " " + e.text + " work?", "facet: mechanism"})
		}
	}
	others := func(e entity) {
		if !asked[facetGuarantees] {
			out = append(out, facetQuestion{"What rules and guarantees apply to " + e.text + "?", "facet: guarantees"})
		}
		if !asked[facetPitfalls] {
			out = append(out, facetQuestion{"What are common pitfalls and limits of " + e.text + "?", "facet: pitfalls"})
		}
	}
	examples := func(e entity) {
		if !asked[facetExamples] {
			out = append(out, facetQuestion{"What are examples of " + e.text + "?", "facet: examples"})
		}
	}
	var rest []entity
	switch {
	case setting >= 0 && focus >= 0:
		s, f := ents[setting], ents[focus]
		// A one-word setting ("in Go", "on Linux") is the ground the whole
		// corpus stands on: defining it retrieves nothing specific.
		if strings.Contains(s.text, " ") || s.code || s.quoted {
			definition(s)
		}
		mechanism(f, s.text)
		others(f)
		definition(f)
		examples(f)
		for i, e := range ents {
			if i != setting && i != focus {
				rest = append(rest, e)
			}
		}
	default: // peers
		first := ents[0]
		definition(first)
		if len(ents) > 1 {
			definition(ents[1])
			mechanism(first, "")
			mechanism(ents[1], "")
			rest = ents[2:]
		} else {
			mechanism(first, "")
		}
		others(first)
		examples(first)
	}
	for _, e := range rest {
		definition(e)
	}
	return out
}

func do(plural bool) string {
	if plural {
		return "do"
	}
	return "does"
}
