package textproc

import (
	"maps"
	"regexp"
	"strings"
)

// Words of dates, times and measures, shared by the offline reasoning
// engine (what a question asks for, what a sentence states) and the
// schedule's "What changed" (which expression an edit touched).

// monthWords and weekdayWords are month and weekday names, capitalized as
// written in English.
var (
	monthWords = wordSet(`January February March April May June July August September October November December
Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec`)
	weekdayWords = wordSet(`Monday Tuesday Wednesday Thursday Friday Saturday Sunday`)
)

// timeWords are the units and words of durations and frequencies.
var timeWords = wordSet(`second seconds minute minutes hour hours day days week weeks fortnight month months year years
decade decades century centuries daily weekly monthly yearly annually hourly nightly ms millisecond milliseconds
today tomorrow yesterday tonight morning evening afternoon noon midnight weekend quarter ago`)

// speedWords state an amount a second ("800 KiB/s") or a ratio ("3x
// faster", "twice as many steps").
var speedWords = wordSet(`/s /sec /second kib/s kb/s mb/s mib/s gb/s kib/sec kb/sec mib/sec mb/sec step steps iteration iterations bps kbps mbps gbps x times`)

// dimensionWords map a dimension of measure to the words that state a
// quantity of that kind: units, and the adjective a measure is written
// with ("412 m long").
var dimensionWords = map[string]map[string]bool{
	"length": wordSet(`m km cm mm metre metres meter meters kilometre kilometres kilometer kilometers foot feet ft mile miles inch inches yard yards long high wide deep tall far`),
	"money":  wordSet(`euro euros eur dollar dollars usd pound pounds gbp yen cent cents € $ £ k`),
	"size":   wordSet(`byte bytes b kb mb gb tb kib mib gib tib kilobytes megabytes gigabytes terabytes bits`),
	// A share is no size: "90%" of a file says nothing of how big it is.
	"share":  wordSet(`% percent`),
	"weight": wordSet(`kg g gram grams kilogram kilograms ton tons tonne tonnes lb lbs pound pounds heavy`),
	"time":   timeWords,
	// A speed is a span of time ("within 60 seconds"), an amount a
	// second or a comparison.
	"speed": union(timeWords, speedWords),
}

