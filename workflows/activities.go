package workflows

import (
	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// Activity messages: the activity type names the workflows schedule and
// the workers register, and one input and one result per activity. They
// are declared here, beside the workflows that schedule them, for the
// activities package that implements them; callers of the workflows never
// see them. Big data goes by reference: chunk texts stay in memory, only
// their IDs travel. Every value here is recorded in history: its JSON
// never changes shape.

// Activity type names. Workers register the activity structs' methods under
// these names; workflows schedule them by name.
const (
	PrepareCorpusActivity = "PrepareCorpus"
	// CountCorpusActivity counts the chunks of one corpus (its input the
	// corpus as stored, its result the count), on the search pool.
	CountCorpusActivity = "CountCorpus"
	IngestActivity      = "Ingest"
	RetrieveActivity    = "Retrieve"
	// SearchSourceActivity searches one provider for one sub-question
	// (SearchSourceInput), on the search pool.
	SearchSourceActivity = "SearchSource"
	PlanActivity         = "Plan"
	AnalyzeActivity      = "Analyze"
	ReflectActivity      = "Reflect"
	SynthesizeActivity   = "Synthesize"
	DeliverActivity      = "Deliver"
	// PublishActivity publishes one Event (PublishInput) from the notify pool.
	PublishActivity = "Publish"
	// EstimatePlanActivity prices a plan (EstimateInput, rf.Spend) on
	// the inference pool, which knows the models and their prices.
	EstimatePlanActivity = "EstimatePlan"
)

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
	Ingest rf.IngestSummary `json:"ingest"`
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

// RetrieveInput asks for the passages that best answer one sub-question.
type RetrieveInput struct {
	Corpus      string                `json:"corpus"`
	Question    string                `json:"question"`
	SubQuestion reasoning.SubQuestion `json:"subQuestion"`
	TopK        int                   `json:"topK"`
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
	Budget rf.Budget `json:"budget,omitempty"`
}

// EstimateInput asks what a plan will use: its sub-questions, searched in
// Sources for TopK passages each, then Depth reflection rounds of up to
// Breadth follow-ups each, and the report. CorpusChunks, when known, is
// how many passages the corpus holds (PrepareCorpusResult.Chunks): a
// corpus search finds at most that many.
type EstimateInput struct {
	Question     string                  `json:"question"`
	SubQuestions []reasoning.SubQuestion `json:"subQuestions"`
	Sources      []string                `json:"sources"`
	TopK         int                     `json:"topK"`
	Depth        int                     `json:"depth"`
	Breadth      int                     `json:"breadth"`
	CorpusChunks int                     `json:"corpusChunks,omitempty"`
}

// ReflectInput asks for follow-up sub-questions after a round.
type ReflectInput struct {
	Request reasoning.ReflectRequest `json:"request"`
	Budget  rf.Budget                `json:"budget,omitempty"`
}

// AnalyzeInput asks for the findings of one sub-question from retrieved chunks.
type AnalyzeInput struct {
	Question    string                `json:"question"`
	SubQuestion reasoning.SubQuestion `json:"subQuestion"`
	ChunkIDs    []string              `json:"chunkIds"`
	MaxFindings int                   `json:"maxFindings"`
	// Budget is what this call may spend on models (zero: no limit).
	Budget rf.Budget `json:"budget,omitempty"`
	// OnTopic asks for no findings, and no model call, when a topic word
	// of the sub-question (textproc.Topics) is in none of the passages,
	// their titles and headings: they do not speak of what it asks, however
	// many of its other words they share. A follow-up sets it ("How often
	// are passwords rotated?" is not answered by the on-call rotation).
	OnTopic bool `json:"onTopic,omitempty"`
	// Parts, with OnTopic, splits the sub-question into its parts the way
	// the offline planner splits a run's question (its clauses and the
	// items of a list, extractive.Parts) and holds each part to its own
	// topic and analyzes it on its own: one analyst call per part whose
	// topic the passages mention, the budget shared between them.
	// AnalyzeResult.Parts says how each part went. A sub-question of one
	// part, or a worker with no offline planner, is analyzed whole, as
	// without Parts. A follow-up sets it.
	Parts bool `json:"parts,omitempty"`
}

// AnalyzeResult is the analysis plus the metadata of the sources its
// findings cite (Source.N is 0: numbers are assigned later, once).
type AnalyzeResult struct {
	Analysis reasoning.Analysis `json:"analysis"`
	Sources  []rf.Source        `json:"sources"`
	// Unmentioned are the topic words, as the sub-question writes them,
	// that none of the passages mentions (only with OnTopic; the analysis
	// then has no findings).
	Unmentioned []string `json:"unmentioned,omitempty"`
	// Parts are the sub-question's parts, in its order, when
	// AnalyzeInput.Parts split it into two or more (empty otherwise); the
	// analysis holds the findings of all of them.
	Parts []AnalyzedPart `json:"parts,omitempty"`
}

// AnalyzedPart is how one part of a sub-question was analyzed: its
// findings (how many of the analysis's), or why it has none.
type AnalyzedPart struct {
	SubQuestion reasoning.SubQuestion `json:"subQuestion"`
	Findings    int                   `json:"findings"`
	// Unmentioned are the part's topic words that none of the passages
	// mentions: it was not given to the analyst.
	Unmentioned []string `json:"unmentioned,omitempty"`
	// BudgetSpent: the parts before it spent the budget; it was not
	// analyzed.
	BudgetSpent bool `json:"budgetSpent,omitempty"`
}

// SynthesizeInput asks for the report.
type SynthesizeInput struct {
	ResearchID string                   `json:"researchId"`
	Question   string                   `json:"question"`
	Corpus     string                   `json:"corpus"`
	Sections   []reasoning.SectionInput `json:"sections"`
	Sources    []rf.Source              `json:"sources"`
	Gaps       []rf.Gap                 `json:"gaps,omitempty"`
	// Engines and Usage describe the work done before synthesis, for the
	// report footer.
	Engines []string `json:"engines,omitempty"`
	Usage   rf.Usage `json:"usage"`
	// Offline writes with the offline engine (the budget is spent).
	Offline bool `json:"offline,omitempty"`
	// Budget is what this call may spend on models (zero: no limit).
	Budget rf.Budget `json:"budget,omitempty"`
	// Notes go in the report footer.
	Notes []string `json:"notes,omitempty"`
}

// SynthesizeResult is the rendered report.
type SynthesizeResult struct {
	Title    string   `json:"title"`
	Markdown string   `json:"markdown"`
	Engine   string   `json:"engine"`
	Usage    rf.Usage `json:"usage"`
	// Dropped counts sentences removed; Ungrounded, sentences kept but
	// marked unverified because no valid citation was left.
	Dropped    int `json:"dropped,omitempty"`
	Ungrounded int `json:"ungrounded,omitempty"`
	// Sources are the sources the report lists when CitedSources is set:
	// only the cited ones, renumbered in order of first citation (results
	// recorded before this field existed leave it unset, and the run keeps
	// the sources it numbered).
	Sources      []rf.Source `json:"sources,omitempty"`
	CitedSources bool        `json:"citedSources,omitempty"`
	// Confidence is the report's confidence (report.ConfidenceHigh, …); empty
	// in results recorded before it existed.
	Confidence string `json:"confidence,omitempty"`
	// Gaps are the report's gaps: the input's, and, in a low-confidence
	// report, every sub-question whose findings were not stated. Results
	// recorded before this field existed leave it unset.
	Gaps []rf.Gap `json:"gaps,omitempty"`
	// GapsSet says Gaps are the report's gaps, none when empty: a gap the
	// report's own sentences answer is left out (report.OpenGaps).
	// Results recorded before it existed leave it unset, and an empty
	// Gaps then means the run's.
	GapsSet bool `json:"gapsSet,omitempty"`
	// Claims are the report's cited statements, with stable IDs.
	Claims []rf.Claim `json:"claims,omitempty"`
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
	Event *rf.Event `json:"event,omitempty"`
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
	Usage rf.Usage `json:"usage"`
}

// PublishInput asks the notify pool to publish one event.
type PublishInput struct {
	Event rf.Event `json:"event"`
	// Email, when set, also mails the event (a follow-up's answer, a
	// report's revision) to these recipients; other events are not mailed.
	Email []string `json:"email,omitempty"`
}

// PublishResult says where the event went ("" fields: not configured).
type PublishResult struct {
	Webhook string `json:"webhook,omitempty"`
	NATS    string `json:"nats,omitempty"`
	Email   string `json:"email,omitempty"`
}

// RunCorpus is the memory corpus where the pages fetched for research run
// researchID (and its redrives) are kept. The ':' keeps it apart from every
// corpus a person can name (see ValidateCorpusName).
func RunCorpus(researchID string) string { return "sources:" + researchID }

// SearchSourceInput asks one search provider (Source) for the pages that
// answer one sub-question; the pages are fetched, ingested into Corpus
// (RunCorpus of the run) and searched there for TopK passages.
type SearchSourceInput struct {
	ResearchID  string                `json:"researchId"`
	Corpus      string                `json:"corpus"`
	Question    string                `json:"question"`
	SubQuestion reasoning.SubQuestion `json:"subQuestion"`
	Source      string                `json:"source"`
	TopK        int                   `json:"topK"`
}

// SearchSourceResult carries references to the passages found in the
// fetched pages and the citation metadata of those pages. Results the
// provider gave but whose page could not be fetched are counted in
// Unfetched and never cited: a search snippet is not the page.
type SearchSourceResult struct {
	Retrieved RetrieveResult `json:"retrieved"`
	// Sources describe the pages of Retrieved.SourceIDs (title, site, URL,
	// access and publication dates); N is 0.
	Sources []rf.Source `json:"sources,omitempty"`
	// Results is how many results the provider returned; Fetched, how many
	// distinct pages were read; Duplicates, results that were the same work
	// as an earlier one (DOI, arXiv ID, URL, or a canonical URL naming a
	// page with the same text).
	Results    int `json:"results"`
	Fetched    int `json:"fetched"`
	Unfetched  int `json:"unfetched,omitempty"`
	Duplicates int `json:"duplicates,omitempty"`
	// FetchErrors are the first few reasons pages could not be fetched.
	FetchErrors []string `json:"fetchErrors,omitempty"`
	// Unread says, for each result page that was not read (at most
	// MaxUnread), why: its URL and a reason (the Unread* constants).
	Unread []rf.UnreadPage `json:"unread,omitempty"`
	// Breaker is the provider's circuit-breaker state on the search worker
	// after the search (BreakerClosed, BreakerHalfOpen, BreakerOpen; empty
	// for sources without one).
	Breaker string `json:"breaker,omitempty"`
}

// Circuit-breaker states (SearchSourceResult.Breaker, SearchProgress.Breaker),
// as github.com/sony/gobreaker names them.
const (
	BreakerClosed   = "closed"
	BreakerHalfOpen = "half-open"
	BreakerOpen     = "open"
)

// SearchFailure is the detail of a SearchSource (and Retrieve) activity
// error: the attempt that failed, so that a dead letter can say how many
// attempts were made.
type SearchFailure struct {
	Attempt int `json:"attempt"`
	// Breaker is the provider's circuit-breaker state after the attempt.
	Breaker string `json:"breaker,omitempty"`
}

// The delivery workflow's own messages (see DeliveryWorkflow): its input,
// the signal that hands it the run's events, and its activities on the
// notify pool.

// DeliverySignal hands the delivery workflow one DeliveryMessage.
const DeliverySignal = "deliver"

// Activities of the delivery workflow, on the notify pool.
const (
	// StoreReportActivity writes a finished report to the notify pool's
	// report folder (StoreReportInput, StoreReportResult).
	StoreReportActivity = "StoreReport"
	// DeliverToSinkActivity delivers one message to one sink
	// (SinkDeliveryInput, SinkDeliveryResult).
	DeliverToSinkActivity = "DeliverToSink"
	// DeliverySinksActivity names the sinks the notify pool is configured
	// to deliver to (DeliverySinksInput, DeliverySinksResult): a run asks it
	// before it starts its delivery workflow.
	DeliverySinksActivity = "DeliverySinks"
)

// DeliverySinksInput asks the notify pool which sinks it delivers to, for
// the run ResearchID (named in its logs).
type DeliverySinksInput struct {
	ResearchID string `json:"researchId"`
}

// DeliverySinksResult lists the sinks (SinkWebhook, SinkNATS, SinkEmail)
// the notify pool's operator configured, in Sinks order.
type DeliverySinksResult struct {
	Configured []string `json:"configured"`
}

// DeliveryInput starts a run's delivery workflow.
type DeliveryInput struct {
	ResearchID string `json:"researchId"`
	// Email lists the recipients of the report (ResearchInput.Notify.Email).
	Email []string `json:"email,omitempty"`
}

// DeliveryMessage is one event of the run for the sinks. The report's event
// carries the report; Final says the run has ended and no message follows.
type DeliveryMessage struct {
	Event      *rf.Event `json:"event,omitempty"`
	Report     string    `json:"report,omitempty"`
	ReportPath string    `json:"reportPath,omitempty"`
	Final      bool      `json:"final,omitempty"`
}

// SinkDeliveryInput asks the notify pool to deliver one event to one sink.
type SinkDeliveryInput struct {
	Sink       string   `json:"sink"`
	Event      rf.Event `json:"event"`
	Report     string   `json:"report,omitempty"`
	ReportPath string   `json:"reportPath,omitempty"`
	Email      []string `json:"email,omitempty"`
}

// Outcomes of a delivery to a sink.
const (
	DeliveryDelivered     = "delivered"      // the sink accepted it (or already held it)
	DeliveryNotConfigured = "not configured" // the operator configured no such sink
	DeliveryNotApplicable = "not applicable" // nothing for this sink (an event other than the report by e-mail)
)

// SinkDeliveryResult is the outcome of one delivery: DeliveryDelivered,
// DeliveryNotConfigured or DeliveryNotApplicable, with a detail ("duplicate"
// when JetStream already held the message).
type SinkDeliveryResult struct {
	Outcome string `json:"outcome"`
	Detail  string `json:"detail,omitempty"`
}

// StoreReportInput asks the notify pool to store a report.
type StoreReportInput struct {
	ResearchID string `json:"researchId"`
	Markdown   string `json:"markdown"`
}

// StoreReportResult says where the report was stored ("" when the notify
// pool keeps no report folder).
type StoreReportResult struct {
	Path string `json:"path,omitempty"`
}
