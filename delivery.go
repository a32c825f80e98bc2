package researchflow

// Notification delivery, off the research run's critical path.
//
// A research run does not wait for its sinks (webhook, NATS JetStream,
// e-mail). It stores its report (StoreReportActivity, a local file on the
// notify pool), then hands each event, the report's included, to its
// delivery workflow: a DeliveryWorkflowType child started when the run
// starts, with parent close policy ABANDON, so that it outlives the run.
// The delivery workflow delivers to every sink on its own: each sink takes
// the run's messages in order, each message in its own DeliverToSink
// activity with its own retries, so a receiver that is down or refuses
// delays or fails only its own sink. Delivery is at least once per sink
// (a retried message carries the same event ID, which receivers and
// JetStream use to drop duplicates). The DeliveryQuery query and the
// workflow's result (a DeliveryState) say where every sink stands.

// DeliveryWorkflowType is the workflow type of a run's notification
// delivery; its input is a DeliveryInput, its messages come by the
// DeliverySignal signal, and its result is a DeliveryState.
const DeliveryWorkflowType = "ResearchDelivery"

// DeliveryWorkflowID is the workflow ID of the delivery workflow of run
// researchID (the same for every run of a continued-as-new chain).
func DeliveryWorkflowID(researchID string) string { return researchID + "/delivery" }

// Messages of the delivery workflow.
const (
	// DeliverySignal hands the delivery workflow one DeliveryMessage.
	DeliverySignal = "deliver"
	// DeliveryQuery returns the delivery workflow's DeliveryState.
	DeliveryQuery = "delivery"
)

// Activities of the delivery workflow, on the notify pool.
const (
	// StoreReportActivity writes a finished report to the notify pool's
	// report folder (StoreReportInput, StoreReportResult).
	StoreReportActivity = "StoreReport"
	// DeliverToSinkActivity delivers one message to one sink
	// (SinkDeliveryInput, SinkDeliveryResult).
	DeliverToSinkActivity = "DeliverToSink"
)

// Sinks, in the order the delivery state lists them.
const (
	SinkWebhook = "webhook"
	SinkNATS    = "nats"
	SinkEmail   = "email"
)

// Sinks lists every sink a delivery workflow serves.
var Sinks = []string{SinkWebhook, SinkNATS, SinkEmail}

// DeliveryInput starts a run's delivery workflow.
type DeliveryInput struct {
	ResearchID string `json:"researchId"`
	// Email lists the recipients of the report (ResearchInput.Notify.Email).
	Email []string `json:"email,omitempty"`
}

// DeliveryMessage is one event of the run for the sinks. The report's event
// carries the report; Final says the run has ended and no message follows.
type DeliveryMessage struct {
	Event      *Event `json:"event,omitempty"`
	Report     string `json:"report,omitempty"`
	ReportPath string `json:"reportPath,omitempty"`
	Final      bool   `json:"final,omitempty"`
}

// SinkDeliveryInput asks the notify pool to deliver one event to one sink.
type SinkDeliveryInput struct {
	Sink       string   `json:"sink"`
	Event      Event    `json:"event"`
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

// Sink states.
const (
	SinkPending       = "pending"        // messages wait or are being delivered
	SinkDelivered     = "delivered"      // every message so far was delivered
	SinkFailed        = "failed"         // a message failed for good (LastError)
	SinkNotConfigured = "not configured" // the operator configured no such sink
	SinkNotApplicable = "not applicable" // nothing to send (no e-mail recipient)
)

// DeliveryState is where a run's notifications stand: per sink, what was
// delivered and what failed.
type DeliveryState struct {
	ResearchID string `json:"researchId"`
	// Done: the run has ended and every sink has settled.
	Done  bool        `json:"done"`
	Sinks []SinkState `json:"sinks"`
}

// SinkState is one sink's delivery state.
type SinkState struct {
	Sink   string `json:"sink"`
	Status string `json:"status"`
	// Delivered, Failed and Skipped count messages; Pending counts the ones
	// waiting, the one being delivered included.
	Delivered int `json:"delivered"`
	Failed    int `json:"failed,omitempty"`
	Skipped   int `json:"skipped,omitempty"`
	Pending   int `json:"pending,omitempty"`
	// Current is the event ID being delivered, if any.
	Current   string `json:"current,omitempty"`
	LastError string `json:"lastError,omitempty"`
}
