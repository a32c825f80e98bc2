package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseMarkdown extracts readable text from Markdown: ATX headings (# …)
// start sections, links and images become their text, emphasis markers and
// backticks go, and HTML comments, <style>/<script> blocks, link reference
// definitions and YAML front matter are dropped. Code blocks, fenced (```
// or ~~~) and indented (four spaces or a tab after a blank line, heading or
// rule: CommonMark), come out as an HTML <pre> block does (parseHTML): a
// paragraph of their own, each line as written (its indentation and inner
// spacing kept, no inline markup removed); the fences go. An indented line
// that continues a paragraph or a list item is text, not code. The title is
// the front matter's title, else the first heading. Setext headings
// (underlined with === or ---) are kept as text but do not start sections.
func parseMarkdown(src string) Document {
	var t textBuilder
	title, body := frontMatter(src)
	var (
		fence      string // the open code fence ("```", "~~~~", …), if any
		inComment  bool
		inRawBlock string // "</style>" or "</script>" while inside one
		// paragraph: the last line was text, so an indented line continues
		// it (lazily) instead of starting code.
		paragraph bool
		// indentedCode: inside an indented code block.
		indentedCode bool
		// item is the column where the text of the open list item starts
		// (0 outside lists): its lines are indented that far, and code in it
		// four columns more.
		item int
		// paraStart is where the open paragraph's text starts in t.buf (-1
		// when it is a list item or a quote): a setext underline after it
		// makes it a heading.
		paraStart = -1
	)
	for line := range strings.Lines(body) {
		line = strings.TrimRight(line, "\n")
		trimmed := strings.TrimSpace(line)
		switch {
		case fence != "":
			if closesFence(trimmed, fence) {
				fence = ""
				t.brk(2)
				continue
			}
			t.line(line)
			continue
		case inComment:
			if i := strings.Index(line, "-->"); i >= 0 {
				inComment = false
				if rest := strings.TrimSpace(line[i+3:]); rest != "" {
					t.line(cleanInline(rest))
				}
			}
			continue
		case inRawBlock != "":
			if strings.Contains(strings.ToLower(line), inRawBlock) {
				inRawBlock = ""
			}
			continue
		}
		if trimmed == "" {
			// A blank line ends a paragraph; an indented code block goes on
			// if the next text line is indented as far.
			paragraph, paraStart = false, -1
			t.brk(2)
			continue
		}
		indent := indentColumns(line)
		if !paragraph && indent >= item+4 {
			if !indentedCode {
				t.brk(2)
			}
			indentedCode = true
			t.line(line)
			continue
		}
		if indentedCode {
			indentedCode = false
			t.brk(2)
		}
		if item > 0 && indent < item && listMarker(trimmed) == 0 && (!paragraph || startsBlock(trimmed)) {
			item = 0 // a line back at the margin, not continuing the item's text, ends the list
		}
		if indent < item+4 {
			if f := openingFence(trimmed); f != "" {
				fence = f
				paragraph = false
				t.brk(2)
				continue
			}
		}
		if paragraph && paraStart >= 0 && indent < 4 && setextUnderline(trimmed) {
			// "Title" over "=====" or "-----": the paragraph was a heading.
			h := collapse(string(t.buf[paraStart:]))
			t.buf = t.buf[:paraStart]
			if title == "" {
				title = h
			}
			t.heading(h)
			paragraph, paraStart = false, -1
			continue
		}
		wasParagraph := paragraph
		paragraph = false
		switch {
		case strings.HasPrefix(trimmed, "<!--"):
			if !strings.Contains(trimmed, "-->") {
				inComment = true
			}
		case startsRawBlock(trimmed) != "":
			if end := startsRawBlock(trimmed); !strings.Contains(strings.ToLower(trimmed), end) {
				inRawBlock = end
			}
		case isRule(trimmed):
			t.brk(2)
		case isRefDefinition(trimmed):
		default:
			if h, ok := atxHeading(trimmed); ok {
				if h == "" {
					paragraph, paraStart = false, -1
					t.brk(2)
					continue
				}
				h = cleanInline(h)
				if title == "" {
					title = collapse(h)
				}
				t.heading(h)
				continue
			}
			m := listMarker(trimmed)
			if m > 0 {
				item = indent + m + itemGap(trimmed[m:])
			}
			text := strings.TrimRight(cleanInline(strings.TrimPrefix(strings.TrimPrefix(trimmed, ">"), " ")), " \t")
			t.line(text)
			switch {
			case m > 0 || item > 0 || strings.HasPrefix(trimmed, ">"):
				paraStart = -1 // a list item's or a quote's text is no heading
			case !wasParagraph && text != "":
				paraStart = len(t.buf) - len(text)
			case !wasParagraph:
				paraStart = -1 // a paragraph that opens with no text (an image) is no heading
			}
			paragraph = true
		}
	}
	doc := t.document()
	doc.Title = title
	return doc
}

// setextUnderline reports whether a (trimmed) line underlines the
// paragraph above it as a heading (CommonMark's setext headings): a run of
// two or more "=" or "-" and nothing else.
func setextUnderline(trimmed string) bool {
	if len(trimmed) < 2 || trimmed[0] != '=' && trimmed[0] != '-' {
		return false
	}
	return strings.Trim(trimmed, trimmed[:1]) == ""
}

// indentColumns is the width of the white space that starts line, a tab
// reaching the next multiple of four columns (CommonMark).
func indentColumns(line string) int {
	n := 0
	for _, c := range []byte(line) {
		switch c {
		case ' ':
			n++
		case '\t':
			n += 4 - n%4
		default:
			return n
		}
	}
	return n
}

// openingFence returns the fence a (trimmed) line opens a fenced code block
// with: a run of three or more backticks or tildes; a backtick fence's info
// string ("```go") holds no backtick. "" when the line opens none.
func openingFence(trimmed string) string {
	if trimmed == "" || trimmed[0] != '`' && trimmed[0] != '~' {
		return ""
	}
	n := runLen(trimmed, 0, trimmed[0])
	if n < 3 || trimmed[0] == '`' && strings.Contains(trimmed[n:], "`") {
		return ""
	}
	return trimmed[:n]
}

// closesFence reports whether a (trimmed) line closes the code block that
// fence opened: a run of the same character at least as long, alone.
func closesFence(trimmed, fence string) bool {
	return len(trimmed) >= len(fence) && strings.Trim(trimmed, fence[:1]) == ""
}

// startsBlock reports whether a (trimmed) line starts a block of its own
// (a heading, a rule or a code fence) rather than continuing a paragraph.
func startsBlock(trimmed string) bool {
	_, heading := atxHeading(trimmed)
	return heading || isRule(trimmed) || openingFence(trimmed) != ""
}

// itemGap is how many more spaces after a list marker's first one belong to
// the marker (the item's text starts after them): up to three; none when
// there are more, as the text is then indented code.
func itemGap(rest string) int {
	n := len(rest) - len(strings.TrimLeft(rest, " "))
	if n > 3 || n == len(rest) {
		return 0
	}
	return n
}

// listMarker returns the width of the list item marker that starts a
// (trimmed) line with the space after it ("- ", "* ", "+ ", "1. ", "2) "),
// or 0.
func listMarker(trimmed string) int {
	i := 0
	for i < len(trimmed) && i < 9 && trimmed[i] >= '0' && trimmed[i] <= '9' {
		i++
	}
	switch {
	case i > 0 && i < len(trimmed) && (trimmed[i] == '.' || trimmed[i] == ')'):
		i++
	case i == 0 && len(trimmed) > 0 && strings.IndexByte("-*+", trimmed[0]) >= 0:
		i = 1
	default:
		return 0
	}
	if i == len(trimmed) || trimmed[i] != ' ' && trimmed[i] != '\t' {
		return 0
	}
	return i + 1
}

// frontMatter splits YAML front matter ("---" lines) from the body and
// returns its title, if any.
func frontMatter(src string) (title, body string) {
	if !strings.HasPrefix(src, "---\n") {
		return "", src
	}
	end := strings.Index(src[4:], "\n---")
	if end < 0 {
		return "", src
	}
	head := src[4 : 4+end]
	body = src[4+end+4:]
	if i := strings.IndexByte(body, '\n'); i >= 0 {
		body = body[i+1:]
	} else {
		body = ""
	}
	for line := range strings.Lines(head) {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == "title" {
			title = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return title, body
}

func startsRawBlock(line string) string {
	l := strings.ToLower(line)
	switch {
	case strings.HasPrefix(l, "<style"):
		return "</style>"
	case strings.HasPrefix(l, "<script"):
		return "</script>"
	}
	return ""
}

// isRule reports a thematic break: three or more of the same '-', '*' or
// '_', spaces allowed.
func isRule(line string) bool {
	s := strings.ReplaceAll(line, " ", "")
	return len(s) >= 3 && (strings.Trim(s, "-") == "" || strings.Trim(s, "*") == "" || strings.Trim(s, "_") == "")
}

// isRefDefinition reports a link reference definition: [label]: url.
func isRefDefinition(line string) bool {
	if !strings.HasPrefix(line, "[") || strings.HasPrefix(line, "[^") {
		return false
	}
	i := strings.Index(line, "]:")
	return i > 1 && !strings.Contains(line[:i], "]")
}

// atxHeading returns the text of an ATX heading ("## Title {#id}").
func atxHeading(line string) (string, bool) {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(line) && line[n] != ' ' && line[n] != '\t') {
		return "", false
	}
	h := strings.TrimSpace(line[n:])
	if i := strings.LastIndex(h, "{#"); i >= 0 && strings.HasSuffix(h, "}") {
		h = strings.TrimSpace(h[:i])
	}
	h = strings.TrimSpace(strings.TrimRight(h, "#"))
	return h, true // "#" alone is an empty heading (CommonMark), no text
}

// cleanInline removes inline Markdown that hurts reading: link and image
// syntax (the text stays), emphasis and strike-through markers, backticks
// (code stays verbatim), backslash escapes and simple autolinks.
func cleanInline(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			b.WriteByte(s[i+1])
			i += 2
		case c == '`':
			n := runLen(s, i, '`')
			if j := strings.Index(s[i+n:], s[i:i+n]); j >= 0 {
				b.WriteString(strings.TrimSpace(s[i+n : i+n+j]))
				i += n + j + n
				continue
			}
			b.WriteString(s[i : i+n])
			i += n
		case c == '!' && i+1 < len(s) && s[i+1] == '[':
			if text, next, ok := linkAt(s, i+1); ok {
				b.WriteString(cleanInline(text))
				i = next
				continue
			}
			b.WriteByte(c)
			i++
		case c == '[':
			if text, next, ok := linkAt(s, i); ok {
				b.WriteString(cleanInline(text))
				i = next
				continue
			}
			b.WriteByte(c)
			i++
		case c == '<':
			if j := strings.IndexByte(s[i:], '>'); j > 0 && isAutolink(s[i+1:i+j]) {
				b.WriteString(s[i+1 : i+j])
				i += j + 1
				continue
			}
			b.WriteByte(c)
			i++
		case c == '*' || c == '_' || c == '~':
			n := runLen(s, i, c)
			if c == '~' && n < 2 || !isEmphasisRun(s, i, n, c) {
				b.WriteString(s[i : i+n])
			}
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// linkAt parses "[text](url)" or "[text][ref]" starting at the '[' at i and
// returns the text and the index after the link.
func linkAt(s string, i int) (text string, next int, ok bool) {
	depth := 0
	end := -1
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			depth++
		case ']':
			depth--
		}
		if depth == 0 {
			end = j
			break
		}
	}
	if end < 0 || end+1 >= len(s) {
		return "", 0, false
	}
	text = s[i+1 : end]
	switch s[end+1] {
	case '(':
		if k := closing(s, end+1, '(', ')'); k > 0 {
			return text, k + 1, true
		}
	case '[':
		if k := strings.IndexByte(s[end+1:], ']'); k > 0 {
			return text, end + 1 + k + 1, true
		}
	}
	return "", 0, false
}

// closing returns the index of the bracket that closes the one at i, or -1.
func closing(s string, i int, open, close byte) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func runLen(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// isEmphasisRun reports whether the run of n c's at i opens or closes
// emphasis: it touches a word on one side and is not inside a word for '_'
// (so snake_case and "a * b" stay).
func isEmphasisRun(s string, i, n int, c byte) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i+n:])
	spaceBefore := i == 0 || unicode.IsSpace(before)
	spaceAfter := i+n == len(s) || unicode.IsSpace(after)
	if spaceBefore && spaceAfter {
		return false
	}
	if c == '_' {
		wordBefore := i > 0 && (unicode.IsLetter(before) || unicode.IsDigit(before))
		wordAfter := i+n < len(s) && (unicode.IsLetter(after) || unicode.IsDigit(after))
		return !(wordBefore && wordAfter)
	}
	return true
}

func isAutolink(s string) bool {
	return !strings.ContainsAny(s, " \t<") &&
		(strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "mailto:"))
}

func isASCIIPunct(c byte) bool {
	return c < utf8.RuneSelf && unicode.IsPunct(rune(c)) || c == '`' || c == '*' || c == '_' || c == '#' || c == '<' || c == '>' || c == '[' || c == ']' || c == '~' || c == '|' || c == '+' || c == '=' || c == '^' || c == '$'
}
