package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// claimSubQuestion is the ID of a review's one sub-question: the disputed
// claim, retrieved for and analyzed again.
const claimSubQuestion = "c1"

// ResearchClaimReviewWorkflow records a reader's verdict on one claim of a
// finished run's report. A confirmation is recorded as it is. A dispute
// re-checks just that claim: the run's folder is read again (edited notes
// replace their passages, deleted ones leave memory), the run's sources are
// searched again for the claim, the analyst states what the passages found
// say of it, and the claim is kept (a passage still states it), corrected
// (a passage states the same fact differently; its statement replaces the
// claim) or withdrawn (no passage states it). The dispute writes revision
// in.Revision of the report, with a changelog line; the revisions before it
// are results of their own workflows and stay as they are.
func ResearchClaimReviewWorkflow(ctx workflow.Context, in claims.ReviewInput) (claims.Review, error) {
	in, err := in.Normalize()
	if err != nil {
		return claims.Review{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	if err := refuseUnknownField(ctx, in.UnknownField()); err != nil {
		return claims.Review{}, err
	}
	updates := []temporal.SearchAttributeUpdate{followUpOfKey.ValueSet(in.ResearchID)}
	if in.Owner != "" {
		updates = append(updates, ownerKey.ValueSet(in.Owner))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes failed", "error", err)
	}
	r := &review{in: in, res: claims.Review{
		ReviewID: workflow.GetInfo(ctx).WorkflowExecution.ID, ResearchID: in.ResearchID, Revision: in.Revision,
	}}
	return r.run(ctx)
}

// review is one claim's review: its input, the run's evidence, the
// revision the claim is in and what was found.
type review struct {
	in       claims.ReviewInput
	ev       RunEvidence
	base     claims.Revision
	res      claims.Review
	findings []reasoning.Finding
	sources  []rf.Source
	pages    []rf.Source
	// retrieved are the sources the re-check found passages of.
	retrieved []string
}

// readRevisionOptions serve ReadRevision on the workflow pool: it may wait
// for the dispute writing the revision before, so it heartbeats.
func readRevisionOptions() workflow.ActivityOptions {
	o := evidenceOptions()
	o.TaskQueue = rf.TaskQueueWorkflow
	o.StartToCloseTimeout = time.Hour
	o.HeartbeatTimeout = 30 * time.Second
	o.RetryPolicy.NonRetryableErrorTypes = append(o.RetryPolicy.NonRetryableErrorTypes, claims.ErrRevisionNotFound)
	return o
}

func (r *review) run(ctx workflow.Context) (claims.Review, error) {
	baseRev := r.in.Revision
	if r.in.Verdict == claims.VerdictDispute {
		baseRev--
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, readRevisionOptions()), ReadRevisionActivity,
		ReadRevisionInput{ResearchID: r.in.ResearchID, Revision: baseRev}).Get(ctx, &r.base); err != nil {
		return claims.Review{}, err
	}
	i := slices.IndexFunc(r.base.Claims, func(c rf.Claim) bool { return c.ID == r.in.ClaimID })
	if i < 0 {
		return claims.Review{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("claim %s is not in revision %d of %s", r.in.ClaimID, r.base.Revision, r.in.ResearchID), claims.ErrClaimNotFound, nil)
	}
	claim := r.base.Claims[i]
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, evidenceOptions()), RunEvidenceActivity,
		RunEvidenceInput{ResearchID: r.in.ResearchID, Owner: r.in.Owner, Claim: claim.Text}).Get(ctx, &r.ev); err != nil {
		return claims.Review{}, err
	}
	by := r.in.Owner
	if by == "" {
		by = r.ev.Owner
	}
	if by == "" {
		by = rf.LocalOwner
	}
	r.res.Check = claims.Check{ClaimID: claim.ID, Number: i + 1, Text: claim.Text, Verdict: r.in.Verdict,
		Reason: r.in.Reason, By: by, Cites: claim.Cites}
	if r.in.Verdict == claims.VerdictConfirm {
		r.res.Revision = r.base.Revision
		r.res.Check.Outcome = claims.OutcomeConfirmed
		r.res.Check.Change = fmt.Sprintf("Claim %d confirmed by %s.", i+1, by)
		return r.res, nil
	}
	r.res.Check.Cites = nil
	// The claim's sub-question is searched and analyzed again; a claim no
	// finding of the run is alike (a model's rephrasing beyond
	// recognition) is searched for as it is stated.
	sq := reasoning.SubQuestion{ID: claimSubQuestion, Text: claim.Text, Reason: "disputed claim " + claim.ID + " of " + r.in.ResearchID}
	if r.ev.ClaimSubQuestion != nil {
		sq.Text = r.ev.ClaimSubQuestion.Text
	}
	chunks := r.search(ctx, sq)
	if len(chunks) > 0 {
		var app *temporal.ApplicationError
		if err := r.analyze(ctx, sq, chunks); err != nil && !(errors.As(err, &app) && app.Type() == ErrCorpusEmpty) {
			return claims.Review{}, err
		}
	}
	pages := map[string]rf.Source{} // lookup only, never iterated
	for _, p := range r.pages {
		pages[p.SourceID] = p
	}
	sources := make([]rf.Source, len(r.sources))
	for i, s := range r.sources {
		sources[i] = withPage(s, pages)
	}
	var out ReviewClaimResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), ReviewClaimActivity, ReviewClaimInput{
		Base: r.base, Check: r.res.Check, Findings: r.findings, Sources: sources, Revision: r.in.Revision,
		Retrieved: r.retrieved, Sections: r.ev.Sections, Gaps: r.ev.Gaps, RunClaims: r.ev.Claims,
		Stored:    r.ev.CorpusPath == "" && (len(r.ev.Sources) == 0 || slices.Contains(r.ev.Sources, rf.SourceCorpus)),
		RevisedAt: workflow.Now(ctx),
	}).Get(ctx, &out); err != nil {
		return claims.Review{}, err
	}
	r.res.Check, r.res.Report = out.Check, &out.Report
	r.publish(ctx)
	return r.res, nil
}

