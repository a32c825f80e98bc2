package stack

import (
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

// A run whose budget is too small for its plan, on a stack whose models are
// a scripted server: the plan fits, the first analysis (priced by the
// estimate) would not, so the run pauses in awaiting_budget, visible in
// progress, its event and the ResearchStatus search attribute.
// extendBudget lets it finish with no step done twice; finishNow writes the
// report from what it has and names what it skipped.
func TestLLMBudgetPauseExtendAndFinishNow(t *testing.T) {
	endToEnd(t)
	fake := llmtest.New(t, &llmtest.Script{
		Planner: llmtest.Always(llmtest.Reply{Content: llmtest.PlanJSON(sqBread, sqBees)}),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st := startLLMStack(ctx, t, fake)
	dir := writeCorpus(t)
	zero := 0
	in := rf.ResearchInput{Question: "How is a sourdough starter kept active, and what do worker bees store?",
		CorpusPath: dir, Depth: &zero, MaxTokens: 1500}

	// extendBudget: the run resumes where it stopped.
	run := startResearch(ctx, t, st.Client, "budget-extend", in)
	p := waitStatus(ctx, t, st.Client, run.GetID(), rf.StatusAwaitingBudget)
	if p.BudgetPause == nil || p.BudgetPause.Step != "analyze" || p.Estimate == nil || p.Estimate.Usage.Tokens() == 0 {
		t.Fatalf("pause %+v, estimate %+v", p.BudgetPause, p.Estimate)
	}
	if !hasEvent(p, rf.EventBudgetExhausted) {
		t.Errorf("no %s event in progress", rf.EventBudgetExhausted)
	}
	waitListed(ctx, t, st.Client, "WorkflowId = 'budget-extend' AND ResearchStatus = '"+rf.StatusAwaitingBudget+"'")
	if n := len(fake.Calls(llmtest.Analyst)); n != 0 {
		t.Fatalf("%d analyses before the pause", n)
	}
	// By name, as the README shows for the Temporal CLI (the SDK when the
	// CLI is not installed).
	if _, ok := temporalCLI(t, "workflow", "update", "execute", "--address", st.Server.FrontendAddress(), "--namespace", st.Config.Namespace,
		"--workflow-id", run.GetID(), "--name", rf.ExtendBudgetUpdate, "--input", `{"maxTokens":1000000,"by":"e2e"}`); !ok {
		update(ctx, t, st.Client, run.GetID(), rf.ExtendBudgetUpdate, rf.BudgetRequest{MaxTokens: 1_000_000, By: "e2e"})
	}
	var res rf.ResearchResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if got := scheduledActivities(ctx, t, st.Client, run); got["Plan"] != 1 || got["EstimatePlan"] != 1 || got["Analyze"] != 2 || got["Synthesize"] != 1 {
		t.Errorf("activities scheduled: %v; want each step once (2 analyses)", got)
	}
	if n := len(fake.Calls(llmtest.Analyst)); n != 2 {
		t.Errorf("%d analyst calls, want 2 (one per sub-question, none repeated)", n)
	}
	if res.Estimate == nil || res.Actual == nil || res.Budget == nil || res.Budget.MaxTokens != 1_000_000 || len(res.Skipped) != 0 {
		t.Fatalf("result: estimate %+v, actual %+v, budget %+v, skipped %+v", res.Estimate, res.Actual, res.Budget, res.Skipped)
	}
	t.Logf("estimate %d calls, %d tokens (%d prompt, %d completion); actual %d calls, %d tokens (%d prompt, %d completion)",
		res.Estimate.ModelCalls, res.Estimate.Usage.Tokens(), res.Estimate.Usage.PromptTokens, res.Estimate.Usage.CompletionTokens,
		res.Actual.ModelCalls, res.Actual.Usage.Tokens(), res.Actual.Usage.PromptTokens, res.Actual.Usage.CompletionTokens)
	if res.Estimate.ModelCalls != res.Actual.ModelCalls {
		t.Errorf("model calls: estimate %d, actual %d", res.Estimate.ModelCalls, res.Actual.ModelCalls)
	}
	recordHistoryFrom(t, st.Client, run.GetID(), run.GetRunID(), "research_%s_budget.json")

	// finishNow: the report is written from what the run has.
	before := len(fake.Calls(llmtest.Analyst)) + len(fake.Calls(llmtest.Writer))
	run = startResearch(ctx, t, st.Client, "budget-finish", in)
	waitStatus(ctx, t, st.Client, run.GetID(), rf.StatusAwaitingBudget)
	update(ctx, t, st.Client, run.GetID(), rf.FinishNowUpdate, rf.BudgetRequest{By: "e2e"})
	if err := run.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if after := len(fake.Calls(llmtest.Analyst)) + len(fake.Calls(llmtest.Writer)); after != before {
		t.Errorf("%d model calls after finishNow", after-before)
	}
	if len(res.Skipped) != 2 || !strings.HasPrefix(res.Skipped[0], "the analysis of") {
		t.Errorf("skipped = %+v, want both analyses", res.Skipped)
	}
	for _, want := range []string{"finishNow was asked by e2e", sqBread, sqBees} {
		if !strings.Contains(res.Report, want) {
			t.Errorf("the report does not say %q:\n%s", want, res.Report)
		}
	}
}

func waitStatus(ctx context.Context, t *testing.T, c client.Client, id, status string) rf.Progress {
	t.Helper()
	for {
		v, err := c.QueryWorkflow(ctx, id, "", rf.ProgressQuery)
		if err == nil {
			var p rf.Progress
			if v.Get(&p) == nil && p.Status == status {
				return p
			}
			if err == nil && rf.IsTerminal(p.Status) {
				t.Fatalf("run %s ended %s (%s) before %s", id, p.Status, p.Error, status)
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("run %s never reached %s", id, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitListed(ctx context.Context, t *testing.T, c client.Client, query string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err == nil && len(resp.GetExecutions()) > 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("no run matches %q in visibility", query)
}

func hasEvent(p rf.Progress, typ string) bool {
	for _, e := range p.Events {
		if e.Type == typ {
			return true
		}
	}
	return false
}

func update(ctx context.Context, t *testing.T, c client.Client, id, name string, arg any) {
	t.Helper()
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: name,
		WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg}})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// scheduledActivities counts the activities run scheduled, by type.
func scheduledActivities(ctx context.Context, t *testing.T, c client.Client, run client.WorkflowRun) map[string]int {
	t.Helper()
	it := c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := map[string]int{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			n[a.GetActivityType().GetName()]++
		}
	}
	return n
}
