package workflows

import (
	"time"

	"github.com/researchflow/researchflow/activities"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// Names that the Temporal CLI, the HTTP API and the workers share. They are
// part of the public interface: changing one breaks running clients.
const (
	// ResearchWorkflowType is the workflow type name of a research run.
	ResearchWorkflowType = "ResearchWorkflow"

	// TaskQueueWorkflow is where research workflows run (the workflow pool).
	TaskQueueWorkflow = "research-workflow"
	// TaskQueueSearch serves retrieval (the search pool).
	TaskQueueSearch = "research-search"
	// TaskQueueIngest serves corpus preparation and ingestion, also on the
	// search pool but on a queue of its own, so that a large ingestion never
	// queues ahead of the retrievals of running research.
	TaskQueueIngest = "research-ingest"
	// TaskQueueInference serves planning, analysis and writing (the inference
	// pool, meant for GPU nodes or nodes close to the model server).
	TaskQueueInference = "research-inference"
	// TaskQueueNotify serves report delivery (the notify pool).
	TaskQueueNotify = "research-notify"

	// ProgressQuery returns a Progress.
	ProgressQuery = "progress"
	// ApprovePlanUpdate approves (and may edit) the plan of a run started with
	// RequireApproval; its argument is a PlanApproval.
	ApprovePlanUpdate = "approvePlan"

	// Search attributes set on every research run, for filtering in the Web UI
	// and `temporal workflow list --query`.
	SearchAttrStatus = "ResearchStatus" // Keyword: running, awaiting_approval, completed, failed, cancelled
	SearchAttrStage  = "ResearchStage"  // Keyword: see the Stage constants
	SearchAttrOwner  = "ResearchOwner"  // Keyword: the API key owner that started the run
	SearchAttrCorpus = "ResearchCorpus" // Keyword: the corpus researched
)

// Defaults and bounds of ResearchInput.
const (
	DefaultCorpus          = "go-docs"
	DefaultMaxSubQuestions = 4
	MaxSubQuestionsLimit   = 6
	DefaultMaxSources      = 6
	MaxSourcesLimit        = 20
	MaxQuestionLength      = 2000
	// DefaultApprovalTimeout is how long a run with RequireApproval waits.
	DefaultApprovalTimeout = 24 * time.Hour
	DefaultDepth           = 1
	MaxDepthLimit          = 3
	DefaultBreadth         = 2
	MaxBreadthLimit        = 4
)

// Stages of a research run, in order.
const (
	StageCorpus     = "corpus"
	StagePlan       = "plan"
	StageApproval   = "approval"
	StageSearch     = "search"
	StageAnalyze    = "analyze"
	StageReflect    = "reflect"
	StageSynthesize = "synthesize"
	StageNotify     = "notify"
	StageDone       = "done"
)

// Run statuses (SearchAttrStatus and Progress.Status).
const (
	StatusRunning          = "running"
	StatusAwaitingApproval = "awaiting_approval"
	StatusCompleted        = "completed"
	StatusFailed           = "failed"
	StatusCancelled        = "cancelled"
)

// ResearchInput starts a research run. Only Question is required:
//
//	temporal workflow start --task-queue research-workflow --type ResearchWorkflow \
//	  --input '{"question":"What does the Go memory model guarantee?"}'
type ResearchInput struct {
	Question string `json:"question"`
	// MaxSubQuestions bounds the plan (1–6, default 4).
	MaxSubQuestions int `json:"maxSubQuestions,omitempty"`
	// MaxSources is how many passages are retrieved per sub-question (1–20,
	// default 6).
	MaxSources int `json:"maxSources,omitempty"`
	// Corpus names the corpus to research (default "go-docs": the Go
	// documentation of the Go installation on the search workers).
	Corpus string `json:"corpus,omitempty"`
	// CorpusPath, if set, is a folder on the search workers whose .md, .txt
	// and .html files are ingested into Corpus before research (unchanged
	// files are skipped). Corpus defaults to the folder's base name.
	CorpusPath string `json:"corpusPath,omitempty"`
	// Owner is who started the run (set by the HTTP gateway).
	Owner string `json:"owner,omitempty"`
	// RequireApproval makes the run wait after planning until the plan is
	// approved through the ApprovePlanUpdate update.
	RequireApproval bool `json:"requireApproval,omitempty"`
	// ApprovalTimeoutSeconds bounds that wait (default 24 h).
	ApprovalTimeoutSeconds int `json:"approvalTimeoutSeconds,omitempty"`
	// OnApprovalTimeout is "approve" (default) or "cancel".
	OnApprovalTimeout string `json:"onApprovalTimeout,omitempty"`
	// Depth is how many reflection rounds may follow the first analysis:
	// each names the knowledge gaps left and researches follow-up
	// sub-questions (0–3; omitted means 1).
	Depth *int `json:"depth,omitempty"`
	// Breadth bounds the follow-up sub-questions of one round (1–4, default 2).
	Breadth int `json:"breadth,omitempty"`
	// MaxTokens and MaxCostUSD bound what the run may spend on models
	// (0 = no limit). When the budget is spent the run finishes with what it
	// has, writes the report offline, and says so in the report.
	MaxTokens  int     `json:"maxTokens,omitempty"`
	MaxCostUSD float64 `json:"maxCostUsd,omitempty"`
	// Resume carries the state of a run into its continuation
	// (continue-as-new); callers leave it empty.
	Resume *ResearchState `json:"resume,omitempty"`
}

// ResearchState is the state a long run carries across continue-as-new.
type ResearchState struct {
	Progress     Progress                    `json:"progress"`
	SubQuestions []reasoning.SubQuestion     `json:"subQuestions"`
	Retrieved    []activities.RetrieveResult `json:"retrieved"`
	Analyses     []*activities.AnalyzeResult `json:"analyses"`
	Gaps         []Gap                       `json:"gaps,omitempty"`
	Engines      []string                    `json:"engines,omitempty"`
	Round        int                         `json:"round"`
}

// PlanApproval is the argument of the ApprovePlanUpdate update.
type PlanApproval struct {
	// Approved false rejects the plan and cancels the run.
	Approved bool `json:"approved"`
	// SubQuestions, if not empty, replaces the plan's sub-questions (texts).
	SubQuestions []string `json:"subQuestions,omitempty"`
	// By names who approved, for the record.
	By string `json:"by,omitempty"`
}

// Gap is a sub-question the run could not answer, with the reason.
type Gap struct {
	SubQuestion string `json:"subQuestion"`
	Reason      string `json:"reason"`
}

// ResearchResult is what a research run returns.
type ResearchResult struct {
	ResearchID string             `json:"researchId"`
	Question   string             `json:"question"`
	Title      string             `json:"title"`
	Report     string             `json:"report"` // Markdown with [n] citations
	Sources    []reasoning.Source `json:"sources"`
	Gaps       []Gap              `json:"gaps,omitempty"`
	Engine     string             `json:"engine"`
	Usage      reasoning.Usage    `json:"usage"`
	ReportPath string             `json:"reportPath,omitempty"` // where the notify pool stored it
	Corpus     string             `json:"corpus"`
}

// SubQuestion states in Progress.
const (
	SQPending   = "pending"
	SQSearching = "searching"
	SQSearched  = "searched"
	SQAnalyzing = "analyzing"
	SQDone      = "done"
	SQFailed    = "failed"
)

// SubQuestionProgress is the state of one sub-question.
type SubQuestionProgress struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	State    string `json:"state"`
	Passages int    `json:"passages"`
	Findings int    `json:"findings"`
	Error    string `json:"error,omitempty"`
}

