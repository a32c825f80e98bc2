// Package events turns a research run's events (researchflow.Event) into
// CloudEvents 1.0 (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md),
// built with the CloudEvents Go SDK, and publishes them to NATS JetStream.
//
// Every delivery of an event carries the same CloudEvents id (the event's
// stable ID, workflows.EventID), so consumers deduplicate on it: the SSE
// and WebSocket streams use it with the run's Seq for resumption, the
// webhook sends it as webhook-id, and JetStream drops a second publication
// with the same Nats-Msg-Id inside the stream's duplicate window.
package events

import (
	"encoding/json"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"

	rf "github.com/researchflow/researchflow"
)

// ContentType is the media type of a CloudEvent in structured JSON mode
// (CloudEvents JSON format, section 3).
const ContentType = "application/cloudevents+json"

// CloudEvent builds the CloudEvent of e: id, source (Source), type,
// time, subject (the research ID) and data (e.Data as application/json).
// data, if not nil, replaces e.Data (the webhook adds the report). It fails
// only if the result breaks the specification (an empty ID or type).
func CloudEvent(e rf.Event, data any) (cloudevents.Event, error) {
	ce := cloudevents.New(cloudevents.CloudEventsVersionV1)
	ce.SetID(e.ID)
	ce.SetType(e.Type)
	ce.SetSource(Source(e.Data.ResearchID))
	ce.SetSubject(e.Data.ResearchID)
	if !e.Time.IsZero() {
		ce.SetTime(e.Time)
	}
	if data == nil {
		data = e.Data
	}
	if err := ce.SetData(cloudevents.ApplicationJSON, data); err != nil {
		return ce, fmt.Errorf("event %s: encode data: %w", e.ID, err)
	}
	if err := ce.Validate(); err != nil {
		return ce, fmt.Errorf("event %s: %w", e.ID, err)
	}
	return ce, nil
}

// JSON is the CloudEvent of e in structured mode (ContentType), as the
// webhook, NATS and the event streams carry it.
func JSON(e rf.Event, data any) ([]byte, error) {
	ce, err := CloudEvent(e, data)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(ce)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", e.ID, err)
	}
	return b, nil
}

// Subject is the NATS subject of events of type typ.
func Subject(typ string) string { return SubjectPrefix + typ }

// NATS subjects (used when NATS_URL is set).
const (
	// SubjectPrefix + an event type is the subject of that event,
	// e.g. "researchflow.events.research.report.ready".
	SubjectPrefix = "researchflow.events."
	// ReportSubject carries the finished report itself (Markdown, with the
	// research ID in the Researchflow-Research-Id header).
	ReportSubject = "researchflow.reports"
	// Stream is the JetStream stream that holds both.
	Stream = "RESEARCHFLOW"
)

// Source is the CloudEvents source of the events of run researchID.
func Source(researchID string) string { return "/researchflow/research/" + researchID }
