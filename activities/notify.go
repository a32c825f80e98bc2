package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"github.com/researchflow/researchflow/workflows"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	rf "github.com/researchflow/researchflow"
	rfclaims "github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/events"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/mailer"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Notify serves the notify pool: it stores finished reports and publishes
// the runs' events (CloudEvents JSON) to the operator's webhook and NATS
// JetStream, and mails reports to the recipients a run asks for.
type Notify struct {
	// ReportDir receives one <research ID>.md per report.
	ReportDir string
	// WebhookURL, if set, receives a JSON POST per event (configured by the
	// operator, never by a research request): a CloudEvent in structured
	// mode (Content-Type application/cloudevents+json); the report's event
	// carries the report in its data.
	WebhookURL string
	// Signer, if set, signs every webhook delivery per the Standard Webhooks
	// specification (https://www.standardwebhooks.com): headers webhook-id
	// (the event ID: the same on every retry), webhook-timestamp (Unix
	// seconds of the attempt) and webhook-signature ("v1," + base64
	// HMAC-SHA256 of "id.timestamp.body"), so receivers can verify the
	// sender and drop duplicates.
	Signer *standardwebhooks.Webhook
	HTTP   *http.Client
	// Bus, if set, receives every event on subject researchflow.events.<type>
	// and every report on researchflow.reports, with the event ID as the
	// de-duplication ID (events.JetStream when NATS_URL is set).
	Bus Bus
	// Mailer, if set, mails reports to the run's recipients, who must be in
	// EmailDomains (checked again here: a run started from the Temporal CLI
	// never passed the gateway).
	Mailer       Mailer
	EmailDomains []string
	Logger       *slog.Logger
	// Now defaults to time.Now (the signature's timestamp).
	Now func() time.Time
}

// Bus publishes a message with de-duplication by msgID.
type Bus interface {
	Publish(ctx context.Context, subject, msgID string, hdr map[string]string, data []byte) (events.Published, error)
}

// Mailer sends one message (internal/mailer's Mailer). Its MessageID is
// stable per event, so a retried delivery can be recognized by mail
// clients.
type Mailer interface {
	Send(ctx context.Context, m mailer.Mail) error
}

var _ Mailer = (*mailer.Mailer)(nil)

// WebhookEventReportReady is the event of a finished report.
//
// Deprecated: use rf.EventReportReady.
const WebhookEventReportReady = rf.EventReportReady

// WebhookDeliveryID is the webhook-id of the report of researchID (the ID of
// its research.report.ready event): stable across retries, so that a
// receiver accepts each event once.
func WebhookDeliveryID(researchID string) string {
	return workflows.EventID(researchID, rf.EventReportReady, 0)
}

// Header names of the messages on researchflow.reports.
const (
	HeaderResearchID = "Researchflow-Research-Id"
	HeaderEventID    = "Researchflow-Event-Id"
)

// ReportMsgID is the de-duplication ID (Nats-Msg-Id) of the report message
// of the research.report.ready event eventID.
func ReportMsgID(eventID string) string { return eventID + ":report" }

var safeID = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// reportData is the data of the report's event as the webhook receives it:
// the event's counts plus where the report is and the report itself.
type reportData struct {
	rf.EventData
	ReportPath string `json:"reportPath,omitempty"`
	Report     string `json:"report,omitempty"`
}

// Publish publishes one event of a run to the webhook and the bus (each
// when configured): the follow-up's and the review's events, and every
// event of runs started before the delivery workflow (newer runs deliver
// with DeliverToSink, one sink at a time). With in.Email it also mails a
// follow-up's answer or a report's revision (eventMail) to them. A retry publishes again with the same ID: the webhook
// receiver and JetStream drop the duplicate.
func (n *Notify) Publish(ctx context.Context, in workflows.PublishInput) (workflows.PublishResult, error) {
	e := in.Event
	if e.ID == "" || e.Type == "" || e.Data.ResearchID == "" {
		return workflows.PublishResult{}, invalid(workflows.ErrInvalidInput, "publish needs an event with an ID, a type and a research ID")
	}
	body, err := events.JSON(e, nil)
	if err != nil {
		return workflows.PublishResult{}, invalid(workflows.ErrInvalidInput, err.Error())
	}
	var res workflows.PublishResult
	if n.WebhookURL != "" {
		if err := n.callWebhook(ctx, e.ID, e.Data.ResearchID, body); err != nil {
			return res, err
		}
		res.Webhook = "delivered"
	}
	if n.Bus != nil {
		if res.NATS, err = n.publish(ctx, events.Subject(e.Type), e.ID, map[string]string{"Content-Type": events.ContentType}, body); err != nil {
			return res, err
		}
	}
	if subject, text, ok := eventMail(e); ok && len(in.Email) > 0 {
		if err := mailer.CheckDomains(in.Email, n.EmailDomains); err != nil {
			return res, invalid(workflows.ErrInvalidInput, err.Error())
		}
		if n.Mailer == nil {
			res.Email = "not sent: RESEARCHFLOW_SMTP_URL is not set"
			return res, nil
		}
		if err := n.Mailer.Send(ctx, mailer.Mail{To: in.Email, Subject: subject, Text: text, MessageID: e.ID}); err != nil {
			return res, classify(fmt.Errorf("mail the event: %w", err))
		}
		res.Email = "sent"
	}
	return res, nil
}

