package workflows

// Notification delivery, off the research run's critical path.
//
// A research run does not wait for its sinks (webhook, NATS JetStream,
// e-mail). It stores its report (a local file on the notify pool), then
// hands each event, the report's included, to its
// delivery workflow: a DeliveryWorkflowType child started when the run
// starts, with parent close policy ABANDON, so that it outlives the run.
// The delivery workflow delivers to every sink on its own: each sink takes
// the run's messages in order, each message in its own activity with its
// own retries, so a receiver that is down or refuses
// delays or fails only its own sink. Delivery is at least once per sink
// (a retried message carries the same event ID, which receivers and
// JetStream use to drop duplicates). The DeliveryQuery query and the
// workflow's result (a DeliveryState) say where every sink stands.

// DeliveryWorkflowType is the workflow type of a run's notification
// delivery; its result is a DeliveryState. Its input, the signal that
// hands it the run's events and its activities are the workflows' own
// (package workflows).
const DeliveryWorkflowType = "ResearchDelivery"

// DeliveryWorkflowID is the workflow ID of the delivery workflow of run
// researchID (the same for every run of a continued-as-new chain).
func DeliveryWorkflowID(researchID string) string { return researchID + "/delivery" }

// DeliveryQuery returns the delivery workflow's DeliveryState:
//
//	temporal workflow query --workflow-id <research ID>/delivery --type delivery
const DeliveryQuery = "delivery"

// Sinks, in the order the delivery state lists them.
const (
	SinkWebhook = "webhook"
	SinkNATS    = "nats"
	SinkEmail   = "email"
)

// Sinks lists every sink a delivery workflow serves.
var Sinks = []string{SinkWebhook, SinkNATS, SinkEmail}

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
