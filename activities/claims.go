package activities

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"

	rf "github.com/researchflow/researchflow"
	rfclaims "github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/workflows"
)

// ReadRevision reads revision in.Revision of a run's report: revision 1
// from the run's result, a later one from the result of the dispute that
// wrote it (rfclaims.RevisionWorkflowID), waiting while it runs. A dispute
// that failed wrote no revision: the one before it is read instead. A
// revision that was never started is a non-retryable rfclaims.ErrRevisionNotFound.
func (a *Runs) ReadRevision(ctx context.Context, in workflows.ReadRevisionInput) (rfclaims.Revision, error) {
	defer keepAlive(ctx)()
	for rev := in.Revision; rev >= 1; rev-- {
		if rev == 1 {
			var res rf.ResearchResult
			if err := a.Temporal.GetWorkflow(ctx, in.ResearchID, "").Get(ctx, &res); err != nil {
				return rfclaims.Revision{}, revisionError(in.ResearchID, 1, err)
			}
			return rfclaims.Revision{Revision: 1, Title: res.Title, Confidence: res.Confidence, Report: res.Report,
				Claims: res.Claims, Sources: res.Sources, Gaps: res.Gaps}, nil
		}
		var rv rfclaims.Review
		err := a.Temporal.GetWorkflow(ctx, rfclaims.RevisionWorkflowID(in.ResearchID, rev), "").Get(ctx, &rv)
		var notFound *serviceerror.NotFound
		switch {
		case err == nil && rv.Report != nil && rv.Report.Gaps == nil && !rv.Report.GapsSet:
			// Written before revisions kept their gaps: the run's, which
			// its Gaps section lists.
			var res rf.ResearchResult
			if err := a.Temporal.GetWorkflow(ctx, in.ResearchID, "").Get(ctx, &res); err != nil {
				return rfclaims.Revision{}, revisionError(in.ResearchID, 1, err)
			}
			out := *rv.Report
			out.Gaps = res.Gaps
			return out, nil
		case err == nil && rv.Report != nil:
			return *rv.Report, nil
		case errors.As(err, &notFound):
			return rfclaims.Revision{}, invalid(rfclaims.ErrRevisionNotFound, fmt.Sprintf("revision %d of %s was never written", rev, in.ResearchID))
		case ctx.Err() != nil:
			return rfclaims.Revision{}, fmt.Errorf("read revision %d of %s: %w", rev, in.ResearchID, ctx.Err())
		}
		// The dispute failed (or wrote nothing): read the revision before.
		activity.GetLogger(ctx).Warn("revision not written; reading the one before", "research", in.ResearchID, "revision", rev, "error", err)
	}
	return rfclaims.Revision{}, invalid(rfclaims.ErrRevisionNotFound, fmt.Sprintf("no revision %d of %s", in.Revision, in.ResearchID))
}

func revisionError(id string, rev int, err error) error {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return invalid(rfclaims.ErrRevisionNotFound, fmt.Sprintf("no research run %s", id))
	}
	return fmt.Errorf("read revision %d of %s: %w", rev, id, err)
}

