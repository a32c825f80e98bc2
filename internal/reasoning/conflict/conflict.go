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
}

// Thresholds of "the same subject". The claims' content words (stemmed,
// without numbers, units and negations) share at least minShared words,
// and either one claim's words are all in the other's (one only adds
// detail), or their Jaccard similarity is at least minJaccard, or they
// share at least minSharedLong words that make up minOverlap of the
// shorter claim (one claim adds a clause: "… retained for 90 days
// according to our audit"). So "application logs are kept 30 days" and
// "audit logs are kept 90 days" (each has a word the other lacks, 2 of 3
// shared) are different subjects.
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
// order of the claims (A before B), each pair once. Claims of the same
// source never conflict: a page that contradicts itself is not two sources
// that disagree.
//
// A claim may be a passage of several sentences; its facts are compared
// sentence by sentence (the whole passage too), so that a sentence of
// context beside the stated value does not hide the disagreement.
func Detect(claims []Claim) []Conflict {
	facts := make([][]fact, len(claims))
	for i, c := range claims {
		facts[i] = factsOf(c.Text)
	}
	var out []Conflict
	for i := range claims {
		for j := i + 1; j < len(claims); j++ {
			a, b := claims[i], claims[j]
			if a.SourceID == b.SourceID || a.SourceID == "" || b.SourceID == "" {
				continue
			}
			if c, ok := compareAny(facts[i], facts[j]); ok {
				c.A, c.B = a, b
				out = append(out, c)
			}
		}
	}
	return out
}

// factsOf parses text as a whole and, when it has several sentences, each
// sentence.
func factsOf(text string) []fact {
	out := []fact{parse(text)}
	if ss := textproc.Sentences(text); len(ss) > 1 {
		for _, s := range ss {
			out = append(out, parse(s))
		}
	}
	return out
}

// compareAny returns the first conflict between a fact of a and one of b.
func compareAny(a, b []fact) (Conflict, bool) {
	for _, fa := range a {
		for _, fb := range b {
			if c, ok := compare(fa, fb); ok {
				return c, true
			}
		}
	}
	return Conflict{}, false
}

// quantity is a number with its unit, as stated.
type quantity struct {
	value float64
	unit  string // normalized: singular, lower case
	text  string
}

type fact struct {
	subject []string // stemmed content words, first-seen order, no repeats
	// prev maps a subject word to the content word before its first
	// occurrence ("log" → "application" in "application logs").
	prev     map[string]string
	qty      []quantity
	years    []int
	negated  bool
	original string
}

var (
	number = regexp.MustCompile(`(?i)(\d+(?:[.,]\d+)?)\s*(%|percent\b|per\s+cent\b|[a-z]+)?`)
	year   = regexp.MustCompile(`\b(1[89]\d\d|20\d\d|21\d\d)\b`)
)

// units are the words that make a number a quantity worth comparing, by
// their singular form.
var units = map[string]string{
	"second": "second", "minute": "minute", "hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year",
	"%": "%", "percent": "%", "per cent": "%",
	"byte": "byte", "kb": "kb", "mb": "mb", "gb": "gb", "tb": "tb", "kib": "kib", "mib": "mib", "gib": "gib",
	"ms": "ms", "millisecond": "ms", "sec": "second", "min": "minute", "hr": "hour",
	"time": "time", "attempt": "attempt", "retry": "retry", "request": "request", "user": "user", "node": "node",
	"replica": "replica", "copy": "copy", "version": "version", "bit": "bit", "core": "core", "server": "server",
	"dollar": "dollar", "usd": "dollar", "euro": "euro", "mile": "mile", "km": "km", "meter": "meter", "metre": "meter",
}

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

func parse(text string) fact {
	f := fact{original: text}
	skip := map[string]bool{}
	for _, m := range number.FindAllStringSubmatchIndex(text, -1) {
		num := text[m[2]:m[3]]
		if m[4] < 0 {
			continue
		}
		u, ok := unitOf(text[m[4]:m[5]])
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", "."), 64)
		if err != nil {
			continue
		}
		f.qty = append(f.qty, quantity{value: v, unit: u, text: strings.Join(strings.Fields(text[m[0]:m[1]]), " ")})
		skip[strings.ToLower(strings.Fields(text[m[4]:m[5]])[0])] = true
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
	f.prev = map[string]string{}
	last := ""
	for _, w := range textproc.Words(text) {
		if negations[w] || skip[w] || textproc.IsStopWord(w) || isNumeric(w) || w == "t" {
			continue
		}
		if _, ok := unitOf(w); ok {
			continue
		}
		s := textproc.Stem(strings.TrimSuffix(w, "n"))
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

// compare says whether two facts are the same subject stated differently.
func compare(a, b fact) (Conflict, bool) {
	shared, jaccard, nested := sharedSubject(a.subject, b.subject)
	overlap := float64(len(shared)) / float64(max(1, min(len(a.subject), len(b.subject))))
	long := len(shared) >= minSharedLong && overlap >= minOverlap
	if len(shared) < minShared || (jaccard < minJaccard && !nested && !long) || contrasted(a, b, shared) {
		return Conflict{}, false
	}
	subject := strings.Join(shared, " ")
	// The same unit with no value in common: a quantity stated differently.
	for _, qa := range a.qty {
		var bs []quantity
		for _, qb := range b.qty {
			if qb.unit == qa.unit {
				bs = append(bs, qb)
			}
		}
		if len(bs) == 0 || slices.ContainsFunc(bs, func(q quantity) bool { return q.value == qa.value }) {
			continue
		}
		if slices.ContainsFunc(a.qty, func(q quantity) bool { return q.unit == qa.unit && q.value == bs[0].value }) {
			continue // a range or list in A that includes B's value
		}
		return Conflict{Kind: KindQuantity, Subject: subject, AValue: qa.text, BValue: bs[0].text}, true
	}
	if len(a.years) > 0 && len(b.years) > 0 && !intersects(a.years, b.years) && len(a.qty) == 0 && len(b.qty) == 0 {
		return Conflict{Kind: KindDate, Subject: subject, AValue: strconv.Itoa(a.years[0]), BValue: strconv.Itoa(b.years[0])}, true
	}
	if a.negated != b.negated && jaccard >= minYesNoJaccard && sameNumbers(a, b) {
		return Conflict{Kind: KindYesNo, Subject: subject, AValue: yesNo(a.negated), BValue: yesNo(b.negated)}, true
	}
	return Conflict{}, false
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