// eventMail is the e-mail of the events that are mailed besides the report:
// a follow-up's answer and a report's revision (subject: what happened to
// which question).
func eventMail(e rf.Event) (subject, text string, ok bool) {
	d := e.Data
	switch e.Type {
	case rf.EventFollowUpAnswered:
		subject = "Follow-up answered: " + d.Question
		text = fmt.Sprintf("The follow-up %q on research %s was answered: %d finding(s), %d gap(s).\n"+
			"Read it in the run's thread (GET /v1/research/%s/thread), follow-up %s.\n", d.Question, d.ResearchID, d.Findings, d.Gaps, d.ResearchID, d.FollowUpID)
	case rfclaims.EventRevised:
		subject = fmt.Sprintf("Report revised (revision %d): %s", d.Revision, d.Question)
		text = fmt.Sprintf("A disputed claim of research %s (%q) was reviewed: %s; the report is now at revision %d.\n",
			d.ResearchID, d.Question, orNone(d.Outcome), d.Revision)
	default:
		return "", "", false
	}
	return subject, text, true
}

// Deliver, for runs started before the delivery workflow (newer runs call
// StoreReport, then DeliverToSink per sink), writes the report atomically
// (a retry rewrites the same file),
// then publishes its research.report.ready event to the webhook (with the
// report) and the bus (the event on its subject, the report on
// researchflow.reports), then mails it to the run's recipients.
func (n *Notify) Deliver(ctx context.Context, in workflows.DeliverInput) (workflows.DeliverResult, error) {
	if in.ResearchID == "" || in.Markdown == "" {
		return workflows.DeliverResult{}, invalid(workflows.ErrInvalidInput, "deliver needs a research ID and a report")
	}
	if len(in.Email) > 0 {
		// Before anything is sent: a recipient outside the allow-list is a
		// request that can never succeed.
		if err := mailer.CheckDomains(in.Email, n.EmailDomains); err != nil {
			return workflows.DeliverResult{}, invalid(workflows.ErrInvalidInput, err.Error())
		}
	}
	ev := rf.Event{
		ID: workflows.EventID(in.ResearchID, rf.EventReportReady, 0), Type: rf.EventReportReady,
		Data: rf.EventData{ResearchID: in.ResearchID, Title: in.Title},
	}
	if in.Event != nil {
		ev = *in.Event
	}
	var res workflows.DeliverResult
	if n.ReportDir != "" {
		name := safeID.ReplaceAllString(in.ResearchID, "_") + ".md"
		path := filepath.Join(n.ReportDir, name)
		if err := writeFileAtomic(path, []byte(in.Markdown)); err != nil {
			return res, storeError(path, err)
		}
		res.Path = path
	}
	if n.WebhookURL != "" {
		body, err := events.JSON(ev, reportData{EventData: ev.Data, ReportPath: res.Path, Report: in.Markdown})
		if err != nil {
			return res, invalid(workflows.ErrInvalidInput, err.Error())
		}
		if err := n.callWebhook(ctx, ev.ID, in.ResearchID, body); err != nil {
			return res, err
		}
		res.Webhook = "delivered"
	}
	if n.Bus != nil {
		body, err := events.JSON(ev, reportData{EventData: ev.Data, ReportPath: res.Path})
		if err != nil {
			return res, invalid(workflows.ErrInvalidInput, err.Error())
		}
		// JetStream de-duplicates per stream: the report needs an ID of its own.
		if _, err := n.publish(ctx, events.ReportSubject, ReportMsgID(ev.ID), map[string]string{
			"Content-Type": "text/markdown; charset=utf-8", HeaderResearchID: in.ResearchID, HeaderEventID: ev.ID,
		}, []byte(in.Markdown)); err != nil {
			return res, err
		}
		if res.NATS, err = n.publish(ctx, events.Subject(ev.Type), ev.ID, map[string]string{"Content-Type": events.ContentType}, body); err != nil {
			return res, err
		}
	}
	if len(in.Email) > 0 {
		if n.Mailer == nil {
			// Refused at the gateway; a run started elsewhere is told in the
			// result and the log rather than retried for ever.
			n.logger().Warn("notify: e-mail asked for but no SMTP server is configured", "id", in.ResearchID)
			res.Email = "not sent: RESEARCHFLOW_SMTP_URL is not set"
			return res, nil
		}
		subject := in.Title
		if subject == "" {
			subject = "Research report " + in.ResearchID
		}
		if err := n.Mailer.Send(ctx, mailer.Mail{To: in.Email, Subject: subject, Text: in.Markdown, MessageID: ev.ID}); err != nil {
			return res, classify(fmt.Errorf("mail the report: %w", err))
		}
		res.Email = "sent"
	}
	return res, nil
}

