package researchflow

import "time"

// Values exchanged between the workflow and the reasoning roles (planner,
// analyst, reflector, writer). Every value here travels through Temporal
// history, so it stays small: passages carry chunk text only inside an
// activity, findings and drafts are a few kilobytes.

// SubQuestion is one focused question the planner derived from the user's.
type SubQuestion struct {
	ID     string `json:"id"` // "sq1", "sq2", …: stable within a run
	Text   string `json:"text"`
	Reason string `json:"reason,omitempty"`
}

// PlanRequest asks for sub-questions of Question.
type PlanRequest struct {
	Question        string `json:"question"`
	MaxSubQuestions int    `json:"maxSubQuestions"`
	// Budget caps the model tokens of this call (zero: no cap). It is
	// part of the request, never a hidden setting of the worker.
	Budget Budget `json:"budget,omitempty"`
}

// Plan is the planner's answer.
type Plan struct {
	SubQuestions []SubQuestion `json:"subQuestions"`
	// Engine names what produced the plan ("extractive", "llm:<model>", or
	// "extractive (fallback: …)" when an LLM answer could not be used).
	Engine string `json:"engine"`
	Usage  Usage  `json:"usage"`
}

// Passage is a retrieved chunk handed to the analyst.
type Passage struct {
	ChunkID  string  `json:"chunkId"`
	SourceID string  `json:"sourceId"`
	Title    string  `json:"title"`
	Location string  `json:"location"`
	Section  string  `json:"section,omitempty"`
	Text     string  `json:"text"`
	Score    float64 `json:"score"`
}

// AnalyzeRequest asks for the findings that answer SubQuestion.
type AnalyzeRequest struct {
	Question    string      `json:"question"`
	SubQuestion SubQuestion `json:"subQuestion"`
	Passages    []Passage   `json:"passages"`
	MaxFindings int         `json:"maxFindings"`
	// Budget caps the model tokens of this call (zero: no cap). It is
	// part of the request, never a hidden setting of the worker.
	Budget Budget `json:"budget,omitempty"`
}

// Finding is one statement supported by one chunk that was given to the
// analyst. Engines must never return a ChunkID they were not given.
type Finding struct {
	Text     string  `json:"text"`
	ChunkID  string  `json:"chunkId"`
	SourceID string  `json:"sourceId"`
	Score    float64 `json:"score,omitempty"`
}

// Analysis is the analyst's answer for one sub-question.
type Analysis struct {
	Findings []Finding `json:"findings"`
	// Conflicts describes statements of different sources that disagree.
	Conflicts []string `json:"conflicts,omitempty"`
	Engine    string   `json:"engine"`
	Usage     Usage    `json:"usage"`
}

// Source is a numbered entry of a report's source list. Numbers are assigned
// once, before writing, and never change.
type Source struct {
	N        int    `json:"n"`
	SourceID string `json:"sourceId"`
	Title    string `json:"title"`
	Location string `json:"location"`
	// ChunkIDs are the chunks of this source that findings came from, so that
	// readers can open the exact passages (by reference: texts stay in memory).
	ChunkIDs []string `json:"chunkIds,omitempty"`
	// URL, Site, AccessedAt and Published describe a page read from the
	// web (a provider source): the report's Sources list shows them. A
	// corpus document leaves them empty.
	URL        string    `json:"url,omitempty"`
	Site       string    `json:"site,omitempty"`
	AccessedAt time.Time `json:"accessedAt,omitzero"`
	Published  time.Time `json:"published,omitzero"`
	// Provider is the source name that found it ("arxiv", "web", …).
	Provider string `json:"provider,omitempty"`
}

// SectionInput is what the writer gets for one sub-question: its findings,
// each already mapped to a source number.
type SectionInput struct {
	SubQuestion SubQuestion    `json:"subQuestion"`
	Findings    []CitedFinding `json:"findings"`
}

// CitedFinding is a finding with the number of its source.
type CitedFinding struct {
	Finding
	N int `json:"n"`
}

// WriteRequest asks for a report draft.
type WriteRequest struct {
	Question string         `json:"question"`
	Sections []SectionInput `json:"sections"`
	Sources  []Source       `json:"sources"`
	// Budget caps the model tokens of this call (zero: no cap). It is
	// part of the request, never a hidden setting of the worker.
	Budget Budget `json:"budget,omitempty"`
}

// Sentence is one sentence of a draft with the source numbers it cites.
type Sentence struct {
	Text  string `json:"text"`
	Cites []int  `json:"cites"`
}

// DraftSection is the part of a draft that answers one sub-question.
type DraftSection struct {
	Heading   string     `json:"heading"`
	Sentences []Sentence `json:"sentences"`
}

// Draft is the writer's answer: structured so that every citation can be
// checked against the source list before anything is rendered.
type Draft struct {
	Title    string         `json:"title"`
	Summary  []Sentence     `json:"summary"`
	Sections []DraftSection `json:"sections"`
	Engine   string         `json:"engine"`
	Usage    Usage          `json:"usage"`
}

// Usage counts model tokens spent on one call or summed over many.
//
// Calls counts the model calls made (a request refused for an optional
// field and sent again without it is one call); FailedCalls, those of them
// that gave nothing usable: an error reply (429, 5xx, a cut stream) or an
// answer that could not be used. The tokens the server charged for them are
// included in the counts all the same.
type Usage struct {
	PromptTokens     int     `json:"promptTokens,omitempty"`
	CompletionTokens int     `json:"completionTokens,omitempty"`
	CostUSD          float64 `json:"costUsd,omitempty"`
	Calls            int     `json:"calls,omitempty"`
	FailedCalls      int     `json:"failedCalls,omitempty"`
}

// Tokens is the sum of prompt and completion tokens.
func (u Usage) Tokens() int { return u.PromptTokens + u.CompletionTokens }

// Add returns the sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		PromptTokens:     u.PromptTokens + v.PromptTokens,
		CompletionTokens: u.CompletionTokens + v.CompletionTokens,
		CostUSD:          u.CostUSD + v.CostUSD,
		Calls:            u.Calls + v.Calls,
		FailedCalls:      u.FailedCalls + v.FailedCalls,
	}
}

// ReflectRequest asks which knowledge gaps remain after a round of analysis.
type ReflectRequest struct {
	Question string `json:"question"`
	// Answered are the sub-questions that have findings, with them.
	Answered []AnsweredSubQuestion `json:"answered"`
	// Unanswered are the sub-questions that found nothing, with the reason.
	Unanswered []UnansweredSubQuestion `json:"unanswered"`
	// MaxFollowUps bounds the answer (the run's breadth).
	MaxFollowUps int `json:"maxFollowUps"`
	// Budget caps the model tokens of this call (zero: no cap). It is
	// part of the request, never a hidden setting of the worker.
	Budget Budget `json:"budget,omitempty"`
}

// AnsweredSubQuestion is a sub-question with what was found for it.
type AnsweredSubQuestion struct {
	SubQuestion SubQuestion `json:"subQuestion"`
	Findings    []string    `json:"findings"`
}

// UnansweredSubQuestion is a sub-question that found nothing.
type UnansweredSubQuestion struct {
	SubQuestion SubQuestion `json:"subQuestion"`
	Reason      string      `json:"reason"`
}

// Reflection names follow-up sub-questions for the knowledge gaps; none
// means the research is complete.
type Reflection struct {
	FollowUps []SubQuestion `json:"followUps"`
	Engine    string        `json:"engine"`
	Usage     Usage         `json:"usage"`
}
