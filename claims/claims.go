// Package claims is the contract of claim feedback: a reader confirms or
// disputes one claim of a finished run's report, and a dispute re-checks it
// and writes the report's next revision. Its names and types cross Temporal
// history and the HTTP API: the workflow (workflows), the gateway, the
// client and the starter import them from here. It depends on the root
// package only, so an outside program built on the client can name them.
package claims

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	rf "github.com/researchflow/researchflow"
)

// EventRevised is published when a dispute has written a new revision of
// a report; its data names the run, the revision, the claim and the
// outcome (rf.EventData).
const EventRevised = "research.revised"

// Claim feedback: a reader confirms or disputes one claim of a report
// (POST /v1/research/{id}/claims/{claim}/feedback). A dispute re-checks
// just that claim and writes the report's next revision; a confirmation is
// recorded. Each is a workflow of its own, linked to its run by
// rf.SearchAttrFollowUpOf:
//
//	temporal workflow start --task-queue research-workflow --type ResearchClaimReviewWorkflow \
//	  --workflow-id 'research-…-claims-r2' \
//	  --input '{"researchId":"research-…","claimId":"claim-…","verdict":"dispute","revision":2}'
//
// Revision 1 is the run's own report; revision N (2, 3, …) is the result
// of the dispute whose workflow ID is RevisionWorkflowID(run, N). It
// re-checks the claim against revision N-1, waiting for it when it is
// still being written, so disputes revise one after the other.
const (
	// WorkflowType is the workflow type of a claim's review; its
	// input is a ReviewInput and its result a Review.
	WorkflowType = "ResearchClaimReviewWorkflow"
	// ErrClaimNotFound: the claim is not in the revision reviewed.
	ErrClaimNotFound = "ClaimNotFound"
	// ErrRevisionNotFound: the revision a dispute builds on does not exist.
	ErrRevisionNotFound = "RevisionNotFound"
)

// Verdicts of a reader (FeedbackRequest.Verdict).
const (
	VerdictDispute = "dispute"
	VerdictConfirm = "confirm"
)

// maxFeedbackReason bounds a reader's reason, in bytes.
const maxFeedbackReason = 2000

// RevisionWorkflowID is the workflow ID of the dispute that writes
// revision rev (2, 3, …) of the report of run researchID.
func RevisionWorkflowID(researchID string, rev int) string {
	return researchID + "-claims-r" + strconv.Itoa(rev)
}

// RevisedEventID is the stable ID of the research.revised event of the
// review (a workflow ID) that wrote a revision: one per revision.
func RevisedEventID(reviewID string) string { return reviewID + ":" + EventRevised }

// ConfirmWorkflowID is the workflow ID of a confirmation of claim of
// run researchID; the same key is the same confirmation.
func ConfirmWorkflowID(researchID, claim, key string) string {
	return researchID + "-claims-" + claim + "-confirm-" + key
}

// FeedbackRequest is the body of POST
// /v1/research/{id}/claims/{claim}/feedback.
type FeedbackRequest struct {
	Verdict string `json:"verdict"`
	Reason  string `json:"reason,omitempty"`
}

// Input is the normalized ReviewInput of r about claim of run
// researchID at revision rev, given by owner.
func (r FeedbackRequest) Input(researchID, claim, owner string, rev int) (ReviewInput, error) {
	return ReviewInput{ResearchID: researchID, ClaimID: claim, Verdict: r.Verdict, Reason: r.Reason,
		Owner: owner, Revision: rev}.Normalize()
}

// ReviewInput starts a claim's review (ResearchClaimReviewWorkflow).
type ReviewInput struct {
	ResearchID string `json:"researchId"`
	ClaimID    string `json:"claimId"`
	Verdict    string `json:"verdict"`
	Reason     string `json:"reason,omitempty"`
	// Owner is who gives the feedback (set by the HTTP gateway); when set
	// it must be the run's owner.
	Owner string `json:"owner,omitempty"`
	// Revision is, for a dispute, the revision it writes (2 or more; the
	// claim is looked up in Revision-1); for a confirmation, the revision
	// confirmed (1 or more).
	Revision int `json:"revision"`
	// unknownField is the first key of the JSON the input was decoded
	// from that names none of its fields (see rf.DecodeInputJSON).
	unknownField string
}

// UnmarshalJSON decodes in, noting the first unknown key (see
// rf.DecodeInputJSON).
func (in *ReviewInput) UnmarshalJSON(b []byte) error {
	type plain ReviewInput
	return rf.DecodeInput(b, (*plain)(in), &in.unknownField)
}

// UnknownField is the error of the first key of the JSON in was decoded
// from that names no field of ReviewInput (nil when none).
func (in ReviewInput) UnknownField() error { return rf.UnknownFieldError(in.unknownField) }

func inputError(field, format string, a ...any) error {
	return &rf.InputError{Field: field, Message: fmt.Sprintf(format, a...)}
}

