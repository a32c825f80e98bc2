package researchflow

import (
	"slices"
	"strings"
	"time"
)

// Source names: where a run looks for material (ResearchInput.Sources).
// "corpus" is the memory search of the run's corpus (the only source before
// sources existed); every other name is a search provider on the search
// pool, configured by environment on the search workers (see the README's
// sources table).
const (
	SourceCorpus    = "corpus"
	SourceWeb       = "web"
	SourceSearxNG   = "searxng"
	SourceTavily    = "tavily"
	SourceBrave     = "brave"
	SourceArxiv     = "arxiv"
	SourceOpenAlex  = "openalex"
	SourceWikipedia = "wikipedia"
)

// KnownSources lists every source name a run may select, in the order the
// README documents them.
var KnownSources = []string{
	SourceCorpus, SourceWeb, SourceSearxNG, SourceTavily, SourceBrave,
	SourceArxiv, SourceOpenAlex, SourceWikipedia,
}

// DefaultSources is what a run searches when it names none: its corpus,
// exactly as before sources existed.
var DefaultSources = []string{SourceCorpus}

// maxSourceNames bounds ResearchInput.Sources after de-duplication (every
// known source once).
const maxSourceNames = 8

// maxSourceEntries bounds the raw list, repeats included (a typo guard).
const maxSourceEntries = 32

// normalizeSources trims and lower-cases names, refuses unknown ones and
// drops repeats, keeping first-seen order; an empty list is DefaultSources.
// Errors are *InputError on the field "sources".
func normalizeSources(names []string) ([]string, error) {
	if len(names) > maxSourceEntries {
		return nil, inputError("sources", "at most %d names", maxSourceNames)
	}
	var out []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if !slices.Contains(KnownSources, n) {
			return nil, inputError("sources", "unknown source %q: want some of %s", n, strings.Join(KnownSources, ", "))
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) > maxSourceNames {
		return nil, inputError("sources", "at most %d names", maxSourceNames)
	}
	if len(out) == 0 {
		return slices.Clone(DefaultSources), nil
	}
	return out, nil
}

// ParseSources splits a comma-separated list ("web,arxiv", the starter's
// --sources flag) and normalizes it.
func ParseSources(list string) ([]string, error) {
	var names []string
	for _, n := range strings.Split(list, ",") {
		if strings.TrimSpace(n) != "" {
			names = append(names, n)
		}
	}
	return normalizeSources(names)
}

// UnreadPage is a result page that was not read, and why.
type UnreadPage struct {
	URL string `json:"url"`
	// Reason is one of the Unread* constants.
	Reason string `json:"reason"`
	// Detail is the error as the fetcher gave it (content type, limit, …).
	Detail string `json:"detail,omitempty"`
}

// MaxUnread bounds the unread pages one search reports (and what progress
// and the audit show of them).
const MaxUnread = 10

// Reasons a result page was not read (UnreadPage.Reason).
const (
	UnreadContentType = "content_type"      // a format that is not read (HTML, PDF and plain text are)
	UnreadRobots      = "robots_disallowed" // robots.txt disallows it for Researchflow
	UnreadTooLarge    = "too_large"         // over RESEARCHFLOW_FETCH_MAX_BYTES
	UnreadNoText      = "no_text"           // read, but no readable text in it
	UnreadBlocked     = "blocked"           // its address is refused (private, loopback…)
	UnreadNotFound    = "not_found"         // no such host, 404 or 410
	UnreadHTTPStatus  = "http_status"       // another HTTP error, or too many redirects
	UnreadUnreadable  = "unreadable"        // the body could not be parsed
	UnreadUnavailable = "unavailable"       // network error, timeout or 5xx, after retries
	UnreadRateLimited = "rate_limited"      // the site answered 429
	UnreadBadURL      = "bad_url"           // not an http(s) URL
	UnreadOther       = "other"             // any other failure
)

// DeadLetter is a sub-task that exhausted its retries (or failed for good):
// the search of one sub-question in one source. A redrive (see Redrive)
// retries exactly these.
type DeadLetter struct {
	SubQuestionID string    `json:"subQuestionId"`
	SubQuestion   string    `json:"subQuestion"`
	Provider      string    `json:"provider"`
	Attempts      int       `json:"attempts"`
	LastError     string    `json:"lastError"`
	At            time.Time `json:"at"`
}
