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

// Task queues. Each is served by one worker pool; the search pool serves two.
const (
	// TaskQueueWorkflow is where research and ingestion workflows run (the
	// workflow pool).
	TaskQueueWorkflow = "research-workflow"
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

// Query and update names.
const (
	// ProgressQuery returns a Progress for a research run and an IngestResult
	// (Done false while it runs) for an ingestion.
	ProgressQuery = "progress"
	// ApprovePlanUpdate approves (and may edit) the plan of a run started with
	// RequireApproval; its argument is a PlanApproval, its result a Progress.
	ApprovePlanUpdate = "approvePlan"
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
	// SearchAttrFollowUpOf is set on follow-ups (ResearchFollowUpWorkflow),
	// never on runs: a run's thread is the follow-ups that name it.
	SearchAttrFollowUpOf = "ResearchFollowUpOf" // Keyword: the research ID a follow-up asks about
)

// SearchAttributes lists the custom search attributes research runs and
// their follow-ups set; all are Keyword attributes. Workers register them at
// start where missing.
var SearchAttributes = []string{SearchAttrStatus, SearchAttrStage, SearchAttrOwner, SearchAttrCorpus, SearchAttrFollowUpOf}

// Error types of Temporal application errors that retry policies treat as
// final, and that clients may match on.
const (
	// ErrInvalidInput: the input can never succeed (a workflow input that
	// fails Normalize, an activity input that names no folder, …).
	ErrInvalidInput = "InvalidInput"
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

// Event types: the stage transitions of a research run, published as
// CloudEvents 1.0 (https://github.com/cloudevents/spec) on the gateway's
// event streams (SSE and WebSocket, where they are the event names), to the
// webhook and to NATS JetStream (subject EventSubjectPrefix + type). The
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

// EventTypes lists every event type, in the order a run emits them.
var EventTypes = []string{EventPlanReady, EventSearchCompleted, EventAnalysisCompleted, EventChanged, EventReportReady, EventFailed}

// NATS subjects (used when NATS_URL is set).
const (
	// EventSubjectPrefix + an event type is the subject of that event,
	// e.g. "researchflow.events.research.report.ready".
	EventSubjectPrefix = "researchflow.events."
	// ReportSubject carries the finished report itself (Markdown, with the
	// research ID in the Researchflow-Research-Id header).
	ReportSubject = "researchflow.reports"
	// EventStream is the JetStream stream that holds both.
	EventStream = "RESEARCHFLOW"
)