// StoreReport writes the report atomically to ReportDir (a retry rewrites
// the same file). With no ReportDir it stores nothing and says so by an
// empty path.
func (n *Notify) StoreReport(ctx context.Context, in workflows.StoreReportInput) (workflows.StoreReportResult, error) {
	if in.ResearchID == "" || in.Markdown == "" {
		return workflows.StoreReportResult{}, invalid(workflows.ErrInvalidInput, "store report needs a research ID and a report")
	}
	if n.ReportDir == "" {
		return workflows.StoreReportResult{}, nil
	}
	path := filepath.Join(n.ReportDir, safeID.ReplaceAllString(in.ResearchID, "_")+".md")
	if err := writeFileAtomic(path, []byte(in.Markdown)); err != nil {
		return workflows.StoreReportResult{}, storeError(path, err)
	}
	return workflows.StoreReportResult{Path: path}, nil
}

// DeliverySinks names the sinks this pool delivers to: the webhook with
// RESEARCHFLOW_WEBHOOK_URL, NATS with a bus, e-mail with an SMTP server. A
// run whose sinks are all unconfigured (and that mails nobody) starts no
// delivery workflow.
func (n *Notify) DeliverySinks(ctx context.Context, in workflows.DeliverySinksInput) (workflows.DeliverySinksResult, error) {
	res := workflows.DeliverySinksResult{Configured: []string{}}
	if n.WebhookURL != "" {
		res.Configured = append(res.Configured, workflows.SinkWebhook)
	}
	if n.Bus != nil {
		res.Configured = append(res.Configured, workflows.SinkNATS)
	}
	if n.Mailer != nil {
		res.Configured = append(res.Configured, workflows.SinkEmail)
	}
	return res, nil
}

