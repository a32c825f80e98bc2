package extractive

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/researchflow/researchflow/internal/textproc"
)

// word is one word of a text with its original spelling and byte offsets.
// Word boundaries follow textproc.Words (letters and digits, with inner '_'
// or '.' as in "sync.Mutex"), and also keep inner '/' as in "net/http".
type word struct {
	text       string
	lower      string
	start, end int
}

func scanWords(s string) []word {
	var out []word
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		raw := s[start:end]
		trimmed := strings.TrimRight(raw, "._/")
		lead := len(raw) - len(strings.TrimLeft(raw, "._/"))
		if t := strings.TrimLeft(trimmed, "._/"); t != "" {
			out = append(out, word{text: t, lower: strings.ToLower(t), start: start + lead, end: start + lead + len(t)})
		}
		start = -1
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || ((r == '_' || r == '.' || r == '/' || r == '-') && start >= 0 && i+1 < len(s) && isWordByte(s[i+1])) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= utf8.RuneSelf
}

// isIdentifier reports whether w looks like code: "sync.Mutex", "net/http",
// "max_procs", "WaitGroup", "RWMutex".
func isIdentifier(w string) bool {
	if strings.ContainsAny(w, "._/") || manualPage(w) {
		return true
	}
	for i, r := range w {
		if i > 0 && unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// manualPage reports whether w names a manual page with its section:
// "reportbug(1)", "crontab(5)", "pthread_create(3p)".
func manualPage(w string) bool {
	name, section, ok := strings.Cut(w, "(")
	if !ok || name == "" || !strings.HasSuffix(section, ")") {
		return false
	}
	section = strings.TrimSuffix(section, ")")
	if section == "" || section[0] < '1' || section[0] > '9' {
		return false
	}
	return strings.IndexFunc(section[1:], func(r rune) bool { return r < 'a' || r > 'z' }) < 0 &&
		strings.IndexFunc(name, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._+-", r)
		}) < 0
}

// capitalize upper-cases the first letter of s unless its first word is code.
func capitalize(s string) string {
	ws := scanWords(s)
	if len(ws) > 0 && ws[0].start == 0 && isIdentifier(ws[0].text) {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// squash collapses runs of white space into one space and trims.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// vector is a term-frequency vector with its terms in sorted order, so that
// sums over it do not depend on map iteration order.
type vector struct {
	terms []string
	freq  map[string]float64
	norm  float64
}

func newVector(text string) vector {
	tv := textproc.TermVector(text)
	v := vector{freq: tv, terms: make([]string, 0, len(tv))}
	for t := range tv {
		v.terms = append(v.terms, t)
	}
	sort.Strings(v.terms)
	var s float64
	for _, t := range v.terms {
		s += tv[t] * tv[t]
	}
	v.norm = math.Sqrt(s)
	return v
}

// pairVector is the vector of the adjacent term pairs of text (its terms
// alone when it has one).
func pairVector(text string) vector {
	terms := textproc.Tokenize(text)
	if len(terms) < 2 {
		return newVector(text)
	}
	freq := map[string]float64{}
	for i := 1; i < len(terms); i++ {
		freq[terms[i-1]+"\x1f"+terms[i]]++
	}
	v := vector{freq: freq, terms: make([]string, 0, len(freq))}
	for t := range freq {
		v.terms = append(v.terms, t)
	}
	sort.Strings(v.terms)
	var s float64
	for _, t := range v.terms {
		s += freq[t] * freq[t]
	}
	v.norm = math.Sqrt(s)
	return v
}

// cosine is textproc.Cosine computed in a fixed order.
func cosine(a, b vector) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	if len(b.terms) < len(a.terms) {
		a, b = b, a
	}
	var dot float64
	for _, t := range a.terms {
		dot += a.freq[t] * b.freq[t]
	}
	return dot / (a.norm * b.norm)
}
