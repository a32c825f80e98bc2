package activities

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/activity"

	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/fetch"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/search/ident"
	"github.com/researchflow/researchflow/internal/textproc"
)

// WebQuery is what SearchSource asks a provider. Its fields are those of
// internal/search.Query, in the same order, so that one converts to the
// other (search.Query(q)).
type WebQuery struct {
	Text     string
	Limit    int
	Category string
	Language string
}

// WebResult is one provider result, field for field an
// internal/search.Result.
type WebResult struct {
	URL, Title, Snippet, Site string
	Published                 time.Time
	DOI, ArxivID              string
	Provider                  string
}

// WebPage is a fetched and extracted page, field for field an
// internal/fetch.Page.
type WebPage struct {
	URL, CanonicalURL, Title, Site string
	Published                      time.Time
	ContentType, Text              string
	AccessedAt                     time.Time
	DOI, ArxivID                   string
}

// WebSearcher is one search provider (internal/search.Searcher, through an
// adapter that converts WebQuery and WebResult). Errors are classified by
// package fault: a permanent error is not retried.
type WebSearcher interface {
	Search(ctx context.Context, q WebQuery) ([]WebResult, error)
}

// PageFetcher fetches and extracts one result page (internal/fetch.Fetcher,
// through an adapter), refusing private addresses and unwanted content.
type PageFetcher interface {
	Fetch(ctx context.Context, url string) (WebPage, error)
}

// ChunkWriter stores the chunks of fetched pages (memory.Store.Upsert).
type ChunkWriter interface {
	Upsert(ctx context.Context, chunks []memory.Chunk) error
}

// maxFetchErrors bounds SearchSourceResult.FetchErrors.
const maxFetchErrors = 3

// fetchParallelism bounds the pages one SearchSource call fetches at once
// (the fetcher also limits each host).
const fetchParallelism = 4

