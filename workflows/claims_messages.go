package workflows

import (
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// Activity messages of the claim review workflow (ResearchClaimReviewWorkflow).
const (
	// ReadRevisionActivity reads revision N of a run's report
	// (ReadRevisionInput, claims.Revision) on the workflow pool, whose
	// workers hold a Temporal client. Revision 1 is the run's result;
	// revision N ≥ 2 the result of the dispute that wrote it, waited for
	// while it runs (the activity heartbeats); a dispute that failed wrote
	// nothing, so the revision before it is read instead.
	ReadRevisionActivity = "ReadRevision"
	// ReviewClaimActivity judges a disputed claim against the statements
	// found for it and writes the next revision (ReviewClaimInput,
	// ReviewClaimResult) on the inference pool.
	ReviewClaimActivity = "ReviewClaim"
)

// ReadRevisionInput asks for revision Revision of run ResearchID's report.
type ReadRevisionInput struct {
	ResearchID string `json:"researchId"`
	Revision   int    `json:"revision"`
}

// ReviewClaimInput is a disputed claim (Check, its outcome not yet set),
// the revision it is in (Base), the statements the analyst found for it in
// the passages retrieved again (best first) and the sources of those
// statements (Source.N is 0: numbered by the review).
type ReviewClaimInput struct {
	Base     claims.Revision     `json:"base"`
	Check    claims.Check        `json:"check"`
	Findings []reasoning.Finding `json:"findings,omitempty"`
	Sources  []rf.Source         `json:"sources,omitempty"`
	// Revision is the revision to write.
	Revision int `json:"revision"`
	// Retrieved are the sources the re-check retrieved passages of: a
	// withdrawn claim whose source is not among them was withdrawn because
	// its source was not found (deleted), not because it no longer states it.
	Retrieved []string `json:"retrieved,omitempty"`
	// Sections, Gaps and RunClaims are the run's (RunEvidence): the
	// revision's confidence is rated again from them.
	Sections  []reasoning.SectionInput `json:"sections,omitempty"`
	Gaps      []rf.Gap                 `json:"gaps,omitempty"`
	RunClaims []rf.Claim               `json:"runClaims,omitempty"`
	// Stored: the run's corpus was searched as stored, its files not read
	// again (a run started by corpus name has no folder to read): the
	// check says so (claims.Check.Checked).
	Stored bool `json:"stored,omitempty"`
	// RevisedAt is when the review writes the revision (workflow time):
	// its footer says it after the report's generation time. Zero in the
	// activities of reviews recorded before it was sent.
	RevisedAt time.Time `json:"revisedAt,omitzero"`
}

// ReviewClaimResult is the check, with its outcome and changelog line, and
// the revision written.
type ReviewClaimResult struct {
	Check  claims.Check    `json:"check"`
	Report claims.Revision `json:"report"`
}
