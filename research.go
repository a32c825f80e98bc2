package researchflow

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits and defaults of a research request. Lengths are counted in
// characters (Unicode code points), never bytes: a 700-character Chinese
// question (2,100 bytes of UTF-8) is as long as a 700-character English one.
const (
	// minQuestionLength and maxQuestionLength bound the question, in
	// characters, after surrounding white space is trimmed.
	minQuestionLength = 3
	maxQuestionLength = 2000

	defaultMaxSubQuestions = 4
	MaxSubQuestionsLimit   = 6
	// DefaultMaxSources is 18 passages a sub-question: retrieval's first
	// six are read as evidence by the usual rules, the rest for sentences
	// that cover most of the topic (measured 2026-12-06 with the offline
	// engine, 6 against 18: tune-half nugget recall 0.750 → 0.767, probe
	// sets 0.752 → 0.812 with 66 of 77 unanswerable probes abstained
	// either way; 6 until then; see the README's Evaluation).
	DefaultMaxSources = 18
	maxSourcesLimit   = 20
	defaultDepth      = 1
	MaxDepthLimit     = 3
	defaultBreadth    = 2
	MaxBreadthLimit   = 4

	// DefaultCorpus is the Go documentation of the Go installation on the
	// search workers. It is public: every owner reads the same one.
	DefaultCorpus = "go-docs"

	// defaultApprovalTimeout is how long a run with RequireApproval waits
	// for the ApprovePlanUpdate; maxApprovalTimeoutSeconds bounds the wait a
	// request may ask for (30 days).
	defaultApprovalTimeout    = 24 * time.Hour
	maxApprovalTimeoutSeconds = 30 * 24 * 3600

	// maxCostUSDLimit bounds MaxCostUSD (a typo guard, not a policy).
	maxCostUSDLimit = 1e6
)

// Values of ResearchInput.OnApprovalTimeout.
const (
	OnTimeoutApprove = "approve"
	OnTimeoutCancel  = "cancel"
)

// ResearchInput starts a research run. Only Question is required:
//
//	temporal workflow start --task-queue research-workflow --type ResearchWorkflow \
//	  --input '{"question":"What does the Go memory model guarantee?"}'
//
// The HTTP gateway, the starter and the workflow all call Normalize, so a
// request one of them accepts is accepted by the others.
type ResearchInput struct {
	// Question is the research question (minQuestionLength to
	// maxQuestionLength characters, any language, with at least one letter
	// or digit).
	Question string `json:"question"`
	// MaxSubQuestions bounds the plan (1–6, default 4).
	MaxSubQuestions int `json:"maxSubQuestions,omitempty"`
	// MaxSources is how many passages are retrieved per sub-question (1–20,
	// default 18).
	MaxSources int `json:"maxSources,omitempty"`
	// Corpus names the corpus to research (default "go-docs"). It is either
	// a corpus name (see ValidateCorpusName) or an owner-scoped name
	// (ScopedCorpus), as the HTTP gateway sets it.
	Corpus string `json:"corpus,omitempty"`
	// CorpusPath, if set, is an absolute folder (or file) on the search
	// workers whose documents (internal/doctypes) are ingested into Corpus
	// before research (unchanged files are skipped). Corpus defaults to a
	// name made from the folder's base name.
	CorpusPath string `json:"corpusPath,omitempty"`
	// Owner is who started the run (set by the HTTP gateway; see
	// ValidateOwner).
	Owner string `json:"owner,omitempty"`
	// RequireApproval makes the run wait after planning until the plan is
	// approved through the ApprovePlanUpdate update.
	RequireApproval bool `json:"requireApproval,omitempty"`
	// ApprovalTimeoutSeconds bounds that wait (0 = defaultApprovalTimeout;
	// at most maxApprovalTimeoutSeconds). Needs RequireApproval.
	ApprovalTimeoutSeconds int `json:"approvalTimeoutSeconds,omitempty"`
	// OnApprovalTimeout is "approve" (default) or "cancel". Needs
	// RequireApproval.
	OnApprovalTimeout string `json:"onApprovalTimeout,omitempty"`
	// Depth is how many reflection rounds may follow the first analysis:
	// each names the knowledge gaps left and researches follow-up
	// sub-questions (0–3; omitted means 1).
	Depth *int `json:"depth,omitempty"`
	// Breadth bounds the follow-up sub-questions of one round (1–4, default 2).
	Breadth int `json:"breadth,omitempty"`
	// MaxTokens and MaxCostUSD bound what the run may spend on models
	// (0 = no limit; MaxCostUSD in US dollars, at most maxCostUSDLimit).
	// When the next model step would exceed the budget the run pauses in
	// StatusAwaitingBudget until the extendBudget or finishNow update
	// (runs started before pauses existed finish with what they have).
	MaxTokens  int     `json:"maxTokens,omitempty"`
	MaxCostUSD float64 `json:"maxCostUsd,omitempty"`
	// BudgetTimeoutSeconds bounds a budget pause (0 = 24 hours; at most 30
	// days); then the run finishes now.
	BudgetTimeoutSeconds int `json:"budgetTimeoutSeconds,omitempty"`
	// Sources names where the run looks (see KnownSources): "corpus" is
	// the memory search of Corpus, the others are search providers whose
	// pages are fetched and read. Repeats are dropped; empty means
	// defaultSources (["corpus"]).
	Sources []string `json:"sources,omitempty"`
	// RedriveOf, set by a redrive (see Redrive), is the research ID of the
	// first revision of the report this run revises.
	RedriveOf string `json:"redriveOf,omitempty"`
	// Notify asks for notifications of this run beyond the operator's
	// (optional; see NotifyTargets).
	Notify *NotifyTargets `json:"notify,omitempty"`
	// Schedule, set by a schedule on the runs it starts, names it: the run
	// reports what changed since the schedule's previous completed run and
	// notifies as the schedule says (see ScheduleRef, Changes).
	Schedule *ScheduleRef `json:"schedule,omitempty"`
	// Resume carries the saved state of a run into its continuation
	// (continue-as-new) or its redrive (see Redrive). It is opaque: the
	// workflows package writes and reads it; callers leave it empty, or
	// pass on the one a Redrive gives them.
	Resume json.RawMessage `json:"resume,omitempty"`
	// unknownField is the first key of the JSON the input was decoded
	// from that names none of its fields (see DecodeInputJSON).
	unknownField string
}

