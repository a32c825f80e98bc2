package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
)

var followUpOfKey = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrFollowUpOf)

// followUpSubQuestion is the ID of a follow-up's sub-question: the
// follow-up question itself, first asked of the run's evidence and, when
// that does not answer it, searched as the one gap. The analysis splits a
// follow-up of several parts (AnalyzeInput.Parts): its parts are "f1.1",
// "f1.2", …, each searched on its own when the evidence leaves it.
const followUpSubQuestion = "f1"

// ResearchFollowUpWorkflow answers a follow-up question about a finished
// research run. It reads the run's evidence (RunEvidenceActivity), asks the
// analyst about the run's own passages, part by part for a question of
// several parts, and searches the run's sources again only for what they
// do not answer: the question, or each part left (one targeted search per
// part and source; a run over a folder re-reads the folder first, so that
// notes added since are found). Citations keep the run's source numbers; sources
// the run did not number get the numbers after its last. The follow-up
// knows nothing of the run's other follow-ups: the thread (the gateway,
// report.NumberThread) numbers their new sources for the whole run.
func ResearchFollowUpWorkflow(ctx workflow.Context, in rf.FollowUpInput) (rf.FollowUpResult, error) {
	in, err := in.Normalize()
	if err != nil {
		return rf.FollowUpResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	if err := refuseUnknownField(ctx, in.UnknownField()); err != nil {
		return rf.FollowUpResult{}, err
	}
	f := &followUp{in: in, budget: in.Budget(), res: rf.FollowUpResult{
		FollowUpID: workflow.GetInfo(ctx).WorkflowExecution.ID, ResearchID: in.ResearchID, Question: in.Question,
	}}
	// Set here too, so that a follow-up started with `temporal workflow
	// start` without search attributes still joins its run's thread.
	updates := []temporal.SearchAttributeUpdate{followUpOfKey.ValueSet(in.ResearchID)}
	if in.Owner != "" {
		updates = append(updates, ownerKey.ValueSet(in.Owner))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes failed", "error", err)
	}
	// And its question, which the thread lists, when it was started without.
	memoQuestion(ctx, followUpQuestionMemoChange, in.Question)
	return f.run(ctx)
}

// followUp is one follow-up: its input, the run's evidence and the answer
// so far.
type followUp struct {
	in     rf.FollowUpInput
	budget rf.Budget
	ev     RunEvidence
	res    rf.FollowUpResult
	// findings are the analyst's, in order; pages describe sources found
	// by provider searches (URL, site, dates), by source ID.
	findings []reasoning.Finding
	sources  []rf.Source
	pages    []rf.Source
	// unmentioned are the question's topic words that the passages of
	// the last analysis never mention (AnalyzeInput.OnTopic).
	unmentioned []string
	// parts: the run's passages are analyzed part by part
	// (AnalyzeInput.Parts; followUpPartsChange); analyzed are the parts of
	// a follow-up of several, as that analysis went (none for one part).
	parts    bool
	analyzed []AnalyzedPart
}

// followUpPartsChange is the workflow.GetVersion change ID of follow-ups
// answered part by part: version 1 asks the analysis of the run's
// passages for the follow-up's parts (AnalyzeInput.Parts) and searches
// each part they did not answer on its own, where version 0 searched the
// whole question when they answered nothing.
const followUpPartsChange = "followup-parts"

// evidenceOptions serve RunEvidence on the search pool: one query of the
// run, which a workflow worker answers by replaying it (seconds for a long
// run, so no heartbeat), retried a few times while the workflow pool is
// away; a run that cannot be asked is not retried (ErrRunNotFinished).
func evidenceOptions() workflow.ActivityOptions {
	o := retrieveOptions()
	o.HeartbeatTimeout = 0
	o.StartToCloseTimeout = time.Minute
	o.RetryPolicy.MaximumAttempts = 6
	o.RetryPolicy.NonRetryableErrorTypes = append(slices.Clone(nonRetryable), ErrRunNotFinished)
	return o
}

func (f *followUp) run(ctx workflow.Context) (rf.FollowUpResult, error) {
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, evidenceOptions()), RunEvidenceActivity,
		RunEvidenceInput{ResearchID: f.in.ResearchID, Owner: f.in.Owner}).Get(ctx, &f.ev); err != nil {
		return rf.FollowUpResult{}, err
	}
	sq := reasoning.SubQuestion{ID: followUpSubQuestion, Text: f.in.Question, Reason: "follow-up of " + f.in.ResearchID}
	f.parts = workflow.GetVersion(ctx, followUpPartsChange, workflow.DefaultVersion, 1) >= 1
	if len(f.ev.ChunkIDs) > 0 {
		var app *temporal.ApplicationError
		err := f.analyze(ctx, sq, f.ev.ChunkIDs, true)
		switch {
		case errors.As(err, &app) && app.Type() == ErrCorpusEmpty:
			// The run's passages are gone from memory (its corpus was
			// dropped or rebuilt): nothing to answer from but a search.
			workflow.GetLogger(ctx).Warn("the run's passages are no longer in memory", "research", f.in.ResearchID)
		case err != nil:
			return rf.FollowUpResult{}, err
		}
	}
	if len(f.analyzed) > 1 {
		return f.runParts(ctx)
	}
	f.res.FromEvidence = len(f.findings) > 0
	switch {
	case f.res.FromEvidence:
	case f.budget.Spent(f.res.Usage):
		f.res.Gaps = append(f.res.Gaps, rf.Gap{SubQuestion: sq.Text, Reason: "not searched: the follow-up's model budget is spent"})
	default:
		if err := f.searchGap(ctx, sq); err != nil {
			return rf.FollowUpResult{}, err
		}
	}
	if err := f.answer(ctx); err != nil {
		return rf.FollowUpResult{}, err
	}
	f.publish(ctx)
	return f.res, nil
}

