package stack

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
	"github.com/researchflow/researchflow/internal/temporalserver"
	"github.com/researchflow/researchflow/workflows"
)

// TestFollowUpWithModelSurvivesARestart: with a model configured (a
// scripted OpenAI-compatible server that counts its calls), the whole
// stack is stopped while a follow-up renders its answer, after its analyst
// call has completed, and started again on the same database. The
// follow-up completes, and the model is not asked again: one analyst call
// for the follow-up in all, and no request body sent twice.
func TestFollowUpWithModelSurvivesARestart(t *testing.T) {
	endToEnd(t)
	if testing.Short() {
		t.Skip("starts two embedded stacks")
	}
	model := llmtest.New(t, &llmtest.Script{})
	useFakeModel(t, model)
	cfg := llmConfig(t)
	cfg.EmbeddedFrontendPort = -1 // each start binds a port of its own choice; the database is what restarts
	corpusDir := writeCorpus(t)
	all, _ := pools.Parse(pools.All)
	ex := &followUpActivities{started: map[string]int{}, completed: map[string]int{}, hold: true,
		holdType: workflows.RenderFollowUpActivity, holding: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	opts := Options{Pools: all, Logger: testLogger(), DevServer: temporalserver.StartDev, NoUI: true, Interceptors: []interceptor.WorkerInterceptor{ex}}

	first, err := Start(ctx, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	const id = "restart-followup-model-run"
	run, err := first.Runs.Start(ctx, id, rf.ResearchInput{Question: "How is a sourdough starter kept active?", CorpusPath: corpusDir})
	var res rf.ResearchResult
	if err == nil {
		err = first.Client.GetWorkflow(ctx, run.ID, run.RunID).Get(ctx, &res)
	}
	if err != nil {
		first.Close()
		t.Fatal(err)
	}
	if res.Usage.Calls == 0 {
		first.Close()
		t.Fatalf("the run made no model call (engine %q): want the scripted model's", res.Engine)
	}
	before := len(model.Calls(llmtest.Analyst))
	fu, err := first.Runs.StartFollowUp(ctx, "restart", rf.FollowUpInput{ResearchID: id, Question: "What is a sourdough starter a culture of?"})
	if err != nil {
		first.Close()
		t.Fatal(err)
	}
	select {
	case <-ex.holding:
	case <-ctx.Done():
		first.Close()
		t.Fatal("the follow-up never reached the rendering of its answer")
	}
	_, done := ex.snapshot()
	first.Pools.Stop()
	waitPendingRetry(ctx, first, fu.ID, workflows.RenderFollowUpActivity)
	first.Close()
	analystBefore := len(model.Calls(llmtest.Analyst)) - before

	ex.mu.Lock()
	ex.hold = false
	ex.mu.Unlock()
	second, err := Start(ctx, cfg, opts)
	if err != nil {
		t.Fatalf("restart on the same database: %v", err)
	}
	defer second.Close()
	out, err := second.Runs.FollowUpResult(ctx, fu.ID)
	if err != nil {
		t.Fatalf("the follow-up did not complete after the restart: %v", err)
	}
	analyst := len(model.Calls(llmtest.Analyst)) - before
	t.Logf("analyst calls of the follow-up: %d before the restart, %d in all; model requests in all: %d; answer:\n%s",
		analystBefore, analyst, len(model.Requests()), out.Answer)
	analyzed := 0
	for key := range done {
		if strings.HasPrefix(key, workflows.AnalyzeActivity+"#") {
			analyzed++
		}
	}
	if analyzed != 1 || analystBefore != 1 {
		t.Fatalf("before the restart: %d analyses completed, %d analyst calls; want the follow-up's analysis done (1, 1)", analyzed, analystBefore)
	}
	if analyst != 1 || out.Usage.Calls != 1 {
		t.Errorf("analyst calls of the follow-up = %d, usage.calls = %d: want 1 (the finished call is not repeated)", analyst, out.Usage.Calls)
	}
	seen := map[string]int{}
	for _, r := range model.Requests() {
		seen[string(r.Body)]++
	}
	for body, n := range seen {
		if n > 1 {
			t.Errorf("the model was asked the same request %d times: %.200s", n, body)
		}
	}
	started, _ := ex.snapshot()
	for key := range done {
		if started[key] != 1 {
			t.Errorf("%s completed before the restart but ran %d times", key, started[key])
		}
	}
	if !out.FromEvidence || len(out.Findings) == 0 {
		t.Errorf("answer after the restart (fromEvidence %v):\n%s", out.FromEvidence, out.Answer)
	}
}