// DeliverToSink delivers one event of a run to one sink, and nothing else:
// the delivery workflow calls it once per sink and message, so that each
// sink is retried on its own. The report's event (research.report.ready)
// carries the report: the webhook receives it in the event's data, NATS
// on researchflow.reports besides the event, and the run's e-mail
// recipients by mail; e-mail gets no other event. A sink the operator did
// not configure answers DeliveryNotConfigured at once.
func (n *Notify) DeliverToSink(ctx context.Context, in workflows.SinkDeliveryInput) (workflows.SinkDeliveryResult, error) {
	e := in.Event
	if e.ID == "" || e.Type == "" || e.Data.ResearchID == "" {
		return workflows.SinkDeliveryResult{}, invalid(workflows.ErrInvalidInput, "deliver needs an event with an ID, a type and a research ID")
	}
	isReport := e.Type == rf.EventReportReady && in.Report != ""
	delivered := workflows.SinkDeliveryResult{Outcome: workflows.DeliveryDelivered}
	ack := in.Sink + " " + e.ID
	switch in.Sink {
	case workflows.SinkWebhook:
		if n.WebhookURL == "" {
			return workflows.SinkDeliveryResult{Outcome: workflows.DeliveryNotConfigured}, nil
		}
		if acknowledged(ctx, ack) {
			delivered.Detail = acknowledgedBefore
			return delivered, nil
		}
		var data any
		if isReport {
			data = reportData{EventData: e.Data, ReportPath: in.ReportPath, Report: in.Report}
		}
		body, err := events.JSON(e, data)
		if err != nil {
			return workflows.SinkDeliveryResult{}, invalid(workflows.ErrInvalidInput, err.Error())
		}
		if err := n.callWebhook(ctx, e.ID, e.Data.ResearchID, body); err != nil {
			return workflows.SinkDeliveryResult{}, err
		}
		recordAck(ctx, ack)
		return delivered, nil
	case workflows.SinkNATS:
		if n.Bus == nil {
			return workflows.SinkDeliveryResult{Outcome: workflows.DeliveryNotConfigured}, nil
		}
		var data any
		if isReport {
			data = reportData{EventData: e.Data, ReportPath: in.ReportPath}
			// JetStream de-duplicates per stream: the report needs an ID of its own.
			if _, err := n.publish(ctx, events.ReportSubject, ReportMsgID(e.ID), map[string]string{
				"Content-Type": "text/markdown; charset=utf-8", HeaderResearchID: e.Data.ResearchID, HeaderEventID: e.ID,
			}, []byte(in.Report)); err != nil {
				return workflows.SinkDeliveryResult{}, err
			}
		}
		body, err := events.JSON(e, data)
		if err != nil {
			return workflows.SinkDeliveryResult{}, invalid(workflows.ErrInvalidInput, err.Error())
		}
		how, err := n.publish(ctx, events.Subject(e.Type), e.ID, map[string]string{"Content-Type": events.ContentType}, body)
		if err != nil {
			return workflows.SinkDeliveryResult{}, err
		}
		if how == "duplicate" {
			delivered.Detail = how
		}
		return delivered, nil
	case workflows.SinkEmail:
		if !isReport || len(in.Email) == 0 {
			return workflows.SinkDeliveryResult{Outcome: workflows.DeliveryNotApplicable}, nil
		}
		if err := mailer.CheckDomains(in.Email, n.EmailDomains); err != nil {
			return workflows.SinkDeliveryResult{}, invalid(workflows.ErrInvalidInput, err.Error())
		}
		if n.Mailer == nil {
			return workflows.SinkDeliveryResult{Outcome: workflows.DeliveryNotConfigured, Detail: "RESEARCHFLOW_SMTP_URL is not set"}, nil
		}
		if acknowledged(ctx, ack) {
			delivered.Detail = acknowledgedBefore
			return delivered, nil
		}
		subject := e.Data.Title
		if subject == "" {
			subject = "Research report " + e.Data.ResearchID
		}
		if err := n.Mailer.Send(ctx, mailer.Mail{To: in.Email, Subject: subject, Text: in.Report, MessageID: e.ID}); err != nil {
			return workflows.SinkDeliveryResult{}, classify(fmt.Errorf("mail the report: %w", err))
		}
		recordAck(ctx, ack)
		return delivered, nil
	}
	return workflows.SinkDeliveryResult{}, invalid(workflows.ErrInvalidInput, fmt.Sprintf("unknown sink %q (want one of %v)", in.Sink, workflows.Sinks))
}

// acknowledgedBefore is the detail of a delivery an earlier attempt made.
const acknowledgedBefore = "acknowledged by an earlier attempt"

// recordAck records in the activity's heartbeat details that the sink took
// the delivery key names, as soon as it did. The worker can die between
// the sink's answer and the completion reaching the server (the chaos
// suite killed the notify pool 0.12 s after a webhook's 2xx, and the
// retry a minute later delivered it again); the next attempt reads the
// record (acknowledged) and does not deliver again. The first heartbeat
// of an attempt is sent before RecordHeartbeat returns; a failed one only
// leaves the window as it was (receivers also get an Idempotency-Key).
func recordAck(ctx context.Context, key string) {
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, key)
	}
}

// acknowledged reports whether an earlier attempt of this activity
// recorded that the sink took the delivery key names (see recordAck).
func acknowledged(ctx context.Context, key string) bool {
	if !activity.IsActivity(ctx) || !activity.HasHeartbeatDetails(ctx) {
		return false
	}
	var got string
	return activity.GetHeartbeatDetails(ctx, &got) == nil && got == key
}

