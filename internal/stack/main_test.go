package stack

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/temporalserver"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/client"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/telemetry"
)

// The end-to-end tests share one embedded stack per test binary: the real
// Temporal server (file SQLite), every worker pool and the HTTP gateway.
var shared *Stack

// spans records the spans of every test in this binary.
var spans = tracetest.NewInMemoryExporter()

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Getenv(holdStackEnv) != "" {
		return holdStack()
	}
	if os.Getenv(backgroundEnv) != "" {
		return serveBackground()
	}
	flag.Parse()
	if testing.Short() {
		// The quick loop (go test -short ./...) starts no server; every
		// end-to-end test skips through endToEnd and says why.
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "researchflow-e2e-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The gateway and memory read their settings from the environment, like
	// in production; pin the ones the tests rely on.
	os.Setenv("RESEARCHFLOW_HTTP_ADDR", "127.0.0.1:0")
	os.Setenv("RESEARCHFLOW_DATA_DIR", dir)
	os.Unsetenv("TEMPORAL_ADDRESS")
	os.Unsetenv("QDRANT_URL")
	os.Unsetenv("OPENAI_API_KEY")
	os.Unsetenv("OPENAI_BASE_URL")
	// Every test of this binary calls the gateway from one address, and the
	// web app's tests poll it: one test must not spend the next one's
	// requests (the rate limit itself is tested in package gateway).
	os.Setenv("RESEARCHFLOW_RATE_LIMIT", "6000")
	os.Setenv("RESEARCHFLOW_RATE_BURST", "200")
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg.EmbeddedFrontendPort = -1 // a free port
	cfg.EmbeddedUIPort = -1
	cfg.MetricsAddr = "127.0.0.1:0" // the workers' metrics listener
	// Every span of the shared stack lands in memory (tracing_e2e_test.go).
	telemetry.Install(sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)))
	all, _ := pools.Parse(pools.All)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shared, err = Start(ctx, cfg, Options{Pools: all, Gateway: true, Logger: slog.New(traceLogs.wrap(testLogger().Handler())), DevServer: temporalserver.StartDev,
		SetUpSearch: installTestSources})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start stack:", err)
		return 1
	}
	defer shared.Close()
	return m.Run()
}

// endToEnd skips the calling test in -short mode: the end-to-end tests need
// the shared stack (the embedded Temporal server, every pool, the gateway),
// which TestMain starts only without -short.
func endToEnd(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("end-to-end: needs the embedded Temporal server and every worker pool; runs without -short")
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("RESEARCHFLOW_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

var seq atomic.Int64

// unique makes a name unique within this test process, so that the tests
// also pass with -count > 1 on the shared stack.
func unique(name string) string { return fmt.Sprintf("%s-%d", name, seq.Add(1)) }

// writeCorpus writes a small corpus of distinct topics and returns its folder.
// The folder's base name is unique in the process (the corpus is named after
// it, and every t.TempDir() is named 001).
func writeCorpus(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), unique("corpus"))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"lighthouses.md": `# Lighthouse keeping

A lighthouse keeper trims the lamp wick every evening so that the flame burns without smoke.
The Fresnel lens concentrates the lamp light into a beam visible for twenty nautical miles.
Keepers log the weather and the passing ships in a logbook every four hours.
`,
		"beekeeping.txt": `Beekeeping basics

A honey bee colony has one queen, thousands of worker bees and a few hundred drones.
Worker bees build wax comb and store nectar, which they evaporate into honey.
Beekeepers inspect the brood frames every week during spring to find queen cells.
`,
		"bread.html": `<html><head><title>Sourdough bread</title></head><body>
<h1>Sourdough bread</h1>
<p>A sourdough starter is a culture of wild yeast and lactic acid bacteria in flour and water.</p>
<p>The starter is fed with fresh flour and water every day to keep the yeast active.</p>
<p>Bakers proof the dough for twelve hours in a cold place to develop a sour flavour.</p>
</body></html>`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startIdempotent starts (or attaches to) research run id through the client
// package, as the starter does, and returns the SDK handle to wait on.
func startIdempotent(ctx context.Context, id string, in rf.ResearchInput) (client.WorkflowRun, error) {
	run, err := shared.Runs.Start(ctx, id, in)
	if err != nil {
		return nil, err
	}
	return shared.Client.GetWorkflow(ctx, run.ID, run.RunID), nil
}

// reservedPort returns a loopback port reserved for the test's lifetime
// (temporalserver.ReservePort), for the tests that must name an address
// before anything listens on it (the dev-stack address two processes
// share, a child process's listen address): no other program's bind to
// port 0 takes it meanwhile, nothing answers on it until a listener binds
// it, and a Go listener (SO_REUSEADDR) still can. Tests that need no fixed
// address use port 0 or -1.
func reservedPort(t *testing.T) int {
	t.Helper()
	port, release, err := temporalserver.ReservePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return port
}
