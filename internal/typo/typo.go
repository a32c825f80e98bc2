// Package typo finds the name a person meant when they typed one that is
// not there: a command, a subcommand, a corpus. Every surface that
// suggests "did you mean …" (the starter's commands and subcommands, the
// corpus a run or schedule names in the starter, the HTTP API and the web
// app) suggests by Nearest, so that one typo gets one suggestion
// everywhere.
package typo

import "strings"

// Nearest is the name of names that word was meant to be, or "" for none:
// one equal to word in other case first, else the nearest within
// Damerau-Levenshtein distance 2 of word, both folded to lower case (1 for
// a name of four characters or fewer: "stop" is not suggested for "step
// on"). A name that is word in the other number (Forms: "corpus" for
// corpora, three edits apart) or that word abbreviates ("sched" for
// schedule) is as near as a one-character typo, whatever its length. Of
// names as near, the first wins. word itself (exactly) is never
// suggested.
func Nearest(word string, names []string) string {
	lw := strings.ToLower(word)
	best, bestD := "", 3
	for _, n := range names {
		if n == word {
			continue
		}
		ln := strings.ToLower(n)
		d := Distance(lw, ln)
		limit := 2
		if len([]rune(n)) <= 4 {
			limit = 1
		}
		if d > 1 && Forms(lw, ln) {
			d = 1
		}
		if d <= limit && d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// MinAbbrev is the shortest start of a name that Forms takes for the
// name: "sche" is schedule, "sch" is nobody's.
const MinAbbrev = 4

// Forms reports whether word is a form of name other than a typo: the
// same noun in the other number ("corpus" and corpora, "index" and
// indices, "policy" and policies, either way round), or the first
// MinAbbrev or more characters of name ("corp" for corpora). Both are
// compared as given (Nearest folds them to lower case first); a longer
// word that starts with name ("scheduling") is not name's.
func Forms(word, name string) bool {
	if word == name {
		return false
	}
	if len([]rune(word)) >= MinAbbrev && strings.HasPrefix(name, word) {
		return true
	}
	return pluralOf(word, name) || pluralOf(name, word)
}

// plurals are the endings of a plural in place of its singular's, the
// Latin ones too (corpus, corpora; criterion, criteria).
var plurals = []struct{ one, many string }{
	{"", "s"}, {"", "es"}, {"y", "ies"}, {"f", "ves"}, {"fe", "ves"},
	{"us", "i"}, {"us", "ora"}, {"us", "era"}, {"um", "a"}, {"on", "a"},
	{"is", "es"}, {"ex", "ices"}, {"ix", "ices"},
}

// pluralOf reports whether many is the plural of one: their common stem
// (one less its ending) is three characters or more, so that no short
// word is another's plural by accident.
func pluralOf(one, many string) bool {
	for _, p := range plurals {
		stem, ok := strings.CutSuffix(one, p.one)
		if ok && len([]rune(stem)) >= 3 && many == stem+p.many {
			return true
		}
	}
	return false
}

// Distance is the Damerau-Levenshtein distance of a and b (optimal string
// alignment: insertions, deletions, substitutions and swaps of two
// neighbours, each 1).
func Distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
