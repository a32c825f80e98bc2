package workflows

import (
	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// Activity messages of the follow-up workflow (ResearchFollowUpWorkflow).
const (
	// RunEvidenceActivity reads a finished run's evidence (RunEvidenceInput,
	// RunEvidence) on the search pool.
	RunEvidenceActivity = "RunEvidence"
	// RenderFollowUpActivity renders a follow-up's answer with the report's
	// rules (RenderFollowUpInput, RenderFollowUpResult) on the inference
	// pool.
	RenderFollowUpActivity = "RenderFollowUp"
)

// RunEvidenceInput asks for the evidence of a finished run.
type RunEvidenceInput struct {
	ResearchID string `json:"researchId"`
	// Owner, when set, must be the run's owner.
	Owner string `json:"owner,omitempty"`
	// Claim, when set, is a claim of the run's report whose sub-question
	// RunEvidence.ClaimSubQuestion names (claim reviews).
	Claim string `json:"claim,omitempty"`
}

// RunEvidence is what a follow-up answers from: the run's corpus and
// sources (to search again), its numbered sources (whose numbers the answer
// keeps) and the passages it retrieved (by reference; texts stay in memory).
type RunEvidence struct {
	ResearchID string   `json:"researchId"`
	Question   string   `json:"question"`
	Owner      string   `json:"owner,omitempty"`
	Corpus     string   `json:"corpus"`
	CorpusPath string   `json:"corpusPath,omitempty"`
	Sources    []string `json:"sources,omitempty"`
	MaxSources int      `json:"maxSources"`
	// Numbered are the report's sources, with their numbers.
	Numbered []rf.Source `json:"numbered"`
	// ChunkIDs are the run's passages: the cited ones first, then the other
	// retrieved ones, at most MaxEvidencePassages.
	ChunkIDs []string `json:"chunkIds"`
	// ClaimSubQuestion is the sub-question RunEvidenceInput.Claim answers
	// (nil when none of the run's findings is alike it).
	ClaimSubQuestion *reasoning.SubQuestion `json:"claimSubQuestion,omitempty"`
	// Email are the run's e-mail recipients (ResearchInput.Notify): its
	// follow-up answers and report revisions are mailed to them too.
	Email []string `json:"email,omitempty"`
}

// RenderFollowUpInput asks for the Markdown of a follow-up's answer: its
// statements with their citations, the sources they cite (with their
// numbers) and its gaps.
type RenderFollowUpInput struct {
	Title     string               `json:"title"`
	Question  string               `json:"question"`
	Sentences []reasoning.Sentence `json:"sentences"`
	Sources   []rf.Source          `json:"sources"`
	Gaps      []rf.Gap             `json:"gaps,omitempty"`
}

// RenderFollowUpResult is the rendered answer.
type RenderFollowUpResult struct {
	Markdown string `json:"markdown"`
}
