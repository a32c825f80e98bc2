package egress

import (
	"strings"
	"time"
)

// UserAgent identifies Researchflow to the services and sites it calls;
// robots.txt groups are matched on its product token "Researchflow".
const UserAgent = "Researchflow/1.0 (+https://github.com/researchflow/researchflow)"

// dateLayouts are the date forms remote answers use: RFC 3339, ISO dates
// with and without time, the slashed form citation_publication_date
// allows, and RFC 1123 (HTTP, feeds).
var dateLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05",
	"2006-01-02", "2006/01/02", "2006-01", "2006/01", "2006", time.RFC1123, time.RFC1123Z,
}

// ParseDate reads a date in one of the forms pages and providers use
// (RFC 3339, ISO date or date-time without zone as UTC, YYYY/MM/DD,
// YYYY-MM, YYYY, RFC 1123), in UTC; the zero time when s is none of them.
func ParseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
