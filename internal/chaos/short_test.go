package chaos

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestChaosShort runs the short chaos suite (a few runs, one kill per pool,
// one Temporal server kill, one PostgreSQL restart) on the local cluster.
// It needs PostgreSQL 15 (/usr/lib/postgresql/15/bin) and the temporal CLI
// on PATH; without them it skips, unless RESEARCHFLOW_REQUIRE_CHAOS=1 (CI),
// when it fails. It takes a few minutes: run it with -timeout 30m.
func TestChaosShort(t *testing.T) {
	if testing.Short() {
		// Also in CI: its quick-loop step runs with -short, and its full
		// step (go test ./...) runs this test.
		t.Skip("the chaos suite starts a local cluster and takes minutes; runs without -short")
	}
	root, ctx := needCluster(t, "the chaos suite")
	res, err := Run(ctx, Options{Short: true, RepoRoot: root, Log: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	res.WriteTable(&table)
	t.Log("\n" + table.String())
	if out := os.Getenv("RESEARCHFLOW_CHAOS_OUT"); out != "" {
		if err := res.WriteJSON(out); err != nil {
			t.Error(err)
		}
	}
	for _, f := range res.Failures {
		t.Error(f)
	}
}

// needCluster returns the repository root and a context that ends 30 s
// before the test's deadline, or skips the test (fails it
// with RESEARCHFLOW_REQUIRE_CHAOS=1, as in CI) when the local cluster
// cannot start here: PostgreSQL 15, the temporal CLI or cluster.sh missing.
func needCluster(t *testing.T, what string) (string, context.Context) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	if _, err := os.Stat("/usr/lib/postgresql/15/bin/postgres"); err != nil {
		missing = append(missing, "PostgreSQL 15 (/usr/lib/postgresql/15/bin; apt-get install postgresql-15)")
	}
	if _, err := exec.LookPath("temporal"); err != nil {
		missing = append(missing, "the temporal CLI on PATH")
	}
	if _, err := os.Stat(filepath.Join(root, ClusterScript)); err != nil {
		missing = append(missing, ClusterScript)
	}
	if len(missing) > 0 {
		msg := what + " needs the local cluster: " + strings.Join(missing, ", ")
		if os.Getenv("RESEARCHFLOW_REQUIRE_CHAOS") == "1" {
			t.Fatal(msg + " (RESEARCHFLOW_REQUIRE_CHAOS=1)")
		}
		t.Skip(msg)
	}
	ctx := context.Background()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-30*time.Second))
		t.Cleanup(cancel)
	}
	return root, ctx
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
