package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
)

// Searching the selected sources (rf.ResearchInput.Sources), recording
// dead letters, and redrives.
//
// A run whose sources are only its corpus issues the commands it always
// did (retrieveAll). A run with providers searches each (sub-question,
// source) pair with its own activity — Retrieve for the corpus,
// SearchSource for a provider — so that a provider that fails costs only
// its own searches: they become dead letters and the sub-question is served
// by the other sources, or becomes a gap naming the providers and reasons.
//
// A redrive is a new run (RedriveInput) resumed from the finished run's
// state with only its dead-lettered pairs reset to pending: it searches
// those pairs, analyzes only the passages they add (AnalyzedChunks), skips
// reflection, and writes the next report revision. So no search or
// analysis that succeeded runs again.

// sourcesVersion is the GetVersion change ID of per-source searching. It is
// asked only by runs with providers, so the histories of corpus-only runs
// are unchanged.
const sourcesVersion = "sources"

// startSources decides, once per run, whether the run searches providers.
func (r *research) startSources(ctx workflow.Context) {
	if r.in.RedriveOf != "" {
		// A redrive is a new run that skips preparation (it never
		// continues as new): its owner and corpus are searchable too.
		r.upsertAttributes(ctx)
	}
	if len(providerSources(r.in)) == 0 {
		return
	}
	r.withSources = r.version(ctx, sourcesVersion) >= 1
}

// rootID is the research ID of the first revision: its pages are in
// RunCorpus(rootID) for every revision.
func (r *research) rootID() string {
	if r.in.RedriveOf != "" {
		return r.in.RedriveOf
	}
	return r.id
}

func (r *research) searchedSources() []string {
	if len(providerSources(r.in)) == 0 {
		return nil
	}
	return r.in.Sources
}

// searchSourceOptions serve SearchSource on the search pool: a provider
// call and the fetching of its pages, retried a few times with backoff
// (providers' Retry-After is honoured through the error's next retry
// delay); a source that is not configured is not retried.
func searchSourceOptions() workflow.ActivityOptions {
	o := retrieveOptions()
	o.StartToCloseTimeout = 5 * time.Minute
	o.HeartbeatTimeout = 30 * time.Second
	o.RetryPolicy.NonRetryableErrorTypes = append(slices.Clone(nonRetryable), ErrSourceNotConfigured)
	return o
}

// searchAll searches every pending sub-question in each of its sources
// still pending, the sources of one sub-question in parallel, at most
// parallelism sub-questions at a time.
func (r *research) searchAll(ctx workflow.Context) {
	rctx := workflow.WithActivityOptions(ctx, retrieveOptions())
	sctx := workflow.WithActivityOptions(ctx, searchSourceOptions())
	r.forEach(ctx, func(i int) workflow.Future {
		sq := &r.st.SubQuestions[i]
		if sq.State != rf.SQPending {
			return nil
		}
		if len(sq.Searches) == 0 {
			for _, s := range r.in.Sources {
				sq.Searches = append(sq.Searches, SourceSearch{Source: s, State: rf.SQPending})
			}
		}
		r.setState(ctx, i, rf.SQSearching, "")
		var idx []int
		var futures []workflow.Future
		for j, se := range sq.Searches {
			if se.State != rf.SQPending {
				continue
			}
			var f workflow.Future
			if se.Source == rf.SourceCorpus {
				f = workflow.ExecuteActivity(summarized(rctx, "search the corpus: "+sq.SubQuestion.Text), RetrieveActivity, RetrieveInput{
					Corpus: r.in.Corpus, Question: r.in.Question, SubQuestion: sq.SubQuestion, TopK: r.in.MaxSources,
				})
			} else {
				f = workflow.ExecuteActivity(summarized(sctx, "search "+se.Source+": "+sq.SubQuestion.Text), SearchSourceActivity, SearchSourceInput{
					ResearchID: r.rootID(), Corpus: RunCorpus(r.rootID()), Question: r.in.Question,
					SubQuestion: sq.SubQuestion, Source: se.Source, TopK: r.in.MaxSources,
				})
			}
			idx, futures = append(idx, j), append(futures, f)
		}
		all, settle := workflow.NewFuture(ctx)
		workflow.Go(ctx, func(gctx workflow.Context) {
			for k, f := range futures {
				r.recordSearch(gctx, i, idx[k], f)
			}
			settle.Set(nil, nil)
		})
		return all
	}, func(i int, _ workflow.Future) { r.mergeSearches(ctx, i) })
}

