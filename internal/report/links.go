package report

import (
	"regexp"
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