// InputError is a request that Normalize refused. Field names the JSON field
// at fault; Message says what is wanted, in words a caller can act on.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Message }

func inputError(field, format string, a ...any) error {
	return &InputError{Field: field, Message: fmt.Sprintf(format, a...)}
}

// Normalize validates in and fills its defaults. It is idempotent: a
// normalized input normalizes to itself. Errors are *InputError values.
func (in ResearchInput) Normalize() (ResearchInput, error) {
	q, err := normalizeQuestion("question", in.Question)
	if err != nil {
		return in, err
	}
	in.Question = q
	switch {
	case in.MaxSubQuestions < 0 || in.MaxSubQuestions > MaxSubQuestionsLimit:
		return in, inputError("maxSubQuestions", "want 1 to %d (0 means %d)", MaxSubQuestionsLimit, defaultMaxSubQuestions)
	case in.MaxSources < 0 || in.MaxSources > maxSourcesLimit:
		return in, inputError("maxSources", "want 1 to %d (0 means %d)", maxSourcesLimit, DefaultMaxSources)
	case in.Depth != nil && (*in.Depth < 0 || *in.Depth > MaxDepthLimit):
		return in, inputError("depth", "want 0 to %d", MaxDepthLimit)
	case in.Breadth < 0 || in.Breadth > MaxBreadthLimit:
		return in, inputError("breadth", "want 1 to %d (0 means %d)", MaxBreadthLimit, defaultBreadth)
	case in.MaxTokens < 0:
		return in, inputError("maxTokens", "want 0 (no limit) or a positive number of tokens")
	case in.MaxCostUSD < 0 || in.MaxCostUSD > maxCostUSDLimit || math.IsNaN(in.MaxCostUSD):
		return in, inputError("maxCostUsd", "want 0 (no limit) or a positive amount of US dollars up to %.0f", float64(maxCostUSDLimit))
	case in.ApprovalTimeoutSeconds < 0 || in.ApprovalTimeoutSeconds > maxApprovalTimeoutSeconds:
		return in, inputError("approvalTimeoutSeconds", "want 0 to %d seconds", maxApprovalTimeoutSeconds)
	case in.BudgetTimeoutSeconds < 0 || in.BudgetTimeoutSeconds > maxApprovalTimeoutSeconds:
		return in, inputError("budgetTimeoutSeconds", "want 0 to %d seconds", maxApprovalTimeoutSeconds)
	}
	switch in.OnApprovalTimeout {
	case "", OnTimeoutApprove, OnTimeoutCancel:
	default:
		return in, inputError("onApprovalTimeout", "want %q or %q, not %q", OnTimeoutApprove, OnTimeoutCancel, in.OnApprovalTimeout)
	}
	// Named as sent: onApprovalTimeout alone was reported as
	// approvalTimeoutSeconds.
	switch {
	case !in.RequireApproval && in.ApprovalTimeoutSeconds != 0:
		return in, inputError("approvalTimeoutSeconds", "needs requireApproval: true (only a run that waits for approval has an approval deadline)")
	case !in.RequireApproval && in.OnApprovalTimeout != "":
		return in, inputError("onApprovalTimeout", "needs requireApproval: true (only a run that waits for approval has an approval deadline)")
	}
	if in.OnApprovalTimeout == "" && in.RequireApproval {
		in.OnApprovalTimeout = OnTimeoutApprove
	}
	if in.Owner != "" {
		if err := ValidateOwner(in.Owner); err != nil {
			return in, err
		}
	}
	if in.Depth == nil {
		d := defaultDepth
		in.Depth = &d
	}
	if in.Breadth == 0 {
		in.Breadth = defaultBreadth
	}
	if in.MaxSubQuestions == 0 {
		in.MaxSubQuestions = defaultMaxSubQuestions
	}
	if in.MaxSources == 0 {
		in.MaxSources = DefaultMaxSources
	}
	in.CorpusPath = strings.TrimSpace(in.CorpusPath)
	if in.CorpusPath != "" && !filepath.IsAbs(in.CorpusPath) {
		return in, inputError("corpusPath", "%q must be an absolute path on the search workers", in.CorpusPath)
	}
	in.Corpus = strings.TrimSpace(in.Corpus)
	if in.Corpus == "" && in.CorpusPath != "" {
		in.Corpus = corpusNameFromPath(in.CorpusPath)
	}
	if in.Corpus == "" {
		in.Corpus = DefaultCorpus
	}
	if err := validateCorpusRef(in.Corpus); err != nil {
		return in, err
	}
	if in.Sources, err = normalizeSources(in.Sources); err != nil {
		return in, err
	}
	if in.Schedule, err = in.Schedule.Normalize(); err != nil {
		return in, err
	}
	if in.Notify != nil {
		n, err := in.Notify.Normalize()
		if err != nil {
			return in, err
		}
		in.Notify = n
	}
	return in, nil
}