// recordSearch waits for search j of sub-question i and records its
// outcome; a search that failed for good is a dead letter.
func (r *research) recordSearch(ctx workflow.Context, i, j int, f workflow.Future) {
	se := &r.st.SubQuestions[i].Searches[j]
	var res SearchSourceResult
	var err error
	if se.Source == rf.SourceCorpus {
		err = f.Get(ctx, &res.Retrieved)
	} else {
		err = f.Get(ctx, &res)
	}
	if err != nil {
		se.State, se.Error = rf.SQFailed, errorMessage(err)
		if d, ok := searchFailure(err); ok {
			se.Breaker = d.Breaker
		}
		if ctx.Err() == nil {
			opts := searchSourceOptions()
			if se.Source == rf.SourceCorpus {
				opts = retrieveOptions()
			}
			se.Attempts = r.deadLetter(ctx, i, se.Source, err, opts)
		}
		r.touch(ctx)
		return
	}
	se.State, se.Error, se.Retrieved, se.Sources, se.Breaker = rf.SQSearched, "", res.Retrieved, res.Sources, res.Breaker
	se.Unread = res.Unread
	if len(res.Retrieved.ChunkIDs) == 0 {
		se.Note = noPassageNote(se.Source, res)
	}
	r.touch(ctx)
}

// noPassageNote says why a search that worked gave no passage.
func noPassageNote(source string, res SearchSourceResult) string {
	switch {
	case source == rf.SourceCorpus:
		return "no passage of the corpus matched it"
	case res.Results == 0:
		return source + " found no result"
	case res.Fetched == 0:
		note := fmt.Sprintf("%s found %d results but no page could be read", source, res.Results)
		if len(res.FetchErrors) > 0 {
			note += " (" + res.FetchErrors[0] + ")"
		}
		return note
	}
	return fmt.Sprintf("no passage of the %d pages %s found matched it", res.Fetched, source)
}

// deadLetter records that sub-question i's search in provider failed for
// good and returns the attempts it made.
func (r *research) deadLetter(ctx workflow.Context, i int, provider string, err error, opts workflow.ActivityOptions) int {
	sq := r.st.SubQuestions[i].SubQuestion
	n := attemptsOf(err, opts)
	r.st.DeadLetters = append(r.st.DeadLetters, rf.DeadLetter{
		SubQuestionID: sq.ID, SubQuestion: sq.Text, Provider: provider, Attempts: n,
		LastError: errorMessage(err), At: workflow.Now(ctx),
	})
	workflow.GetLogger(ctx).Warn("search dead-lettered", "subQuestion", sq.ID, "provider", provider, "attempts", n, "error", errorMessage(err))
	return n
}

// attemptsOf is how many attempts an activity made before err: the attempt
// the activity put in the error's details (SearchFailure), else the
// policy's maximum when the retries ran out, else 1.
func attemptsOf(err error, opts workflow.ActivityOptions) int {
	if d, ok := searchFailure(err); ok && d.Attempt > 0 {
		return d.Attempt
	}
	var act *temporal.ActivityError
	if errors.As(err, &act) && act.RetryState() == enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED && opts.RetryPolicy != nil {
		return int(opts.RetryPolicy.MaximumAttempts)
	}
	return 1
}

// mergeSearches sets sub-question i's passages from its searches, taking
// them in turn from each source in rank order, at most mergedPassages of
// them; a sub-question no source gave a passage for is a gap that names
// every source and its reason.
func (r *research) mergeSearches(ctx workflow.Context, i int) {
	sq := &r.st.SubQuestions[i]
	var merged RetrieveResult
	limit := mergedPassages * r.in.MaxSources
	for k := 0; len(merged.ChunkIDs) < limit; k++ {
		more := false
		for _, se := range sq.Searches {
			ids := se.Retrieved.ChunkIDs
			if se.State != rf.SQSearched || k >= len(ids) {
				continue
			}
			more = true
			if slices.Contains(merged.ChunkIDs, ids[k]) || len(merged.ChunkIDs) >= limit {
				continue
			}
			merged.ChunkIDs = append(merged.ChunkIDs, ids[k])
			score := 0.0
			if k < len(se.Retrieved.Scores) {
				score = se.Retrieved.Scores[k]
			}
			merged.Scores = append(merged.Scores, score)
		}
		if !more {
			break
		}
	}
	var reasons []string
	for _, se := range sq.Searches {
		merged.Duplicates += se.Retrieved.Duplicates
		for _, id := range se.Retrieved.SourceIDs {
			if !slices.Contains(merged.SourceIDs, id) {
				merged.SourceIDs = append(merged.SourceIDs, id)
			}
		}
		switch {
		case se.State == rf.SQFailed:
			reasons = append(reasons, fmt.Sprintf("%s failed after %d attempt(s): %s", se.Source, max(se.Attempts, 1), se.Error))
		case se.Note != "":
			reasons = append(reasons, se.Note)
		}
	}
	sq.Retrieved = merged
	if len(merged.ChunkIDs) == 0 {
		r.setState(ctx, i, rf.SQFailed, "no source answered it: "+strings.Join(reasons, "; "))
		return
	}
	r.setState(ctx, i, rf.SQSearched, "")
}

