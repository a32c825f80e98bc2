package report

// Sanitize makes text safe to place inside one line of a report: the rule
// the report's own sentences follow (see sanitize), for sections written
// outside Render (a scheduled run's "What changed").
func Sanitize(text string) string { return sanitize(text) }