// normalizeQuestion trims q and checks its encoding and length, and that it
// has a word (see hasWord).
func normalizeQuestion(field, q string) (string, error) {
	if !utf8.ValidString(q) {
		return q, inputError(field, "not valid UTF-8")
	}
	q = strings.TrimSpace(q)
	n := utf8.RuneCountInString(q)
	if n < minQuestionLength || n > maxQuestionLength {
		return q, inputError(field, "want %d to %d characters, got %d", minQuestionLength, maxQuestionLength, n)
	}
	if r, bad := controlCharacter(q); bad {
		return q, inputError(field, "contains the control character %U", r)
	}
	if !hasWord(q) {
		return q, inputError(field, "%s", noWordMessage)
	}
	return q, nil
}

// controlCharacter returns the first control character of s other than
// line breaks and tabs, and whether there is one.
func controlCharacter(s string) (rune, bool) {
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return r, true
		}
	}
	return 0, false
}

// noWordMessage is the error of a question without a letter or digit.
const noWordMessage = "has no letter or digit: ask a question in words (punctuation, emoji and invisible characters alone say nothing to research)"

// hasWord reports whether s holds at least one letter or digit, in any
// script. Punctuation, symbols, emoji, spaces and format characters such
// as zero-width spaces (U+200B) are not words: a question made only of
// them has nothing to plan, search or answer.
func hasWord(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) })
}

