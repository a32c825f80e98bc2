package report

import (
	"fmt"
	"slices"
	"strings"
)

// Sanitize makes text safe to place inside one line of a report: the rule
// the report's own sentences follow (see sanitize), for sections written
// outside Render (a scheduled run's "What changed").
func Sanitize(text string) string { return sanitize(text) }

// Cited is text as the report writes a statement of its sources ns:
// sanitized, with its citations, in ascending order and each once, before
// its final mark ("Backups are kept 35 days [2].", "… [1][3]."). Numbers
// below 1 are left out; with none left it is Sanitize(text).
func Cited(text string, ns ...int) string {
	var cites []int
	for _, n := range ns {
		if n >= 1 {
			cites = append(cites, n)
		}
	}
	if len(cites) == 0 {
		return sanitize(text)
	}
	body, end := renderBody(text)
	if body == "" {
		return ""
	}
	slices.Sort(cites)
	var marks strings.Builder
	for _, n := range slices.Compact(cites) {
		fmt.Fprintf(&marks, "[%d]", n)
	}
	return body + " " + marks.String() + end
}
