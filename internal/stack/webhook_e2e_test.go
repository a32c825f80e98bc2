package stack

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// The notify worker is stopped while it delivers a report to a webhook; a
// new one delivers it again. Every delivery verifies with the secret, and
// the redelivery carries the same webhook-id, so a receiver that accepts
// each ID once accepts exactly one delivery per event.
func TestWebhookDeliveryWhenTheNotifyWorkerDies(t *testing.T) {
	endToEnd(t)
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	verifier, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	deliveries := map[string]int{} // webhook-id -> verified deliveries
	accepted := map[string]bool{}  // what a receiver that drops duplicates keeps
	var reportIDs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			// No delivery: the HTTP/2 preface ("PRI *") of a stopped
			// embedded Temporal server's client, still redialling the port
			// this listener now has.
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if err := verifier.Verify(body, r.Header); err != nil {
			t.Errorf("a delivery does not verify: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		id := r.Header.Get("webhook-id")
		mu.Lock()
		deliveries[id]++
		accepted[id] = true
		first := false
		if strings.Contains(id, rf.EventReportReady) {
			reportIDs = append(reportIDs, id)
			first = len(reportIDs) == 1
		}
		mu.Unlock()
		if first { // hold the first report delivery until its worker is gone
			once.Do(func() { close(held) })
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	defer once.Do(func() { close(held) })

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := llmConfig(t)
	cfg.WebhookURL, cfg.WebhookSecret = srv.URL, secret
	cfg.WorkerStopTimeout = 500 * time.Millisecond
	core, err := Start(ctx, cfg, Options{Pools: []string{pools.Workflow, pools.Search, pools.Inference}, Logger: testLogger(), NoUI: true, DevServer: temporalserver.StartDev})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	notifier := func() *Stack {
		t.Helper()
		ncfg := cfg
		ncfg.TemporalAddress = core.Server.FrontendAddress()
		s, err := Start(ctx, ncfg, Options{Pools: []string{pools.Notify}, Logger: testLogger()})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := notifier()
	run, err := core.Runs.Start(ctx, "webhook-notify-killed", rf.ResearchInput{
		Question: "What does a lighthouse keeper trim?", CorpusPath: writeCorpus(t), MaxSubQuestions: 1, Depth: new(int),
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-held:
	case <-ctx.Done():
		first.Close()
		t.Fatal("the report was never delivered")
	}
	first.Close() // the notify worker goes away mid-delivery
	close(release)
	second := notifier()
	defer second.Close()
	res, err := core.Runs.Result(ctx, run.ID)
	if err != nil {
		t.Fatalf("the run did not complete: %v", err)
	}
	if res.Report == "" {
		t.Fatal("empty report")
	}
	// The run does not wait for its webhook: its delivery workflow does,
	// and ends once the new notify worker has delivered.
	var st workflows.DeliveryState
	if err := core.Client.GetWorkflow(ctx, res.DeliveryWorkflowID, "").Get(ctx, &st); err != nil || !st.Done {
		t.Fatalf("the delivery did not finish after the notify worker was replaced: %+v, %v", st, err)
	}
	if web := st.Sinks[0]; web.Sink != workflows.SinkWebhook || web.Status != workflows.SinkDelivered || web.Failed != 0 {
		t.Errorf("webhook state = %+v, want delivered", web)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reportIDs) < 2 {
		t.Fatalf("report deliveries: %v; want the interrupted one and its retry", reportIDs)
	}
	for _, id := range reportIDs[1:] {
		if id != reportIDs[0] {
			t.Errorf("the redelivery has webhook-id %q, the first %q: a receiver could not drop the duplicate", id, reportIDs[0])
		}
	}
	if n := len(accepted); n == 0 || deliveries[reportIDs[0]] < 2 {
		t.Errorf("accepted %d event IDs; deliveries of the report %d", n, deliveries[reportIDs[0]])
	}
	t.Logf("%d deliveries of %d events; the report's event %s delivered %d times, accepted once", sum(deliveries), len(accepted), reportIDs[0], deliveries[reportIDs[0]])
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
