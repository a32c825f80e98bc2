package chaos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	sdkclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// ClusterScript is the local cluster's control script, relative to the
// repository root (see deploy/local).
const ClusterScript = "deploy/local/cluster.sh"

// Components of the local cluster the suite kills.
var (
	// Pools are the worker processes, killed in this order.
	Pools = []string{"search-1", "search-2", "inference-1", "inference-2", "workflow-1", "notify-1"}
)

// Cluster drives deploy/local/cluster.sh with a private state directory
// and port range.
type Cluster struct {
	// Script is the path of cluster.sh.
	Script string
	// Env is the environment of every call (the app settings that `up`
	// saves for the pools, RESEARCHFLOW_CLUSTER_DIR and _PORT_BASE).
	Env []string
	// Log receives the scripts' output.
	Log *os.File
}

// Do runs cluster.sh with args and returns its standard output.
func (c *Cluster) Do(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "bash", append([]string{c.Script}, args...)...)
	cmd.Env = c.Env
	cmd.Dir = filepath.Dir(filepath.Dir(filepath.Dir(c.Script)))
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	if c.Log != nil {
		fmt.Fprintf(c.Log, "%s $ cluster.sh %s\n", time.Now().Format("15:04:05.000"), strings.Join(args, " "))
	}
	err := cmd.Run()
	if c.Log != nil {
		_, _ = c.Log.Write(out.Bytes())
		_, _ = c.Log.Write(errb.Bytes())
	}
	if err != nil {
		tail := errb.String()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return out.String(), fmt.Errorf("cluster.sh %s: %w\n%s", strings.Join(args, " "), err, tail)
	}
	return out.String(), nil
}

// localCluster is the cluster of a chaos run or test: cluster.sh with its
// own state directory and port range, its Researchflow processes given the
// run's settings (a scripted model server, a webhook receiver).
type localCluster struct {
	*Cluster
	dir  string
	base int
	// purge: the directory was made for this cluster; down removes it.
	purge bool
	// log is dir/chaos.log: the scripts' output and the SDK's errors.
	log *os.File
}

// newLocalCluster prepares the cluster of o (o.ClusterDir, or a fresh
// private directory; o.PortBase, or the first free of 17400, 17500, …)
// with the app settings set; nothing is started.
func newLocalCluster(o Options, set map[string]string) (*localCluster, error) {
	dir, purge := o.ClusterDir, false
	var err error
	if dir == "" {
		if dir, err = os.MkdirTemp("", "researchflow-chaos-"); err != nil {
			return nil, err
		}
		// Run as root, cluster.sh runs PostgreSQL as the postgres user,
		// who must reach its data directory inside.
		if err := os.Chmod(dir, 0o755); err != nil {
			return nil, err
		}
		purge = true
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	base := o.PortBase
	if base == 0 {
		if base, err = FreePortBase(17400, 17500, 17600, 17700, 17800); err != nil {
			return nil, err
		}
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT (the go-docs corpus): %w", err)
	}
	all := map[string]string{
		"RESEARCHFLOW_GOROOT":            strings.TrimSpace(string(goroot)),
		"RESEARCHFLOW_CLUSTER_DIR":       dir,
		"RESEARCHFLOW_CLUSTER_PORT_BASE": strconv.Itoa(base),
	}
	for k, v := range set {
		all[k] = v
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	script := filepath.Join(o.RepoRoot, ClusterScript)
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("the local cluster: %w", err)
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "chaos.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &localCluster{
		Cluster: &Cluster{Script: script, Env: appEnv(os.Environ(), all), Log: logFile},
		dir:     dir, base: base, purge: purge, log: logFile,
	}, nil
}

// up runs `cluster.sh up` (the first one builds the binaries).
func (c *localCluster) up(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	_, err := c.Do(ctx, "up")
	return err
}

// down runs `cluster.sh down`, with --purge when the directory is the
// cluster's own.
func (c *localCluster) down() error {
	args := []string{"down"}
	if c.purge {
		args = append(args, "--purge")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := c.Do(ctx, args...)
	return err
}

// dial connects a Temporal client to the cluster's frontend and returns
// it with the namespace.
func (c *localCluster) dial(ctx context.Context) (sdkclient.Client, string, error) {
	exports, err := c.Exports(ctx)
	if err != nil {
		return nil, "", err
	}
	addr, ns := exports["TEMPORAL_ADDRESS"], exports["TEMPORAL_NAMESPACE"]
	if addr == "" {
		return nil, "", errors.New("cluster.sh env printed no TEMPORAL_ADDRESS")
	}
	if ns == "" {
		ns = "default"
	}
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(c.log, &slog.HandlerOptions{Level: slog.LevelError})))
	tc, err := sdkclient.Dial(sdkclient.Options{HostPort: addr, Namespace: ns, Logger: quiet})
	if err != nil {
		return nil, "", fmt.Errorf("dial Temporal at %s: %w", addr, err)
	}
	return tc, ns, nil
}

