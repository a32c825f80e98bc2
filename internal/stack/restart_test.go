package stack

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"github.com/researchflow/researchflow/internal/temporalserver"

	rf "github.com/researchflow/researchflow"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/pools"
)

// executions counts activity executions by workflow and activity ID, and can
// hold the writer until its worker stops (to stop the server mid-run).
type executions struct {
	interceptor.WorkerInterceptorBase
	mu        sync.Mutex
	started   map[string]int
	completed map[string]int
	holdWrite bool
	writing   chan struct{}
}

func (e *executions) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &countingActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, e: e}
}

type countingActivity struct {
	interceptor.ActivityInboundInterceptorBase
	e *executions
}

func (a *countingActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	key := info.ActivityType.Name + "#" + info.ActivityID
	a.e.mu.Lock()
	a.e.started[key]++
	hold := a.e.holdWrite && info.ActivityType.Name == workflows.SynthesizeActivity
	a.e.mu.Unlock()
	if hold {
		close(a.e.writing)
		<-ctx.Done() // the worker is being stopped
		return nil, ctx.Err()
	}
	res, err := a.Next.ExecuteActivity(ctx, in)
	if err == nil {
		a.e.mu.Lock()
		a.e.completed[key]++
		a.e.mu.Unlock()
	}
	return res, err
}

func (e *executions) snapshot() (started, completed map[string]int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	started, completed = map[string]int{}, map[string]int{}
	for k, v := range e.started {
		started[k] = v
	}
	for k, v := range e.completed {
		completed[k] = v
	}
	return started, completed
}

// TestRestartResumesWithoutRedoingWork stops the whole embedded stack (server
// and workers) while the report is being written, starts it again on the
// same SQLite file, and checks that the run completes and that no activity
// that had completed ran again.
func TestRestartResumesWithoutRedoingWork(t *testing.T) {
	endToEnd(t)
	corpusDir := writeCorpus(t)
	cfg, err := config.Load(func(k string) (string, bool) {
		if k == "RESEARCHFLOW_DATA_DIR" {
			return t.TempDir(), true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.EmbeddedFrontendPort = -1 // the server binds a free port; the restart takes the same
	cfg.EmbeddedUIPort = 0
	all, _ := pools.Parse(pools.All)
	ex := &executions{started: map[string]int{}, completed: map[string]int{}, holdWrite: true, writing: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	first, err := Start(ctx, cfg, Options{Pools: all, Logger: testLogger(), DevServer: temporalserver.StartDev, NoUI: true, Interceptors: []interceptor.WorkerInterceptor{ex}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.EmbeddedFrontendPort = frontendPort(t, first)
	const id = "restart-run"
	if _, err := first.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: rf.TaskQueueWorkflow},
		rf.ResearchWorkflowType, rf.ResearchInput{Question: "How is a sourdough starter kept active?", CorpusPath: corpusDir}); err != nil {
		first.Close()
		t.Fatal(err)
	}
	select {
	case <-ex.writing:
	case <-ctx.Done():
		first.Close()
		t.Fatal("the run never reached the writer")
	}
	_, before := ex.snapshot()
	// Stop the workers first (the held writer fails and the server records a
	// retry), then the server.
	first.Pools.Stop()
	waitRetryScheduled(ctx, t, first.Client, id)
	first.Close()

	ex.mu.Lock()
	ex.holdWrite = false
	ex.mu.Unlock()
	second, err := Start(ctx, cfg, Options{Pools: all, Logger: testLogger(), DevServer: temporalserver.StartDev, NoUI: true, Interceptors: []interceptor.WorkerInterceptor{ex}})
	if err != nil {
		t.Fatalf("restart on the same database: %v", err)
	}
	defer second.Close()
	var res rf.ResearchResult
	if err := second.Client.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		t.Fatalf("the run did not complete after the restart: %v", err)
	}
	if sourceFor(res, "bread.html") == 0 {
		t.Errorf("report after restart does not cite bread.html:\n%s", res.Report)
	}
	started, _ := ex.snapshot()
	if len(before) < 4 {
		t.Fatalf("only %d activities had completed before the restart: %v", len(before), before)
	}
	for key := range before {
		if started[key] != 1 {
			t.Errorf("%s completed before the restart but ran %d times", key, started[key])
		}
	}
	writes := 0
	for key, n := range started {
		if len(key) > len(workflows.SynthesizeActivity) && key[:len(workflows.SynthesizeActivity)] == workflows.SynthesizeActivity {
			writes += n
		}
	}
	if writes != 2 {
		t.Errorf("the writer ran %d times, want 2 (the interrupted attempt and its retry)", writes)
	}
}

// waitRetryScheduled waits (bounded) until the server has recorded the
// failed attempt of the held writer, so the restart finds a retry to run.
func waitRetryScheduled(ctx context.Context, t *testing.T, c client.Client, id string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		d, err := c.DescribeWorkflowExecution(ctx, id, "")
		if err == nil {
			for _, pa := range d.GetPendingActivities() {
				if pa.GetActivityType().GetName() == workflows.SynthesizeActivity &&
					(pa.GetAttempt() > 1 || pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_SCHEDULED) {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Log("the interrupted attempt was not reported before the server stopped; its heartbeat timeout will retry it")
}

// frontendPort is the port st's embedded server listens on.
func frontendPort(t *testing.T, st *Stack) int {
	t.Helper()
	_, port, err := net.SplitHostPort(st.Server.FrontendAddress())
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
