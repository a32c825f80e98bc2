package report

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

// locate returns the Markdown of the sentence of md that states claim, as
// md has it, citations and final mark included, and whether there is one.
// It is the claim rendered again when md has that; else the cited
// sentence of md's paragraphs (not its lists: "What changed", "Gaps",
// "Sources") with the claim's citations and the same words, however it
// is shown: code as code spans, a definition's term as "`term`:", Markdown
// escapes, or listed by a run recorded before claims were listed as shown,
// with the lines of its finding joined ("expand_aliases If set, …").
func locate(md string, claim rf.Claim, valid map[int]bool) (string, bool) {
	var st RenderStats
	rendered := renderSentence(reasoning.Sentence{Text: claim.Text, Cites: claim.Cites}, valid, false, &st)
	if rendered == "" {
		return "", false
	}
	if strings.Contains(md, rendered) {
		return rendered, true
	}
	marks := rendered[strings.LastIndex(rendered, " [")+1:]
	marks = strings.TrimRightFunc(marks, func(r rune) bool { return r != ']' })
	want := words(claim.Text)
	for _, line := range strings.Split(md, "\n") {
		if !paragraphLine(line) {
			continue
		}
		for _, s := range citedSentences(line) {
			if s.marks == marks && slices.Equal(words(s.body), want) {
				return s.text, true
			}
		}
	}
	return "", false
}

// statedAt lists the cited sentences of md's paragraphs (as locate reads
// them) that state text, with the same words, whatever they cite.
func statedAt(md, text string) []citedSentence {
	want := words(text)
	var out []citedSentence
	for _, line := range strings.Split(md, "\n") {
		if !paragraphLine(line) {
			continue
		}
		for _, s := range citedSentences(line) {
			if slices.Equal(words(s.body), want) {
				out = append(out, s)
			}
		}
	}
	return out
}

// paragraphLine reports whether line is a line of a paragraph of a report,
// where Render writes its sentences: not a heading, list entry, quote,
// rule or bold label.
func paragraphLine(line string) bool {
	if strings.TrimSpace(line) == "" {
		return false
	}
	for _, p := range []string{"#", "- ", "> ", "**", "---", "|"} {
		if strings.HasPrefix(line, p) {
			return false
		}
	}
	return true
}

// citedSentence is a cited sentence of a paragraph as Render writes it:
// "<body> <marks><end>".
type citedSentence struct {
	text, body, marks string
}

// citeMarks matches the citation marks of a sentence ("[1][3]").
var citeMarks = regexp.MustCompile(`^(?:\[\d+\])+`)

// italicEnd matches the end of a sentence in italics (one marked
// "(unverified)") and the space after it: no citation ends it.
var italicEnd = regexp.MustCompile(`[^\\]\*[.?!。？！؟।။] `)

// citedSentences splits a paragraph line into the cited sentences Render
// wrote: each ends with a space, its citation marks, and its final mark
// before a space or the line's end (or the next sentence, after a full
// stop of a script written without spaces), outside code spans and
// escapes. A
// sentence in italics before one, which no citation ends, is cut off it.
func citedSentences(line string) []citedSentence {
	var out []citedSentence
	start := 0
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == '\\':
			i += 2
			continue
		case c == '`':
			n := len(line[i:]) - len(strings.TrimLeft(line[i:], "`"))
			if end := closingTicks(line[i+n:], n); end >= 0 {
				i += n + end + n
			} else {
				i += n
			}
			continue
		case c == '[' && i > start && line[i-1] == ' ':
			m := citeMarks.FindString(line[i:])
			if m == "" {
				break
			}
			j := i + len(m)
			r, size := utf8.DecodeRuneInString(line[j:])
			// A space follows the final mark, but for a full stop of a
			// script written without spaces ("…保存されます [1]。復元…").
			if !strings.ContainsRune(".?!。？！؟।။", r) || (j+size < len(line) && line[j+size] != ' ' && textproc.SpaceAfter(string(r)) != "") {
				break
			}
			from := start
			if ends := italicEnd.FindAllStringIndex(line[start:i], -1); len(ends) > 0 {
				from = start + ends[len(ends)-1][1]
			}
			out = append(out, citedSentence{text: line[from : j+size], body: line[from : i-1], marks: m})
			start = j + size
			if start < len(line) && line[start] == ' ' {
				start++
			}
			i = start
			continue
		}
		i++
	}
	return out
}

// closingTicks is where in s a run of exactly n backticks begins, which
// closes a code span opened by n, or -1.
func closingTicks(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		run := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
		if run == n {
			return i
		}
		i += run
	}
	return -1
}

// words are the words and numbers of a statement, in lower case, in
// order: what a statement says however it is shown (code spans, escapes,
// a definition's colon, its lines joined or not).
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
