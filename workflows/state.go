package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// The run's control state: what the research workflow decides from, saved
// in ResearchInput.Resume across continue-as-new and into a redrive. It
// travels through history as an opaque value (rf.ResearchInput.Resume is
// its JSON): its encoding never changes, so recorded histories replay.
// Progress, the audit and the redrive are computed from it here, never by
// callers.

// ResearchState is a research run's control state: what the workflow
// decides from, carried across continue-as-new in ResearchInput.Resume.
// Callers never set it; Progress is computed from it when queried.
type ResearchState struct {
	Status    string           `json:"status"`
	Stage     string           `json:"stage"`
	Timings   []rf.StageTiming `json:"timings,omitempty"`
	StartedAt time.Time        `json:"startedAt"`
	UpdatedAt time.Time        `json:"updatedAt"`
	// Seq grows with every change (Progress.Seq).
	Seq   int64 `json:"seq"`
	Round int   `json:"round"`
	// Usage sums the model usage of every call of the run so far.
	Usage rf.Usage `json:"usage"`
	// Engines names what produced the plan, analyses and report, in order
	// of first use, without repeats.
	Engines []string `json:"engines,omitempty"`
	// Skipped counts sub-questions left unanalyzed because the budget was spent.
	Skipped int `json:"skipped,omitempty"`
	// SubQuestions holds one record per sub-question, in plan order.
	SubQuestions []SubQuestionState `json:"subQuestions"`
	Error        string             `json:"error,omitempty"`
	// DeadLetters are the searches that failed for good in this revision.
	DeadLetters []rf.DeadLetter `json:"deadLetters,omitempty"`
	// Redriven are the dead letters of earlier revisions that redrives
	// retried, for the record.
	Redriven []rf.DeadLetter `json:"redriven,omitempty"`
	// Revision is the report revision (0 or 1: the first; see RedriveInput).
	Revision int `json:"revision,omitempty"`
	// Events lists the run's stage transitions so far, in Seq order (a
	// handful per run: one plan, two per round, one report or failure).
	Events []rf.Event `json:"events,omitempty"`
	// Decisions lists the choices the run made (see AuditQuery).
	Decisions []rf.Decision `json:"decisions,omitempty"`
	// Sources are the report's numbered sources, once it is written.
	Sources []rf.Source `json:"sources,omitempty"`
	// Claims are the report's cited statements, once it is written.
	Claims []rf.Claim `json:"claims,omitempty"`
	// Ingest is what the run read of its folder (Progress.Ingest).
	Ingest *rf.IngestSummary `json:"ingest,omitempty"`

	// Priced plans and budget pauses (see budget.go). Estimate is the
	// plan's estimate; Budget the limits after an extension (nil: the
	// input's); Pause is set while the run waits in awaiting_budget, and
	// Pauses counts the pauses so far; Finish is set once the run is to
	// finish with what it has, and SkippedSteps is what it left out;
	// ModelSteps counts the model steps taken (plan, analyses,
	// reflections, report).
	Estimate     *rf.Spend         `json:"estimate,omitempty"`
	Budget       *rf.Budget        `json:"budget,omitempty"`
	Pause        *rf.Spend         `json:"pause,omitempty"`
	Pauses       int               `json:"pauses,omitempty"`
	Finish       *rf.BudgetRequest `json:"finish,omitempty"`
	SkippedSteps []string          `json:"skippedSteps,omitempty"`
	ModelSteps   int               `json:"modelSteps,omitempty"`
}

// budget is the run's limits now: the input's, or the last extension's.
func (s *ResearchState) budget(in rf.ResearchInput) rf.Budget {
	if s.Budget != nil {
		return *s.Budget
	}
	return in.Budget()
}

// SubQuestionState is everything a run knows of one sub-question.
type SubQuestionState struct {
	SubQuestion reasoning.SubQuestion `json:"subQuestion"`
	// State is a SQ* value; Error says why a failed sub-question is a gap.
	State string `json:"state"`
	Error string `json:"error,omitempty"`
	// Retrieved holds the references of the passages found for it.
	Retrieved RetrieveResult `json:"retrieved"`
	// Analysis is set once it is analyzed with at least one finding.
	Analysis *AnalyzeResult `json:"analysis,omitempty"`
	// Searches records each selected source's search (runs whose sources
	// are not only the corpus); Retrieved is then their merge.
	Searches []SourceSearch `json:"searches,omitempty"`
	// AnalyzedChunks are the chunks analyses have read (runs with
	// Searches): a redrive analyzes only the chunks not in it.
	AnalyzedChunks []string `json:"analyzedChunks,omitempty"`
}

