package researchflow

// Workflow type names. Part of the public interface: the Temporal CLI starts
// runs by these names (`temporal workflow start --type ResearchWorkflow`).
const (
	// ResearchWorkflowType is the workflow type of a research run; its input
	// is a ResearchInput and its result a ResearchResult.
	ResearchWorkflowType = "ResearchWorkflow"
	// IngestWorkflowType is the workflow type of a corpus ingestion; its
	// input is an IngestInput and its result an IngestResult.
	IngestWorkflowType = "IngestWorkflow"
)

// Task queue of the workflow pool (the activity queues are in workflows).
const (
	// TaskQueueWorkflow is where research and ingestion workflows run (the
	// workflow pool).
	TaskQueueWorkflow = "research-workflow"
)

// Query and update names.
const (
	// ProgressQuery returns a Progress for a research run and an IngestResult
	// (Done false while it runs) for an ingestion.
	ProgressQuery = "progress"
	// ApprovePlanUpdate approves (and may edit) the plan of a run started with
	// RequireApproval; its argument is a PlanApproval, its result a Progress.
	// Its validator refuses an argument without approved (see
	// PlanApproval.Decision): the run goes on waiting.
	ApprovePlanUpdate = "approvePlan"
	// PricePlanUpdate prices an edited plan of a run that waits for
	// ApprovePlanUpdate, without approving it: its argument is a
	// PlanApproval whose SubQuestions are the plan as edited (Approved is
	// not read), its result the Spend the run records if that plan is
	// approved (the same estimator, EstimatePlan, on the same inputs).
	PricePlanUpdate = "pricePlan"
	// RedriveQuery returns the Redrive that starts the next revision of a
	// finished research run (see Redrive); the client runs it.
	RedriveQuery = "redrive"
)

// Search attributes set on every research run, for filtering in the Web UI
// and `temporal workflow list --query`. The comment of each names its type
// (deploy/ registers them with these types; a test keeps them in step).
const (
	SearchAttrStatus = "ResearchStatus" // Keyword: a Status* value
	SearchAttrStage  = "ResearchStage"  // Keyword: a Stage* value
	SearchAttrOwner  = "ResearchOwner"  // Keyword: the owner that started the run (API key owner, or LocalOwner)
	SearchAttrCorpus = "ResearchCorpus" // Keyword: the corpus researched (owner-scoped, see ScopedCorpus)
	// SearchAttrFollowUpOf is set on follow-ups (ResearchFollowUpWorkflow)
	// and claim reviews (ResearchClaimReviewWorkflow), never on runs: a
	// run's thread is the follow-ups that name it, its feedback the reviews.
	SearchAttrFollowUpOf = "ResearchFollowUpOf" // Keyword: the research ID a follow-up asks about
)

// MemoQuestion is the memo field of a research run's question (a string,
// MemoQuestionText). The list of runs (GET /v1/research, the web app's Past
// runs and its search) reads it: the client sets it when it starts a run,
// and a run started without it (`temporal workflow start`) sets it itself.
const MemoQuestion = "question"

// memoQuestionLength bounds the question kept in a memo, in characters.
const memoQuestionLength = 200

// MemoQuestionText is question as a memo keeps it: its first 200
// characters, with "…" when it is longer.
func MemoQuestionText(question string) string {
	if rs := []rune(question); len(rs) > memoQuestionLength {
		return string(rs[:memoQuestionLength]) + "…"
	}
	return question
}

// Event types: the stage transitions of a research run, published as
// CloudEvents 1.0 (https://github.com/cloudevents/spec) on the gateway's
// event streams (SSE and WebSocket, where they are the event names), to the
// webhook and to NATS JetStream (subject "researchflow.events." + type). The
// names follow the CloudEvents convention of a reverse-DNS-like dotted type.
const (
	// EventPlanReady: the plan is made (and approved, when approval is
	// required); data lists how many sub-questions it has.
	EventPlanReady = "research.plan.ready"
	// EventSearchCompleted: every sub-question of a round was searched
	// (one per round; the ID carries the round).
	EventSearchCompleted = "research.search.completed"
	// EventAnalysisCompleted: every searched sub-question of a round was
	// analyzed (one per round; the ID carries the round).
	EventAnalysisCompleted = "research.analysis.completed"
	// EventReportReady: the report is written; the notify pool delivers it.
	EventReportReady = "research.report.ready"
	// EventFailed: the run failed for good; data says why.
	EventFailed = "research.failed"
)