// runParts goes on with a follow-up of several parts (AnalyzeResult.Parts):
// the parts the run's passages answered are answered; each other part is
// searched on its own (one targeted search per part and source, the folder
// read again once), and one that is still unanswered is a gap naming that
// part and the topic words none of the run's passages mentions.
func (f *followUp) runParts(ctx workflow.Context) (rf.FollowUpResult, error) {
	prepared := false
	for _, p := range f.analyzed {
		switch {
		case p.Findings > 0:
		case p.BudgetSpent:
			f.res.Gaps = append(f.res.Gaps, rf.Gap{SubQuestion: p.SubQuestion.Text, Reason: "not analyzed: the follow-up's model budget is spent"})
		case f.budget.Spent(f.res.Usage):
			f.res.Gaps = append(f.res.Gaps, rf.Gap{SubQuestion: p.SubQuestion.Text, Reason: "not searched: the follow-up's model budget is spent"})
		default:
			if !prepared {
				f.prepareCorpus(ctx)
				prepared = true
			}
			f.unmentioned = p.Unmentioned
			if err := f.search(ctx, p.SubQuestion); err != nil {
				return rf.FollowUpResult{}, err
			}
		}
	}
	f.res.FromEvidence = len(f.findings) > 0 && len(f.res.Searches) == 0
	if err := f.answer(ctx); err != nil {
		return rf.FollowUpResult{}, err
	}
	f.publish(ctx)
	return f.res, nil
}

// publish sends the research.followup.answered event from the notify pool.
// Events inform: one that cannot be published is logged, never a failure.
func (f *followUp) publish(ctx workflow.Context) {
	ev := rf.Event{
		ID: FollowUpEventID(f.res.FollowUpID), Type: rf.EventFollowUpAnswered, Time: workflow.Now(ctx),
		Data: rf.EventData{ResearchID: f.in.ResearchID, FollowUpID: f.res.FollowUpID, Question: f.in.Question,
			Findings: len(f.res.Findings), Gaps: len(f.res.Gaps)},
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, publishOptions()), PublishActivity,
		PublishInput{Event: ev, Email: f.ev.Email}).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("event not published", "event", ev.ID, "error", err)
	}
}

// analyze asks the analyst which of chunks answer sq, charging the
// follow-up with the model calls, failed ones included. With the budget
// spent it leaves sq a gap. onTopic (the run's evidence) asks for nothing
// when a topic word of sq is in none of chunks; the passages of a new
// search are read as a new run reads them, so that a follow-up answers
// what a run on its question would.
func (f *followUp) analyze(ctx workflow.Context, sq reasoning.SubQuestion, chunks []string, onTopic bool) error {
	if f.budget.Spent(f.res.Usage) {
		f.res.Gaps = append(f.res.Gaps, rf.Gap{SubQuestion: sq.Text, Reason: "not analyzed: the follow-up's model budget is spent"})
		return nil
	}
	var res AnalyzeResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), AnalyzeActivity, AnalyzeInput{
		Question: f.ev.Question, SubQuestion: sq, ChunkIDs: chunks, MaxFindings: MaxFollowUpFindings,
		Budget: f.budget.Left(f.res.Usage), OnTopic: onTopic, Parts: onTopic && f.parts,
	}).Get(ctx, &res)
	if err != nil {
		if u, ok := UsageFromError(err); ok {
			f.res.Usage = f.res.Usage.Add(u)
		}
		return err
	}
	f.res.Usage = f.res.Usage.Add(res.Analysis.Usage)
	f.unmentioned = res.Unmentioned
	if onTopic {
		f.analyzed = res.Parts
	}
	if f.res.Engine == "" {
		f.res.Engine = res.Analysis.Engine
	}
	for _, fd := range res.Analysis.Findings {
		// Two parts of a follow-up may find the same statement: it is
		// stated once.
		if !slices.ContainsFunc(f.findings, func(g reasoning.Finding) bool { return g.ChunkID == fd.ChunkID && g.Text == fd.Text }) {
			f.findings = append(f.findings, fd)
		}
	}
	f.sources = append(f.sources, res.Sources...)
	return nil
}