// SourceSearch is one selected source's search for one sub-question, as
// the workflow records it (runs whose sources are not only the corpus).
type SourceSearch struct {
	Source string `json:"source"`
	// State is SQPending, SQSearched or SQFailed.
	State     string         `json:"state"`
	Retrieved RetrieveResult `json:"retrieved"`
	// Sources is the citation metadata of the pages found (web sources).
	Sources  []rf.Source `json:"sources,omitempty"`
	Error    string      `json:"error,omitempty"`
	Attempts int         `json:"attempts,omitempty"`
	// Note says why a search that worked gave no passage.
	Note string `json:"note,omitempty"`
	// Unread are the result pages that were not read, and why.
	Unread []rf.UnreadPage `json:"unread,omitempty"`
	// Breaker is the provider's circuit-breaker state reported by the
	// search worker with the outcome.
	Breaker string `json:"breaker,omitempty"`
}

// Progress computes the ProgressQuery answer of a run with input in.
func (s *ResearchState) Progress(researchID string, in rf.ResearchInput) rf.Progress {
	p := rf.Progress{
		ResearchID:   researchID,
		Question:     in.Question,
		Corpus:       in.Corpus,
		Status:       s.Status,
		Stage:        s.Stage,
		SubQuestions: make([]rf.SubQuestionProgress, len(s.SubQuestions)),
		Usage:        s.Usage,
		Round:        s.Round,
		BudgetSpent:  s.budget(in).Spent(s.Usage),
		Timings:      append([]rf.StageTiming(nil), s.Timings...),
		StartedAt:    s.StartedAt,
		UpdatedAt:    s.UpdatedAt,
		Seq:          s.Seq,
		Error:        s.Error,
		Events:       append([]rf.Event(nil), s.Events...),
		DeadLetters:  append([]rf.DeadLetter(nil), s.DeadLetters...),
		Revision:     s.Rev(),
		RedriveOf:    in.RedriveOf,
	}
	if b := s.budget(in); !b.Unlimited() {
		p.Budget = &b
	}
	if s.Estimate != nil {
		e := *s.Estimate
		p.Estimate, p.Actual = &e, actualOf(s)
	}
	if s.Pause != nil {
		bp := *s.Pause
		p.BudgetPause = &bp
	}
	p.Skipped = slices.Clone(s.SkippedSteps)
	if s.Ingest != nil {
		in := *s.Ingest
		in.Skipped = slices.Clone(s.Ingest.Skipped)
		p.Ingest = &in
	}
	if s.Status == rf.StatusAwaitingApproval {
		for i := len(s.Timings) - 1; i >= 0; i-- {
			if s.Timings[i].Stage == rf.StageApproval {
				by := s.Timings[i].StartedAt.Add(in.ApprovalTimeout())
				p.ApprovalDeadline, p.OnApprovalTimeout = &by, in.OnApprovalTimeout
				if p.OnApprovalTimeout == "" {
					p.OnApprovalTimeout = rf.OnTimeoutApprove
				}
				break
			}
		}
	}
	if len(providerSources(in)) > 0 {
		p.SearchSources = append([]string(nil), in.Sources...)
	}
	sources := map[string]bool{} // counted, never iterated
	for i, sq := range s.SubQuestions {
		sp := rf.SubQuestionProgress{
			ID: sq.SubQuestion.ID, Text: sq.SubQuestion.Text, State: sq.State, Error: sq.Error,
			Passages: len(sq.Retrieved.ChunkIDs),
		}
		if sq.Analysis != nil {
			sp.Findings = len(sq.Analysis.Analysis.Findings)
		}
		for _, se := range sq.Searches {
			sp.Searches = append(sp.Searches, rf.SearchProgress{Source: se.Source, State: se.State,
				Passages: len(se.Retrieved.ChunkIDs), Attempts: se.Attempts, Error: se.Error, Note: se.Note, Unread: se.Unread, Breaker: se.Breaker})
		}
		p.SubQuestions[i] = sp
		p.Passages += sp.Passages
		for _, id := range sq.Retrieved.SourceIDs {
			sources[id] = true
		}
	}
	p.Sources = len(sources)
	for i, e := range s.Engines {
		if i > 0 {
			p.Engine += "; "
		}
		p.Engine += e
	}
	return p
}

