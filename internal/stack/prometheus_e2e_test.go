package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/gateway"
)

// A real Prometheus (the Debian package; .ci/run installs it) scrapes the
// dev stack's gateway and metrics listener while one research runs, and its
// query API then returns Researchflow's run counters and the Temporal SDK's
// own metrics.
func TestPrometheusScrapesTheStack(t *testing.T) {
	endToEnd(t)
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("needs the prometheus binary (apt-get install -y prometheus; .ci/run installs it)")
	}
	if shared.MetricsServer == nil {
		t.Fatal("the shared stack has no metrics listener (RESEARCHFLOW_METRICS_ADDR)")
	}
	dir := t.TempDir()
	conf := fmt.Sprintf(`global:
  scrape_interval: 1s
scrape_configs:
  - job_name: researchflow-gateway
    static_configs: [{targets: [%q]}]
  - job_name: researchflow-workers
    static_configs: [{targets: [%q]}]
`, shared.Gateway.Addr, shared.MetricsServer.Addr)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// Prometheus listens on a reserved port (it binds it with SO_REUSEADDR
	// while the reservation keeps everyone else off).
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(reservedPort(t)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr)
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
			t.Logf("prometheus log:\n%s", log)
		}
	}()

	// One research, started over HTTP, to its end.
	resp, err := http.Post("http://"+shared.Gateway.Addr+"/v1/research", "application/json",
		strings.NewReader(`{"question":"How does a lighthouse keeper keep the lamp burning?"}`))
	if err != nil {
		t.Fatal(err)
	}
	var created gateway.CreateResearchResponse
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /v1/research: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	rctx, rcancel := context.WithTimeout(ctx, 3*time.Minute)
	defer rcancel()
	if err := shared.Client.GetWorkflow(rctx, created.ID, "").Get(rctx, nil); err != nil {
		t.Fatalf("research: %v", err)
	}

	queries := map[string]string{
		"completed runs":      `sum(researchflow_runs_finished_total{status="completed"})`,
		"started runs":        `sum(researchflow_runs_started_total)`,
		"gateway starts":      `researchflow_research_started_total`,
		"stage durations":     `sum(researchflow_stage_duration_seconds_count{stage="Synthesize"})`,
		"SDK workflows":       `sum(temporal_workflow_completed_total)`,
		"SDK requests":        `count({__name__=~"temporal_request.*"})`,
		"workers scraped":     `up{job="researchflow-workers"}`,
		"task-queue backlogs": `count(researchflow_task_queue_backlog)`,
	}
	// The Temporal series the shipped dashboard plots exist under those names.
	dash, err := os.ReadFile("../../deploy/observability/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range regexp.MustCompile(`temporal_[a-z_]+`).FindAllString(string(dash), -1) {
		queries["dashboard "+name] = `count({__name__="` + name + `"})`
	}
	deadline := time.Now().Add(90 * time.Second)
	for name, q := range queries {
		for {
			v, err := promQuery(addr, q)
			if err == nil && v >= 1 {
				t.Logf("%s: %s = %g", name, q, v)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s = %g, %v; want at least 1", name, q, v, err)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
}

// promQuery runs an instant query and returns the value of its first sample.
func promQuery(addr, q string) (float64, error) {
	resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	if body.Status != "success" {
		return 0, fmt.Errorf("query %s: %s", q, body.Error)
	}
	if len(body.Data.Result) == 0 {
		return 0, fmt.Errorf("query %s: no samples", q)
	}
	s, _ := body.Data.Result[0].Value[1].(string)
	return strconv.ParseFloat(s, 64)
}
