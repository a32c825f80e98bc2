package researchflow

import (
	"strings"
	"unicode/utf8"
)

// Follow-ups: a new question about a finished research run, answered first
// from the run's own evidence (the passages it retrieved, kept in memory
// under their chunk IDs, which the run's state lists), and searched again
// only for what that evidence cannot answer. Each follow-up is a workflow of
// its own:
//
//	temporal workflow start --task-queue research-workflow --type ResearchFollowUpWorkflow \
//	  --search-attribute 'ResearchFollowUpOf="research-…"' \
//	  --input '{"researchId":"research-…","question":"How often is the lamp wick trimmed?"}'
//
// and the thread of a run is every follow-up whose SearchAttrFollowUpOf
// names it (`temporal workflow list --query 'ResearchFollowUpOf="research-…"'`).
const (
	// ResearchFollowUpWorkflowType is the workflow type of a follow-up; its
	// input is a FollowUpInput and its result a FollowUpResult.
	ResearchFollowUpWorkflowType = "ResearchFollowUpWorkflow"
	// EventFollowUpAnswered is published (webhook, NATS) when a follow-up
	// has its answer; its data names the run (researchId) and the
	// follow-up (followUpId), and counts findings and gaps.
	EventFollowUpAnswered = "research.followup.answered"
)

// FollowUpInput starts a follow-up. ResearchID and Question are required.
// The HTTP gateway, the starter and the workflow all call Normalize.
type FollowUpInput struct {
	// ResearchID is the workflow ID of the finished run asked about.
	ResearchID string `json:"researchId"`
	// Question is the follow-up question (minQuestionLength to
	// maxQuestionLength characters).
	Question string `json:"question"`
	// Owner is who asks (set by the HTTP gateway). When set, it must be the
	// run's owner.
	Owner string `json:"owner,omitempty"`
	// MaxTokens and MaxCostUSD bound what the follow-up may spend on
	// models (0 = no limit), as for a run.
	MaxTokens  int     `json:"maxTokens,omitempty"`
	MaxCostUSD float64 `json:"maxCostUsd,omitempty"`
	// unknownField is the first key of the JSON the input was decoded
	// from that names none of its fields (see DecodeInputJSON).
	unknownField string
}

// Normalize validates in and trims it. Errors are *InputError values.
func (in FollowUpInput) Normalize() (FollowUpInput, error) {
	in.ResearchID = strings.TrimSpace(in.ResearchID)
	if in.ResearchID == "" || len(in.ResearchID) > 200 || !utf8.ValidString(in.ResearchID) {
		return in, inputError("researchId", "want the research ID of a finished run (1 to 200 bytes)")
	}
	q, err := normalizeQuestion("question", in.Question)
	if err != nil {
		return in, err
	}
	in.Question = q
	if in.Owner != "" {
		if err := ValidateOwner(in.Owner); err != nil {
			return in, err
		}
	}
	switch {
	case in.MaxTokens < 0:
		return in, inputError("maxTokens", "want 0 (no limit) or a positive number of tokens")
	case in.MaxCostUSD < 0 || in.MaxCostUSD > maxCostUSDLimit || in.MaxCostUSD != in.MaxCostUSD:
		return in, inputError("maxCostUsd", "want 0 (no limit) or a positive amount of US dollars up to %.0f", float64(maxCostUSDLimit))
	}
	return in, nil
}

// Budget is the follow-up's model budget.
func (in FollowUpInput) Budget() Budget {
	return Budget{MaxTokens: in.MaxTokens, MaxCostUSD: in.MaxCostUSD}
}

// FollowUpSearch is one targeted search a follow-up made for a gap.
type FollowUpSearch struct {
	SubQuestion string `json:"subQuestion"`
	Source      string `json:"source"`
	Passages    int    `json:"passages"`
	Error       string `json:"error,omitempty"`
}

// FollowUpFinding is one statement of a follow-up's answer, with the number
// of the source it cites and the passage (chunk) it comes from.
type FollowUpFinding struct {
	Text     string  `json:"text"`
	N        int     `json:"n"`
	ChunkID  string  `json:"chunkId"`
	SourceID string  `json:"sourceId"`
	Score    float64 `json:"score,omitempty"`
	// Support is how fully the finding speaks of what its question asks,
	// 0 to 1 (the offline analyst's; a model's findings carry none): the
	// answer's Confidence is rated from it and from Score.
	Support float64 `json:"support,omitempty"`
}

// FollowUpResult is what a follow-up returns.
type FollowUpResult struct {
	FollowUpID string `json:"followUpId"`
	ResearchID string `json:"researchId"`
	Question   string `json:"question"`
	// Answer is Markdown with [n] citations: n is the run's number of a
	// source the run had, or a number after the run's last for a new one.
	// The follow-up workflow knows only the report's numbers; the thread
	// (GET /v1/research/{id}/thread) numbers the report and every
	// follow-up as one, so that [n] is one source in every answer, and
	// renders an answer whose numbers change again.
	Answer   string            `json:"answer"`
	Findings []FollowUpFinding `json:"findings,omitempty"`
	// Sources are the sources the answer cites that the run had numbered
	// (their numbers unchanged); NewSources, those it did not, numbered
	// after the run's last. In the thread, a source an earlier answer
	// numbered is in Sources with that number, and NewSources are those
	// this answer cites first, with the run's next free numbers.
	Sources    []Source `json:"sources,omitempty"`
	NewSources []Source `json:"newSources,omitempty"`
	// FromEvidence is true only when the run's own passages answered it
	// (no search was made) and it cites no new source (NewSources is
	// empty).
	FromEvidence bool `json:"fromEvidence"`
	// Searches are the targeted searches made for what the evidence did
	// not answer (one sub-question per gap, each of the run's sources).
	Searches []FollowUpSearch `json:"searches,omitempty"`
	// Gaps are what neither the evidence nor the searches answered.
	Gaps []Gap `json:"gaps,omitempty"`
	// Confidence is how clearly the answer answers its question, rated as
	// a report's (ResearchResult.Confidence: "high", "medium" or "low",
	// internal/report.FollowUpConfidence); the answer states it, and a low
	// one opens with the report's low-confidence banner. Answers recorded
	// before it existed have none; the thread rates them.
	Confidence string `json:"confidence,omitempty"`
	// Changed are the sources the answer cites by the run's numbers whose
	// documents changed since the run (their numbers as Sources gives
	// them): the answer quotes them as they are now, the report as the run
	// read them. The answer says so under its confidence.
	Changed []Source `json:"changed,omitempty"`
	Engine  string   `json:"engine,omitempty"`
	// Usage counts the follow-up's own model calls.
	Usage Usage `json:"usage"`
}

// FollowUpRequest is the body of POST /v1/research/{id}/followups: the part
// of a FollowUpInput an HTTP caller may set (the run comes from the path,
// the owner from the API key).
type FollowUpRequest struct {
	Question   string  `json:"question"`
	MaxTokens  int     `json:"maxTokens,omitempty"`
	MaxCostUSD float64 `json:"maxCostUsd,omitempty"`
}

// Input is the normalized FollowUpInput of r about run researchID, asked
// by owner (empty: no owner check, as for a gateway without API keys).
func (r FollowUpRequest) Input(researchID, owner string) (FollowUpInput, error) {
	return FollowUpInput{ResearchID: researchID, Question: r.Question, Owner: owner,
		MaxTokens: r.MaxTokens, MaxCostUSD: r.MaxCostUSD}.Normalize()
}
