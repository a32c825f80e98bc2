package textproc

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// citationMark is a bracketed number that may be a citation: [7], [ 7 ],
// [1, 2], [1; 2], [3-5], [3–5], [^4].
var citationMark = regexp.MustCompile(`\[\s*\^?\d+(?:\s*[,;–-]\s*\d+)*\s*\]`)

// maxRange bounds the numbers one range mark ([3-5]) stands for.
const maxRange = 20

// spaceBeforeMark is white space before punctuation that ends a word (the
// punctuation followed by white space or the end of the text).
var spaceBeforeMark = regexp.MustCompile(`\s+([,.;:!?]+)(\s|$)`)

// CloseUp removes the white space that removing a citation mark leaves
// before the punctuation after it ("fast [1]." gives "fast ." gives
// "fast."). Punctuation that starts a word keeps the space before it:
// ".bashrc", "./configure", "go test ./...".
func CloseUp(text string) string { return spaceBeforeMark.ReplaceAllString(text, "$1$2") }

// StripCitations removes the citation marks of text that stand in
// citation position and returns the text and the numbers they cite, in
// order of appearance. A mark is in citation position when it is not glued
// to the word before it (buf[0], a[i][2] are code or notation) and is
// followed, after any further marks and spaces, by the end of the text or
// by closing punctuation (. , ; : ! ? ) and their full-width forms), or
// follows the end of a sentence, or is a run of two marks or more: "…
// completes [2].", "… completes.[2]", "… in 1931.[3] The bridge …", "two
// [1][3] here". A single bracketed number
// followed by a word ("bits [0] to [3] hold …") is part of what the text
// says and is left as written, so that quoted text is never altered; a
// renderer escapes what is left.
func StripCitations(text string) (string, []int) {
	locs := citationMark.FindAllStringIndex(text, -1)
	if len(locs) == 0 {
		return text, nil
	}
	var b strings.Builder
	var nums []int
	last := 0
	for i := 0; i < len(locs); {
		if gluedBefore(text[:locs[i][0]]) {
			i++ // an index; a citation may still follow it ("buf[0] [1].")
			continue
		}
		// A run: marks separated by nothing or spaces only.
		j := i + 1
		for j < len(locs) && strings.TrimSpace(text[locs[j-1][1]:locs[j][0]]) == "" {
			j++
		}
		start, end := locs[i][0], locs[j-1][1]
		if !(j-i > 1 || closesAfter(text[end:]) || afterSentence(text[:start])) {
			i = j
			continue
		}
		// Spaces before the run go with it: "completes [2]." → "completes.".
		cut := len(strings.TrimRightFunc(text[:start], unicode.IsSpace))
		if cut < last {
			cut = last
		}
		b.WriteString(text[last:cut])
		for _, l := range locs[i:j] {
			nums = append(nums, markNumbers(text[l[0]:l[1]])...)
		}
		last = end
		i = j
	}
	b.WriteString(text[last:])
	return b.String(), nums
}

// gluedBefore reports whether a mark after before is glued to a word or a
// closing bracket or parenthesis: an index (buf[0], f(x)[1]), not a
// citation.
func gluedBefore(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	if r == utf8.RuneError {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == ']' || r == ')'
}

// closesAfter reports whether what follows a run of marks ends a sentence
// or clause: nothing, spaces, or closing punctuation.
func closesAfter(after string) bool {
	after = strings.TrimLeftFunc(after, unicode.IsSpace)
	if after == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(after)
	return strings.ContainsRune(".,;:!?)\"'”’。！？．；：，、؟।။", r)
}

// afterSentence reports whether a run of marks follows the end of a
// sentence ("… in 1931.[3] The bridge …", the style of encyclopedias).
func afterSentence(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(before, unicode.IsSpace))
	return strings.ContainsRune(".!?。！？", r)
}

// markNumbers are the numbers one mark cites; a range stands for each
// number in it (at most maxRange).
func markNumbers(mark string) []int {
	inner := strings.Trim(mark, "[]^ \t")
	var out []int
	for _, part := range strings.FieldsFunc(inner, func(r rune) bool { return r == ',' || r == ';' }) {
		part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "^"))
		lo, hi, isRange := strings.Cut(strings.ReplaceAll(part, "–", "-"), "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			continue
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		z, err := strconv.Atoi(strings.TrimSpace(hi))
		if err != nil || z < a || z-a >= maxRange {
			out = append(out, a)
			continue
		}
		for n := a; n <= z; n++ {
			out = append(out, n)
		}
	}
	return out
}
