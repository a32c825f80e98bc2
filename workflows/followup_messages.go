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
	// Sections (the answered sub-questions with their findings), Gaps and
	// Claims are what the run's report was written from and states
	// (RunEvidenceInput.Claim set only): a claim's review rates the
	// revision it writes from them (report.RevisedConfidence).
	Sections []reasoning.SectionInput `json:"sections,omitempty"`
	Gaps     []rf.Gap                 `json:"gaps,omitempty"`
	Claims   []rf.Claim               `json:"claims,omitempty"`
	// Email are the run's e-mail recipients (ResearchInput.Notify): its
	// follow-up answers and report revisions are mailed to them too.
	Email []string `json:"email,omitempty"`
	// Gone are the run's numbered sources some of whose cited passages are
	// no longer in memory, and GoneUncited counts the other passages of
	// ChunkIDs that are gone. A passage stays in memory while its
	// document is unchanged: deleting the document (or its corpus), or
	// ingesting a changed version of it (an edited note, a file uploaded
	// again under its name after a delete), drops it. Evidence read before
	// this field existed has neither.
	Gone        []GoneSource `json:"gone,omitempty"`
	GoneUncited int          `json:"goneUncited,omitempty"`
}

// GoneSource is one of a run's numbered sources whose cited passages are
// no longer in memory, and why.
type GoneSource struct {
	N        int    `json:"n"`
	SourceID string `json:"sourceId"`
	Title    string `json:"title"`
	// Passages of Cited are gone.
	Passages int `json:"passages"`
	Cited    int `json:"cited"`
	// Deleted: memory holds nothing of the document any more (deleted, or
	// gone from the folder a run re-read); otherwise it holds another
	// version of it (changed since the run).
	Deleted bool `json:"deleted,omitempty"`
}

// Why says in words why the passages of g are gone.
func (g GoneSource) Why() string {
	if g.Deleted {
		return "its document was deleted since the run"
	}
	return "its document changed since the run"
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
	// Confidence is the answer's (report.FollowUpConfidence), stated
	// under its title.
	Confidence string `json:"confidence,omitempty"`
	// Changed are the cited sources whose documents changed since the
	// run, said so under the confidence.
	Changed []rf.Source `json:"changed,omitempty"`
}

// RenderFollowUpResult is the rendered answer, and its gaps: the input's
// less those its statements answer (report.OpenGaps).
type RenderFollowUpResult struct {
	Markdown string   `json:"markdown"`
	Gaps     []rf.Gap `json:"gaps,omitempty"`
	// GapsSet says Gaps are the answer's gaps, none when empty. Results
	// recorded before it existed leave it unset: the follow-up keeps its
	// own.
	GapsSet bool `json:"gapsSet,omitempty"`
}
