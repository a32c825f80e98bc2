package stack

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// Issue 19 item 4: with the webhook receiver down (connection refused),
// the report is served by GET /report as soon as it is written, while the
// webhook's delivery is still being retried by the run's delivery
// workflow (before, the run waited for every event's delivery to give up,
// about ten minutes each). The test logs the time from start to report.
func TestDeadWebhookDoesNotWithholdTheReport(t *testing.T) {
	endToEnd(t)
	// A reserved port that nothing listens on (nor can take meanwhile):
	// every delivery is refused.
	dead := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(reservedPort(t))) + "/hook"

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cfg := llmConfig(t)
	cfg.WebhookURL = dead
	all, _ := pools.Parse(pools.All)
	s, err := Start(ctx, cfg, Options{Pools: all, Gateway: true, Logger: testLogger(), NoUI: true, DevServer: temporalserver.StartDev})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := unique("dead-webhook")
	began := time.Now()
	if _, err := s.Runs.Start(ctx, id, rf.ResearchInput{
		Question: "What does a lighthouse keeper trim?", CorpusPath: writeCorpus(t), MaxSubQuestions: 1, Depth: new(int),
	}); err != nil {
		t.Fatal(err)
	}
	url := "http://" + s.Gateway.Addr + "/v1/research/" + id + "/report"
	var md []byte
	for {
		resp, err := http.Get(url)
		if err == nil {
			md, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET /report did not answer 200 within %v with the webhook receiver down (last: %v %s)", time.Since(began).Round(time.Second), err, md)
		case <-time.After(500 * time.Millisecond): // below the gateway's rate limit
		}
	}
	took := time.Since(began)
	t.Logf("run start to GET /report 200 with a dead webhook receiver: %v", took.Round(10*time.Millisecond))

	// The webhook is still being retried, on its own: the delivery
	// workflow says so.
	v, err := s.Client.QueryWorkflow(ctx, workflows.DeliveryWorkflowID(id), "", workflows.DeliveryQuery)
	if err != nil {
		t.Fatalf("query the delivery workflow: %v", err)
	}
	var st workflows.DeliveryState
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	for _, sk := range st.Sinks {
		if sk.Sink == workflows.SinkWebhook && (sk.Status != workflows.SinkPending || sk.Delivered != 0) {
			t.Errorf("webhook state %+v: want pending (still retrying), nothing delivered", sk)
		}
	}
	t.Logf("delivery state: %+v", st)
}