// Audit computes the AuditQuery answer of a run with input in.
func (s *ResearchState) Audit(researchID string, in rf.ResearchInput) rf.Audit {
	a := rf.Audit{
		ResearchID: researchID, Question: in.Question, Status: s.Status,
		Engines: append([]string(nil), s.Engines...), Usage: s.Usage,
		Decisions: append([]rf.Decision(nil), s.Decisions...),
		Sources:   append([]rf.Source(nil), s.Sources...),
		Claims:    append([]rf.Claim(nil), s.Claims...),
		Estimate:  s.Estimate,
	}
	if s.Estimate != nil {
		a.Actual = actualOf(s)
	}
	cited := map[string]int{} // lookup only
	for _, src := range s.Sources {
		cited[src.SourceID] = src.N
	}
	for _, sq := range s.SubQuestions {
		as := rf.AuditSubQuestion{ID: sq.SubQuestion.ID, Text: sq.SubQuestion.Text, Why: sq.SubQuestion.Reason, State: sq.State}
		if as.Why == "" {
			as.Why = "proposed by the planner (no reason given)"
		}
		if sq.State == rf.SQFailed {
			as.Gap = sq.Error
		}
		for _, se := range sq.Searches {
			for _, u := range se.Unread {
				as.Unread = append(as.Unread, rf.AuditUnread{Source: se.Source, UnreadPage: u})
			}
		}
		if r := sq.Retrieved; len(r.ChunkIDs) > 0 {
			ar := &rf.AuditRetrieval{Query: sq.SubQuestion.Text, Sources: r.SourceIDs, Duplicates: r.Duplicates}
			for i, id := range r.ChunkIDs {
				p := rf.AuditPassage{ChunkID: id}
				if i < len(r.Scores) {
					p.Score = r.Scores[i]
				}
				ar.Passages = append(ar.Passages, p)
			}
			as.Retrieval = ar
		}
		if sq.Analysis != nil {
			as.Engine = sq.Analysis.Analysis.Engine
			for _, f := range sq.Analysis.Analysis.Findings {
				af := rf.AuditFinding{Text: f.Text, ChunkID: f.ChunkID, SourceID: f.SourceID, Score: f.Score, Support: f.Support, Cited: cited[f.SourceID]}
				switch {
				case f.Score != 0:
					af.Why = fmt.Sprintf("selected by %s from passage %s with score %.3f", orEngine(as.Engine), f.ChunkID, f.Score)
				default:
					af.Why = fmt.Sprintf("stated by %s from passage %s", orEngine(as.Engine), f.ChunkID)
				}
				as.Findings = append(as.Findings, af)
			}
		}
		a.SubQuestions = append(a.SubQuestions, as)
	}
	return a
}

func orEngine(e string) string {
	if e == "" {
		return "the analyst"
	}
	return e
}

// StateQuery returns a research run's RunRecord (its input and control
// state), for operators:
//
//	temporal workflow query --workflow-id <id> --type state
const StateQuery = "state"

// RunRecord is the answer of the StateQuery: a run's normalized input
// (without Resume) and its control state.
type RunRecord struct {
	ResearchID string           `json:"researchId"`
	Input      rf.ResearchInput `json:"input"`
	State      ResearchState    `json:"state"`
}

// RevisionID is the workflow ID of revision rev (2, 3, …) of research run
// root: root itself for revision 1.
func RevisionID(root string, rev int) string {
	if rev <= 1 {
		return root
	}
	return fmt.Sprintf("%s-rev%d", root, rev)
}