// ApprovalTimeout is how long the run waits for approval.
func (in ResearchInput) ApprovalTimeout() time.Duration {
	if in.ApprovalTimeoutSeconds > 0 {
		return time.Duration(in.ApprovalTimeoutSeconds) * time.Second
	}
	return defaultApprovalTimeout
}

// BudgetTimeout is how long a budget pause waits.
func (in ResearchInput) BudgetTimeout() time.Duration {
	if in.BudgetTimeoutSeconds > 0 {
		return time.Duration(in.BudgetTimeoutSeconds) * time.Second
	}
	return defaultBudgetTimeout
}

// Budget is the run's model budget.
func (in ResearchInput) Budget() Budget {
	return Budget{MaxTokens: in.MaxTokens, MaxCostUSD: in.MaxCostUSD}
}

// PlanApproval is the argument of the ApprovePlanUpdate update.
type PlanApproval struct {
	// Approved is required: true goes on with the plan, false rejects it
	// and cancels the run. An approval without it (`{}`, or only
	// subQuestions) is refused (see Decision), never read as a rejection:
	// a rejected run cannot be resumed. PricePlanUpdate does not read it.
	Approved *bool `json:"approved"`
	// SubQuestions, if not empty, replaces the plan's sub-questions (texts;
	// at most MaxSubQuestionsLimit, each 1 to maxQuestionLength characters).
	SubQuestions []string `json:"subQuestions,omitempty"`
	// By names who approved, for the record (the HTTP gateway sets it from
	// the API key).
	By string `json:"by,omitempty"`
	// unknownField is the first key of the JSON the approval was decoded
	// from that names none of its fields (see DecodeInputJSON).
	unknownField string
}

// UnmarshalJSON decodes a, noting the first unknown key (see
// DecodeInputJSON): `temporal workflow update execute --name approvePlan`
// with "subQuestion" for "subQuestions" is refused, not approved as
// planned.
func (a *PlanApproval) UnmarshalJSON(b []byte) error {
	type plain PlanApproval
	return DecodeInput(b, (*plain)(a), &a.unknownField)
}

// UnknownField is the error of the first key of the JSON a was decoded
// from that names no field of PlanApproval (nil when none).
func (a PlanApproval) UnknownField() error { return UnknownFieldError(a.unknownField) }

// Decision is what a says of the plan: approved (true) or rejected
// (false). An approval that does not say is an *InputError on "approved":
// the HTTP gateway answers 400 and the workflow's validator refuses the
// update, so the run goes on waiting.
func (a PlanApproval) Decision() (approved bool, err error) {
	if a.Approved == nil {
		return false, inputError("approved", "required: true approves the plan, false rejects it and cancels the run")
	}
	return *a.Approved, nil
}

// Normalize validates a's sub-questions and trims them (Approved is not
// read: see Decision). Errors are *InputError.
func (a PlanApproval) Normalize() (PlanApproval, error) {
	if len(a.SubQuestions) > MaxSubQuestionsLimit {
		return a, inputError("subQuestions", "at most %d", MaxSubQuestionsLimit)
	}
	out := make([]string, len(a.SubQuestions))
	seen := map[string]int{} // the question, folded → its index; lookup only
	for i, q := range a.SubQuestions {
		field := fmt.Sprintf("subQuestions[%d]", i)
		t := strings.TrimSpace(q)
		if n := utf8.RuneCountInString(t); n < 1 || n > maxQuestionLength || !utf8.ValidString(t) {
			return a, inputError(field, "want 1 to %d characters", maxQuestionLength)
		}
		// As a question's: a sub-question is researched and written into
		// the report (a NUL byte reached a report this way).
		if r, bad := controlCharacter(t); bad {
			return a, inputError(field, "contains the control character %U", r)
		}
		if !hasWord(t) {
			return a, inputError(field, "%s", noWordMessage)
		}
		key := strings.ToLower(strings.Join(strings.Fields(t), " "))
		if j, dup := seen[key]; dup {
			return a, inputError(field, "repeats subQuestions[%d]: each sub-question once", j)
		}
		seen[key] = i
		out[i] = t
	}
	if len(out) > 0 {
		a.SubQuestions = out
	}
	return a, nil
}

