package researchflow

import (
	"fmt"
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

// MaxSourceNames bounds ResearchInput.Sources after de-duplication (every
// known source once).
const MaxSourceNames = 8

// maxSourceEntries bounds the raw list, repeats included (a typo guard).
const maxSourceEntries = 32

// NormalizeSources trims and lower-cases names, refuses unknown ones and
// drops repeats, keeping first-seen order; an empty list is DefaultSources.
// Errors are *InputError on the field "sources".
func NormalizeSources(names []string) ([]string, error) {
	if len(names) > maxSourceEntries {
		return nil, inputError("sources", "at most %d names", MaxSourceNames)
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
	if len(out) > MaxSourceNames {
		return nil, inputError("sources", "at most %d names", MaxSourceNames)
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
	return NormalizeSources(names)
}

// ProviderSources returns the sources of in other than the corpus: the
// search providers the run asks, in the order given.
func (in ResearchInput) ProviderSources() []string {
	var out []string
	for _, s := range in.Sources {
		if s != SourceCorpus {
			out = append(out, s)
		}
	}
	return out
}

// RunCorpus is the memory corpus where the pages fetched for research run
// researchID (and its redrives) are kept. The ':' keeps it apart from every
// corpus a person can name (see ValidateCorpusName).
func RunCorpus(researchID string) string { return "sources:" + researchID }

// SearchSourceInput asks one search provider (Source) for the pages that
// answer one sub-question; the pages are fetched, ingested into Corpus
// (RunCorpus of the run) and searched there for TopK passages.
type SearchSourceInput struct {
	ResearchID  string      `json:"researchId"`
	Corpus      string      `json:"corpus"`
	Question    string      `json:"question"`
	SubQuestion SubQuestion `json:"subQuestion"`
	Source      string      `json:"source"`
	TopK        int         `json:"topK"`
}

// SearchSourceResult carries references to the passages found in the
// fetched pages and the citation metadata of those pages. Results the
// provider gave but whose page could not be fetched are counted in
// Unfetched and never cited: a search snippet is not the page.
type SearchSourceResult struct {
	Retrieved RetrieveResult `json:"retrieved"`
	// Sources describe the pages of Retrieved.SourceIDs (title, site, URL,
	// access and publication dates); N is 0.
	Sources []Source `json:"sources,omitempty"`
	// Results is how many results the provider returned; Fetched, how many
	// distinct pages were read; Duplicates, results that were the same work
	// as an earlier one (DOI, arXiv ID, URL, or a canonical URL naming a
	// page with the same text).
	Results    int `json:"results"`
	Fetched    int `json:"fetched"`
	Unfetched  int `json:"unfetched,omitempty"`
	Duplicates int `json:"duplicates,omitempty"`
	// FetchErrors are the first few reasons pages could not be fetched.
	FetchErrors []string `json:"fetchErrors,omitempty"`
	// Unread says, for each result page that was not read (at most
	// MaxUnread), why: its URL and a reason (Unread* constants).
	Unread []UnreadPage `json:"unread,omitempty"`
	// Breaker is the provider's circuit-breaker state on the search worker
	// after the search (BreakerClosed, BreakerHalfOpen, BreakerOpen; empty
	// for sources without one).
	Breaker string `json:"breaker,omitempty"`
}

// UnreadPage is a result page that was not read, and why.
type UnreadPage struct {
	URL string `json:"url"`
	// Reason is one of the Unread* constants.
	Reason string `json:"reason"`
	// Detail is the error as the fetcher gave it (content type, limit, …).
	Detail string `json:"detail,omitempty"`
}

// MaxUnread bounds SearchSourceResult.Unread (and what progress and the
// audit show of it).
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

// Circuit-breaker states (SearchSourceResult.Breaker, SearchProgress.Breaker),
// as github.com/sony/gobreaker names them.
const (
	BreakerClosed   = "closed"
	BreakerHalfOpen = "half-open"
	BreakerOpen     = "open"
)

// SearchFailure is the detail of a SearchSource (and Retrieve) activity
// error: the attempt that failed, so that a dead letter can say how many
// attempts were made.
type SearchFailure struct {
	Attempt int `json:"attempt"`
	// Breaker is the provider's circuit-breaker state after the attempt.
	Breaker string `json:"breaker,omitempty"`
}

// SourceSearch is one selected source's search for one sub-question, as
// the workflow records it (runs whose sources are not only the corpus).
type SourceSearch struct {
	Source string `json:"source"`
	// State is SQPending, SQSearched or SQFailed.
	State     string         `json:"state"`
	Retrieved RetrieveResult `json:"retrieved"`
	// Sources is the citation metadata of the pages found (web sources).
	Sources  []Source `json:"sources,omitempty"`
	Error    string   `json:"error,omitempty"`
	Attempts int      `json:"attempts,omitempty"`
	// Note says why a search that worked gave no passage.
	Note string `json:"note,omitempty"`
	// Unread are the result pages that were not read, and why.
	Unread []UnreadPage `json:"unread,omitempty"`
	// Breaker is the provider's circuit-breaker state reported by the
	// search worker with the outcome.
	Breaker string `json:"breaker,omitempty"`
}

// DeadLetter is a sub-task that exhausted its retries (or failed for good):
// the search of one sub-question in one source. A redrive (ResearchRedrive)
// retries exactly these.
type DeadLetter struct {
	SubQuestionID string    `json:"subQuestionId"`
	SubQuestion   string    `json:"subQuestion"`
	Provider      string    `json:"provider"`
	Attempts      int       `json:"attempts"`
	LastError     string    `json:"lastError"`
	At            time.Time `json:"at"`
}

// RunRecord is the answer of the StateQuery: a run's normalized input
// (without Resume) and its control state. The client reads it to redrive a
// run.
type RunRecord struct {
	ResearchID string        `json:"researchId"`
	Input      ResearchInput `json:"input"`
	State      ResearchState `json:"state"`
}

// RevisionID is the workflow ID of revision rev (2, 3, …) of research run
// root: root itself for revision 1.
func RevisionID(root string, rev int) string {
	if rev <= 1 {
		return root
	}
	return fmt.Sprintf("%s-rev%d", root, rev)
}

// RedriveInput is the input of the run that redrives rec: the same
// question, sources and limits, resumed from rec's state with its dead
// letters reset to pending and its revision increased. Every search and
// analysis that succeeded stays in the state and is not run again; the new
// run searches only the dead-lettered (sub-question, source) pairs,
// analyzes only the passages they add, and writes the next revision of the
// report. It returns the new revision's workflow ID. A run without dead
// letters, or still running, cannot be redriven (*InputError).
func RedriveInput(rec RunRecord) (string, ResearchInput, error) {
	st := rec.State
	if !IsTerminal(st.Status) {
		return "", ResearchInput{}, inputError("redrive", "the run is %s: redrive it once it has finished", orDash(st.Status))
	}
	if len(st.DeadLetters) == 0 {
		return "", ResearchInput{}, inputError("redrive", "the run has no dead letters: nothing to redrive")
	}
	if st.Status != StatusCompleted {
		return "", ResearchInput{}, inputError("redrive", "the run is %s: only a completed run is redriven", st.Status)
	}
	root := rec.Input.RedriveOf
	if root == "" {
		root = rec.ResearchID
	}
	next := st.Clone()
	for i := range next.SubQuestions {
		sq := &next.SubQuestions[i]
		reset := false
		for _, d := range st.DeadLetters {
			if d.SubQuestionID != sq.SubQuestion.ID {
				continue
			}
			for j := range sq.Searches {
				if sq.Searches[j].Source == d.Provider && sq.Searches[j].State == SQFailed {
					sq.Searches[j] = SourceSearch{Source: d.Provider, State: SQPending}
					reset = true
				}
			}
			if len(sq.Searches) == 0 && d.Provider == SourceCorpus {
				reset = true // a corpus-only run: the retrieval itself
			}
		}
		if reset {
			sq.State, sq.Error = SQPending, ""
		}
	}
	next.Redriven = append(next.Redriven, st.DeadLetters...)
	next.DeadLetters = nil
	next.Revision = st.Rev() + 1
	next.Status, next.Stage, next.Error = StatusRunning, StageSearch, ""
	// The revision is a run of its own: its events and report are its own
	// (the decisions that made the earlier revision stay, for the audit).
	next.Events, next.Sources = nil, nil
	in := rec.Input
	in.RedriveOf = root
	in.Resume = &next
	return RevisionID(root, next.Revision), in, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Rev is the state's report revision: 1 for a first run.
func (s ResearchState) Rev() int { return max(s.Revision, 1) }

// Clone copies s deeply enough that changing the copy's sub-questions,
// searches and dead letters leaves s as it was.
func (s ResearchState) Clone() ResearchState {
	c := s
	c.Timings = slices.Clone(s.Timings)
	c.Engines = slices.Clone(s.Engines)
	c.DeadLetters = slices.Clone(s.DeadLetters)
	c.Redriven = slices.Clone(s.Redriven)
	c.Events = slices.Clone(s.Events)
	c.Decisions = slices.Clone(s.Decisions)
	c.Sources = slices.Clone(s.Sources)
	c.SubQuestions = slices.Clone(s.SubQuestions)
	for i := range c.SubQuestions {
		c.SubQuestions[i].Searches = slices.Clone(s.SubQuestions[i].Searches)
		c.SubQuestions[i].AnalyzedChunks = slices.Clone(s.SubQuestions[i].AnalyzedChunks)
	}
	return c
}