// SearchSource searches one provider for one sub-question, fetches the
// result pages, ingests them into the run's corpus and returns the best
// passages of those pages, by reference, with the pages' citation
// metadata. A result whose page could not be read is dropped, counted and
// listed with the reason (Unread; a search snippet is never cited as if it
// were the page). The same work reached by two URLs (same DOI or arXiv ID,
// or a canonical URL naming a page with the same text: sameWork) is one
// source. Page text is data only: nothing in it reaches the workflow but
// chunk IDs, titles and URLs.
//
// Errors: SourceNotConfigured (non-retryable) when this worker has no
// searcher of that name; the provider's error, classified, otherwise. Every
// error carries an workflows.SearchFailure with the attempt number.
func (a *Search) SearchSource(ctx context.Context, in workflows.SearchSourceInput) (workflows.SearchSourceResult, error) {
	attempt := 1
	if activity.IsActivity(ctx) {
		attempt = int(activity.GetInfo(ctx).Attempt)
	}
	breaker := func() string { return "" }
	fail := func(err error) error {
		return classifyWithDetails(err, workflows.SearchFailure{Attempt: attempt, Breaker: breaker()})
	}
	if strings.TrimSpace(in.SubQuestion.Text) == "" || in.Corpus == "" || in.Source == "" {
		return workflows.SearchSourceResult{}, invalid(workflows.ErrInvalidInput, "search source needs a sub-question, a corpus and a source")
	}
	s, ok := a.Searchers[in.Source]
	if !ok || s == nil || a.Fetcher == nil || a.Pages == nil {
		return workflows.SearchSourceResult{}, invalid(workflows.ErrSourceNotConfigured,
			fmt.Sprintf("source %q is not configured on this search worker (see the README's sources table)", in.Source))
	}
	if b, ok := s.(interface{ BreakerState() string }); ok {
		breaker = b.BreakerState
	}
	if in.TopK <= 0 {
		in.TopK = rf.DefaultMaxSources
	}
	defer keepAlive(ctx)()
	results, err := s.Search(ctx, WebQuery{Text: in.SubQuestion.Text, Limit: in.TopK})
	if err != nil {
		return workflows.SearchSourceResult{}, fail(fmt.Errorf("search %s for %q: %w", in.Source, in.SubQuestion.Text, err))
	}
	res := workflows.SearchSourceResult{Results: len(results), Breaker: breaker()}
	pages := a.fetchAll(ctx, results)
	if err := ctx.Err(); err != nil {
		return workflows.SearchSourceResult{}, err
	}
	seen := map[string]claim{}
	var chunks []memory.Chunk
	meta := map[string]rf.Source{}
	var ids []string
	unread := func(u, reason, detail string) {
		res.Unfetched++
		if len(res.FetchErrors) < maxFetchErrors {
			res.FetchErrors = append(res.FetchErrors, detail)
		}
		if len(res.Unread) < workflows.MaxUnread {
			res.Unread = append(res.Unread, rf.UnreadPage{URL: u, Reason: reason, Detail: detail})
		}
	}
	for i, p := range pages {
		r := results[i]
		if p.err != nil {
			unread(r.URL, unreadReason(p.err), p.err.Error())
			continue
		}
		keys, canonical := workKeys(r, p.page)
		text := textClaim(p.page.Text)
		if sameWork(seen, keys, canonical, text) {
			res.Duplicates++
			continue
		}
		for _, k := range keys {
			if _, ok := seen[k]; !ok {
				seen[k] = text
			}
		}
		if canonical != "" {
			if _, ok := seen[canonical]; !ok {
				c := text
				c.canonical = true
				seen[canonical] = c
			}
		}
		key := keys[0]
		if strings.TrimSpace(p.page.Text) == "" {
			unread(p.page.URL, workflows.UnreadNoText, p.page.URL+": no readable text")
			continue
		}
		res.Fetched++
		src := pageSource(in, r, p.page)
		src.SourceID = memory.SourceID(in.Corpus, key)
		doc := corpus.Document{
			SourceID: src.SourceID, Title: src.Title, Location: src.URL,
			Text: p.page.Text, DocHash: memory.Hash(p.page.Text),
		}
		for _, c := range corpus.Split(doc, in.Corpus, corpus.SplitOptions{}) {
			c.IngestedAt = src.AccessedAt
			chunks = append(chunks, c)
		}
		meta[src.SourceID] = src
		ids = append(ids, src.SourceID)
	}
	if len(chunks) == 0 {
		return res, nil
	}
	if err := a.Pages.Upsert(ctx, chunks); err != nil {
		return workflows.SearchSourceResult{}, fail(fmt.Errorf("store %d chunks of %d pages: %w", len(chunks), res.Fetched, err))
	}
	hits, err := a.Store.Search(ctx, memory.Query{
		Text: in.SubQuestion.Text, TopK: in.TopK * 3,
		Filter: memory.Filter{Corpus: in.Corpus, SourceIDs: ids},
	})
	if err != nil {
		return workflows.SearchSourceResult{}, fail(fmt.Errorf("search the pages of %s: %w", in.Source, err))
	}
	kept, dropped := dedupe(hits, in.TopK)
	res.Retrieved.Duplicates = dropped
	for _, h := range kept {
		res.Retrieved.ChunkIDs = append(res.Retrieved.ChunkIDs, h.Chunk.ID)
		res.Retrieved.Scores = append(res.Retrieved.Scores, h.Score)
		if src, ok := meta[h.Chunk.SourceID]; ok && !contains(res.Retrieved.SourceIDs, h.Chunk.SourceID) {
			res.Retrieved.SourceIDs = append(res.Retrieved.SourceIDs, h.Chunk.SourceID)
			res.Sources = append(res.Sources, src)
		}
	}
	if activity.IsActivity(ctx) {
		activity.GetLogger(ctx).Info("searched source", "source", in.Source, "subQuestion", in.SubQuestion.ID,
			"results", res.Results, "fetched", res.Fetched, "unfetched", res.Unfetched, "passages", len(res.Retrieved.ChunkIDs))
	}
	return res, nil
}

type fetched struct {
	page WebPage
	err  error
}

// fetchAll fetches every result's page, a few at a time, in result order.
func (a *Search) fetchAll(ctx context.Context, results []WebResult) []fetched {
	out := make([]fetched, len(results))
	sem := make(chan struct{}, fetchParallelism)
	var wg sync.WaitGroup
	for i, r := range results {
		if strings.TrimSpace(r.URL) == "" {
			out[i].err = errors.New("a result without a URL")
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i].err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			p, err := a.Fetcher.Fetch(ctx, r.URL)
			if err != nil {
				err = fmt.Errorf("fetch %s: %w", r.URL, err)
			}
			out[i] = fetched{page: p, err: err}
		}()
	}
	wg.Wait()
	return out
}