func union(a, b map[string]bool) map[string]bool {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// IsMonth reports whether w is the name of a month as written ("January",
// "Jan"; not "january").
func IsMonth(w string) bool { return monthWords[w] }

// IsWeekday reports whether w is the name of a weekday as written
// ("Monday").
func IsWeekday(w string) bool { return weekdayWords[w] }

// IsTimeWord reports whether w (lower case) is a unit or word of a
// duration or a frequency ("days", "nightly", "ago").
func IsTimeWord(w string) bool { return timeWords[w] }

// InDimension reports whether w (lower case) states a quantity of
// dimension dim ("length", "money", "size", "share", "weight", "time",
// "speed"): "km" and "long" are of "length".
func InDimension(dim, w string) bool { return dimensionWords[dim][w] }

// DimensionsOf lists the dimensions w (lower case) states a quantity of,
// in no particular order.
func DimensionsOf(w string) []string {
	var out []string
	for d, words := range dimensionWords {
		if words[w] {
			out = append(out, d)
		}
	}
	return out
}

// isUnit reports whether w (lower case) is a unit of some dimension, or a
// word of one that may follow a number ("30 days", "5,000 usd").
func isUnit(w string) bool {
	for _, words := range dimensionWords {
		if words[w] {
			return true
		}
	}
	return false
}

var (
	numberRe  = regexp.MustCompile(`^[$€£]?[0-9]+(?:[.,][0-9]+)*(?:%|k|m|bn)?$`)
	dayRe     = regexp.MustCompile(`^(?:[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?$`)
	yearRe    = regexp.MustCompile(`^(?:1[0-9]|20|21)[0-9]{2}$`)
	clockRe   = regexp.MustCompile(`^[0-9]{1,2}[:.][0-9]{2}(?:[ap]m)?$`)
	versionRe = regexp.MustCompile(`^[0-9]+(?:\.[0-9]+)+$`)
)

// scaleWords multiply the number before them ("2 million EUR").
var scaleWords = wordSet(`hundred thousand million billion trillion`)

// currencyWords name a currency before its amount ("USD 5,000").
var currencyWords = wordSet(`usd eur gbp chf jpy $ € £`)

// clockWords follow a time of day ("9 am", "14:00 UTC").
var clockWords = wordSet(`am pm a.m. p.m. utc gmt cet cest bst est edt pst pdt`)

// versionWords name the version number after them ("version 1.4").
var versionWords = wordSet(`version release v`)

// bare is a word without the punctuation around it.
func bare(w string) string {
	w = strings.TrimLeft(w, "([{\"'“‘")
	return strings.TrimRight(w, ".,;:!?)]}\"'”’")
}

// closes reports whether w ends a sentence or a clause (".", ";", ":", "!",
// "?"): no expression goes on past it. A comma it reports apart.
func closes(w string) (stop, comma bool) {
	w = strings.TrimRight(w, ")]}\"'”’")
	if w == "" {
		return false, false
	}
	switch w[len(w)-1] {
	case '.', ';', ':', '!', '?':
		return !clockWords[strings.ToLower(w)] && !strings.HasSuffix(w, ".m."), false
	case ',':
		return false, true
	}
	return false, false
}

// Date parts, as dateKind tells them.
const (
	notDate = iota
	dateDay
	dateMonth
	dateYear
	dateWeekday
	dateOf // "of" in "4th of January"
)

func dateKind(w string) int {
	b := bare(w)
	switch {
	case monthWords[b]:
		return dateMonth
	case weekdayWords[b]:
		return dateWeekday
	case yearRe.MatchString(b):
		return dateYear
	case dayRe.MatchString(b):
		return dateDay
	case b == "of":
		return dateOf
	}
	return notDate
}

// Expression widens the words ws[i:j] (a text split at white space) to
// the whole expression of a date, a time of day, a quantity or a version
// that they are part of, and returns its bounds: "11" of "starts 11
// January 2027, …" is "11 January 2027", "45" of "kept 45 days" is "45
// days", "7,500" of "above 7,500 USD" is "7,500 USD", "10" of "at 10 am"
// is "10 am", "1.5" of "runs version 1.5" is "version 1.5". Words that are
// part of none come back as they are ("42 widgets", a year alone). An
// expression never reaches past the end of a sentence or a clause.
func Expression(ws []string, i, j int) (int, int) {
	if i < 0 || j > len(ws) || i >= j {
		return i, j
	}
	if lo, hi, ok := dateExpression(ws, i, j); ok {
		return lo, hi
	}
	lo, hi := i, j
	// Left: a unit takes its number, a number its currency or "version".
	for lo > 0 {
		prev, cur := strings.ToLower(bare(ws[lo-1])), strings.ToLower(bare(ws[lo]))
		if stop, comma := closes(ws[lo-1]); stop || comma {
			break
		}
		unitOf := (isUnit(cur) || clockWords[cur] || scaleWords[cur]) && (numberRe.MatchString(prev) || clockRe.MatchString(prev) || scaleWords[prev])
		named := (numberRe.MatchString(cur) || versionRe.MatchString(cur)) && (currencyWords[prev] || versionWords[prev])
		if !unitOf && !named {
			break
		}
		lo--
	}
	// Right: a number takes its scale, its unit or its time of day; a
	// currency or "version" the number after it.
	for hi < len(ws) {
		prev, next := strings.ToLower(bare(ws[hi-1])), strings.ToLower(bare(ws[hi]))
		if stop, comma := closes(ws[hi-1]); stop || comma {
			break
		}
		ok := false
		switch {
		case numberRe.MatchString(prev) || scaleWords[prev]:
			ok = scaleWords[next] || isUnit(next) || (clockWords[next] && !scaleWords[prev])
		case clockRe.MatchString(prev):
			ok = clockWords[next]
		case currencyWords[prev] || versionWords[prev]:
			ok = numberRe.MatchString(next) || versionRe.MatchString(next)
		}
		if !ok {
			break
		}
		hi++
	}
	return lo, hi
}

// dateExpression widens ws[i:j] to the date it is part of: a day, a month
// and a year, with a weekday before them, in either order ("4 January
// 2027", "January 4, 2027", "Monday, 4 January", "the 4th of January"). A
// date names its month: "4" of "4 minutes" is none, nor is a year alone.
func dateExpression(ws []string, i, j int) (int, int, bool) {
	first, last := dateKind(ws[i]), dateKind(ws[j-1])
	if first == notDate && last == notDate {
		return i, j, false
	}
	seen := map[int]bool{} // lookup only
	for _, w := range ws[i:j] {
		seen[dateKind(w)] = true
	}
	lo, hi := i, j
	// Left, while the word before is another part of the date: not after
	// a year (a year ends a date), and across a comma only from a weekday
	// ("Monday, 4 January") or to a year ("January 4, 2027").
	for lo > 0 && dateKind(ws[lo]) != notDate {
		k := dateKind(ws[lo-1])
		stop, comma := closes(ws[lo-1])
		if k == notDate || seen[k] && k != dateOf || k == dateYear || stop || comma && k != dateWeekday && dateKind(ws[lo]) != dateYear {
			break
		}
		seen[k] = true
		lo--
	}
	for hi < len(ws) && dateKind(ws[hi-1]) != notDate {
		k, cur := dateKind(ws[hi]), dateKind(ws[hi-1])
		stop, comma := closes(ws[hi-1])
		if k == notDate || seen[k] && k != dateOf || cur == dateYear || stop || comma && cur != dateWeekday && k != dateYear {
			break
		}
		seen[k] = true
		hi++
	}
	// "of" joins a day and a month, and ends nothing.
	for lo < i && dateKind(ws[lo]) == dateOf {
		lo++
	}
	for hi > j && dateKind(ws[hi-1]) == dateOf {
		hi--
	}
	if !seen[dateMonth] {
		return i, j, false
	}
	return lo, hi, true
}

// Counted is Expression, and when that ends in a bare number, the noun
// the number counts after it: "42" of "has 42 desks" is "42 desks", "6" of
// "6 parking spaces and" is "6 parking spaces". The noun is a plural (a
// word ending in s, or people, children, men, women) up to three words
// after the number, the words before it lower-case words that are not
// function words ("12 open tickets"); nothing else is taken ("42 in all",
// "42 as agreed", a year: "2025 prices").
func Counted(ws []string, i, j int) (int, int) {
	lo, hi := Expression(ws, i, j)
	if hi <= lo || hi > len(ws) {
		return lo, hi
	}
	last := bare(ws[hi-1])
	if !countRe.MatchString(last) || yearRe.MatchString(last) {
		return lo, hi
	}
	if stop, comma := closes(ws[hi-1]); stop || comma {
		return lo, hi
	}
	for k := hi; k < len(ws) && k < hi+3; k++ {
		w := bare(ws[k])
		if !nounRe.MatchString(w) || notNounWords[w] {
			break
		}
		if pluralWords[w] || strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			return lo, k + 1
		}
		if stop, comma := closes(ws[k]); stop || comma {
			break
		}
	}
	return lo, hi
}

var (
	// countRe is a number that can count things: no currency, no percent.
	countRe = regexp.MustCompile(`^[0-9]+(?:,[0-9]{3})*$`)
	nounRe  = regexp.MustCompile(`^[a-z]+(?:-[a-z]+)*$`)
)

// pluralWords are plurals that do not end in s.
var pluralWords = map[string]bool{"people": true, "children": true, "men": true, "women": true, "staff": true} // lookup only

// notNounWords are the words after a number that are not (part of) what
// it counts: function words, and words ending in s that are no plural.
var notNounWords = func() map[string]bool {
	m := map[string]bool{} // lookup only
	for _, w := range strings.Fields(`a an the and or nor but if so than then as of in on at to for by with from per
		into onto over under up down out about after before since until when while via
		is are was were be been being has have had does do did its his hers ours yours theirs this these those that
		which who whom whose it each all more less fewer most least not no yes thus plus minus unless across whereas
		always perhaps sometimes besides towards afterwards upwards goes says seems remains means stays becomes
		makes gets needs costs takes lasts`) {
		m[w] = true
	}
	return m
}()
