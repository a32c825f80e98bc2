package search

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// UserAgent identifies Researchflow to providers and to the sites package
// fetch reads; robots.txt groups are matched on its product token
// "Researchflow".
const UserAgent = "Researchflow/1.0 (+https://github.com/researchflow/researchflow)"

// RetryAfter reads an HTTP Retry-After value (delay-seconds or an
// HTTP-date, RFC 9110 §10.2.3) relative to now; 0 when absent or invalid.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// dateLayouts are the date forms pages declare: RFC 3339, ISO dates with
// and without time, and the slashed form citation_publication_date allows.
var dateLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05",
	"2006-01-02", "2006/01/02", "2006-01", "2006/01", "2006", time.RFC1123, time.RFC1123Z,
}

// ParseDate reads a date in one of the forms pages and providers use
// (RFC 3339, ISO date or date-time without zone as UTC, YYYY/MM/DD,
// YYYY-MM, YYYY, RFC 1123); the zero time when s is none of them.
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