// Normalize validates in and trims it. Errors are *rf.InputError values.
func (in ReviewInput) Normalize() (ReviewInput, error) {
	in.ResearchID = strings.TrimSpace(in.ResearchID)
	if in.ResearchID == "" || len(in.ResearchID) > 200 || !utf8.ValidString(in.ResearchID) {
		return in, inputError("researchId", "want the research ID of a finished run (1 to 200 bytes)")
	}
	in.ClaimID = strings.TrimSpace(in.ClaimID)
	if !ValidClaimID(in.ClaimID) {
		return in, inputError("claimId", "want a claim ID of the report (claim- and 12 hex digits, as the JSON report lists them)")
	}
	in.Verdict = strings.ToLower(strings.TrimSpace(in.Verdict))
	if in.Verdict != VerdictDispute && in.Verdict != VerdictConfirm {
		return in, inputError("verdict", "want %q or %q", VerdictDispute, VerdictConfirm)
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if len(in.Reason) > maxFeedbackReason || !utf8.ValidString(in.Reason) {
		return in, inputError("reason", "want at most %d bytes of UTF-8 text", maxFeedbackReason)
	}
	if in.Owner != "" {
		if err := rf.ValidateOwner(in.Owner); err != nil {
			return in, err
		}
	}
	switch {
	case in.Verdict == VerdictDispute && in.Revision < 2:
		return in, inputError("revision", "a dispute writes revision 2 or later (revision 1 is the run's report)")
	case in.Revision < 1:
		return in, inputError("revision", "want the revision confirmed (1 or more)")
	}
	return in, nil
}

// ValidClaimID reports whether id has the shape of a claim ID.
func ValidClaimID(id string) bool {
	if len(id) != len("claim-")+12 || !strings.HasPrefix(id, "claim-") {
		return false
	}
	for _, r := range id[len("claim-"):] {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// Review is what a claim's review returns: the check and, for a
// dispute, the report revision it wrote.
type Review struct {
	ReviewID   string `json:"reviewId"`
	ResearchID string `json:"researchId"`
	Check      Check  `json:"check"`
	// Revision is the revision written (disputes) or confirmed.
	Revision int       `json:"revision"`
	Report   *Revision `json:"report,omitempty"`
	Engine   string    `json:"engine,omitempty"`
	// Usage counts the re-check's model calls.
	Usage    rf.Usage            `json:"usage"`
	Searches []rf.FollowUpSearch `json:"searches,omitempty"`
}

// Outcomes of a claim's review (Check.Outcome).
const (
	// OutcomeKept: a passage still states the claim (Check.Passage).
	OutcomeKept = "kept"
	// OutcomeCorrected: a passage states it differently now; its statement
	// replaces the claim (Check.Correction).
	OutcomeCorrected = "corrected"
	// OutcomeWithdrawn: no passage supports the claim; it leaves the report.
	OutcomeWithdrawn = "withdrawn"
	// OutcomeConfirmed: the reader confirmed it; nothing was re-checked.
	OutcomeConfirmed = "confirmed"
)

// CountOutcomes says what the disputes of some revisions did, one outcome
// each, in the words of a changelog: "1 claim corrected, 2 claims
// withdrawn" (corrected, then withdrawn, then kept; "" for none).
func CountOutcomes(outcomes []string) string {
	var parts []string
	for _, outcome := range []string{OutcomeCorrected, OutcomeWithdrawn, OutcomeKept} {
		n := 0
		for _, o := range outcomes {
			if o == outcome {
				n++
			}
		}
		switch {
		case n == 1:
			parts = append(parts, "1 claim "+outcome)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d claims %s", n, outcome))
		}
	}
	return strings.Join(parts, ", ")
}

// Check is what a review found about one claim of a report.
type Check struct {
	ClaimID string `json:"claimId"`
	// Number is the claim's place in the revision reviewed (1 = its first
	// claim), as the changelog names it.
	Number  int    `json:"number"`
	Text    string `json:"text"`
	Verdict string `json:"verdict"`
	Reason  string `json:"reason,omitempty"`
	// By is the owner who gave the verdict.
	By      string `json:"by,omitempty"`
	Outcome string `json:"outcome"`
	// Correction is the statement that replaces a corrected claim, with
	// its new claim ID; Passage the statement of the passage that keeps or
	// corrects it, ChunkID that passage and Cites its source's number.
	Correction   string `json:"correction,omitempty"`
	CorrectionID string `json:"correctionId,omitempty"`
	Passage      string `json:"passage,omitempty"`
	ChunkID      string `json:"chunkId,omitempty"`
	Cites        []int  `json:"cites,omitempty"`
	// Why says why a withdrawn claim left the report: its cited source was
	// not found in the re-check (deleted, or no longer found), or no longer
	// states it; empty when no source states it.
	Why string `json:"why,omitempty"`
	// Change is the changelog line ("Claim 3 withdrawn: no source states it."),
	// followed by Checked when set.
	Change string `json:"change,omitempty"`
	// Checked says what the re-check read when it is not the files as
	// they are now: a run started by corpus name (no folder) is checked
	// against the stored copy of its documents, with the ingest time of
	// the passage that decided, and how to check files edited since.
	Checked string `json:"checked,omitempty"`
}

// Revision is one revision of a report: its Markdown, claims and numbered
// sources, and the changes of every revision so far (oldest first).
// Revision 1 is the run's own report. Claims is listed also when empty
// (every claim withdrawn); Sources are the sources the revision still
// cites, with the numbers revision 1 gave them (a source first cited by a
// correction gets the next number). Confidence is rated again for each
// revision, as the report states it (empty for revisions written before).
type Revision struct {
	Revision   int         `json:"revision"`
	Title      string      `json:"title"`
	Confidence string      `json:"confidence,omitempty"`
	Report     string      `json:"report"`
	Claims     []rf.Claim  `json:"claims"`
	Sources    []rf.Source `json:"sources"`
	Changelog  []string    `json:"changelog,omitempty"`
	// Gaps are the sub-questions the revision does not answer, as its
	// Gaps section lists them: the run's, and each one whose claims a
	// revision withdrew (empty for revisions written before).
	Gaps []rf.Gap `json:"gaps,omitempty"`
	// GapsSet says Gaps are the revision's gaps, none when empty (its
	// claims answer every gap the revision before listed). Revisions
	// written before it existed leave it unset, and an empty Gaps then
	// means the run's.
	GapsSet bool `json:"gapsSet,omitempty"`
}