// publish publishes to the bus and says "published" or "duplicate".
func (n *Notify) publish(ctx context.Context, subject, id string, hdr map[string]string, body []byte) (string, error) {
	p, err := n.Bus.Publish(ctx, subject, id, hdr, body)
	if err != nil {
		return "", err // connection or server trouble: retry
	}
	if p.Duplicate {
		n.logger().Info("notify: JetStream already holds this message", "subject", subject, "id", id)
		return "duplicate", nil
	}
	return "published", nil
}

func (n *Notify) logger() *slog.Logger {
	if n.Logger != nil {
		return n.Logger
	}
	return slog.Default()
}

func (n *Notify) callWebhook(ctx context.Context, id, researchID string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return temporal.NewNonRetryableApplicationError("bad webhook URL: "+err.Error(), "WebhookConfig", err)
	}
	req.Header.Set("Content-Type", events.ContentType)
	req.Header.Set("Idempotency-Key", id)
	req.Header.Set(HeaderResearchID, researchID)
	if n.Signer != nil {
		now := time.Now()
		if n.Now != nil {
			now = n.Now()
		}
		sig, err := n.Signer.Sign(id, now, body)
		if err != nil {
			return temporal.NewNonRetryableApplicationError("sign the webhook: "+err.Error(), "WebhookConfig", nil)
		}
		req.Header.Set(standardwebhooks.HeaderWebhookID, id)
		req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
		req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	}
	resp, err := n.webhookClient().Do(req)
	if err != nil {
		var re *redirectError
		if errors.As(err, &re) {
			return temporal.NewNonRetryableApplicationError("webhook event "+id+" not delivered: "+re.msg, "WebhookRedirected", nil)
		}
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return webhookStatus(id, resp)
}

// maxWebhookRedirects bounds the 307/308 redirects a delivery follows.
const maxWebhookRedirects = 3

// webhookClient is the configured client with one redirect rule: only a
// 307 or 308 is followed, since only they keep the method and the body (the
// standard library re-sends both, and every header, signature included).
// Any other 3xx would turn the POST into a bodyless GET whose 2xx says
// nothing about the event: it is answered to the caller (webhookStatus
// makes it a failure naming the Location).
func (n *Notify) webhookClient() *http.Client {
	c := http.Client{}
	if n.HTTP != nil {
		c = *n.HTTP
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if code := req.Response.StatusCode; code != http.StatusTemporaryRedirect && code != http.StatusPermanentRedirect {
			return http.ErrUseLastResponse
		}
		if len(via) > maxWebhookRedirects {
			return &redirectError{fmt.Sprintf("more than %d redirects (last to %s)", maxWebhookRedirects, req.URL.Redacted())}
		}
		if req.Method != http.MethodPost || req.GetBody == nil {
			return &redirectError{"the redirect to " + req.URL.Redacted() + " would not re-send the event"}
		}
		return nil
	}
	return &c
}

// redirectError is a redirect the webhook client refused to follow.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// webhookStatus turns the receiver's answer into the delivery's outcome:
// only a 2xx is a delivery. A redirect the client did not follow (301, 302,
// 303, …) is a failure no retry can fix, named with the Location the
// receiver gave; every other answer goes by the egress kit's status table:
// 408, 429 and 5xx are worth another try (after the receiver's
// Retry-After), any other answer refuses the event for good.
func webhookStatus(id string, resp *http.Response) error {
	if code := resp.StatusCode; code >= 300 && code < 400 {
		where := resp.Header.Get("Location")
		if where == "" {
			where = "no Location"
		} else if u, err := resp.Request.URL.Parse(where); err == nil {
			where = "Location " + u.Redacted()
		}
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"webhook answered %s (%s) to event %s: not delivered; a redirect other than 307/308 would turn the POST into a bodyless GET, so set the webhook URL to where it points",
			resp.Status, where, id), "WebhookRedirected", nil)
	}
	err := egress.Status(resp.StatusCode, egress.RetryAfterHeader(resp.Header, time.Now()), fmt.Errorf("webhook answered %s", resp.Status))
	if err != nil && fault.IsPermanent(err) {
		return temporal.NewNonRetryableApplicationError("webhook refused event "+id+": "+resp.Status, "WebhookRejected", nil)
	}
	return classify(err)
}

// storeError classifies a failure to store the report: a folder the
// worker may not write, or a path that is not a folder, stays so.
func storeError(path string, err error) error {
	err = fmt.Errorf("store report %s: %w", path, err)
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EROFS) {
		return temporal.NewNonRetryableApplicationError(err.Error(), "ReportStore", nil)
	}
	return err
}

func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
