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

// defaultSources is what a run searches when it names none: its corpus,
// exactly as before sources existed.
var defaultSources = []string{SourceCorpus}

// maxSourceNames bounds ResearchInput.Sources after de-duplication (every
// known source once).
const maxSourceNames = 8

// maxSourceEntries bounds the raw list, repeats included (a typo guard).
const maxSourceEntries = 32

// normalizeSources trims and lower-cases names, refuses unknown ones and
// drops repeats, keeping first-seen order; an empty list is defaultSources.
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
		return slices.Clone(defaultSources), nil
	}
	return out, nil
}

// UnreadPage is a result page that was not read, and why.
type UnreadPage struct {
	URL string `json:"url"`
	// Reason is one of the workflows.Unread* values ("robots_disallowed",
	// "too_large", "not_found", …).
	Reason string `json:"reason"`
	// Detail is the error as the fetcher gave it (content type, limit, …).
	Detail string `json:"detail,omitempty"`
}

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
