package stack

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/workflows"
)

// TestEndToEndEditedPlanPricedAsApproved: on the real stack, an edited
// plan priced before approval (the pricePlan update, which runs
// EstimatePlan on the inference pool) is the estimate the run records
// when that plan is approved, and the approval's record says so. The
// corpus is small: its searches are priced at what it holds.
func TestEndToEndEditedPlanPricedAsApproved(t *testing.T) {
	endToEnd(t)
	dir := writeCorpus(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, err := shared.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "e2e-approval-priced", TaskQueue: rf.TaskQueueWorkflow},
		rf.ResearchWorkflowType, rf.ResearchInput{Question: "How do beekeepers find queen cells?", CorpusPath: dir, RequireApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	var planned rf.Progress
	for planned.Status != rf.StatusAwaitingApproval {
		if v, err := shared.Client.QueryWorkflow(ctx, run.GetID(), "", rf.ProgressQuery); err == nil {
			_ = v.Get(&planned)
		}
		if ctx.Err() != nil {
			t.Fatal("the run never waited for approval")
		}
		time.Sleep(50 * time.Millisecond)
	}
	edits := []string{"How do beekeepers find queen cells?", "What do worker bees store?", "When do bees swarm?"}
	update := func(name string, arg rf.PlanApproval, out any) {
		t.Helper()
		h, err := shared.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: run.GetID(), UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg},
		})
		if err == nil {
			err = h.Get(ctx, out)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var priced rf.Spend
	update(rf.PricePlanUpdate, rf.PlanApproval{SubQuestions: edits}, &priced)
	if len(priced.SubQuestions) < 3 || priced.SubQuestions[2].Text != "When do bees swarm?" || planned.Estimate == nil {
		t.Fatalf("edited plan priced %+v; planned %+v", priced, planned.Estimate)
	}
	if per := priced.SubQuestions[0].Passages; per >= 18 || per == 0 {
		t.Errorf("a corpus search of a small corpus priced at %d passages", per)
	}
	update(rf.ApprovePlanUpdate, rf.PlanApproval{Approved: new(true), By: "e2e", SubQuestions: edits}, nil)
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	v, err := shared.Client.QueryWorkflow(ctx, run.GetID(), "", rf.AuditQuery)
	if err != nil {
		t.Fatal(err)
	}
	var a rf.Audit
	if err := v.Get(&a); err != nil {
		t.Fatal(err)
	}
	if a.Estimate == nil || a.Estimate.Searches != priced.Searches || a.Estimate.Passages != priced.Passages || a.Estimate.ModelCalls != priced.ModelCalls {
		t.Errorf("recorded estimate %+v, want the price shown before approval %+v", a.Estimate, priced)
	}
	if !slices.ContainsFunc(a.Decisions, func(d rf.Decision) bool {
		return d.Kind == workflows.DecisionApproval && strings.Contains(d.Detail, "approved by e2e as edited") &&
			strings.Contains(d.Detail, fmt.Sprintf("estimate: %d searches", priced.Searches))
	}) {
		t.Errorf("approval decisions = %+v", a.Decisions)
	}
}