// StageTiming records when a stage started and ended (workflow time).
type StageTiming struct {
	Stage     string    `json:"stage"`
	StartedAt time.Time `json:"startedAt"`
	EndedAt   time.Time `json:"endedAt,omitempty"`
}

// Progress is the answer of the ProgressQuery.
type Progress struct {
	ResearchID   string                `json:"researchId"`
	Question     string                `json:"question"`
	Corpus       string                `json:"corpus"`
	Status       string                `json:"status"`
	Stage        string                `json:"stage"`
	SubQuestions []SubQuestionProgress `json:"subQuestions"`
	// Sources counts the distinct sources retrieved so far.
	Sources int `json:"sources"`
	// Passages counts retrieved passages over all sub-questions.
	Passages int             `json:"passages"`
	Engine   string          `json:"engine,omitempty"`
	Usage    reasoning.Usage `json:"usage"`
	// Round is the reflection round (0 for the first pass).
	Round int `json:"round"`
	// Budget says whether the run's model budget is spent.
	BudgetSpent bool          `json:"budgetSpent,omitempty"`
	Timings     []StageTiming `json:"timings"`
	StartedAt   time.Time     `json:"startedAt"`
	UpdatedAt   time.Time     `json:"updatedAt"`
	// Seq grows with every change; clients use it to tell updates apart
	// (the HTTP gateway uses it as the Server-Sent Events ID).
	Seq   int64  `json:"seq"`
	Error string `json:"error,omitempty"`
}

// IngestWorkflowType is the workflow type name of a corpus ingestion. It runs
// on TaskQueueWorkflow; its activities run on the search pool.
const IngestWorkflowType = "IngestWorkflow"

// IngestInput starts an ingestion of a folder into a named corpus.
//
//	temporal workflow start --task-queue research-workflow --type IngestWorkflow \
//	  --input '{"corpus":"notes","path":"/srv/notes"}'
type IngestInput struct {
	Corpus string `json:"corpus"`
	// Path is a folder (or a single file) readable by the search workers.
	Path  string `json:"path"`
	Owner string `json:"owner,omitempty"`
	// Prune makes the corpus mirror the folder: documents of the corpus that
	// are no longer under Path are dropped at the end. Without it, a corpus
	// accumulates what is ingested into it.
	Prune bool `json:"prune,omitempty"`
	// After and Resume carry the cursor and the counts into a continued run;
	// callers leave them empty.
	After  string        `json:"after,omitempty"`
	Resume *IngestResult `json:"resume,omitempty"`
}

// SkippedFile is a file that ingestion could not use, with the reason.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// IngestResult summarizes an ingestion. The same result is the answer of the
// ProgressQuery on an IngestWorkflow while it runs (Done false).
type IngestResult struct {
	Corpus string `json:"corpus"`
	// Total is the number of supported files found (known after the first batch).
	Total int `json:"total"`
	// Files counts supported files seen so far; Unchanged of them were
	// already in memory with the same content and cost nothing.
	Files     int `json:"files"`
	Unchanged int `json:"unchanged"`
	Chunks    int `json:"chunks"` // chunks written
	// Removed counts chunks of documents no longer in the folder, dropped.
	Removed  int           `json:"removed,omitempty"`
	Skipped  []SkippedFile `json:"skipped,omitempty"`
	Duration time.Duration `json:"duration"`
	Done     bool          `json:"done"`
}
