package reasoning

import rf "github.com/researchflow/researchflow"

// Values exchanged between the workflow and the reasoning roles (planner,
// analyst, reflector, writer). Every value here travels through Temporal
// history (in activity inputs and results, and in the run's saved state),
// so it stays small and its JSON never changes shape: passages carry chunk
// text only inside an activity, findings and drafts are a few kilobytes.

// SubQuestion is one focused question the planner derived from the user's.
type SubQuestion struct {
	ID     string `json:"id"` // "sq1", "sq2", …: stable within a run
	Text   string `json:"text"`
	Reason string `json:"reason,omitempty"`
	// Broadens is the text of the sub-question a follow-up searches more
	// broadly for (empty for others): the follow-up asks what that one
	// asks (a date, a number, a name), in fewer words.
	Broadens string `json:"broadens,omitempty"`
}

// PlanRequest asks for sub-questions of Question.
type PlanRequest struct {
	Question        string `json:"question"`
	MaxSubQuestions int    `json:"maxSubQuestions"`
	// Budget caps the model tokens of this call (zero: no cap). It is
	// part of the request, never a hidden setting of the worker.
	Budget rf.Budget `json:"budget,omitempty"`
}

// Plan is the planner's answer.
type Plan struct {
	SubQuestions []SubQuestion `json:"subQuestions"`
	// Engine names what produced the plan ("extractive", "llm:<model>", or
	// "extractive (fallback: …)" when an LLM answer could not be used).
	Engine string   `json:"engine"`
	Usage  rf.Usage `json:"usage"`
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
	Budget rf.Budget `json:"budget,omitempty"`
}

// Finding is one statement supported by one chunk that was given to the
// analyst. Engines must never return a ChunkID they were not given.
type Finding struct {
	Text     string  `json:"text"`
	ChunkID  string  `json:"chunkId"`
	SourceID string  `json:"sourceId"`
	Score    float64 `json:"score,omitempty"`
	// Support is how fully the finding speaks of what the sub-question
	// asks, from 0 to 1, whatever other passages competed (the offline
	// analyst's; a model's findings carry none): report confidence is
	// derived from it (internal/report.Confidence).
	Support float64 `json:"support,omitempty"`
}

// Analysis is the analyst's answer for one sub-question.
type Analysis struct {
	Findings []Finding `json:"findings"`
	// Conflicts describes statements of different sources that disagree.
	Conflicts []string `json:"conflicts,omitempty"`
	Engine    string   `json:"engine"`
	Usage     rf.Usage `json:"usage"`
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
	Sources  []rf.Source    `json:"sources"`
	// Budget caps the model tokens of this call (zero: no cap). It is
	// part of the request, never a hidden setting of the worker.
	Budget rf.Budget `json:"budget,omitempty"`
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
	Usage    rf.Usage       `json:"usage"`
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
	Budget rf.Budget `json:"budget,omitempty"`
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
	Usage     rf.Usage      `json:"usage"`
}