// mergedPassages bounds a sub-question's merged passages, in multiples of
// the run's MaxSources: more sources add passages, up to twice as many as
// one source gives, so an analysis's prompt stays bounded.
const mergedPassages = 2

// unanalyzed returns sub-question i's passages that no analysis has read.
func (r *research) unanalyzed(i int) []string {
	sq := r.st.SubQuestions[i]
	var out []string
	for _, id := range sq.Retrieved.ChunkIDs {
		if !slices.Contains(sq.AnalyzedChunks, id) {
			out = append(out, id)
		}
	}
	return out
}

// settleAnalysis ends sub-question i's analysis without a new result: done
// with the analysis it had, or a gap for reason.
func (r *research) settleAnalysis(ctx workflow.Context, i int, reason string) {
	if r.st.SubQuestions[i].Analysis != nil {
		r.setState(ctx, i, rf.SQDone, "")
		return
	}
	r.setState(ctx, i, rf.SQFailed, reason)
}

// mergeAnalysis adds an analysis of new passages to sub-question i: the
// findings after those it had, the sources merged by ID.
func (r *research) mergeAnalysis(ctx workflow.Context, i int, res AnalyzeResult) {
	sq := &r.st.SubQuestions[i]
	sq.AnalyzedChunks = append(sq.AnalyzedChunks, r.unanalyzed(i)...)
	if len(res.Analysis.Findings) == 0 {
		r.settleAnalysis(ctx, i, "the retrieved passages did not answer it")
		return
	}
	if sq.Analysis == nil {
		sq.Analysis = &res
		r.setState(ctx, i, rf.SQDone, "")
		return
	}
	a := *sq.Analysis
	a.Analysis.Findings = append(slices.Clone(a.Analysis.Findings), res.Analysis.Findings...)
	a.Analysis.Conflicts = append(slices.Clone(a.Analysis.Conflicts), res.Analysis.Conflicts...)
	a.Sources = slices.Clone(a.Sources)
	for _, s := range res.Sources {
		k := slices.IndexFunc(a.Sources, func(x rf.Source) bool { return x.SourceID == s.SourceID })
		if k < 0 {
			a.Sources = append(a.Sources, s)
			continue
		}
		for _, id := range s.ChunkIDs {
			if !slices.Contains(a.Sources[k].ChunkIDs, id) {
				a.Sources[k].ChunkIDs = append(slices.Clone(a.Sources[k].ChunkIDs), id)
			}
		}
	}
	sq.Analysis = &a
	r.setState(ctx, i, rf.SQDone, "")
}

// pageSources is the citation metadata of every page the run's searches
// read, by source ID (lookup only).
func (r *research) pageSources() map[string]rf.Source {
	out := map[string]rf.Source{}
	for _, sq := range r.st.SubQuestions {
		for _, se := range sq.Searches {
			for _, s := range se.Sources {
				out[s.SourceID] = s
			}
		}
	}
	return out
}

// withPage completes a cited source with its page's URL, site and dates.
func withPage(s rf.Source, pages map[string]rf.Source) rf.Source {
	p, ok := pages[s.SourceID]
	if !ok {
		return s
	}
	s.URL, s.Site, s.AccessedAt, s.Published, s.Provider = p.URL, p.Site, p.AccessedAt, p.Published, p.Provider
	if s.Title == "" {
		s.Title = p.Title
	}
	if s.Location == "" {
		s.Location = p.URL
	}
	return s
}

// revisionNotes are the report footer's notes on a revision.
func (r *research) revisionNotes() []string {
	if r.st.Rev() <= 1 {
		return nil
	}
	return []string{fmt.Sprintf("revision %d of %s: a redrive of %d dead-lettered search(es); every other step is reused from the earlier revision",
		r.st.Rev(), r.rootID(), len(r.st.Redriven))}
}

// searchFailure is the detail a search activity put in its error.
func searchFailure(err error) (SearchFailure, bool) {
	var app *temporal.ApplicationError
	var d SearchFailure
	if errors.As(err, &app) && app.HasDetails() && app.Details(&d) == nil {
		return d, true
	}
	return SearchFailure{}, false
}
