package workflows

import (
	"errors"
	"slices"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// TestEventsOfARunBeforeDeliveryWorkflow: a run of the shape before the
// delivery workflow (deliveryChange DefaultVersion) with one reflection
// round publishes plan.ready, then search and analysis completed per round,
// in order, with stable IDs, and hands report.ready to Deliver; the
// progress query shows them all with Seqs that order them among the
// progress snapshots.
func TestEventsOfARunBeforeDeliveryWorkflow(t *testing.T) {
	f := &fakeActivities{followUps: []reasoning.SubQuestion{{Text: "What about select?"}}}
	env := newEnv(t, f)
	env.OnGetVersion(shapeChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnGetVersion(deliveryChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	id := "default-test-workflow-id"
	var got []string
	for _, e := range f.published {
		got = append(got, e.ID)
	}
	want := []string{
		id + ":" + rf.EventPlanReady,
		id + ":" + rf.EventSearchCompleted + ":0",
		id + ":" + rf.EventAnalysisCompleted + ":0",
		id + ":" + rf.EventSearchCompleted + ":1",
		id + ":" + rf.EventAnalysisCompleted + ":1",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("published = %q\nwant %q", got, want)
	}
	if e := f.published[0]; e.Data.SubQuestions != 3 || e.Data.ResearchID != id || e.Type != rf.EventPlanReady {
		t.Errorf("plan.ready = %+v", e)
	}
	if e := f.published[3]; e.Data.SubQuestions != 1 || e.Data.Passages != 1 || e.Data.Round != 1 {
		t.Errorf("search.completed of round 1 = %+v", e)
	}
	ready := f.deliverIn.Event
	if ready == nil || ready.ID != id+":"+rf.EventReportReady || ready.Data.Title != "Report" {
		t.Fatalf("Deliver got event %+v", ready)
	}

	p := queryProgress(t, env)
	if len(p.Events) != 6 || p.Events[5].ID != ready.ID {
		t.Fatalf("progress events = %+v", p.Events)
	}
	for i, e := range p.Events {
		if e.Seq >= p.Seq || (i > 0 && e.Seq <= p.Events[i-1].Seq) {
			t.Errorf("event %d Seq %d: not ordered below progress Seq %d", i, e.Seq, p.Seq)
		}
	}
}

// TestFailedRunPublishesFailedBeforeDeliveryWorkflow: a run of the shape
// before the delivery workflow whose plan fails for good publishes
// research.failed with the reason, and nothing else.
func TestFailedRunPublishesFailedBeforeDeliveryWorkflow(t *testing.T) {
	f := &fakeActivities{planErr: temporal.NewNonRetryableApplicationError("bad model key", "ModelAuth", errors.New("401"))}
	env := newEnv(t, f)
	env.OnGetVersion(shapeChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnGetVersion(deliveryChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	if env.GetWorkflowError() == nil {
		t.Fatal("the run succeeded")
	}
	if len(f.published) != 1 || f.published[0].Type != rf.EventFailed || f.published[0].Data.Error == "" {
		t.Fatalf("published = %+v", f.published)
	}
}
