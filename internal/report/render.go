package report

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/conflict"
	"github.com/researchflow/researchflow/internal/textproc"
)

// Headings of the fixed report sections.
const (
	headingSummary = "Summary"
	headingGaps    = "Gaps"
	headingSources = "Sources"
	// headingConflicts lists where sources disagree (issue 11).
	headingConflicts = "Where sources disagree"
)

// noSummary stands in for a summary with no grounded sentence.
const noSummary = "No statement could be grounded in the sources."

// Render writes the report as Markdown: title, question, summary, one
// section per draft section, gaps (only when there are some), the numbered
// sources and a footer. Each sentence ends with its citations before its
// final punctuation ("… completes [2]."). Citations whose number is not in
// r.Sources are removed; a sentence left without one is dropped, or kept in
// italics as "(unverified)" with r.MarkUngrounded. Text from sources and
// models is sanitized so that it cannot add citations or Markdown structure.
func Render(r Report) (string, RenderStats) {
	var st RenderStats
	sources := numbered(r.Sources)
	valid := map[int]bool{}
	for _, s := range sources {
		valid[s.N] = true
	}
	sentences := func(list []reasoning.Sentence) string {
		var parts []string
		for _, s := range list {
			if p := renderSentence(s, valid, r.MarkUngrounded, &st); p != "" {
				parts = append(parts, p)
			}
		}
		return textproc.JoinSentences(parts)
	}

	var b strings.Builder
	title := sanitize(r.Draft.Title)
	if title == "" {
		// No draft (nothing was found: every sub-question is a gap): the
		// report is titled with its question, as the writers title theirs.
		title = sanitize(r.Question)
	}
	if title == "" {
		title = "Research report"
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	// A report titled by its question does not repeat it.
	if q := sanitize(r.Question); q != "" && q != title {
		fmt.Fprintf(&b, "**Question:** %s\n\n", q)
	}
	if r.Confidence != "" {
		fmt.Fprintf(&b, "**Confidence:** %s\n\n", r.Confidence)
		if r.Confidence == ConfidenceLow {
			fmt.Fprintf(&b, "> **%s**\n\n", LowConfidenceBanner)
		}
	}
	for _, n := range r.Notes {
		if n = sanitize(n); n != "" {
			fmt.Fprintf(&b, "> %s\n\n", n)
		}
	}

	summary := sentences(r.Draft.Summary)
	if summary == "" {
		summary = noSummary
	}
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", headingSummary, summary)

	for _, sec := range r.Draft.Sections {
		body := sentences(sec.Sentences)
		if body == "" {
			continue
		}
		heading := sanitize(sec.Heading)
		if heading == "" || reserved(heading) {
			heading = "Finding: " + heading
		}
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", heading, body)
	}

	if lines := conflictLines(r.Conflicts, valid); len(lines) > 0 {
		fmt.Fprintf(&b, "## %s\n\n%s\n", headingConflicts, strings.Join(lines, ""))
	}

	if len(r.Gaps) > 0 {
		fmt.Fprintf(&b, "## %s\n\n", headingGaps)
		for _, g := range r.Gaps {
			b.WriteString(gapLine(g))
		}
		b.WriteString("\n")
	}

	fmt.Fprintf(&b, "## %s\n\n", headingSources)
	if len(sources) == 0 {
		b.WriteString("No sources.\n")
	}
	for _, s := range sources {
		b.WriteString(sourceLine(s))
		st.Sources++
	}

	if f := footer(r.Meta); f != "" {
		fmt.Fprintf(&b, "\n---\n\n%s\n", f)
	}
	return b.String(), st
}

// gapLine is the Gaps entry of g, with its line end.
func gapLine(g rf.Gap) string {
	sq, reason := sanitize(g.SubQuestion), sanitize(g.Reason)
	if reason == "" {
		reason = "not answered"
	}
	return fmt.Sprintf("- **%s** — %s\n", sq, reason)
}

// sourceLine is the Sources entry of s, with its line end.
func sourceLine(s rf.Source) string {
	t := sanitize(s.Title)
	if t == "" {
		t = "Untitled source"
	}
	if s.URL != "" {
		return fmt.Sprintf("- [%d] %s\n", s.N, webSource(t, s))
	}
	// A document with a public address (the Go documentation's go.dev
	// page) is cited by it: its path names only the machine that read it.
	if loc := location(cmp.Or(strings.TrimSpace(s.Link), s.Location)); loc != "" {
		return fmt.Sprintf("- [%d] %s — %s\n", s.N, t, loc)
	}
	return fmt.Sprintf("- [%d] %s\n", s.N, t)
}

// numbered returns the sources with a positive number, ordered by number,
// the first one of each number kept.
func numbered(in []rf.Source) []rf.Source {
	out := make([]rf.Source, 0, len(in))
	seen := map[int]bool{}
	for _, s := range in {
		if s.N > 0 && !seen[s.N] {
			seen[s.N] = true
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].N < out[j].N })
	return out
}