// search reads the run's folder again (pruning deleted notes) and searches
// the run's sources for the claim; it returns the passages found. A source
// that fails is recorded as a search with its error: the claim is judged
// on what the others found.
func (r *review) search(ctx workflow.Context, sq reasoning.SubQuestion) []string {
	sources := r.ev.Sources
	if len(sources) == 0 {
		sources = []string{rf.SourceCorpus}
	}
	if r.ev.CorpusPath != "" && slices.Contains(sources, rf.SourceCorpus) {
		var prep PrepareCorpusResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, corpusOptions()), PrepareCorpusActivity,
			PrepareCorpusInput{Corpus: r.ev.Corpus, Path: r.ev.CorpusPath, Prune: true}).Get(ctx, &prep); err != nil {
			workflow.GetLogger(ctx).Warn("corpus not refreshed; searching it as it is", "corpus", r.ev.Corpus, "error", err)
		}
	}
	futures := make([]workflow.Future, len(sources))
	for i, s := range sources {
		if s == rf.SourceCorpus {
			futures[i] = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retrieveOptions()), RetrieveActivity, RetrieveInput{
				Corpus: r.ev.Corpus, Question: r.ev.Question, SubQuestion: sq, TopK: r.ev.MaxSources,
			})
			continue
		}
		futures[i] = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, searchSourceOptions()), SearchSourceActivity, SearchSourceInput{
			ResearchID: r.res.ReviewID, Corpus: r.ev.Corpus, Question: r.ev.Question, SubQuestion: sq, Source: s, TopK: r.ev.MaxSources,
		})
	}
	var chunks []string
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
		r.res.Searches = append(r.res.Searches, search)
		r.pages = append(r.pages, res.Sources...)
		for _, id := range res.Retrieved.SourceIDs {
			r.retrieved = appendNew(r.retrieved, id)
		}
		for _, id := range res.Retrieved.ChunkIDs {
			if !slices.Contains(chunks, id) {
				chunks = append(chunks, id)
			}
		}
	}
	return chunks
}

// analyze asks the analyst what chunks state about the claim, charging the
// review with the model calls.
func (r *review) analyze(ctx workflow.Context, sq reasoning.SubQuestion, chunks []string) error {
	var res AnalyzeResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), AnalyzeActivity, AnalyzeInput{
		Question: r.ev.Question, SubQuestion: sq, ChunkIDs: chunks, MaxFindings: MaxFollowUpFindings,
	}).Get(ctx, &res)
	if err != nil {
		if u, ok := UsageFromError(err); ok {
			r.res.Usage = r.res.Usage.Add(u)
		}
		return err
	}
	r.res.Usage = r.res.Usage.Add(res.Analysis.Usage)
	r.res.Engine = res.Analysis.Engine
	r.findings = res.Analysis.Findings
	r.sources = res.Sources
	return nil
}

// publish sends the research.revised event from the notify pool. Events
// inform: one that cannot be published is logged, never a failure.
func (r *review) publish(ctx workflow.Context) {
	ev := rf.Event{
		ID: claims.RevisedEventID(r.res.ReviewID), Type: claims.EventRevised, Time: workflow.Now(ctx),
		Data: rf.EventData{ResearchID: r.in.ResearchID, Question: r.ev.Question, Revision: r.in.Revision,
			ClaimID: r.in.ClaimID, Outcome: r.res.Check.Outcome},
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, publishOptions()), PublishActivity,
		PublishInput{Event: ev, Email: r.ev.Email}).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("event not published", "event", ev.ID, "error", err)
	}
}