// RedriveInput is the input of the run that redrives rec: the same
// question, sources and limits, resumed from rec's state with its dead
// letters reset to pending and its revision increased. Every search and
// analysis that succeeded stays in the state and is not run again; the new
// run searches only the dead-lettered (sub-question, source) pairs,
// analyzes only the passages they add, and writes the next revision of the
// report. It returns the new revision's workflow ID. A run without dead
// letters, or still running, cannot be redriven (*rf.InputError). The
// RedriveQuery answers with it.
func RedriveInput(rec RunRecord) (string, rf.ResearchInput, error) {
	st := rec.State
	if !rf.IsTerminal(st.Status) {
		return "", rf.ResearchInput{}, redriveRefused("the run is %s: redrive it once it has finished", orDash(st.Status))
	}
	if len(st.DeadLetters) == 0 {
		return "", rf.ResearchInput{}, redriveRefused("the run has no dead letters: nothing to redrive")
	}
	if st.Status != rf.StatusCompleted {
		return "", rf.ResearchInput{}, redriveRefused("the run is %s: only a completed run is redriven", st.Status)
	}
	root := rec.Input.RedriveOf
	if root == "" {
		root = rec.ResearchID
	}
	next := st.Clone()
	for i := range next.SubQuestions {
		sq := &next.SubQuestions[i]
		reset := false
		for _, d := range st.DeadLetters {
			if d.SubQuestionID != sq.SubQuestion.ID {
				continue
			}
			for j := range sq.Searches {
				if sq.Searches[j].Source == d.Provider && sq.Searches[j].State == rf.SQFailed {
					sq.Searches[j] = SourceSearch{Source: d.Provider, State: rf.SQPending}
					reset = true
				}
			}
			if len(sq.Searches) == 0 && d.Provider == rf.SourceCorpus {
				reset = true // a corpus-only run: the retrieval itself
			}
		}
		if reset {
			sq.State, sq.Error = rf.SQPending, ""
		}
	}
	next.Redriven = append(next.Redriven, st.DeadLetters...)
	next.DeadLetters = nil
	next.Revision = st.Rev() + 1
	next.Status, next.Stage, next.Error = rf.StatusRunning, rf.StageSearch, ""
	// The revision is a run of its own: its events and report are its own
	// (the decisions that made the earlier revision stay, for the audit).
	next.Events, next.Sources = nil, nil
	// Nor is an earlier revision's finishNow or pause (its budget, as
	// extended, stays: a spent budget stays spent).
	next.Finish, next.Pause, next.SkippedSteps = nil, nil, nil
	in := rec.Input
	in.RedriveOf = root
	saved, err := next.encode()
	if err != nil {
		return "", rf.ResearchInput{}, err
	}
	in.Resume = saved
	return RevisionID(root, next.Revision), in, nil
}

// redrive answers the RedriveQuery for rec.
func redrive(rec RunRecord) (rf.Redrive, error) {
	id, in, err := RedriveInput(rec)
	var refused *rf.InputError
	if errors.As(err, &refused) {
		return rf.Redrive{Refused: refused.Message}, nil
	}
	if err != nil {
		return rf.Redrive{}, err
	}
	return rf.Redrive{WorkflowID: id, Input: in}, nil
}

func redriveRefused(format string, a ...any) error {
	return &rf.InputError{Field: "redrive", Message: fmt.Sprintf(format, a...)}
}

// encode is the state as rf.ResearchInput.Resume carries it: the JSON the
// state always had, so that recorded inputs decode and new ones match them.
// encoding/json is deterministic on the state (structs and slices; it
// caches types, which workflowcheck cannot tell from non-determinism).
//
//workflowcheck:ignore
func (s ResearchState) encode() (json.RawMessage, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode the run's state: %w", err)
	}
	return b, nil
}

// decodeState reads the state saved in rf.ResearchInput.Resume; ok is false
// when there is none. (See encode on workflowcheck.)
//
//workflowcheck:ignore
func decodeState(saved json.RawMessage) (st ResearchState, ok bool, err error) {
	if len(saved) == 0 || string(saved) == "null" {
		return ResearchState{}, false, nil
	}
	if err := json.Unmarshal(saved, &st); err != nil {
		return ResearchState{}, false, fmt.Errorf("decode the run's saved state: %w", err)
	}
	return st, true, nil
}

// providerSources returns the sources of in other than the corpus: the
// search providers the run asks, in the order given.
func providerSources(in rf.ResearchInput) []string {
	var out []string
	for _, s := range in.Sources {
		if s != rf.SourceCorpus {
			out = append(out, s)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Rev is the state's report revision: 1 for a first run.
func (s ResearchState) Rev() int { return max(s.Revision, 1) }

// Clone copies s deeply enough that changing the copy's sub-questions,
// searches and dead letters leaves s as it was.
func (s ResearchState) Clone() ResearchState {
	c := s
	c.Timings = slices.Clone(s.Timings)
	c.Engines = slices.Clone(s.Engines)
	c.DeadLetters = slices.Clone(s.DeadLetters)
	c.Redriven = slices.Clone(s.Redriven)
	c.Events = slices.Clone(s.Events)
	c.Decisions = slices.Clone(s.Decisions)
	c.Sources = slices.Clone(s.Sources)
	c.SkippedSteps = slices.Clone(s.SkippedSteps)
	c.SubQuestions = slices.Clone(s.SubQuestions)
	for i := range c.SubQuestions {
		c.SubQuestions[i].Searches = slices.Clone(s.SubQuestions[i].Searches)
		c.SubQuestions[i].AnalyzedChunks = slices.Clone(s.SubQuestions[i].AnalyzedChunks)
	}
	return c
}
