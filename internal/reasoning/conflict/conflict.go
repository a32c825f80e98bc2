// Package conflict finds where the sources of a research run disagree,
// offline: two findings from different sources about the same subject that
// state the same kind of fact differently — a quantity ("kept 30 days" vs
// "kept 90 days"), a year ("since 2019" vs "since 2021"), or a yes/no fact
// ("logs are encrypted" vs "logs are not encrypted"). It only reports; it
// never picks a side. Everything here is deterministic and does no I/O.
package conflict

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/researchflow/researchflow/internal/textproc"
)

// Claim is one finding: its text, the chunk and source it came from and the
// number of that source in the report (0 when not numbered).
type Claim struct {
	Text     string `json:"text"`
	ChunkID  string `json:"chunkId"`
	SourceID string `json:"sourceId"`
	N        int    `json:"n,omitempty"`
}

// Kinds of disagreement.
const (
	KindQuantity = "quantity"
	KindDate     = "date"
	KindYesNo    = "yes/no"
)

// Conflict is two claims of different sources about the same subject that
// disagree. Subject is the words they share, in A's order; What says what
// differs ("30 days" vs "90 days", "not").
type Conflict struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	A       Claim  `json:"a"`
	B       Claim  `json:"b"`
	// AValue and BValue are the differing facts as stated ("30 days",
	// "90 days"; "yes"/"no" for a yes/no fact).
	AValue string `json:"aValue"`
	BValue string `json:"bValue"`
	// unit is the unit of a quantity's values ("day/week"), to rank the
	// conflicts by the question.
	unit string
}

// Thresholds of "the same subject". The claims' content words (stemmed,
// without numbers, units and negations) share at least minShared words,
// and either one claim's words are all in the other's (one only adds
// detail), or their Jaccard similarity is at least minJaccard, or they
// share at least minSharedLong words that make up minOverlap of the
// shorter claim (one claim adds a clause: "… retained for 90 days
// according to our audit"). So "application logs are kept 30 days" and
// "audit logs are kept 90 days" (each has a word the other lacks, 2 of 3
// shared) are different subjects. Claims whose subjects are both found by
// their place must also name the same thing (see otherSubjects): "Database
// backups at Example Corp are retained …" and "Database snapshots at
// Example Corp are retained …" share 4 of 6 words, but not their head.
// Yes/no facts need the claims to be nearly the same sentence
// (minYesNoJaccard), since a negation elsewhere flips nothing.
const (
	minShared       = 2
	minJaccard      = 0.6
	minSharedLong   = 3
	minOverlap      = 0.75
	minYesNoJaccard = 0.75
)

// Detect returns the conflicts between claims of different sources, in the
// order of the claims (A before B). Claims of the same source never
// conflict: a page that contradicts itself is not two sources that
// disagree.
//
// A claim may be a passage of several sentences; its facts are compared
// sentence by sentence, and two passages may disagree on several facts
// ("two days a week" vs "three days a week", and "30 days per calendar
// year" vs "20 days per calendar year"): each is a conflict. Only where
// no two sentences disagree are the passages compared whole, so that a
// sentence of context beside the stated value does not hide the
// disagreement.
func Detect(claims []Claim) []Conflict { return DetectAbout("", claims) }