// searchGap searches the run's sources for sq, the one gap the evidence
// left, and analyzes only the passages the run had not already read.
func (f *followUp) searchGap(ctx workflow.Context, sq reasoning.SubQuestion) error {
	f.prepareCorpus(ctx)
	return f.search(ctx, sq)
}

// searched are the sources the run searched, which a follow-up searches.
func (f *followUp) searched() []string {
	if len(f.ev.Sources) == 0 {
		return []string{rf.SourceCorpus}
	}
	return f.ev.Sources
}

// prepareCorpus reads a run's folder again before a search of its corpus:
// unchanged files cost nothing, and notes added since the run are what a
// follow-up may be about.
func (f *followUp) prepareCorpus(ctx workflow.Context) {
	if f.ev.CorpusPath == "" || !slices.Contains(f.searched(), rf.SourceCorpus) {
		return
	}
	var prep PrepareCorpusResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, corpusOptions()), PrepareCorpusActivity,
		PrepareCorpusInput{Corpus: f.ev.Corpus, Path: f.ev.CorpusPath}).Get(ctx, &prep); err != nil {
		workflow.GetLogger(ctx).Warn("corpus not refreshed; searching it as it is", "corpus", f.ev.Corpus, "error", err)
	}
}

// search searches the run's sources for sq (one targeted search per
// source) and analyzes only the passages the run had not already read; sq
// unanswered is a gap, whose reason names f.unmentioned, the topic words
// of sq that none of the run's passages mentions.
func (f *followUp) search(ctx workflow.Context, sq reasoning.SubQuestion) error {
	sources := f.searched()
	futures := make([]workflow.Future, len(sources))
	for i, s := range sources {
		if s == rf.SourceCorpus {
			futures[i] = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retrieveOptions()), RetrieveActivity, RetrieveInput{
				Corpus: f.ev.Corpus, Question: f.ev.Question, SubQuestion: sq, TopK: f.ev.MaxSources,
			})
			continue
		}
		futures[i] = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, searchSourceOptions()), SearchSourceActivity, SearchSourceInput{
			ResearchID: f.res.FollowUpID, Corpus: f.ev.Corpus, Question: f.ev.Question, SubQuestion: sq, Source: s, TopK: f.ev.MaxSources,
		})
	}
	var fresh []string
	for i, s := range sources {
		var res SearchSourceResult
		var err error
		if s == rf.SourceCorpus {
			err = futures[i].Get(ctx, &res.Retrieved)
		} else {
			err = futures[i].Get(ctx, &res)
		}
		search := rf.FollowUpSearch{SubQuestion: sq.Text, Source: s, Passages: len(res.Retrieved.ChunkIDs)}
		if err != nil {
			search.Error = errorMessage(err)
		}
		f.res.Searches = append(f.res.Searches, search)
		f.pages = append(f.pages, res.Sources...)
		for _, id := range res.Retrieved.ChunkIDs {
			if !slices.Contains(f.ev.ChunkIDs, id) && !slices.Contains(fresh, id) {
				fresh = append(fresh, id)
			}
		}
	}
	if len(fresh) == 0 {
		f.res.Gaps = append(f.res.Gaps, rf.Gap{SubQuestion: sq.Text,
			Reason: withGone("neither the run's passages"+noneMentions(f.unmentioned)+" nor a new search of its sources answered it", f.ev)})
		return nil
	}
	f.unmentioned = nil
	findings, gaps := len(f.findings), len(f.res.Gaps)
	if err := f.analyze(ctx, sq, fresh, false); err != nil {
		return err
	}
	if len(f.findings) == findings && len(f.res.Gaps) == gaps {
		f.res.Gaps = append(f.res.Gaps, rf.Gap{SubQuestion: sq.Text, Reason: withGone("the passages found did not answer it"+noneMentions(f.unmentioned), f.ev)})
	}
	return nil
}

// noneMentions says, in parentheses, which topic words of the question
// none of the passages mentions ("" when none is missing): the reader
// learns why passages that share its other words did not answer.
func noneMentions(words []string) string {
	if len(words) == 0 {
		return ""
	}
	return " (none mentions " + strings.Join(words, " or ") + ")"
}

