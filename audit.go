package researchflow

import "time"

// AuditQuery returns a research run's Audit: why each sub-question exists,
// what each retrieval found, why each finding was kept and why each gap
// exists, plus the run's decisions:
//
//	temporal workflow query --workflow-id <id> --type audit
const AuditQuery = "audit"

// Decision is one choice the workflow made, in the order made.
type Decision struct {
	Seq         int64     `json:"seq"`
	Time        time.Time `json:"time"`
	Kind        string    `json:"kind"`
	SubQuestion string    `json:"subQuestion,omitempty"` // its ID, when about one
	Detail      string    `json:"detail"`
}

// Audit explains a run (see AuditQuery). It is computed from the run's
// state when asked, never stored in history beyond what the run already
// records: passages and sources are referenced by ID (GET
// /v1/research/{id}/sources/{n} shows a cited passage).
type Audit struct {
	ResearchID   string             `json:"researchId"`
	Question     string             `json:"question"`
	Status       string             `json:"status"`
	Engines      []string           `json:"engines,omitempty"`
	Usage        Usage              `json:"usage"`
	SubQuestions []AuditSubQuestion `json:"subQuestions"`
	Decisions    []Decision         `json:"decisions,omitempty"`
	// Sources are the report's numbered sources ([n] in the text), once
	// the report is written.
	Sources []Source `json:"sources,omitempty"`
	// Claims are the report's cited statements with their stable IDs.
	Claims []Claim `json:"claims,omitempty"`
	// Estimate is the plan's estimate (as approved), Actual the use so
	// far, side by side.
	Estimate *Spend `json:"estimate,omitempty"`
	Actual   *Spend `json:"actual,omitempty"`
}

// AuditSubQuestion is the trail of one sub-question.
type AuditSubQuestion struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Why it exists: the planner's or reflection's stated reason, or the
	// approver's edit.
	Why   string `json:"why"`
	State string `json:"state"`
	// Retrieval is what the search found (the sub-question is the query).
	Retrieval *AuditRetrieval `json:"retrieval,omitempty"`
	// Engine analyzed it; Findings are what it kept, each with why.
	Engine   string         `json:"engine,omitempty"`
	Findings []AuditFinding `json:"findings,omitempty"`
	// Gap says why it is unanswered (State failed).
	Gap string `json:"gap,omitempty"`
	// Unread are the result pages its searches found but did not read,
	// and why (runs with web sources).
	Unread []AuditUnread `json:"unread,omitempty"`
}

// AuditUnread is a result page a source gave that was not read.
type AuditUnread struct {
	Source string `json:"source"`
	UnreadPage
}

// AuditRetrieval is one search: its query and the passages chosen for
// analysis, best first, with their relevance scores.
type AuditRetrieval struct {
	Query      string         `json:"query"`
	Passages   []AuditPassage `json:"passages"`
	Sources    []string       `json:"sources"`
	Duplicates int            `json:"duplicates,omitempty"`
}

// AuditPassage is a retrieved chunk and its score (the memory's similarity,
// higher is closer).
type AuditPassage struct {
	ChunkID string  `json:"chunkId"`
	Score   float64 `json:"score"`
}

// AuditFinding is a finding kept for the report and why.
type AuditFinding struct {
	Text     string  `json:"text"`
	ChunkID  string  `json:"chunkId"`
	SourceID string  `json:"sourceId"`
	Score    float64 `json:"score,omitempty"`
	// Support is the analyst's share of the sub-question the finding
	// speaks of (0 to 1; 0 when the engine gives none).
	Support float64 `json:"support,omitempty"`
	// Cited is the source's number in the report ([n]); 0 before writing.
	Cited int    `json:"cited,omitempty"`
	Why   string `json:"why"`
}