// DetectAbout is Detect for the claims found for question: the conflicts
// about what the question asks come first (those sharing more of its
// words, and stating a quantity in a unit it names: "How many days a
// week …"), and two claims that both state the question's subject
// (every word of the question that either has, in both, and one more word
// in common) are about the same subject, however much else they say:
// "The Lumen offsite takes place in Lisbon from 14 to 16 May 2025" and
// "The offsite moves to Porto, 21 to 23 May 2025, because the Lisbon hotel
// was fully booked" for "Where and when is the team offsite?".
func DetectAbout(question string, claims []Claim) []Conflict {
	q := asked(question)
	facts := make([][]fact, len(claims))
	for i, c := range claims {
		facts[i] = factsOf(c.Text)
	}
	type ranked struct {
		c     Conflict
		score int
	}
	var out []ranked
	for i := range claims {
		for j := i + 1; j < len(claims); j++ {
			a, b := claims[i], claims[j]
			if a.SourceID == b.SourceID || a.SourceID == "" || b.SourceID == "" {
				continue
			}
			for _, c := range compareAll(facts[i], facts[j], q) {
				c.A, c.B = a, b
				out = append(out, ranked{c, q.score(c)})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y ranked) int { return y.score - x.score })
	conflicts := make([]Conflict, len(out))
	for i, r := range out {
		conflicts[i] = r.c
	}
	return conflicts
}

// question is what a question asks about: its subject words, stemmed as a
// fact's, and the units it names ("days", "week").
type question struct {
	subject []string
	units   map[string]bool
}

func asked(text string) question {
	q := question{subject: parse(text).subject, units: map[string]bool{}}
	for _, w := range textproc.Words(text) {
		if u, ok := unitOf(w); ok {
			q.units[u] = true
		}
	}
	return q
}

// score is how much of what q asks a conflict is about: the question's
// words in its subject, and one more when the question names every unit
// of its values ("day/week").
func (q question) score(c Conflict) int {
	n := 0
	for _, w := range strings.Fields(c.Subject) {
		if slices.Contains(q.subject, w) {
			n++
		}
	}
	if c.unit != "" && !slices.ContainsFunc(strings.Split(c.unit, "/"), func(u string) bool { return !q.units[u] }) {
		n++
	}
	return n
}

// factsOf parses text as a whole and, when it has several sentences, each
// sentence; the whole comes first.
func factsOf(text string) []fact {
	out := []fact{parse(text)}
	if ss := textproc.Sentences(text); len(ss) > 1 {
		for _, s := range ss {
			out = append(out, parse(s))
		}
	}
	return out
}

// compareAll returns the conflicts between the sentences of a and those of
// b, each pair of values once, or, when there is none, those between the
// wholes.
func compareAll(a, b []fact, q question) []Conflict {
	var out []Conflict
	add := func(fa, fb fact) {
		for _, c := range compare(fa, fb, q) {
			if !slices.ContainsFunc(out, func(o Conflict) bool { return o.AValue == c.AValue && o.BValue == c.BValue }) {
				out = append(out, c)
			}
		}
	}
	sentences := func(fs []fact) []fact {
		if len(fs) > 1 {
			return fs[1:]
		}
		return fs
	}
	for _, fa := range sentences(a) {
		for _, fb := range sentences(b) {
			add(fa, fb)
		}
	}
	if len(out) == 0 && (len(a) > 1 || len(b) > 1) {
		for _, fa := range a {
			for _, fb := range b {
				add(fa, fb)
			}
		}
	}
	return out
}

// quantity is a number with its unit, as stated.
type quantity struct {
	value float64
	unit  string // normalized: singular, lower case; a rate is "day/week"
	text  string
}

// day is a calendar date or a range of days in one month ("14 to 16 May
// 2025"), as stated; year is 0 when not stated.
type day struct {
	from, to int
	month    string // the first three letters, lower case
	year     int
	text     string
}

type fact struct {
	subject []string // stemmed content words, first-seen order, no repeats
	// prev maps a subject word to the content word right before its
	// first occurrence ("log" → "application" in "application logs"; none
	// in "place in Lisbon").
	prev map[string]string
	// names are the subject words written capitalized inside a sentence
	// ("Lumen" in "The Lumen offsite"): a name says which one, where a
	// common word before a noun says what kind ("travel expenses").
	names    map[string]bool
	qty      []quantity
	days     []day
	years    []int
	negated  bool
	original string
}

var (
	year = regexp.MustCompile(`\b(1[89]\d\d|20\d\d|21\d\d)\b`)
	// number is a number in digits (with a currency symbol before it:
	// "€500", "$1,200"; "1,500" is fifteen hundred, "1,5" one and a half)
	// or in words ("three days").
	number = regexp.MustCompile(`(?i)([$€£]\s?)?\b(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|` + numberWordPattern + `)\b(\s?%)?`)
	// currencyBefore is a currency code written before its amount ("EUR 500").
	currencyBefore = regexp.MustCompile(`(?i)\b(eur|usd|gbp|chf|jpy)\s*$`)
	// unitAfter is the word after a number that may be its unit.
	unitAfter = regexp.MustCompile(`(?i)^\s*(per\s+cent\b|[\pL€$£]+)`)
	// rateAfter is what makes a quantity a rate: "days a week", "EUR per
	// person", "days per calendar year", "GB/month".
	rateAfter = regexp.MustCompile(`(?i)^(?:\s*/\s*|\s+(per|each|every|a|an)\s+)(?:(?:calendar|working|business|financial|fiscal|school)\s+)?(\pL+)\b`)
	// calendar is a day of a month, or a range of days ("14 to 16 May
	// 2025", "May 14–16, 2025").
	calendar = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?(?:\s*(?:-|–|—|to|until|through)\s*(\d{1,2})(?:st|nd|rd|th)?)?\s+(?:of\s+)?` + monthPattern + `\b\.?(?:,?\s+(\d{4})\b)?` +
		`|\b` + monthPattern + `\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:\s*(?:-|–|—|to|until|through)\s*(\d{1,2})(?:st|nd|rd|th)?\b)?(?:,?\s+(\d{4})\b)?`)
)

const (
	numberWordPattern = `one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety`
	monthPattern      = `(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)`
)

var numberWords = func() map[string]float64 {
	m := map[string]float64{}
	for i, w := range strings.Split(numberWordPattern, "|") {
		if i < 20 {
			m[w] = float64(i + 1)
		} else {
			m[w] = float64(10 * (i - 17))
		}
	}
	return m
}()

// units are the words that make a number a quantity worth comparing, by
// their singular form. A currency is its code, however written ("500
// EUR", "€500", "500 euros").
var units = map[string]string{
	"second": "second", "minute": "minute", "hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year",
	"quarter": "quarter", "fortnight": "fortnight",
	"%": "%", "percent": "%", "per cent": "%",
	"byte": "byte", "kb": "kb", "mb": "mb", "gb": "gb", "tb": "tb", "kib": "kib", "mib": "mib", "gib": "gib",
	"ms": "ms", "millisecond": "ms", "sec": "second", "min": "minute", "hr": "hour",
	"time": "time", "attempt": "attempt", "retry": "retry", "request": "request", "user": "user", "node": "node",
	"replica": "replica", "copy": "copy", "version": "version", "bit": "bit", "core": "core", "server": "server",
	"mile": "mile", "km": "km", "meter": "meter", "metre": "meter",
	"dollar": "USD", "usd": "USD", "$": "USD", "euro": "EUR", "eur": "EUR", "€": "EUR", "gbp": "GBP", "£": "GBP",
	"chf": "CHF", "franc": "CHF", "jpy": "JPY", "yen": "JPY",
}

// timeUnits may follow "a" in a rate ("two days a week").
var timeUnits = map[string]bool{"second": true, "minute": true, "hour": true, "day": true, "week": true, "month": true, "year": true, "quarter": true, "fortnight": true}

func unitOf(w string) (string, bool) {
	w = strings.ToLower(strings.Join(strings.Fields(w), " "))
	if u, ok := units[w]; ok {
		return u, true
	}
	for _, suf := range []string{"ies", "s"} {
		if strings.HasSuffix(w, suf) {
			base := strings.TrimSuffix(w, suf)
			if suf == "ies" {
				base += "y"
			}
			if u, ok := units[base]; ok {
				return u, true
			}
		}
	}
	return "", false
}

var negations = map[string]bool{"not": true, "no": true, "never": true, "none": true, "neither": true, "nor": true, "cannot": true, "without": true}

// numberValue reads a number as number matched it.
func numberValue(s string) (float64, bool) {
	s = strings.ToLower(s)
	if v, ok := numberWords[s]; ok {
		return v, true
	}
	if thousands.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	return v, err == nil
}

var thousands = regexp.MustCompile(`^\d{1,3}(?:,\d{3})+(?:\.\d+)?$`)

// quantities are the numbers of text that have a unit, with the spans of
// text they take.
func quantities(text string) ([]quantity, [][2]int) {
	var out []quantity
	var spans [][2]int
	for _, m := range number.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[0], m[1]
		v, ok := numberValue(text[m[4]:m[5]])
		if !ok {
			continue
		}
		unit := ""
		switch {
		case m[2] >= 0:
			unit, _ = unitOf(strings.TrimSpace(text[m[2]:m[3]]))
		case m[6] >= 0:
			unit = "%"
		default:
			if c := currencyBefore.FindStringSubmatchIndex(text[:start]); c != nil {
				unit, _ = unitOf(text[c[2]:c[3]])
				start = c[2]
			}
		}
		if unit == "" {
			u := unitAfter.FindStringSubmatchIndex(text[end:])
			if u == nil {
				continue
			}
			if unit, ok = unitOf(text[end+u[2] : end+u[3]]); !ok {
				continue
			}
			end += u[1]
		} else if unit != "%" {
			// "500 EUR" after "€" or "EUR" says it twice; nothing else follows.
			if u := unitAfter.FindStringSubmatchIndex(text[end:]); u != nil {
				if w, ok := unitOf(text[end+u[2] : end+u[3]]); ok && w == unit {
					end += u[1]
				}
			}
		}
		if r := rateAfter.FindStringSubmatchIndex(text[end:]); r != nil {
			per := strings.ToLower(text[end+r[4] : end+r[5]])
			denom, ok := unitOf(per)
			if !ok {
				denom = strings.TrimSuffix(per, "s")
			}
			if a := r[2] >= 0 && strings.HasPrefix(strings.ToLower(text[end+r[2]:end+r[3]]), "a"); !a || timeUnits[denom] {
				unit += "/" + denom
				end += r[1]
			}
		}
		out = append(out, quantity{value: v, unit: unit, text: strings.Join(strings.Fields(text[start:end]), " ")})
		spans = append(spans, [2]int{start, end})
	}
	return out, spans
}

// calendarDays are the calendar dates of text, with their spans.
func calendarDays(text string) ([]day, [][2]int) {
	var out []day
	var spans [][2]int
	for _, m := range calendar.FindAllStringSubmatchIndex(text, -1) {
		g := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return text[m[2*i]:m[2*i+1]]
		}
		from, to, month, yr := g(1), g(2), g(3), g(4)
		if month == "" {
			month, from, to, yr = g(5), g(6), g(7), g(8)
		}
		d := day{month: strings.ToLower(month[:3]), text: strings.Join(strings.Fields(text[m[0]:m[1]]), " ")}
		d.from, _ = strconv.Atoi(from)
		d.to = d.from
		if to != "" {
			d.to, _ = strconv.Atoi(to)
		}
		d.year, _ = strconv.Atoi(yr)
		if d.from < 1 || d.from > 31 || d.to < d.from || d.to > 31 {
			continue
		}
		out = append(out, d)
		spans = append(spans, [2]int{m[0], m[1]})
	}
	return out, spans
}

// sameDays reports whether two calendar dates agree: the same days, or
// one's days within the other's, of the same month and year (a date
// without a year agrees with any year).
func sameDays(a, b day) bool {
	if a.month != b.month || (a.year != 0 && b.year != 0 && a.year != b.year) {
		return false
	}
	return (a.from <= b.from && b.to <= a.to) || (b.from <= a.from && a.to <= b.to)
}

// capitalized matches a capitalized word.
var capitalized = regexp.MustCompile(`\b\p{Lu}\pL*`)

// namesIn are the words of text (lower case) written capitalized where a
// sentence, a line or a list item does not start.
func namesIn(text string) map[string]bool {
	out := map[string]bool{}
	for _, m := range capitalized.FindAllStringIndex(text, -1) {
		before := strings.TrimRight(text[:m[0]], " \t")
		if before == "" || strings.ContainsAny(before[len(before)-1:], ".!?:#-*>\"“(\n") {
			continue
		}
		out[strings.ToLower(text[m[0]:m[1]])] = true
	}
	return out
}

func parse(text string) fact {
	f := fact{original: text}
	skip := map[string]bool{}
	qty, qspans := quantities(text)
	days, dspans := calendarDays(text)
	f.qty, f.days = qty, days
	for _, sp := range append(qspans, dspans...) {
		for _, w := range textproc.Words(text[sp[0]:sp[1]]) {
			skip[w] = true
		}
	}
	for _, m := range year.FindAllString(text, -1) {
		if y, err := strconv.Atoi(m); err == nil && !slices.Contains(f.years, y) {
			f.years = append(f.years, y)
		}
	}
	for _, w := range textproc.Words(text) {
		if negations[w] || strings.HasSuffix(w, "n't") {
			f.negated = true
		}
	}
	// "isn't" is split by Words at the apostrophe into "isn" and "t".
	lower := strings.ToLower(text)
	for _, n := range []string{"n't ", "n’t "} {
		if strings.Contains(lower+" ", n) {
			f.negated = true
		}
	}
	names := namesIn(text)
	f.prev, f.names = map[string]string{}, map[string]bool{}
	last := ""
	for _, w := range textproc.Words(text) {
		_, unit := unitOf(w)
		_, num := numberWords[w]
		if negations[w] || skip[w] || textproc.IsStopWord(w) || isNumeric(w) || w == "t" || unit || num {
			last = "" // "place in Lisbon": no modifier of "Lisbon"
			continue
		}
		s := textproc.Stem(strings.TrimSuffix(w, "n"))
		if names[w] {
			f.names[s] = true
		}
		if !slices.Contains(f.subject, s) {
			f.subject = append(f.subject, s)
			if last != "" {
				f.prev[s] = last
			}
		}
		last = s
	}
	return f
}

func isNumeric(w string) bool {
	_, err := strconv.ParseFloat(strings.ReplaceAll(w, ",", "."), 64)
	return err == nil
}

// compare returns how two facts state the same subject differently: a
// quantity in each unit they share, calendar dates, years or yes/no.
func compare(a, b fact, q question) []Conflict {
	shared, jaccard, nested := sharedSubject(a.subject, b.subject)
	overlap := float64(len(shared)) / float64(max(1, min(len(a.subject), len(b.subject))))
	long := len(shared) >= minSharedLong && overlap >= minOverlap
	if len(shared) < minShared || contrasted(a, b, shared) {
		return nil
	}
	if jaccard < minJaccard && !nested && !long && !q.sameSubject(a, b, shared) {
		return nil
	}
	if otherSubjects(a, b) {
		return nil
	}
	subject := strings.Join(shared, " ")
	var out []Conflict
	// The same unit with no value in common: a quantity stated differently.
	var units []string
	for _, qa := range a.qty {
		if slices.Contains(units, qa.unit) {
			continue
		}
		var as, bs []quantity
		for _, x := range a.qty {
			if x.unit == qa.unit {
				as = append(as, x)
			}
		}
		for _, qb := range b.qty {
			if qb.unit == qa.unit {
				bs = append(bs, qb)
			}
		}
		if len(bs) == 0 {
			continue
		}
		units = append(units, qa.unit)
		// A value in common, or a range or list in A that includes B's
		// value, is no disagreement.
		if slices.ContainsFunc(as, func(x quantity) bool {
			return slices.ContainsFunc(bs, func(y quantity) bool { return x.value == y.value })
		}) {
			continue
		}
		out = append(out, Conflict{Kind: KindQuantity, Subject: subject, AValue: qa.text, BValue: bs[0].text, unit: qa.unit})
	}
	if len(a.days) > 0 && len(b.days) > 0 {
		if !slices.ContainsFunc(a.days, func(x day) bool { return slices.ContainsFunc(b.days, func(y day) bool { return sameDays(x, y) }) }) {
			out = append(out, Conflict{Kind: KindDate, Subject: subject, AValue: a.days[0].text, BValue: b.days[0].text})
		}
		return out
	}
	if len(out) > 0 {
		return out
	}
	if len(a.years) > 0 && len(b.years) > 0 && !intersects(a.years, b.years) && len(a.qty) == 0 && len(b.qty) == 0 {
		return []Conflict{{Kind: KindDate, Subject: subject, AValue: strconv.Itoa(a.years[0]), BValue: strconv.Itoa(b.years[0])}}
	}
	if a.negated != b.negated && jaccard >= minYesNoJaccard && sameNumbers(a, b) {
		return []Conflict{{Kind: KindYesNo, Subject: subject, AValue: yesNo(a.negated), BValue: yesNo(b.negated)}}
	}
	return nil
}

// sameSubject reports whether two facts both state what q asks about:
// every word of the question that either fact has is in both (shared;
// compare asks for minShared words in common). A common word before a question word
// in one fact only ("travel expenses" and "expenses") names another kind
// of it; a name there ("the Lumen offsite") does not.
func (q question) sameSubject(a, b fact, shared []string) bool {
	var of []string
	for _, w := range q.subject {
		if slices.Contains(a.subject, w) || slices.Contains(b.subject, w) {
			if !slices.Contains(shared, w) {
				return false
			}
			of = append(of, w)
		}
	}
	if len(of) == 0 {
		return false
	}
	for _, w := range of {
		pa, pb := a.prev[w], b.prev[w]
		if pa != "" && pb == "" && !slices.Contains(b.subject, pa) && !a.names[pa] ||
			pb != "" && pa == "" && !slices.Contains(a.subject, pb) && !b.names[pb] {
			return false
		}
	}
	return true
}

func yesNo(negated bool) string {
	if negated {
		return "no"
	}
	return "yes"
}

func sameNumbers(a, b fact) bool {
	if len(a.qty) != len(b.qty) || !slices.Equal(a.years, b.years) {
		return false
	}
	for i := range a.qty {
		if a.qty[i].value != b.qty[i].value || a.qty[i].unit != b.qty[i].unit {
			return false
		}
	}
	return true
}

func intersects(a, b []int) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// otherSubjects reports whether two facts whose subjects are both found
// by their place speak of different ones (textproc.OtherSubject both
// ways): neither names the other's head noun ("Nightly database backups
// are retained for 35 days" and "Database snapshots are retained for 7
// days" share a modifier and what is said, not what it is said of), or
// each names the same head with a kind the other lacks ("Backups of the
// billing database", "Backups of the auth database"). A fact whose
// subject is not found (an active verb: "Example Corp keeps …") is
// judged by its words alone, as before.
func otherSubjects(a, b fact) bool {
	return textproc.OtherSubject(a.original, b.original) && textproc.OtherSubject(b.original, a.original)
}

// contrasted reports whether a shared word has a different modifier in
// each claim that the other claim lacks ("application logs" vs "audit
// logs"): then the claims are about different things.
func contrasted(a, b fact, shared []string) bool {
	for _, w := range shared {
		pa, pb := a.prev[w], b.prev[w]
		if pa != "" && pb != "" && pa != pb && !slices.Contains(b.subject, pa) && !slices.Contains(a.subject, pb) {
			return true
		}
	}
	return false
}

// sharedSubject returns the words of a that b has too, their Jaccard
// similarity, and whether one set holds the other.
func sharedSubject(a, b []string) ([]string, float64, bool) {
	if len(a) == 0 || len(b) == 0 {
		return nil, 0, false
	}
	var shared []string
	for _, w := range a {
		if slices.Contains(b, w) {
			shared = append(shared, w)
		}
	}
	union := len(a) + len(b) - len(shared)
	return shared, float64(len(shared)) / float64(union), len(shared) == min(len(a), len(b))
}
