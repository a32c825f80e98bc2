package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	uiconfig "github.com/temporalio/ui-server/v2/plugins/fs_config_provider"
	"go.temporal.io/server/common/config"
)

// The local cluster (deploy/local/cluster.sh, `task cluster:up`) renders
// its Temporal server and Web UI configs from templates with the
// RF_CLUSTER_* values of `cluster.sh settings`. These tests load them with
// the servers' own loaders, so that what the script starts and what the
// configs say cannot drift apart.

const clusterScript = "local/cluster.sh"

// clusterSettings runs `cluster.sh settings` with a fresh state dir and port
// base and returns its NAME=value lines.
func clusterSettings(t *testing.T, portBase int) map[string]string {
	t.Helper()
	cmd := exec.Command("bash", clusterScript, "settings")
	cmd.Env = append(os.Environ(),
		"RESEARCHFLOW_CLUSTER_DIR="+t.TempDir(),
		"RESEARCHFLOW_CLUSTER_PORT_BASE="+strconv.Itoa(portBase))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cluster.sh settings: %v", err)
	}
	settings := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("cluster.sh settings: line %q is not NAME=value", sc.Text())
		}
		settings[k] = v
	}
	return settings
}

// templateVars are the variables a template reads with {{ env "NAME" }}.
func templateVars(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`env "([A-Z0-9_]+)"`).FindAllStringSubmatch(string(data), -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

func TestLocalClusterTemporalConfig(t *testing.T) {
	const base = 23100
	settings := clusterSettings(t, base)
	path := filepath.Join("local", "temporal.yaml")
	vars := templateVars(t, path)
	if len(vars) < 10 {
		t.Fatalf("%s reads only %v: the template lost its settings", path, vars)
	}
	for _, name := range vars {
		if strings.HasPrefix(name, "RF_CLUSTER_") && name != "RF_CLUSTER_TEMPORAL_LOG_LEVEL" {
			if _, ok := settings[name]; !ok {
				t.Errorf("%s reads %s, which cluster.sh does not set", path, name)
			}
		}
	}
	for k, v := range settings {
		t.Setenv(k, v)
	}
	cfg, err := config.Load(config.WithConfigFile(path))
	if err != nil {
		t.Fatalf("the Temporal server's loader refuses %s: %v", path, err)
	}
	pgAddr := "127.0.0.1:" + strconv.Itoa(base+1)
	for _, store := range []string{cfg.Persistence.DefaultStore, cfg.Persistence.VisibilityStore} {
		ds, ok := cfg.Persistence.DataStores[store]
		if !ok || ds.SQL == nil {
			t.Fatalf("store %q is not an SQL store", store)
		}
		if ds.SQL.PluginName != "postgres12" || ds.SQL.ConnectAddr != pgAddr {
			t.Errorf("store %s: plugin %s at %s, want postgres12 at %s (cluster.sh's PostgreSQL)", store, ds.SQL.PluginName, ds.SQL.ConnectAddr, pgAddr)
		}
	}
	if got := cfg.Services["frontend"].RPC.GRPCPort; got != base+2 {
		t.Errorf("frontend gRPC port %d, want %d (the TEMPORAL_ADDRESS of cluster.sh env)", got, base+2)
	}
	ports := map[int]string{}
	for name, svc := range cfg.Services {
		if !svc.RPC.BindOnLocalHost {
			t.Errorf("service %s does not bind on loopback only", name)
		}
		for _, p := range []int{svc.RPC.GRPCPort, svc.RPC.MembershipPort} {
			if other, dup := ports[p]; dup {
				t.Errorf("port %d used by %s and %s", p, other, name)
			}
			ports[p] = name
		}
	}
	if len(cfg.Services) != 4 {
		t.Errorf("%d services configured, want frontend, history, matching and worker", len(cfg.Services))
	}
	if _, err := os.Stat(settings["RF_CLUSTER_DYNAMIC_CONFIG"]); err != nil {
		t.Errorf("dynamic config: %v", err)
	}
}

func TestLocalClusterWebUIConfig(t *testing.T) {
	const base = 23200
	settings := clusterSettings(t, base)
	for k, v := range settings {
		t.Setenv(k, v)
	}
	for _, name := range templateVars(t, filepath.Join("local", "ui", "local.yaml")) {
		if _, ok := settings[name]; !ok && name != "RF_CLUSTER_CODEC_ENDPOINT" {
			t.Errorf("ui/local.yaml reads %s, which cluster.sh does not set", name)
		}
	}
	cfg, err := uiconfig.NewFSConfigProvider(filepath.Join("local", "ui"), "local").GetConfig()
	if err != nil {
		t.Fatalf("the Web UI's loader refuses local/ui/local.yaml: %v", err)
	}
	if want := "127.0.0.1:" + strconv.Itoa(base+2); cfg.TemporalGRPCAddress != want {
		t.Errorf("Web UI dials %s, want the cluster's frontend %s", cfg.TemporalGRPCAddress, want)
	}
	if cfg.Host != "127.0.0.1" || cfg.Port != base+3 {
		t.Errorf("Web UI listens on %s:%d, want 127.0.0.1:%d (loopback only)", cfg.Host, cfg.Port, base+3)
	}
}

// TestLocalClusterRunsEveryPool: the cluster runs each pool of `workers
// -pool` as its own processes, search and inference at least twice, and
// points every command at itself through variables the code reads.
func TestLocalClusterRunsEveryPool(t *testing.T) {
	data, err := os.ReadFile(clusterScript)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^POOLS=\(([^)]*)\)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("cluster.sh has no POOLS=(...) line")
	}
	count := map[string]int{}
	for _, name := range strings.Fields(string(m[1])) {
		pool, _, ok := strings.Cut(name, "-")
		if !ok {
			t.Errorf("process %q is not named POOL-N", name)
		}
		count[pool]++
	}
	pools := poolNames(t)
	for _, p := range pools {
		want := 1
		if p == "search" || p == "inference" {
			want = 2
		}
		if count[p] < want {
			t.Errorf("pool %s: %d processes, want at least %d", p, count[p], want)
		}
	}
	for p := range count {
		if !slices.Contains(pools, p) {
			t.Errorf("cluster.sh runs pool %q, which `workers -pool` does not know (%v)", p, pools)
		}
	}

	cmd := exec.Command("bash", clusterScript, "env")
	cmd.Env = append(os.Environ(), "RESEARCHFLOW_CLUSTER_DIR="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cluster.sh env: %v", err)
	}
	ix, temporalErr := knownEnv(t)
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		kv, ok := strings.CutPrefix(line, "export ")
		name, _, ok2 := strings.Cut(kv, "=")
		if !ok || !ok2 {
			t.Fatalf("cluster.sh env: %q is not an export", line)
		}
		names = append(names, name)
		if !ix.reads(name) && !(strings.HasPrefix(name, "TEMPORAL_") && temporalErr != nil) {
			t.Errorf("cluster.sh env exports %s, which no code reads", name)
		}
	}
	for _, want := range []string{"TEMPORAL_ADDRESS", "QDRANT_URL", "RESEARCHFLOW_HTTP_ADDR"} {
		if !slices.Contains(names, want) {
			t.Errorf("cluster.sh env does not export %s (got %v)", want, names)
		}
	}
}
