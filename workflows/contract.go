package workflows

import (
	"strconv"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/changes"
)

// Names and values the workflows and their activities share, moved here
// from the root package: callers of a run never need them (they read
// progress, audits and results through the root package's types), but the
// activities and the worker pools do. The strings are stable: they cross
// Temporal history and appear in failures and audits.

// Activity task queues. Each is served by one worker pool; the search pool
// serves two. Runs are started on researchflow.TaskQueueWorkflow.
const (
	// TaskQueueSearch serves retrieval (the search pool).
	TaskQueueSearch = "research-search"
	// TaskQueueIngest serves corpus preparation and ingestion, also on the
	// search pool but on a queue of its own, so that a large ingestion never
	// queues ahead of the retrievals of running research.
	TaskQueueIngest = "research-ingest"
	// TaskQueueInference serves planning, analysis, reflection and writing
	// (the inference pool, meant for GPU nodes or nodes next to the model
	// server).
	TaskQueueInference = "research-inference"
	// TaskQueueNotify serves report delivery (the notify pool).
	TaskQueueNotify = "research-notify"
)

// Error types of Temporal application errors that retry policies treat as
// final, and that clients may match on.
const (
	// ErrInvalidInput: the input can never succeed (a workflow input that
	// fails Normalize, an activity input that names no folder, …).
	ErrInvalidInput = "InvalidInput"
	// ErrRunNotFinished: the run a follow-up asks about has not completed
	// (or is not a research run this owner may read).
	ErrRunNotFinished = "RunNotFinished"
	// ErrCorpusNotFound: the corpus does not exist and nothing can build it.
	ErrCorpusNotFound = "CorpusNotFound"
	// ErrCorpusEmpty: the corpus exists but holds no chunk.
	ErrCorpusEmpty = "CorpusEmpty"
	// ErrPlanRejected: the approver rejected the plan.
	ErrPlanRejected = "PlanRejected"
	// ErrApprovalTimeout: the plan was not approved in time and the run was
	// started with OnApprovalTimeout "cancel".
	ErrApprovalTimeout = "ApprovalTimeout"
	// ErrEmptyPlan: the planner returned no sub-question.
	ErrEmptyPlan = "EmptyPlan"
	// ErrSourceNotConfigured: the run asks a source that no search worker
	// is configured for (its URL or API key is not set).
	ErrSourceNotConfigured = "SourceNotConfigured"
)

// Decision kinds (rf.Decision.Kind, in the audit).
const (
	// DecisionGap: a sub-question was left unanswered (Detail says why).
	DecisionGap = "gap"
	// DecisionFollowUp: reflection added a sub-question (Detail: its reason).
	DecisionFollowUp = "follow-up"
	// DecisionReflectionSkipped: reflection failed; the report was written
	// with what the run had.
	DecisionReflectionSkipped = "reflection-skipped"
	// DecisionBudgetStop: the model budget was spent; the run stopped
	// researching and wrote offline.
	DecisionBudgetStop = "budget-stop"
	// DecisionApproval: the plan was approved, edited, or approved by
	// timeout (Detail carries the estimate it was approved with).
	DecisionApproval = "approval"
	// DecisionBudgetPause: the next step would exceed the budget; the run
	// paused in awaiting_budget.
	DecisionBudgetPause = "budget-pause"
	// DecisionBudgetExtended: the extendBudget update set new limits.
	DecisionBudgetExtended = "budget-extended"
	// DecisionFinishNow: the run finished with what it had (the finishNow
	// update, or a budget pause that timed out).
	DecisionFinishNow = "finish-now"
)

// CompareRunsActivity looks up the previous completed run of a schedule and
// compares a run's Snapshot with it (CompareRunsInput → Changes). It runs on
// the workflow pool, whose workers hold a Temporal client.
const CompareRunsActivity = "CompareRuns"

// DecisionWhatChanged: the run compared itself with the previous run of its
// schedule (Detail: the summary).
const DecisionWhatChanged = "what-changed"

// CompareRunsInput asks for what changed since the previous completed run
// of schedule ScheduleID, for run ResearchID (never its own previous run).
type CompareRunsInput struct {
	ScheduleID string `json:"scheduleId"`
	ResearchID string `json:"researchId"`
	// FirstRunID is the run's first Temporal run ID: two runs a schedule
	// starts within one second share a workflow ID.
	FirstRunID string           `json:"firstRunId"`
	Snapshot   changes.Snapshot `json:"snapshot"`
}

// MaxUnread bounds the unread pages one search reports (and what progress
// and the audit show of them).
const MaxUnread = 10

// Reasons a result page was not read (rf.UnreadPage.Reason).
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

// FollowUpEventID is the stable ID of the answered event of follow-up
// followUpID (a workflow ID): one per follow-up.
func FollowUpEventID(followUpID string) string { return followUpID + ":" + rf.EventFollowUpAnswered }

// Limits of a follow-up.
const (
	// MaxEvidencePassages bounds the run's passages a follow-up reads (the
	// run's cited passages first, then the other retrieved ones).
	MaxEvidencePassages = 60
	// MaxFollowUpFindings bounds the statements of an answer.
	MaxFollowUpFindings = 5
)

// EventID is the stable ID of the event of type typ of run researchID:
// "<research ID>:<type>" for events that happen once per run, and
// "<research ID>:<type>:<round>" for search.completed and
// analysis.completed, which happen once per round, and
// "<research ID>:<type>:<n>" for the run's n-th research.budget.exhausted. The same run makes the
// same IDs when its workflow is replayed or an activity retried, which is
// what consumers deduplicate on (JetStream's Nats-Msg-Id, the webhook-id).
func EventID(researchID, typ string, round int) string {
	id := researchID + ":" + typ
	if typ == rf.EventSearchCompleted || typ == rf.EventAnalysisCompleted || typ == rf.EventBudgetExhausted {
		id += ":" + strconv.Itoa(round)
	}
	return id
}