func reserved(heading string) bool {
	for _, h := range []string{headingSummary, headingGaps, headingSources, headingConflicts, headingChangelog} {
		if strings.EqualFold(strings.TrimSpace(heading), h) {
			return true
		}
	}
	return false
}

// renderSentence writes one sentence with its valid citations before its
// final punctuation, or returns "" when the sentence is dropped.
func renderSentence(s reasoning.Sentence, valid map[int]bool, markUngrounded bool, st *RenderStats) string {
	body, end := renderBody(s.Text)
	if body == "" {
		st.Dropped++
		return ""
	}
	cites := make([]int, 0, len(s.Cites))
	for _, n := range s.Cites {
		if !valid[n] {
			st.InvalidCitations++
			continue
		}
		cites = append(cites, n)
	}
	sort.Ints(cites)
	cites = compact(cites)
	if len(cites) == 0 {
		if !markUngrounded {
			st.Dropped++
			return ""
		}
		st.Ungrounded++
		return "*" + body + " (unverified)*" + end
	}
	var marks strings.Builder
	for _, n := range cites {
		fmt.Fprintf(&marks, "[%d]", n)
	}
	st.Sentences++
	st.Citations += len(cites)
	return body + " " + marks.String() + end
}

// segment is a piece of a sentence's text as the report shows it: prose,
// a line of code, or the term a definition defines.
type segment struct {
	text       string
	code, term bool
}

// segments splits a sentence's text into what the report shows of it, and
// reports whether any piece is code. The lines of code a sentence carries
// after its first line (a command after its prompt, "# dpkg-reconfigure
// tzdata", or an indented line of a code block, as the offline analyst
// keeps them with the sentence that introduces them) are code; so is the
// term of a definition on its own first line ("expand_aliases", then "If
// set, …"). Prose is left as written, its lines joined.
func segments(text string) ([]segment, bool) {
	lines := strings.Split(text, "\n")
	segs := []segment{{text: lines[0]}}
	anyCode := false
	if len(lines) > 1 && textproc.DefinitionTerm(lines[0]) {
		segs = []segment{{text: strings.TrimSpace(lines[0]), code: true, term: true}, {text: ""}}
		anyCode = true
	}
	for _, l := range lines[1:] {
		if codeLine(l) {
			if t := strings.TrimSpace(l); t != "" {
				segs = append(segs, segment{text: t, code: true})
				anyCode = true
			}
			continue
		}
		if last := &segs[len(segs)-1]; !last.code {
			last.text = strings.TrimPrefix(last.text+" "+l, " ")
			continue
		}
		segs = append(segs, segment{text: l})
	}
	return segs, anyCode
}

// ClaimText is a statement as the report shows it, less its citations
// and Markdown escapes: on one line, its lines of code as code spans, a
// definition's term as "`term`:", its prose as written, with its own
// final mark ("`expand_aliases`: If set, aliases are expanded."). Claims
// lists it; rendered again (Render, Revise), it is shown as the statement
// it was made from is.
func ClaimText(text string) string {
	segs, anyCode := segments(text)
	if !anyCode {
		return strings.TrimSpace(clean(text))
	}
	var parts []string
	for i, sg := range segs {
		switch {
		case sg.term:
			parts = append(parts, asCode(sg.text)+":")
		case sg.code:
			parts = append(stopBetweenCode(parts, segs, i), asCode(sg.text))
		default:
			if p := clean(sg.text); p != "" {
				parts = append(stopAfterCode(parts, segs, i, p), p)
			}
		}
	}
	return strings.Join(parts, " ")
}