// Redrive is the answer of the RedriveQuery on a finished research run: how
// to start the next revision of its report. The new run has the same
// question, sources and limits, resumes from the run's saved state with its
// dead letters reset, searches only the dead-lettered (sub-question,
// source) pairs, analyzes only the passages they add, and writes the next
// revision. Starting Input under WorkflowID is idempotent: redriving the
// same revision twice is one run.
type Redrive struct {
	// WorkflowID is the new revision's workflow ID ("<first run>-rev<n>").
	WorkflowID string        `json:"workflowId,omitempty"`
	Input      ResearchInput `json:"input"`
	// Refused, when set, says why the run cannot be redriven (still
	// running, not completed, or without dead letters); WorkflowID and
	// Input are then empty.
	Refused string `json:"refused,omitempty"`
}

// Gap is a sub-question the run could not answer, with the reason.
type Gap struct {
	SubQuestion string `json:"subQuestion"`
	// Reason says in plain words what is missing (the report shows it).
	Reason string `json:"reason"`
	// Cause is the technical cause (the error), kept for the audit and the
	// JSON result, never shown in the report.
	Cause string `json:"cause,omitempty"`
}

// ResearchResult is what a research run returns.
type ResearchResult struct {
	ResearchID string `json:"researchId"`
	Question   string `json:"question"`
	Title      string `json:"title"`
	// Confidence says how clearly the sources answer the question:
	// "high", "medium" or "low" (internal/report rates it; empty for results
	// recorded before it existed). The report states it too.
	Confidence string `json:"confidence,omitempty"`
	// Report is Markdown with [n] citations into Sources.
	Report  string   `json:"report"`
	Sources []Source `json:"sources"`
	Gaps    []Gap    `json:"gaps,omitempty"`
	Engine  string   `json:"engine"`
	Usage   Usage    `json:"usage"`
	// ReportPath is where the notify pool stored the report, on its host.
	ReportPath string `json:"reportPath,omitempty"`
	Corpus     string `json:"corpus"`
	// Sources searched (ResearchInput.Sources).
	SearchedSources []string `json:"searchedSources,omitempty"`
	// DeadLetters are the searches that failed for good; a redrive retries
	// them (see Redrive).
	DeadLetters []DeadLetter `json:"deadLetters,omitempty"`
	// Revision numbers the report: 1 for a first run, 2, 3, … for its
	// redrives, whose RedriveOf names the first run.
	Revision  int    `json:"revision,omitempty"`
	RedriveOf string `json:"redriveOf,omitempty"`
	// DeliveryWorkflowID names the workflow that delivers the run's
	// notifications after it (its "delivery" query tells how they stand;
	// runs before delivery workflows existed leave it empty).
	DeliveryWorkflowID string `json:"deliveryWorkflowId,omitempty"`
	// Scheduled runs only (see ScheduleRef): Schedule names the schedule,
	// Changes what changed since the previous run (also the report's first
	// section). Snapshot is the run's saved state for the next run to
	// compare with: an opaque JSON value that only the workflows and their
	// activities read (its findings and sources, see internal/changes).
	Schedule string          `json:"schedule,omitempty"`
	Snapshot json.RawMessage `json:"snapshot,omitempty"`
	Changes  *Changes        `json:"changes,omitempty"`
	// Claims are the report's cited statements, each with a stable ID
	// (see Claim).
	Claims []Claim `json:"claims,omitempty"`
	// Estimate is the plan's estimate shown before the run (at approval),
	// Actual what the run used, counted the same way (runs before
	// estimates existed leave both nil).
	Estimate *Spend `json:"estimate,omitempty"`
	Actual   *Spend `json:"actual,omitempty"`
	// Budget is the run's final limits (after extensions); Skipped names
	// the steps it left out when it finished early (FinishNowUpdate or a
	// timed-out budget pause), as the report does.
	Budget  *Budget  `json:"budget,omitempty"`
	Skipped []string `json:"skipped,omitempty"`
}

// Stages of a research run, in order (Progress.Stage, SearchAttrStage).
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

// Run statuses (Progress.Status, SearchAttrStatus).
const (
	StatusRunning          = "running"
	StatusAwaitingApproval = "awaiting_approval"
	// StatusAwaitingBudget (see budget.go) is declared with the updates
	// that end it.
	StatusCompleted = "completed"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// IsTerminal reports whether status is final.
func IsTerminal(status string) bool {
	return status == StatusCompleted || status == StatusFailed || status == StatusCancelled
}

// Sub-question states (SubQuestionProgress.State).
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
	// Searches is each selected source's outcome for it (runs whose
	// sources are not only the corpus).
	Searches []SearchProgress `json:"searches,omitempty"`
}

