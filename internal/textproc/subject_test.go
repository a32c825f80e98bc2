package textproc

import (
	"slices"
	"testing"
)

func TestSentenceSubject(t *testing.T) {
	for _, c := range []struct {
		sentence string
		words    []string // nil: not found
		head     string
	}{
		{"Nightly database backups are retained for 35 days.", []string{"nightly", "database", "backups"}, "backups"},
		{"Backups of the billing database are kept 35 days.", []string{"backups", "billing", "database"}, "backups"},
		{"The cache hit rate of the proxy is 85%.", []string{"cache", "hit", "rate", "proxy"}, "rate"},
		{"The proxy's cache hit rate is 60 percent.", []string{"proxy", "cache", "hit", "rate"}, "rate"},
		{"At Example Corp, logs are kept 90 days before deletion.", []string{"logs"}, "logs"},
		{"- Staging logs are kept for 14 days.", []string{"staging", "logs"}, "logs"},
		{"Backups stored offsite are kept for 90 days.", []string{"backups"}, "backups"},
		{"Backups that run nightly are kept for 35 days.", []string{"backups"}, "backups"},
		{"The on-call rotation doesn't change in May.", []string{"on-call", "rotation"}, "rotation"},
		{"A stoneware kiln is fired to about 1280 degrees Celsius. Glazes melt.", []string{"stoneware", "kiln"}, "kiln"},
		// No noun phrase before an auxiliary: nothing is known.
		{"Example Corp keeps application logs for 30 days.", nil, ""},
		{"They are kept for 30 days.", nil, ""},
		{"There are three replicas.", nil, ""},
		{"When backups are taken, they are kept for 30 days.", nil, ""},
		{"Logs and backups are kept for 30 days.", nil, ""},
		{"In 2024 nightly backups were kept for 35 days.", nil, ""},
	} {
		s, ok := SentenceSubject(c.sentence)
		if ok != (c.words != nil) || !slices.Equal(s.Words, c.words) || s.Head != c.head {
			t.Errorf("%q: %q head %q (%v), want %q head %q", c.sentence, s.Words, s.Head, ok, c.words, c.head)
		}
	}
}

// A passage speaks of another subject than a claim when it never names
// the claim's head noun, or names it with another kind: then it cannot
// correct the claim, however alike the rest of its words are.
func TestOtherSubject(t *testing.T) {
	for _, c := range []struct {
		claim, text string
		want        bool
	}{
		// Snapshots are not backups: they share only "database" and
		// what is said of them.
		{"Nightly database backups are retained for 35 days.", "Database snapshots are retained for 7 days.", true},
		{"Production logs are kept for 90 days.", "Staging logs are kept for 14 days.", true},
		{"Backups of the billing database are kept 35 days.", "Backups of the auth database are kept 7 days.", true},
		{"The Lumen offsite is in Lisbon from 14 to 16 May 2025.", "The Kestrel offsite is in Lisbon from 2 to 4 June 2025.", true},
		// The same subject, one with more detail or other words.
		{"Nightly backups are kept for 35 days.", "Backups are kept for 30 days.", false},
		{"Backups are kept for 30 days.", "Nightly backups are kept for 35 days.", false},
		{"Nightly database backups are retained for 35 days.", "Database backups are retained for 30 days.", false},
		{"The cache hit rate of the proxy is 85%.", "The proxy's cache hit rate is 60 percent.", false},
		{"Logs are kept 30 days.", "At Example Corp, logs are kept 90 days before deletion.", false},
		{"Application logs are kept for 30 days.", "Example Corp keeps application logs for 90 days.", false},
		{"The 2024 budget is 18,000 EUR.", "The 2025 budget is 20,000 EUR.", false},
		// A passage of several sentences: one of them states the subject.
		{"Production logs are kept for 90 days.", "Staging logs are kept for 14 days. Production logs are kept for 60 days.", false},
		// A claim whose subject is not found by its place: nothing known.
		{"Example Corp keeps application logs for 30 days.", "Audit snapshots are retained for 7 days.", false},
	} {
		if got := OtherSubject(c.claim, c.text); got != c.want {
			t.Errorf("OtherSubject(%q, %q) = %v, want %v", c.claim, c.text, got, c.want)
		}
	}
}