// Exports reads the variables `cluster.sh env` prints (export K=V lines).
func (c *Cluster) Exports(ctx context.Context) (map[string]string, error) {
	out, err := c.Do(ctx, "env")
	if err != nil {
		return nil, err
	}
	return parseExports(out), nil
}

// parseExports reads K=V words of "export K=V K2='V 2'" lines.
func parseExports(s string) map[string]string {
	vars := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		for _, word := range splitWords(line) {
			k, v, ok := strings.Cut(word, "=")
			if !ok || k == "" {
				continue
			}
			vars[k] = v
		}
	}
	return vars
}

// splitWords splits on blanks outside single or double quotes and drops
// the quotes.
func splitWords(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && (r == '\'' || r == '"'):
			quote, in = r, true
		case quote == 0 && (r == ' ' || r == '\t'):
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// clusterPorts are the offsets from the port base that the cluster uses
// (CLUSTER.md: B+1..B+5 and B+20..B+29).
func clusterPorts(base int) []int {
	var out []int
	for i := 1; i <= 5; i++ {
		out = append(out, base+i)
	}
	for i := 20; i <= 29; i++ {
		out = append(out, base+i)
	}
	return out
}

// FreePortBase returns the first base of candidates whose cluster ports
// are all free on loopback; when none is, it tries bases near ports the OS
// hands out (listen on :0), so that fixed candidates taken by another
// program do not fail the run.
func FreePortBase(candidates ...int) (int, error) {
	for _, b := range candidates {
		if portsFree(b) {
			return b, nil
		}
	}
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		p := l.Addr().(*net.TCPAddr).Port
		l.Close()
		// The cluster uses B+1..B+29: the OS's port lies among them.
		b := p - 1 - p%29
		if b > 0 && b+29 < 65536 && portsFree(b) {
			return b, nil
		}
	}
	return 0, fmt.Errorf("no free port range among %v nor near the ports the OS hands out", candidates)
}

// portsFree reports whether every cluster port of base is free on loopback.
func portsFree(base int) bool {
	for _, p := range clusterPorts(base) {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// appEnv is the environment for cluster.sh: the caller's, without any
// setting that would point the cluster's apps elsewhere (Researchflow,
// model provider, Temporal and Qdrant settings), plus set.
func appEnv(environ []string, set map[string]string) []string {
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "RESEARCHFLOW_"), strings.HasPrefix(k, "OPENAI_"), strings.HasPrefix(k, "OLLAMA_"),
			strings.HasPrefix(k, "ANTHROPIC_"), strings.HasPrefix(k, "TEMPORAL_"), strings.HasPrefix(k, "QDRANT_"),
			strings.HasPrefix(k, "OTEL_"), k == "NATS_URL", k == "TAVILY_API_KEY", k == "BRAVE_API_KEY":
			continue
		}
		out = append(out, kv)
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+set[k])
	}
	return out
}