// SearchProgress is one source's search for one sub-question: its state
// (SQPending, SQSearched, SQFailed), the passages it gave, and why it
// failed (after how many attempts) or gave none.
type SearchProgress struct {
	Source   string `json:"source"`
	State    string `json:"state"`
	Passages int    `json:"passages"`
	Attempts int    `json:"attempts,omitempty"`
	Error    string `json:"error,omitempty"`
	Note     string `json:"note,omitempty"`
	// Unread are the result pages that were not read, and why (type,
	// robots.txt, size, no text…).
	Unread []UnreadPage `json:"unread,omitempty"`
	// Breaker is the provider's circuit-breaker state with the outcome
	// (closed, half-open, open).
	Breaker string `json:"breaker,omitempty"`
}

// StageTiming records when a stage started and ended (workflow time).
type StageTiming struct {
	Stage     string    `json:"stage"`
	StartedAt time.Time `json:"startedAt"`
	EndedAt   time.Time `json:"endedAt,omitempty"`
	// Usage is the model use charged while the stage ran (runs recorded
	// before it was kept per stage have none).
	Usage Usage `json:"usage,omitzero"`
}

// Progress is the answer of the ProgressQuery on a research run.
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
	Passages int    `json:"passages"`
	Engine   string `json:"engine,omitempty"`
	Usage    Usage  `json:"usage"`
	// Round is the reflection round (0 for the first pass).
	Round int `json:"round"`
	// BudgetSpent says whether the run's model budget is spent.
	BudgetSpent bool          `json:"budgetSpent,omitempty"`
	Timings     []StageTiming `json:"timings"`
	StartedAt   time.Time     `json:"startedAt"`
	UpdatedAt   time.Time     `json:"updatedAt"`
	// Seq grows with every change; clients use it to tell updates apart
	// (the HTTP gateway uses it as the Server-Sent Events ID).
	Seq   int64  `json:"seq"`
	Error string `json:"error,omitempty"`
	// Sources are the sources the run searches (ResearchInput.Sources).
	SearchSources []string `json:"searchSources,omitempty"`
	// Ingest is what the run read of its folder (CorpusPath) before it
	// planned: files read, unchanged and skipped, with why; nil for a run
	// of a named corpus.
	Ingest *IngestSummary `json:"ingest,omitempty"`
	// DeadLetters are the searches that exhausted their retries so far.
	DeadLetters []DeadLetter `json:"deadLetters,omitempty"`
	// Revision of the report (1 for a first run; see ResearchResult).
	Revision  int    `json:"revision,omitempty"`
	RedriveOf string `json:"redriveOf,omitempty"`
	// Events lists the run's stage transitions so far (see Event), in Seq
	// order; every Event.Seq is at most Seq.
	Events []Event `json:"events,omitempty"`
	// Estimate is the plan's estimate, once planned (shown at approval).
	Estimate *Spend `json:"estimate,omitempty"`
	// Actual is what the run has used so far (all of it once it is done),
	// counted as Estimate counts it: searches, passages, model calls and
	// their usage; set with Estimate.
	Actual *Spend `json:"actual,omitempty"`
	// Budget is the run's limits now (after extensions; nil: none).
	Budget *Budget `json:"budget,omitempty"`
	// BudgetPause says why the run waits, while it is StatusAwaitingBudget:
	// the step that would exceed the budget (Step, ID of its sub-question),
	// what it needs (Usage) and until when the run waits (Until).
	BudgetPause *Spend `json:"budgetPause,omitempty"`
	// Skipped names the steps the run left out when it finished early.
	Skipped []string `json:"skipped,omitempty"`
	// ApprovalDeadline is when a plan left unanswered is decided by
	// OnApprovalTimeout (the approval stage's start plus the run's
	// ApprovalTimeoutSeconds), while the run is StatusAwaitingApproval.
	ApprovalDeadline *time.Time `json:"approvalDeadline,omitempty"`
	// OnApprovalTimeout is what then happens ("approve" or "cancel"),
	// with ApprovalDeadline.
	OnApprovalTimeout string `json:"onApprovalTimeout,omitempty"`
}