// stopAfterCode returns parts with a full stop after the code span that
// ends it, when segment i, whose prose is p, follows a line of code and
// opens a new sentence ("run: `kestrelctl deploy`." then "The on-call
// engineer approves …"): the command ended its sentence as a block, and
// run into the next one it would read as one sentence. The stop stands
// outside the span, so it is no part of the command; prose that continues
// the sentence after its code ("to see the log.") gets none.
func stopAfterCode(parts []string, segs []segment, i int, p string) []string {
	if i == 0 || len(parts) == 0 || !segs[i-1].code || segs[i-1].term {
		return parts
	}
	if r, _ := utf8.DecodeRuneInString(p); !unicode.IsUpper(r) {
		return parts
	}
	parts[len(parts)-1] += "."
	return parts
}

// stopBetweenCode returns parts with a semicolon after the code span that
// ends it, when segment i, a line of code, follows another: two commands
// of one block shown side by side ("`kubectl rollout restart …`;
// `kubectl rollout status …`") read as two, not one run together. The
// semicolon stands outside the spans, no part of either command.
func stopBetweenCode(parts []string, segs []segment, i int) []string {
	if i == 0 || len(parts) == 0 || !segs[i-1].code || segs[i-1].term {
		return parts
	}
	parts[len(parts)-1] += ";"
	return parts
}

// renderBody returns the Markdown of a sentence's text without its final
// mark, and that mark: the segments of ClaimText, its code shown as
// written, the prose around it escaped, on one line.
func renderBody(text string) (body, end string) {
	segs, anyCode := segments(text)
	if !anyCode {
		body, end = splitEnd(clean(text))
		return escape(body), end
	}
	end = "."
	var parts []string
	for i, sg := range segs {
		if sg.term {
			parts = append(parts, asCode(sg.text)+":")
			continue
		}
		if sg.code {
			parts = append(stopBetweenCode(parts, segs, i), asCode(sg.text))
			continue
		}
		p := clean(sg.text)
		if i == len(segs)-1 {
			p, end = splitEnd(p)
		}
		if p = escape(p); p != "" {
			parts = append(stopAfterCode(parts, segs, i, p), p)
		}
	}
	return strings.Join(parts, " "), end
}

// codeLine reports whether a line after a sentence's first is code: it
// starts with a tab or four spaces and does not end as a sentence of prose
// does, or it is a shell prompt before a command (a lower-case word or a
// path: "$ 5 per month." is prose).
func codeLine(l string) bool {
	t := strings.TrimSpace(l)
	if t == "" {
		return false
	}
	if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "    ") {
		return !proseEnd.MatchString(t)
	}
	_, ok := textproc.PromptCommand(l)
	return ok
}

// proseEnd matches the end of a sentence of prose: a word, or a citation
// mark, perhaps closed by brackets or quotes ("(see 'go help build')."),
// then a full stop, question or exclamation mark.
var proseEnd = regexp.MustCompile(`(\pL|\[\d+\])['"’”)\]]*[.?!]$`)

