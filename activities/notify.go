package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/temporal"
)

// Notify serves the notify pool: it stores finished reports and, when a
// webhook is configured, tells it about them.
type Notify struct {
	// ReportDir receives one <research ID>.md per report.
	ReportDir string
	// WebhookURL, if set, receives a JSON POST per report (configured by the
	// operator, never by a research request).
	WebhookURL string
	// Signer, if set, signs every webhook delivery per the Standard Webhooks
	// specification (https://www.standardwebhooks.com): headers webhook-id
	// (one per event, the same on every retry), webhook-timestamp (Unix
	// seconds of the attempt) and webhook-signature ("v1," + base64
	// HMAC-SHA256 of "id.timestamp.body"), so receivers can verify the
	// sender and drop duplicates.
	Signer *standardwebhooks.Webhook
	HTTP   *http.Client
	Logger *slog.Logger
	// Now defaults to time.Now (the signature's timestamp).
	Now func() time.Time
}

// WebhookEventReportReady is the event of a finished report; with the
// research ID it makes the delivery ID (webhook-id).
const WebhookEventReportReady = "research.report.ready"

// WebhookDeliveryID is the webhook-id of the report of researchID: stable
// across retries, so that a receiver accepts each event once.
func WebhookDeliveryID(researchID string) string {
	return WebhookEventReportReady + ":" + researchID
}

var safeID = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Deliver writes the report atomically (a retry rewrites the same file) and
// calls the webhook with the research ID as idempotency key.
func (n *Notify) Deliver(ctx context.Context, in rf.DeliverInput) (rf.DeliverResult, error) {
	if in.ResearchID == "" || in.Markdown == "" {
		return rf.DeliverResult{}, invalid(rf.ErrInvalidInput, "deliver needs a research ID and a report")
	}
	var res rf.DeliverResult
	if n.ReportDir != "" {
		name := safeID.ReplaceAllString(in.ResearchID, "_") + ".md"
		path := filepath.Join(n.ReportDir, name)
		if err := writeFileAtomic(path, []byte(in.Markdown)); err != nil {
			return res, fmt.Errorf("store report %s: %w", path, err)
		}
		res.Path = path
	}
	if n.WebhookURL != "" {
		if err := n.callWebhook(ctx, in, res.Path); err != nil {
			return res, err
		}
		res.Webhook = "delivered"
	}
	return res, nil
}

func (n *Notify) callWebhook(ctx context.Context, in rf.DeliverInput, path string) error {
	body, _ := json.Marshal(map[string]string{
		"researchId": in.ResearchID, "title": in.Title, "reportPath": path, "report": in.Markdown,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return temporal.NewNonRetryableApplicationError("bad webhook URL: "+err.Error(), "WebhookConfig", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", in.ResearchID)
	if n.Signer != nil {
		id, now := WebhookDeliveryID(in.ResearchID), time.Now()
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
	client := n.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("webhook answered %s", resp.Status)
	default:
		return temporal.NewNonRetryableApplicationError("webhook refused the report: "+resp.Status, "WebhookRejected", nil)
	}
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
