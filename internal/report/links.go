package report

import (
	"regexp"
	"strconv"
	"strings"

	rf "github.com/researchflow/researchflow"
)

var (
	codeSpan    = regexp.MustCompile("`[^`]*`")
	inlineLink  = regexp.MustCompile(`\[[^\[\]]*\]\(([^()\s]*)\)`)
	angleLink   = regexp.MustCompile(`<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>`)
	escapedChar = regexp.MustCompile(`\\.`)
)

// ForeignLinks returns the links of a Markdown report that do not point at
// one of its sources: inline link destinations that are not a source's
// URL, link or location, angle-bracket autolinks, and bare URLs or e-mail
// addresses outside code spans (which GFM renderers turn into links).
// Render never writes one, whatever the text of sources and models says;
// tests anywhere in the project use ForeignLinks to prove it.
func ForeignLinks(markdown string, sources []rf.Source) []string {
	allowed := map[string]bool{}
	for _, s := range sources {
		for _, loc := range []string{s.URL, s.Link, s.Location} {
			loc = strings.TrimSpace(loc)
			switch {
			case strings.HasPrefix(loc, "https://") || strings.HasPrefix(loc, "http://"):
				allowed[linkTarget(loc)] = true
			case strings.HasPrefix(loc, "/"):
				allowed[FileURL(loc)] = true
			}
		}
	}
	var out []string
	inFence := false
	for _, line := range strings.Split(markdown, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		line = escapedChar.ReplaceAllString(line, "")
		line = codeSpan.ReplaceAllString(line, "")
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			if !allowed[m[1]] {
				out = append(out, m[1])
			}
		}
		line = inlineLink.ReplaceAllString(line, "")
		out = append(out, angleLink.FindAllString(line, -1)...)
		out = append(out, bareLink.FindAllString(line, -1)...)
	}
	return out
}

// LinkSources returns md with each entry of its Sources list that names a
// source by its location, where the source has a link (Source.Link),
// naming it by the link instead, as Render names it: a report written
// before sources had links lists a file of the Go documentation by the
// path of the machine that read it, a file:// link that opens nothing
// anywhere else. An entry is known by its number and by ending in its
// source's location as Render writes it (or a link to it); other entries
// and the rest of md are kept, so a report written with links comes back
// as it was.
func LinkSources(md string, sources []rf.Source) string {
	linked := map[int]rf.Source{}
	for _, s := range sources {
		if _, seen := linked[s.N]; !seen && s.N > 0 && strings.TrimSpace(s.Link) != "" && s.URL == "" {
			linked[s.N] = s
		}
	}
	head := "## " + headingSources + "\n\n"
	at := strings.LastIndex(md, head)
	if len(linked) == 0 || at < 0 {
		return md
	}
	var b strings.Builder
	i := at + len(head)
	b.WriteString(md[:i])
	for i < len(md) && strings.HasPrefix(md[i:], "- [") {
		end := len(md)
		if nl := strings.IndexByte(md[i:], '\n'); nl >= 0 {
			end = i + nl
		}
		b.WriteString(relinked(md[i:end], linked))
		i = end
		if i < len(md) {
			b.WriteByte('\n')
			i++
		}
	}
	b.WriteString(md[i:])
	return b.String()
}

// relinked is Sources entry line naming its source by the source's link
// (in linked, by number) where it names it by its location.
func relinked(line string, linked map[int]rf.Source) string {
	num, _, ok := strings.Cut(strings.TrimPrefix(line, "- ["), "] ")
	if !ok {
		return line
	}
	n, err := strconv.Atoi(num)
	s, found := linked[n]
	if err != nil || !found {
		return line
	}
	loc := strings.TrimSpace(s.Location)
	link := location(strings.TrimSpace(s.Link))
	if loc == "" {
		return line
	}
	if old := " — " + location(loc); old != " — "+link && strings.HasSuffix(line, old) {
		return strings.TrimSuffix(line, old) + " — " + link
	}
	if strings.HasPrefix(loc, "/") && strings.HasSuffix(line, "]("+FileURL(loc)+")") {
		if at := strings.LastIndex(line, " — ["); at >= 0 {
			return line[:at] + " — " + link
		}
	}
	return line
}
