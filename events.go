package researchflow

import (
	"time"
)

// Event is one stage transition of a research run. The workflow appends it
// to its state (Progress.Events, so the progress query returns every
// event of the run) and the notify pool publishes it. Delivery adapters turn
// it into a CloudEvents 1.0 event: ID is the CloudEvents id, Type its type,
// "/researchflow/research/<ResearchID>" its source, Time its time and Data its data.
type Event struct {
	// ID is stable ("<research ID>:<type>", plus ":<round>" for the
	// events of a round): a consumer that sees it twice has seen
	// the same event twice.
	ID   string `json:"id"`
	Type string `json:"type"`
	// Seq is the run's Progress.Seq at which the event happened: events and
	// progress snapshots share one ordering, so a stream resumed after Seq
	// n delivers exactly the events with Seq > n.
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	Data EventData `json:"data"`
}

// EventData is the payload of an Event; fields that do not apply to its type
// are omitted.
type EventData struct {
	ResearchID string `json:"researchId"`
	Question   string `json:"question,omitempty"`
	// Round is the reflection round (0 for the first pass).
	Round int `json:"round"`
	// SubQuestions counts the sub-questions concerned: planned (plan.ready),
	// searched with passages (search.completed), answered
	// (analysis.completed).
	SubQuestions int `json:"subQuestions,omitempty"`
	// Passages and Findings count what the round retrieved and found.
	Passages int `json:"passages,omitempty"`
	Findings int `json:"findings,omitempty"`
	// Gaps counts the sub-questions left unanswered so far.
	Gaps int `json:"gaps,omitempty"`
	// Title of the report (report.ready).
	Title string `json:"title,omitempty"`
	// Error says why the run failed (failed).
	Error string `json:"error,omitempty"`
	// Changes summarizes what changed since the previous run of the
	// run's schedule (research.changed).
	Changes *ChangeSummary `json:"changes,omitempty"`
	// FollowUpID is the follow-up answered (research.followup.answered).
	FollowUpID string `json:"followUpId,omitempty"`
	// Revision, ClaimID and Outcome describe a report revision written by
	// a claim's review (research.revised).
	Revision int    `json:"revision,omitempty"`
	ClaimID  string `json:"claimId,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
	// BudgetPause says why the run paused (research.budget.exhausted; see
	// Progress.BudgetPause).
	BudgetPause *Spend `json:"budgetPause,omitempty"`
}
