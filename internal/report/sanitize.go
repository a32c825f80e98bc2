package report

import "fmt"

// Sanitize makes text safe to place inside one line of a report: the rule
// the report's own sentences follow (see sanitize), for sections written
// outside Render (a scheduled run's "What changed").
func Sanitize(text string) string { return sanitize(text) }

// Cited is text as the report writes a statement of its source [n]:
// sanitized, with the citation before its final mark ("Backups are kept
// 35 days [2]."). With n < 1 it is Sanitize(text).
func Cited(text string, n int) string {
	if n < 1 {
		return sanitize(text)
	}
	body, end := renderBody(text)
	if body == "" {
		return ""
	}
	return fmt.Sprintf("%s [%d]%s", body, n, end)
}