// withGone is a gap's reason with, when some of the run's passages are no
// longer in memory, which ones and why: the reader learns that the run's
// evidence changed under the follow-up, not only that nothing answered.
// (The reason is the result's text, not a command: old histories replay.)
func withGone(reason string, ev RunEvidence) string {
	var parts []string
	for _, g := range ev.Gone {
		name := fmt.Sprintf("the run's passages of source %d", g.N)
		if g.Title != "" {
			name += ", " + g.Title
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", name, g.Why()))
	}
	if n := ev.GoneUncited; n > 0 {
		what := "1 other passage the run read (its document was deleted or changed since the run)"
		if n > 1 {
			what = fmt.Sprintf("%d other passages the run read (their documents were deleted or changed since the run)", n)
		}
		parts = append(parts, what)
	}
	switch len(parts) {
	case 0:
		return reason
	case 1:
	default:
		parts = []string{strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]}
	}
	return reason + "; no longer in memory: " + parts[0]
}

// answer numbers the cited sources (the run's numbers where it had them,
// the next numbers after its last where not) and has the answer rendered.
func (f *followUp) answer(ctx workflow.Context) error {
	next := 0
	for _, s := range f.ev.Numbered {
		next = max(next, s.N)
	}
	number := map[string]int{} // lookup only, never iterated
	for _, fd := range f.findings {
		if _, ok := number[fd.SourceID]; ok {
			continue
		}
		if i := slices.IndexFunc(f.ev.Numbered, func(s rf.Source) bool { return s.SourceID == fd.SourceID }); i >= 0 {
			number[fd.SourceID] = f.ev.Numbered[i].N
			f.res.Sources = append(f.res.Sources, f.ev.Numbered[i])
			continue
		}
		i := slices.IndexFunc(f.sources, func(s rf.Source) bool { return s.SourceID == fd.SourceID })
		if i < 0 {
			continue // the activity returns a source for every finding
		}
		next++
		number[fd.SourceID] = next
		s := withPage(f.sources[i], f.pageIndex())
		s.N = next
		f.res.NewSources = append(f.res.NewSources, s)
	}
	for _, fd := range f.findings {
		n, ok := number[fd.SourceID]
		if !ok {
			continue
		}
		f.res.Findings = append(f.res.Findings, rf.FollowUpFinding{Text: fd.Text, N: n, ChunkID: fd.ChunkID, SourceID: fd.SourceID, Score: fd.Score, Support: fd.Support})
	}
	slices.SortStableFunc(f.res.Sources, func(a, b rf.Source) int { return a.N - b.N })
	// A passage the run retrieved but did not cite is evidence, yet its
	// source is new to the reader: the answer is not the run's evidence
	// alone (the result said fromEvidence beside newSources).
	f.res.FromEvidence = f.res.FromEvidence && len(f.res.NewSources) == 0
	sentences, sources := report.FollowUpSentences(f.res.Findings), append(slices.Clone(f.res.Sources), f.res.NewSources...)
	// Rated on the gaps the answer lists: none its own statements answer.
	f.res.Confidence = report.FollowUpConfidence(f.res.Findings, report.FollowUpGaps(sentences, sources, f.res.Gaps), len(f.analyzed))
	f.res.Changed = changedSince(f.res.Sources, f.ev)
	var out RenderFollowUpResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), RenderFollowUpActivity, RenderFollowUpInput{
		Title: f.in.Question, Question: f.in.Question, Sentences: sentences,
		Sources: sources, Gaps: f.res.Gaps, Confidence: f.res.Confidence, Changed: f.res.Changed,
	}).Get(ctx, &out); err != nil {
		return err
	}
	f.res.Answer = out.Markdown
	if out.GapsSet {
		f.res.Gaps = out.Gaps // none its own statements answer
	}
	return nil
}

// changedSince are the sources of cited (numbered by the run) whose
// passages ev says are gone: their documents changed or were deleted since
// the run, so the answer quotes another version than the report (a trial's
// answer cited [1] with a replaced note's new text and did not say so).
// (A deleted document has no passage to cite.)
func changedSince(cited []rf.Source, ev RunEvidence) []rf.Source {
	var out []rf.Source
	for _, s := range cited {
		if slices.ContainsFunc(ev.Gone, func(g GoneSource) bool { return g.N == s.N && !g.Deleted }) {
			out = append(out, rf.Source{N: s.N, SourceID: s.SourceID, Title: s.Title, Location: s.Location})
		}
	}
	return out
}

// pageIndex maps the source IDs of the pages provider searches read to
// their descriptions (lookup only, never iterated).
func (f *followUp) pageIndex() map[string]rf.Source {
	pages := map[string]rf.Source{}
	for _, p := range f.pages {
		pages[p.SourceID] = p
	}
	return pages
}