// ReviewClaim judges a disputed claim against the statements the analyst
// found for it (report.Judge) and writes the report's next revision
// (report.Revise). The statement that corrects a claim cites its source by
// the report's number; a source the report does not list yet gets the next
// number. No citation outside the report's numbered list is ever written.
func (a *Inference) ReviewClaim(ctx context.Context, in workflows.ReviewClaimInput) (workflows.ReviewClaimResult, error) {
	found := make([]report.Statement, len(in.Findings))
	for i, f := range in.Findings {
		found[i] = report.Statement{Text: f.Text, ChunkID: f.ChunkID, SourceID: f.SourceID}
	}
	check := in.Check
	outcome, best := report.Judge(check.Text, found)
	check.Outcome = outcome
	var added *rf.Source
	if best >= 0 {
		f := in.Findings[best]
		check.Passage, check.ChunkID = f.Text, f.ChunkID
		n := 0
		for _, s := range in.Base.Sources {
			if s.SourceID == f.SourceID {
				n = s.N
			}
		}
		if n == 0 {
			i := slices.IndexFunc(in.Sources, func(s rf.Source) bool { return s.SourceID == f.SourceID })
			if i < 0 {
				return workflows.ReviewClaimResult{}, invalid(workflows.ErrInvalidInput, fmt.Sprintf("the statement of chunk %s has no source", f.ChunkID))
			}
			for _, s := range in.Base.Sources {
				n = max(n, s.N)
			}
			n++
			s := in.Sources[i]
			s.N = n
			added = &s
		}
		check.Cites = []int{n}
		if outcome == rfclaims.OutcomeCorrected {
			check.Correction = f.Text
			// The ID of the claim as the revision lists it (report.ClaimText).
			check.CorrectionID = report.ClaimID(report.ClaimText(f.Text))
		} else {
			added = nil // a kept claim's text and sources stay as they are
		}
	}
	if outcome == rfclaims.OutcomeWithdrawn {
		check.Why = withdrawnWhy(in)
	}
	check.Change = report.ChangeLine(check)
	next, err := report.Revise(in.Base, in.Revision, check, added)
	if err != nil {
		return workflows.ReviewClaimResult{}, invalid(workflows.ErrInvalidInput, err.Error())
	}
	// The revision's changelog line says more than the check's when the
	// correction merged into another claim.
	if n := len(next.Changelog); n > 0 {
		check.Change = strings.TrimPrefix(next.Changelog[n-1], fmt.Sprintf("Revision %d: ", in.Revision))
	}
	if len(in.Sections) > 0 {
		// Rated again as the run's report was (a revision written for a
		// run recorded before the run's sections were read keeps its
		// confidence).
		next.Confidence = report.DisputedConfidence(next.Report, report.RevisedConfidence(in.Sections, in.Gaps, in.RunClaims, next.Claims))
		next.Report = report.StateConfidence(next.Report, next.Confidence)
		if outcome == rfclaims.OutcomeWithdrawn {
			// A sub-question left with no claim is a gap of the
			// revision, as it counts unanswered in its confidence.
			why := check.Why
			if why == "" {
				why = report.NoSourceStates
			}
			added := report.WithdrawnGaps(in.Sections, in.RunClaims, next.Claims, next.Gaps, report.ClaimWithdrawn(in.Revision, why))
			next.Gaps = append(next.Gaps, added...)
			next.Report = report.AddGaps(next.Report, added)
		}
	}
	// A gap the revision's own claims answer is no gap, as in the run's
	// report (report.OpenGaps): a sub-question whose withdrawn claim
	// another claim still answers, a gap a correction answers.
	next.Report, next.Gaps = report.OpenRevisionGaps(next.Report, next.Claims, next.Sources, next.Gaps)
	next.GapsSet = true
	if in.Stored {
		check.Checked = report.CheckedStored(a.ingestedAt(ctx, check.ChunkID))
		check.Change += " " + check.Checked
	}
	// The footer keeps when the report was generated and says when this
	// revision was written (the workflow's time; an activity of a review
	// started before it was sent reads its own).
	revised := in.RevisedAt
	if revised.IsZero() {
		revised = time.Now()
	}
	next.Report = report.StampRevised(next.Report, revised)
	return workflows.ReviewClaimResult{Check: check, Report: next}, nil
}

// ingestedAt is when the passage chunkID was ingested; zero when there is
// none or memory cannot say (the check's message then names no time).
func (a *Inference) ingestedAt(ctx context.Context, chunkID string) time.Time {
	if chunkID == "" || a.Chunks == nil {
		return time.Time{}
	}
	chunks, err := a.Chunks.Get(ctx, []string{chunkID})
	if err != nil || len(chunks) == 0 {
		return time.Time{}
	}
	return chunks[0].IngestedAt
}

// withdrawnWhy says why the disputed claim of in is withdrawn: the
// sources it cites were not found in the re-check (a deleted note), or
// were found and no longer state it; "" when it cites none of the base's
// sources (report.Revise then says that no source states it).
func withdrawnWhy(in workflows.ReviewClaimInput) string {
	i := slices.IndexFunc(in.Base.Claims, func(c rf.Claim) bool { return c.ID == in.Check.ClaimID })
	if i < 0 {
		return ""
	}
	var names []string
	found := false
	for _, n := range in.Base.Claims[i].Cites {
		for _, s := range in.Base.Sources {
			if s.N != n {
				continue
			}
			names = append(names, report.SourceName(s.Title, s.Location, cmp.Or(s.URL, s.Link)))
			found = found || slices.Contains(in.Retrieved, s.SourceID)
		}
	}
	switch {
	case len(names) == 0:
		return ""
	case found:
		return report.SourceNoLongerStates(strings.Join(names, ", "))
	}
	return report.SourceNotFound(strings.Join(names, ", "), "this re-check")
}