// asCode is t as a Markdown code span, delimited by a run of backticks
// longer than any inside it.
func asCode(t string) string {
	longest, run := 0, 0
	for _, r := range t {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(t, "`") || strings.HasSuffix(t, "`") {
		return fence + " " + t + " " + fence
	}
	return fence + t + fence
}

func compact(sorted []int) []int {
	out := sorted[:0]
	for i, n := range sorted {
		if i == 0 || n != sorted[i-1] {
			out = append(out, n)
		}
	}
	return out
}

// orderedMarker is "1. " or "1) " at the start of a line.
var orderedMarker = regexp.MustCompile(`^(\d+)([.)])(\s)`)

// sanitize makes text safe to place inside a Markdown paragraph or heading:
// one line, no citation marks in citation position, brackets, emphasis
// stars, angle brackets and unbalanced backticks escaped, no leading
// heading, list, quote or table marker.
func sanitize(text string) string { return escape(clean(text)) }

// clean puts text on one line and removes the citation marks that stand
// in citation position (textproc.StripCitations): a source's own "[7]"
// cannot pass for one of the report's citations. Bracketed numbers that
// are part of what the text says ("buf[0]", "bits [0] to [3]") are kept
// as written; escape makes them plain text.
func clean(text string) string {
	s := strings.Join(strings.Fields(text), " ")
	stripped := false
	for {
		t, _ := textproc.StripCitations(s)
		if t == s {
			break
		}
		s, stripped = t, true
	}
	if !stripped {
		// Quoted text keeps its spaces: "name is set to ?" says "?".
		return s
	}
	s = strings.Join(strings.Fields(s), " ")
	return textproc.CloseUp(s)
}

// escape neutralizes the Markdown in one line of clean text. URLs and
// e-mail addresses in it become code spans, which no Markdown renderer
// turns into links (GFM autolinks bare ones): the only links of a report
// are those of its Sources list.
func escape(s string) string {
	var b strings.Builder
	// Two tildes outside code can strike through what is between them
	// (GFM: "HEAD~3 and HEAD~2" rendered "HEAD<del>3 and HEAD</del>2"):
	// then every tilde is escaped; one alone pairs with nothing.
	tildes := strings.Count(spanOrLink.ReplaceAllString(s, ""), "~") >= 2
	text := func(s string) string {
		s = escapeText(s)
		if tildes {
			s = strings.ReplaceAll(s, "~", `\~`)
		}
		return s
	}
	last := 0
	for _, m := range spanOrLink.FindAllStringIndex(s, -1) {
		b.WriteString(text(s[last:m[0]]))
		last = m[1]
		if s[m[0]] == '`' {
			b.WriteString(s[m[0]:m[1]]) // a code span the text holds, as written
			continue
		}
		// A bare link, less the punctuation that ends its sentence.
		link := strings.TrimRight(s[m[0]:m[1]], ".,;:!?")
		for strings.HasSuffix(link, ")") && strings.Count(link, ")") > strings.Count(link, "(") {
			link = link[:len(link)-1]
		}
		b.WriteString("`" + link + "`")
		last = m[0] + len(link)
	}
	b.WriteString(text(s[last:]))
	s = b.String()
	switch {
	case s == "":
	case strings.Trim(s, "-=_ ") == "":
		return "" // a rule or setext underline, nothing to say
	case strings.ContainsRune("#+-|=~>", rune(s[0])):
		s = `\` + s
	default:
		s = orderedMarker.ReplaceAllString(s, `$1\$2$3`)
	}
	return s
}

// maxConflicts bounds the "Where sources disagree" entries.
const maxConflicts = 10

// conflictLines renders each conflict whose two claims cite different
// listed sources, once per pair of sources and values: both claims, each
// with its citation, side by side.
func conflictLines(conflicts []conflict.Conflict, valid map[int]bool) []string {
	var lines []string
	seen := map[string]bool{}
	for _, c := range conflicts {
		if !valid[c.A.N] || !valid[c.B.N] || c.A.N == c.B.N || len(lines) == maxConflicts {
			continue
		}
		key := fmt.Sprintf("%d\x00%d\x00%s\x00%s", c.A.N, c.B.N, c.AValue, c.BValue)
		if seen[key] {
			continue
		}
		seen[key] = true
		claim := func(text string) string { body, _ := splitEnd(clean(text)); return sanitize(body) }
		lines = append(lines, fmt.Sprintf("- %s: “%s” [%d] — but “%s” [%d].\n",
			conflictLabel(c), claim(c.A.Text), c.A.N, claim(c.B.Text), c.B.N))
	}
	return lines
}

// conflictLabel names what differs: "30 days or 90 days", "2019 or 2021",
// "yes or no".
func conflictLabel(c conflict.Conflict) string {
	label := sanitize(c.AValue) + " or " + sanitize(c.BValue)
	if c.Kind == conflict.KindYesNo {
		label = "yes or no"
	}
	return "**" + strings.ReplaceAll(label, "*", "") + "**"
}

// bareLink matches what a Markdown renderer may turn into a link without
// brackets: URLs with a scheme, www. names and e-mail addresses. None of
// the characters it matches is a backtick, so a match is a valid code span.
var bareLink = regexp.MustCompile("(?i)\\b(?:[a-z][a-z0-9+.-]*://|(?:mailto|javascript|data|file):|www\\.)[^\\s`<>]+|[a-z0-9._%+-]+@[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}")

// spanOrLink matches a code span the text holds (paired single backticks)
// or a bare link.
var spanOrLink = regexp.MustCompile("`[^`\n]+`|" + bareLink.String())

// edgeUnderscore is an underscore not between two letters or digits, which
// may open or close emphasis ("__init__"); one inside a word ("snake_case")
// cannot.
var edgeUnderscore = regexp.MustCompile(`(^|[^\pL\pN_])(_+)|(_+)([^\pL\pN_]|$)`)

// tagStart is a "<" that could open HTML or an autolink (CommonMark: a
// letter, "/", "!" or "?" after it).
var tagStart = regexp.MustCompile(`<([A-Za-z/!?])`)

// escapeText escapes the Markdown punctuation of text that holds no link.
// A "<" that could open a tag is backslash-escaped ("\<refspec>" renders
// "<refspec>" and reads as it in a terminal, where "&lt;refspec&gt;" did
// not); another "<" ("a < b") and ">" open nothing inside a paragraph and
// stay as written (escape quotes a ">" that starts the line).
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "*", `\*`)
	s = r.Replace(s)
	s = tagStart.ReplaceAllString(s, `\<$1`)
	s = edgeUnderscore.ReplaceAllStringFunc(s, func(m string) string { return strings.ReplaceAll(m, "_", `\_`) })
	if strings.Count(s, "`")%2 == 1 {
		s = strings.ReplaceAll(s, "`", "\\`")
	}
	return s
}

