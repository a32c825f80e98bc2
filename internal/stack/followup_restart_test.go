package stack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/temporalserver"
	"github.com/researchflow/researchflow/workflows"
)

// followUpActivities counts the activities of follow-ups by type and ID,
// and holds the follow-up's targeted search until its worker stops.
type followUpActivities struct {
	interceptor.WorkerInterceptorBase
	mu        sync.Mutex
	started   map[string]int
	completed map[string]int
	hold      bool
	// holdType is the activity held (RetrieveActivity when empty).
	holdType string
	holding  chan struct{}
}

func (e *followUpActivities) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &followUpActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, e: e}
}

type followUpActivity struct {
	interceptor.ActivityInboundInterceptorBase
	e *followUpActivities
}

func (a *followUpActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	if info.WorkflowType == nil || info.WorkflowType.Name != rf.ResearchFollowUpWorkflowType {
		return a.Next.ExecuteActivity(ctx, in)
	}
	key := info.ActivityType.Name + "#" + info.ActivityID
	a.e.mu.Lock()
	a.e.started[key]++
	held := a.e.holdType
	if held == "" {
		held = workflows.RetrieveActivity
	}
	hold := a.e.hold && info.ActivityType.Name == held
	a.e.mu.Unlock()
	if hold {
		close(a.e.holding)
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

func (e *followUpActivities) snapshot() (started, completed map[string]int) {
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

// TestFollowUpSurvivesARestart stops the whole embedded stack while a
// follow-up's targeted search runs, starts it again on the same database,
// and checks that the follow-up completes without running again any
// activity (the evidence read, the analysis of the run's passages) that had
// completed, and that the run's thread lists it after the restart.
func TestFollowUpSurvivesARestart(t *testing.T) {
	endToEnd(t)
	if testing.Short() {
		t.Skip("starts two embedded stacks")
	}
	corpusDir := writeCorpus(t)
	dataDir := t.TempDir()
	cfg, err := config.Load(func(k string) (string, bool) {
		if k == "RESEARCHFLOW_DATA_DIR" {
			return dataDir, true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.EmbeddedFrontendPort = -1 // each start binds a port of its own choice; the database is what restarts
	cfg.EmbeddedUIPort = 0
	all, _ := pools.Parse(pools.All)
	ex := &followUpActivities{started: map[string]int{}, completed: map[string]int{}, hold: true, holding: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	opts := Options{Pools: all, Logger: testLogger(), DevServer: temporalserver.StartDev, NoUI: true, Interceptors: []interceptor.WorkerInterceptor{ex}}

	first, err := Start(ctx, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	const id = "restart-followup-run"
	run, err := first.Runs.Start(ctx, id, rf.ResearchInput{Question: "How is a sourdough starter kept active?", CorpusPath: corpusDir})
	if err == nil {
		err = first.Client.GetWorkflow(ctx, run.ID, run.RunID).Get(ctx, nil)
	}
	if err != nil {
		first.Close()
		t.Fatal(err)
	}
	note := "# Pottery kilns\n\nA stoneware kiln is fired to about 1280 degrees Celsius so that the glaze melts.\n"
	if err := os.WriteFile(filepath.Join(corpusDir, "pottery.md"), []byte(note), 0o644); err != nil {
		first.Close()
		t.Fatal(err)
	}
	fu, err := first.Runs.StartFollowUp(ctx, "restart", rf.FollowUpInput{ResearchID: id, Question: "To what temperature is a stoneware kiln fired?"})
	if err != nil {
		first.Close()
		t.Fatal(err)
	}
	select {
	case <-ex.holding:
	case <-ctx.Done():
		first.Close()
		t.Fatal("the follow-up never reached its targeted search")
	}
	_, before := ex.snapshot()
	first.Pools.Stop()
	waitPendingRetry(ctx, first, fu.ID, workflows.RetrieveActivity)
	first.Close()

	ex.mu.Lock()
	ex.hold = false
	ex.mu.Unlock()
	second, err := Start(ctx, cfg, opts)
	if err != nil {
		t.Fatalf("restart on the same database: %v", err)
	}
	defer second.Close()
	res, err := second.Runs.FollowUpResult(ctx, fu.ID)
	if err != nil {
		t.Fatalf("the follow-up did not complete after the restart: %v", err)
	}
	if len(res.NewSources) != 1 || !strings.HasSuffix(res.NewSources[0].Location, "pottery.md") || !strings.Contains(res.Answer, "1280") {
		t.Errorf("answer after the restart:\n%s", res.Answer)
	}
	started, _ := ex.snapshot()
	kinds := map[string]bool{}
	for key := range before {
		kind, _, _ := strings.Cut(key, "#")
		kinds[kind] = true
	}
	if !kinds[workflows.RunEvidenceActivity] || !kinds[workflows.AnalyzeActivity] || !kinds[workflows.PrepareCorpusActivity] {
		t.Fatalf("completed before the restart: %v, want the evidence read, its analysis and the folder refresh", before)
	}
	for key := range before {
		if started[key] != 1 {
			t.Errorf("%s completed before the restart but ran %d times", key, started[key])
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		thread, err := second.Runs.Thread(ctx, id, "")
		if err == nil && len(thread) == 1 && thread[0].ID == fu.ID && thread[0].Result != nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("the thread of %s does not list %s after the restart", id, fu.ID)
}

// waitPendingRetry waits (bounded) until the server has recorded the failed
// attempt of the held activity, so the restart finds a retry to run.
func waitPendingRetry(ctx context.Context, s *Stack, id, activityType string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		d, err := s.Client.DescribeWorkflowExecution(ctx, id, "")
		if err == nil {
			for _, pa := range d.GetPendingActivities() {
				if pa.GetActivityType().GetName() == activityType &&
					(pa.GetAttempt() > 1 || pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_SCHEDULED) {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}
