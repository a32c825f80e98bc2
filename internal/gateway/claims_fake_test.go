package gateway

import (
	"context"
	"fmt"
	"slices"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
)

// Claim feedback on the in-memory Runs: reviews are runs of their own that
// stay running; revisions past the first are those a test put in
// memRuns.revisions.

func (f *memRuns) Feedback(ctx context.Context, key string, in claims.ReviewInput) (client.Run, claims.ReviewInput, error) {
	if in.Revision == 0 {
		in.Revision = 2
	}
	in, err := in.Normalize()
	if err != nil {
		return client.Run{}, in, err
	}
	info, err := f.Describe(ctx, in.ResearchID)
	if err != nil {
		return client.Run{}, in, err
	}
	if info.Status != rf.StatusCompleted {
		return client.Run{}, in, fmt.Errorf("run %s is %s: %w", in.ResearchID, info.Status, client.ErrRunNotCompleted)
	}
	rev, err := f.Revision(ctx, in.ResearchID, 1)
	if err != nil {
		return client.Run{}, in, err
	}
	if !slices.ContainsFunc(rev.Claims, func(c rf.Claim) bool { return c.ID == in.ClaimID }) {
		return client.Run{}, in, fmt.Errorf("revision 1 of %s has no claim %s: %w", in.ResearchID, in.ClaimID, client.ErrClaimNotFound)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := claims.ConfirmWorkflowID(in.ResearchID, in.ClaimID, key)
	if in.Verdict == claims.VerdictDispute {
		for n := 2; ; n++ {
			if _, taken := f.wfs[claims.RevisionWorkflowID(in.ResearchID, n)]; !taken {
				id, in.Revision = claims.RevisionWorkflowID(in.ResearchID, n), n
				break
			}
		}
	} else {
		in.Revision = 1
	}
	w, err := f.startLocked(id, claims.WorkflowType, in, in.Owner, "", "")
	if err != nil {
		return client.Run{}, in, err
	}
	w.followUpOf = in.ResearchID
	return client.Run{ID: w.id, RunID: w.runID, Status: rf.StatusRunning}, in, nil
}

func (f *memRuns) Revision(ctx context.Context, researchID string, n int) (claims.Revision, error) {
	if n > 1 {
		f.mu.Lock()
		defer f.mu.Unlock()
		if revs := f.revisions[researchID]; n-2 < len(revs) {
			return revs[n-2], nil
		}
		return claims.Revision{}, fmt.Errorf("revision %d of %s: %w", n, researchID, client.ErrNotFound)
	}
	res, err := f.Result(ctx, researchID)
	if err != nil {
		return claims.Revision{}, err
	}
	return claims.Revision{Revision: 1, Title: res.Title, Report: res.Report, Claims: res.Claims, Sources: res.Sources}, nil
}

func (f *memRuns) LatestRevision(ctx context.Context, researchID string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return 1 + len(f.revisions[researchID]), nil
}

func (f *memRuns) Reviews(ctx context.Context, researchID, owner string) ([]client.Review, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []client.Review{}
	for _, id := range f.order {
		w := f.wfs[id]
		if w.typ == claims.WorkflowType && w.followUpOf == researchID && (owner == "" || w.owner == owner) {
			out = append(out, client.Review{ID: w.id, Status: w.status, Result: w.review, ClosedAt: w.closed})
		}
	}
	return out, nil
}

// writeRevision closes the dispute of run researchID that writes revision
// rev.Revision (started by Feedback, or started now) at closed, with
// outcome, and makes rev that revision of the report.
func (f *memRuns) writeRevision(researchID string, closed time.Time, outcome string, rev claims.Revision) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := claims.RevisionWorkflowID(researchID, rev.Revision)
	w, ok := f.wfs[id]
	if !ok {
		var err error
		if w, err = f.startLocked(id, claims.WorkflowType, claims.ReviewInput{ResearchID: researchID}, "", "", ""); err != nil {
			panic(err)
		}
		w.followUpOf = researchID
	}
	if f.revisions == nil {
		f.revisions = map[string][]claims.Revision{}
	}
	f.revisions[researchID] = append(f.revisions[researchID], rev)
	w.status, w.closed = rf.StatusCompleted, closed
	w.review = &claims.Review{ReviewID: id, ResearchID: researchID, Revision: rev.Revision, Report: &rev,
		Check: claims.Check{Verdict: claims.VerdictDispute, Outcome: outcome}}
}