// webSource is a Sources entry for a page read from the web: title, site,
// link and access date (and publication date when known).
func webSource(title string, s rf.Source) string {
	parts := []string{title}
	if site := escapeText(clean(s.Site)); site != "" {
		parts = append(parts, site)
	}
	if u := strings.TrimSpace(s.URL); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		parts = append(parts, "["+escapeText(clean(u))+"]("+linkTarget(u)+")")
	} else {
		parts = append(parts, "`"+strings.ReplaceAll(clean(u), "`", "")+"`")
	}
	var dates []string
	if !s.Published.IsZero() {
		dates = append(dates, "published "+s.Published.UTC().Format(time.DateOnly))
	}
	if !s.AccessedAt.IsZero() {
		dates = append(dates, "accessed "+s.AccessedAt.UTC().Format(time.DateOnly))
	}
	if len(dates) > 0 {
		parts = append(parts, strings.Join(dates, ", "))
	}
	return strings.Join(parts, " — ")
}

// location renders where a source is: a link for URLs and absolute paths
// (file:// for paths, see FileURL), plain text otherwise.
func location(loc string) string {
	loc = strings.TrimSpace(loc)
	if loc == "" {
		return ""
	}
	if name, ok := UploadedName(loc); ok {
		return escapeText(clean(name)) // an uploaded file, by its name: no server path
	}
	text := escapeText(clean(loc))
	switch {
	case strings.HasPrefix(loc, "https://") || strings.HasPrefix(loc, "http://"):
		return "[" + text + "](" + linkTarget(loc) + ")"
	case strings.HasPrefix(loc, "/"):
		return "[" + text + "](" + FileURL(loc) + ")"
	}
	return text
}

