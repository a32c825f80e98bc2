package researchflow

// Activity messages: one input and one result per activity, declared once
// for the workflows that schedule the activities and the workers that run
// them. Big data goes by reference: chunk texts stay in memory, only their
// IDs travel.

// PrepareCorpusInput makes sure a corpus is in memory before research.
type PrepareCorpusInput struct {
	Corpus string `json:"corpus"`
	// Path, if set, is ingested into Corpus (unchanged files are skipped).
	Path string `json:"path,omitempty"`
	// Prune drops the documents of Corpus no longer under Path (scheduled
	// runs of a folder: a deleted note is a vanished source).
	Prune bool `json:"prune,omitempty"`
}

// PrepareCorpusResult describes the corpus as it is now.
type PrepareCorpusResult struct {
	Corpus string `json:"corpus"`
	// Chunks is the number of chunks the corpus holds.
	Chunks int `json:"chunks"`
	// Ingest summarizes the ingestion done by this call (zero if none).
	Ingest IngestSummary `json:"ingest"`
}

// IngestBatchInput ingests (part of) a folder into a corpus. The search pool
// heartbeats a cursor, so a retried attempt resumes after the last file done.
type IngestBatchInput struct {
	Corpus string `json:"corpus"`
	Path   string `json:"path"`
	// After resumes after this file (sorted order); empty starts at the beginning.
	After string `json:"after,omitempty"`
	// MaxFiles bounds the files handled by one call (0 = all), so that a
	// workflow can report progress between calls.
	MaxFiles int `json:"maxFiles,omitempty"`
	// Prune drops the documents of the corpus that are not under Path once
	// the last batch is done (see corpus.IngestRequest.Prune).
	Prune bool `json:"prune,omitempty"`
}

// IngestSummary counts what an ingestion did.
type IngestSummary struct {
	// Total is the number of supported files under the path.
	Total     int `json:"total"`
	Files     int `json:"files"`
	Unchanged int `json:"unchanged"`
	Chunks    int `json:"chunks"`
	// Removed counts chunks of documents gone from the path, dropped when
	// the last batch is done.
	Removed int           `json:"removed,omitempty"`
	Skipped []SkippedFile `json:"skipped,omitempty"`
	// Cursor is the last file handled; Done is true when no file is left.
	Cursor     string `json:"cursor,omitempty"`
	Done       bool   `json:"done"`
	DurationMs int64  `json:"durationMs"`
}

// RetrieveInput asks for the passages that best answer one sub-question.
type RetrieveInput struct {
	Corpus      string      `json:"corpus"`
	Question    string      `json:"question"`
	SubQuestion SubQuestion `json:"subQuestion"`
	TopK        int         `json:"topK"`
}

// RetrieveResult carries references only: the chunks stay in memory.
type RetrieveResult struct {
	ChunkIDs []string  `json:"chunkIds"`
	Scores   []float64 `json:"scores"`
	// SourceIDs are the distinct sources of the chunks, in rank order.
	SourceIDs []string `json:"sourceIds"`
	// Duplicates counts near-identical chunks dropped before analysis.
	Duplicates int `json:"duplicates,omitempty"`
}

// PlanInput asks for the plan of a research question.
type PlanInput struct {
	Question        string `json:"question"`
	MaxSubQuestions int    `json:"maxSubQuestions"`
	// Budget is what this call may spend on models (zero: no limit).
	Budget Budget `json:"budget,omitempty"`
}

// ReflectInput asks for follow-up sub-questions after a round.
type ReflectInput struct {
	Request ReflectRequest `json:"request"`
	Budget  Budget         `json:"budget,omitempty"`
}

// AnalyzeInput asks for the findings of one sub-question from retrieved chunks.
type AnalyzeInput struct {
	Question    string      `json:"question"`
	SubQuestion SubQuestion `json:"subQuestion"`
	ChunkIDs    []string    `json:"chunkIds"`
	MaxFindings int         `json:"maxFindings"`
	// Budget is what this call may spend on models (zero: no limit).
	Budget Budget `json:"budget,omitempty"`
}

// AnalyzeResult is the analysis plus the metadata of the sources its
// findings cite (Source.N is 0: numbers are assigned later, once).
type AnalyzeResult struct {
	Analysis Analysis `json:"analysis"`
	Sources  []Source `json:"sources"`
}

// SynthesizeInput asks for the report.
type SynthesizeInput struct {
	ResearchID string         `json:"researchId"`
	Question   string         `json:"question"`
	Corpus     string         `json:"corpus"`
	Sections   []SectionInput `json:"sections"`
	Sources    []Source       `json:"sources"`
	Gaps       []Gap          `json:"gaps,omitempty"`
	// Engines and Usage describe the work done before synthesis, for the
	// report footer.
	Engines []string `json:"engines,omitempty"`
	Usage   Usage    `json:"usage"`
	// Offline writes with the offline engine (the budget is spent).
	Offline bool `json:"offline,omitempty"`
	// Budget is what this call may spend on models (zero: no limit).
	Budget Budget `json:"budget,omitempty"`
	// Notes go in the report footer.
	Notes []string `json:"notes,omitempty"`
}

// SynthesizeResult is the rendered report.
type SynthesizeResult struct {
	Title    string `json:"title"`
	Markdown string `json:"markdown"`
	Engine   string `json:"engine"`
	Usage    Usage  `json:"usage"`
	// Dropped counts sentences removed; Ungrounded, sentences kept but
	// marked unverified because no valid citation was left.
	Dropped    int `json:"dropped,omitempty"`
	Ungrounded int `json:"ungrounded,omitempty"`
	// Sources are the sources the report lists when CitedSources is set:
	// only the cited ones, renumbered in order of first citation (results
	// recorded before this field existed leave it unset, and the run keeps
	// the sources it numbered).
	Sources      []Source `json:"sources,omitempty"`
	CitedSources bool     `json:"citedSources,omitempty"`
	// Confidence is the report's confidence (ConfidenceHigh, …); empty in
	// results recorded before it existed.
	Confidence string `json:"confidence,omitempty"`
	// Gaps are the report's gaps: the input's, and, in a low-confidence
	// report, every sub-question whose findings were not stated. Results
	// recorded before this field existed leave it unset.
	Gaps []Gap `json:"gaps,omitempty"`
}

// DeliverInput hands a finished report to the notify pool.
type DeliverInput struct {
	ResearchID string `json:"researchId"`
	Title      string `json:"title"`
	Markdown   string `json:"markdown"`
	Owner      string `json:"owner,omitempty"`
	// Event, if set, is the run's research.report.ready event: the notify
	// pool publishes it with the report (runs started before events existed
	// leave it nil and get the same event built by the notify pool).
	Event *Event `json:"event,omitempty"`
	// Email lists recipients of the report (ResearchInput.Notify.Email).
	Email []string `json:"email,omitempty"`
}

// DeliverResult says where the report went.
type DeliverResult struct {
	Path    string `json:"path,omitempty"`
	Webhook string `json:"webhook,omitempty"` // "" when none is configured
	NATS    string `json:"nats,omitempty"`    // "" when NATS_URL is not set
	Email   string `json:"email,omitempty"`   // "" when no recipient was asked for
}

// InferenceProgress is the heartbeat detail of the inference activities,
// and the detail of their errors: what the model calls of every attempt so
// far cost, failed ones included. A retried attempt starts from the last
// one's total, so that the final result, or the final error, carries the
// whole spend (the workflows package reads it back with UsageFromError).
type InferenceProgress struct {
	Usage Usage `json:"usage"`
}
