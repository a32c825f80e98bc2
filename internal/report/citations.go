package report

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	citation    = regexp.MustCompile(`\[(\d+)\]`)
	sourceEntry = regexp.MustCompile(`^\s*(?:[-*+]\s+|\d+[.)]\s+)?\[(\d+)\]`)
	inlineCode  = regexp.MustCompile("`[^`]*`")
)

// Citations returns the numbers cited as [n] in the body of a Markdown
// report — everywhere except its Sources list — sorted and without repeats.
// Escaped brackets (\[7]), links ([1](…)), code spans and fenced code do not
// count.
func Citations(markdown string) []int {
	body, _ := split(markdown)
	seen := map[int]bool{}
	var out []int
	for _, line := range body {
		line = inlineCode.ReplaceAllString(line, "")
		for _, m := range citation.FindAllStringSubmatchIndex(line, -1) {
			if m[0] > 0 && line[m[0]-1] == '\\' {
				continue
			}
			if m[1] < len(line) && line[m[1]] == '(' {
				continue
			}
			n, err := strconv.Atoi(line[m[2]:m[3]])
			if err != nil || seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// CheckCitations returns an error when the report cites a number that has no
// "[n]" entry in its Sources section (the last "## Sources" heading, up to
// the next heading or rule).
func CheckCitations(markdown string) error {
	cited := Citations(markdown)
	if len(cited) == 0 {
		return nil
	}
	_, entries := split(markdown)
	if entries == nil {
		return errors.New("report cites sources but has no Sources section")
	}
	var missing []string
	for _, n := range cited {
		if !entries[n] {
			missing = append(missing, fmt.Sprintf("[%d]", n))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("report cites %s with no entry in its Sources list", strings.Join(missing, ", "))
	}
	return nil
}

// split returns the lines of the body (outside the Sources section and
// fenced code) and the numbers listed in the Sources section (nil when there
// is none).
func split(markdown string) ([]string, map[int]bool) {
	lines := strings.Split(markdown, "\n")
	start, end := -1, len(lines)
	for i, l := range lines {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "## ") && strings.EqualFold(strings.TrimSpace(t[3:]), headingSources) {
			start = i
		}
	}
	var entries map[int]bool
	if start >= 0 {
		entries = map[int]bool{}
		for i := start + 1; i < len(lines); i++ {
			t := strings.TrimSpace(lines[i])
			if strings.HasPrefix(t, "#") || t == "---" || t == "***" || t == "___" {
				end = i
				break
			}
			if m := sourceEntry.FindStringSubmatch(lines[i]); m != nil {
				if n, err := strconv.Atoi(m[1]); err == nil {
					entries[n] = true
				}
			}
		}
	}
	var body []string
	fenced := false
	for i, l := range lines {
		if start >= 0 && i >= start && i < end {
			continue
		}
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			continue
		}
		if !fenced {
			body = append(body, l)
		}
	}
	return body, entries
}