// workKeys are the identity keys of the work a result and its page are
// (ident.Keys: DOI, arXiv ID, the fetched and result URLs), the strongest
// first, and the key of the page's canonical URL when it names another
// page. Two pages sharing a key are one source, whose ID is made from its
// first key; a canonical URL is only a claim (see sameWork).
func workKeys(r WebResult, p WebPage) (keys []string, canonical string) {
	keys = ident.Keys(firstNonEmpty(p.DOI, r.DOI), firstNonEmpty(p.ArxivID, r.ArxivID), p.URL, r.URL)
	if len(keys) == 0 {
		keys = []string{"url:" + r.URL}
	}
	if p.CanonicalURL != "" {
		if ck := ident.Keys("", "", p.CanonicalURL); len(ck) > 0 && !slices.Contains(keys, ck[0]) {
			canonical = ck[0]
		}
	}
	return keys, canonical
}

// claim is what a kept page's key stands for: the page's text, to compare
// with a later page reaching the key only through a canonical link.
type claim struct {
	hash      string
	vec       textproc.Vector
	canonical bool // the key is the kept page's canonical URL, not its own
}

func textClaim(text string) claim {
	return claim{hash: memory.Hash(text), vec: textproc.TermVector(text)}
}

// sameWork reports whether a page is a work already kept. Its DOI, arXiv
// ID and own URLs identify it; a canonical link (its own, or a kept
// page's) only when the two pages say the same thing (same text, or
// near-duplicates): pages that all name one canonical URL — a template
// naming the home page, a section pointing to its index — are different
// pages when their texts differ.
func sameWork(seen map[string]claim, keys []string, canonical string, text claim) bool {
	same := func(c claim) bool { return c.hash == text.hash || textproc.Cosine(c.vec, text.vec) >= nearDuplicate }
	for _, k := range keys {
		if c, ok := seen[k]; ok && (!c.canonical || same(c)) {
			return true
		}
	}
	if canonical != "" {
		if c, ok := seen[canonical]; ok && same(c) {
			return true
		}
	}
	return false
}

// unreadReason is the rf.Unread* reason of a fetch error: its egress kind,
// told apart by package fetch's sentinel errors where one kind covers
// several reasons (robots.txt and the address rules are both
// egress.KindBlocked; a content type and an unparseable body both
// egress.KindUnsupported).
func unreadReason(err error) string {
	switch {
	case errors.Is(err, fetch.ErrRobots):
		return workflows.UnreadRobots
	case errors.Is(err, fetch.ErrBlocked):
		return workflows.UnreadBlocked
	case errors.Is(err, fetch.ErrContentType):
		return workflows.UnreadContentType
	}
	fe, ok := fault.Classify(err)
	if !ok {
		return workflows.UnreadOther
	}
	switch fe.Kind {
	case egress.KindTooLarge:
		return workflows.UnreadTooLarge
	case egress.KindNotFound:
		return workflows.UnreadNotFound
	case egress.KindBlocked:
		return workflows.UnreadBlocked
	case egress.KindUnsupported:
		return workflows.UnreadUnreadable
	case egress.KindInvalid:
		return workflows.UnreadBadURL
	case egress.KindRateLimited:
		return workflows.UnreadRateLimited
	case egress.KindUnavailable, egress.KindBreakerOpen, egress.KindBadResponse:
		return workflows.UnreadUnavailable
	case egress.KindRejected, egress.KindUnauthorized:
		return workflows.UnreadHTTPStatus
	}
	return workflows.UnreadOther
}

// pageSource is the citation of a fetched page: its own title, site and
// dates where it has them, the result's otherwise, and the URL it was read
// from (a canonical link is the page's claim, not where its text is).
func pageSource(in workflows.SearchSourceInput, r WebResult, p WebPage) rf.Source {
	src := rf.Source{
		Title: firstNonEmpty(p.Title, r.Title), Site: firstNonEmpty(p.Site, r.Site),
		URL: firstNonEmpty(p.URL, r.URL), AccessedAt: p.AccessedAt.UTC(),
		Published: p.Published, Provider: in.Source,
	}
	if src.Published.IsZero() {
		src.Published = r.Published
	}
	if src.AccessedAt.IsZero() {
		src.AccessedAt = time.Now().UTC()
	}
	if src.Site == "" {
		if u, err := url.Parse(src.URL); err == nil {
			src.Site = u.Hostname()
		}
	}
	src.Location = src.URL
	if src.Title == "" {
		src.Title = src.URL
	}
	return src
}

func firstNonEmpty(list ...string) string {
	for _, s := range list {
		if strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}
