package telemetry

import (
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
)

func newTestMetrics(t *testing.T) *Metrics {
	t.Helper()
	m, err := NewMetrics(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// scrape returns the exposition text of m, as Prometheus would read it.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

func wantLines(t *testing.T, body string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(body, l) {
			t.Errorf("metrics lack %q", l)
		}
	}
}

func TestModelCallMetrics(t *testing.T) {
	m := newTestMetrics(t)
	m.ModelCall("writer", "openai", "gpt-4o", 2*time.Second, 1000, 200, 0.0125, nil)
	m.ModelCall("writer", "openai", "gpt-4o", 300*time.Millisecond, 0, 0, 0, errors.New("429"))
	m.BreakerOpen("brave", true)
	body := scrape(t, m)
	wantLines(t, body,
		`researchflow_model_tokens_total{kind="prompt",model="gpt-4o",provider="openai",role="writer"} 1000`,
		`researchflow_model_tokens_total{kind="completion",model="gpt-4o",provider="openai",role="writer"} 200`,
		`researchflow_model_cost_usd_total{model="gpt-4o",provider="openai",role="writer"} 0.0125`,
		`researchflow_model_errors_total{model="gpt-4o",provider="openai",role="writer"} 1`,
		`researchflow_model_call_duration_seconds_count{model="gpt-4o",outcome="ok",provider="openai",role="writer"} 1`,
		`researchflow_model_call_duration_seconds_bucket{model="gpt-4o",outcome="error",provider="openai",role="writer",le="0.5"} 1`,
		`researchflow_breaker_open{provider="brave"} 1`,
		"go_goroutines ",
	)
}

// A research run is counted once as started and once as finished with its
// status, through the SDK's metrics handler (the test environment emits no
// temporal_* series; the stack's Prometheus test sees them); other
// workflow types are not counted.
func TestRunMetricsFromWorkflows(t *testing.T) {
	m := newTestMetrics(t)
	run := func(wf any, name string) {
		var s testsuite.WorkflowTestSuite
		s.SetMetricsHandler(m.TemporalHandler())
		env := s.NewTestWorkflowEnvironment()
		env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{m.WorkerInterceptor()}})
		env.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: name})
		env.ExecuteWorkflow(name)
	}
	ok := func(ctx workflow.Context) error { return nil }
	fail := func(ctx workflow.Context) error { return errors.New("boom") }
	run(ok, rf.ResearchWorkflowType)
	run(ok, rf.ResearchWorkflowType)
	run(fail, rf.ResearchWorkflowType)
	run(ok, rf.IngestWorkflowType)
	body := scrape(t, m)
	count := func(prefix string) int {
		n := 0
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, prefix) {
				n += int(lastValue(l))
			}
		}
		return n
	}
	if got := count("researchflow_runs_started_total"); got != 3 {
		t.Errorf("runs started = %d, want 3\n%s", got, body)
	}
	var completed, failed int
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "researchflow_runs_finished_total{") {
			switch {
			case strings.Contains(l, `status="completed"`):
				completed += int(lastValue(l))
			case strings.Contains(l, `status="failed"`):
				failed += int(lastValue(l))
			}
		}
	}
	if completed != 2 || failed != 1 {
		t.Errorf("finished: completed %d failed %d, want 2 and 1\n%s", completed, failed, body)
	}
}

// lastValue is the sample value of an exposition line.
func lastValue(line string) float64 {
	f := strings.Fields(line)
	v, _ := strconv.ParseFloat(f[len(f)-1], 64)
	return v
}