// FileURL is the file:// URL of the absolute path p, every byte outside
// RFC 3986's unreserved and path characters percent-encoded: '#', '?', '%',
// spaces, brackets, parentheses and non-ASCII letters all round-trip, so
// url.Parse(FileURL(p)).Path == p, and the URL can be a Markdown link
// destination as it is (no space, parenthesis or angle bracket is left).
func FileURL(p string) string {
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// linkTarget escapes the characters that would end or break a Markdown link
// destination in a URL given by a source.
func linkTarget(u string) string {
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\n", "", "\r", "", "\t", "%09").Replace(u)
}

// footer records how the report was made; empty fields are left out.
func footer(m Meta) string {
	var lines []string
	var first []string
	if e := sanitize(m.Engine); e != "" {
		first = append(first, "Engine: "+e)
	}
	if c := sanitize(m.Corpus); c != "" {
		first = append(first, "Corpus: "+c)
	}
	if id := sanitize(m.ResearchID); id != "" {
		first = append(first, "Research ID: "+id)
	}
	if len(first) > 0 {
		lines = append(lines, strings.Join(first, " · "))
	}
	var usage []string
	if m.Usage.PromptTokens > 0 || m.Usage.CompletionTokens > 0 {
		usage = append(usage, fmt.Sprintf("Tokens: %d prompt, %d completion", m.Usage.PromptTokens, m.Usage.CompletionTokens))
	}
	if m.Usage.CostUSD > 0 {
		usage = append(usage, "Cost: $"+strconv.FormatFloat(m.Usage.CostUSD, 'f', 4, 64))
	}
	if m.Usage.Calls > 0 || m.Usage.FailedCalls > 0 {
		// Failed calls are paid for too: the tokens above include them.
		calls := fmt.Sprintf("Model calls: %d", m.Usage.Calls)
		if m.Usage.FailedCalls > 0 {
			calls += fmt.Sprintf(" (%d failed)", m.Usage.FailedCalls)
		}
		usage = append(usage, calls)
	}
	if len(usage) > 0 {
		lines = append(lines, strings.Join(usage, " · "))
	}
	if list := sanitizedList(m.Models); list != "" {
		lines = append(lines, "Models: "+list)
	}
	if list := sanitizedList(m.PromptVersions); list != "" {
		lines = append(lines, "Prompt versions: "+list)
	}
	for _, n := range m.Notes {
		if n = sanitize(n); n != "" {
			lines = append(lines, "Note: "+n)
		}
	}
	if !m.GeneratedAt.IsZero() {
		lines = append(lines, "Generated: "+m.GeneratedAt.UTC().Format(time.RFC3339))
	}
	return strings.Join(lines, "  \n")
}

func sanitizedList(items []string) string {
	var out []string
	for _, it := range items {
		if s := sanitize(it); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

// trailing are the marks a sentence may end with, in the scripts the
// text pipeline splits on (internal/textproc): ASCII, CJK full-width and
// ideographic, Arabic, Devanagari and Burmese.
const trailing = ".!?:;, \t。！？．；：，、؟।။"

// symbolEnd reports whether s ends with a symbol that a mark after it
// completes as a name ("$" of "$?").
func symbolEnd(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '$'
}

// splitEnd splits a sentence into its body and the mark it should end with
// once citations are put before it: the sentence's own question or
// exclamation mark or full stop, in its own script ("?" , "？", "؟", "。"…),
// "." when it has none. A mark after white space is a word of the text,
// not its end: getopts sets a name "to ?", and the next definition's term
// ("!", for $!) can follow a sentence's full stop; the first stays in the
// body, the second is dropped (a mark after the full stop is not the
// sentence's) ("… set to ? [1].", "… the subshell [1]."). Two or three dots
// after white space or a slash are a word or the end of a path, not an
// end: "cd ..", "go vet ./..." ("… ./... [1].", not "… ./ [1].").
func splitEnd(text string) (body, end string) {
	body = strings.TrimRight(text, trailing)
	rest := text[len(body):]
	if w := strings.TrimLeft(rest, " \t"); w != "" && len(w) < len(rest) {
		if r, size := utf8.DecodeRuneInString(w); r == '?' || r == '!' {
			body += rest[:len(rest)-len(w)] + string(r)
			rest = w[size:]
		} else if n := dots(w); n >= 2 {
			body += rest[:len(rest)-len(w)+n]
			rest = w[n:]
		}
	} else if r, size := utf8.DecodeRuneInString(rest); (r == '?' || r == '!') && symbolEnd(body) {
		// "$?", "$!": the mark is the last character of a name.
		body += string(r)
		rest = rest[size:]
	} else if n := dots(rest); n >= 2 && strings.HasSuffix(body, "/") {
		body += rest[:n]
		rest = rest[n:]
	}
	end = "."
	for _, r := range rest {
		switch r {
		case ' ', '\t', '.', '．':
			return body, end
		case '?', '!', '？', '！', '؟', '。', '।', '။':
			return body, string(r)
		}
	}
	return body, end
}

// dots is how many of the first three bytes of s are dots, up to the
// first that is not.
func dots(s string) int {
	n := 0
	for n < len(s) && n < 3 && s[n] == '.' {
		n++
	}
	return n
}
