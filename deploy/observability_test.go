package deploy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestPromtoolChecksObservability: the alert rules and the scrape config
// pass promtool (the Debian prometheus package; .ci/run installs it).
func TestPromtoolChecksObservability(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("needs promtool (apt-get install -y prometheus; .ci/run installs it)")
	}
	for _, args := range [][]string{
		{"check", "rules", "observability/alerts.yml"},
		{"check", "config", "observability/prometheus.yml"},
	} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestObservabilityNamesExist: every researchflow_* series the alert rules
// and the dashboard use is one the code defines, so a renamed metric
// cannot leave a silent alert or an empty panel behind.
func TestObservabilityNamesExist(t *testing.T) {
	defined := map[string]bool{}
	def := regexp.MustCompile(`"(researchflow_[a-z_]+)"`)
	for _, src := range []string{"internal/telemetry/metrics.go", "internal/gateway/metrics.go"} {
		data, err := os.ReadFile(filepath.Join(repoRoot, src))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range def.FindAllStringSubmatch(string(data), -1) {
			defined[m[1]] = true
		}
	}
	if len(defined) < 10 {
		t.Fatalf("found only %d metric names in the code: the parsing is broken", len(defined))
	}
	// Exposed names: counters get _total (client_golang names them so; the
	// SDK's OpenTelemetry exporter appends it), histograms _bucket/_count/_sum.
	exposed := func(name string) bool {
		for _, suffix := range []string{"", "_total", "_bucket", "_count", "_sum"} {
			if base, ok := strings.CutSuffix(name, suffix); ok && defined[base] {
				return true
			}
		}
		return false
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	data, err := os.ReadFile("observability/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &dash); err != nil || len(dash.Panels) == 0 {
		t.Fatalf("grafana-dashboard.json: %v (%d panels)", err, len(dash.Panels))
	}
	rules, err := os.ReadFile("observability/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`researchflow_[a-z_]+`)
	var missing []string
	check := func(where, text string) {
		for _, name := range used.FindAllString(text, -1) {
			if !exposed(name) {
				missing = append(missing, where+": "+name)
			}
		}
	}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			check("dashboard "+p.Title, tg.Expr)
		}
	}
	check("alerts.yml", string(rules))
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("%s is not a metric the code defines", m)
	}
}
