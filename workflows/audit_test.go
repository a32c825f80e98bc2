package workflows

import (
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// TestAuditExplainsAFinishedRun: the audit query of a finished run says why
// each sub-question exists, what its search found with scores, why each
// finding was kept and under which source number it is cited, and why each
// gap exists, with the decisions in order.
func TestAuditExplainsAFinishedRun(t *testing.T) {
	f := &fakeActivities{
		retrieveErr: map[string]error{"sq3": temporal.NewNonRetryableApplicationError("index offline", "SearchDown", nil)},
		followUps:   []reasoning.SubQuestion{{Text: "What about select?", Reason: "sq3 is unanswered"}},
	}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	v, err := env.QueryWorkflow(rf.AuditQuery)
	if err != nil {
		t.Fatal(err)
	}
	var a rf.Audit
	if err := v.Get(&a); err != nil {
		t.Fatal(err)
	}
	if len(a.SubQuestions) != 4 || a.Status != rf.StatusCompleted || len(a.Sources) == 0 {
		t.Fatalf("audit = %+v", a)
	}
	sq1 := a.SubQuestions[0]
	if sq1.Retrieval == nil || sq1.Retrieval.Query != "What is a channel?" || len(sq1.Retrieval.Passages) != 1 ||
		sq1.Retrieval.Passages[0].Score != 1 {
		t.Errorf("sq1 retrieval = %+v", sq1.Retrieval)
	}
	if len(sq1.Findings) != 1 || sq1.Findings[0].Cited != 1 || sq1.Findings[0].Score != 0.75 ||
		!strings.Contains(sq1.Findings[0].Why, "score 0.750") || !strings.Contains(sq1.Findings[0].Why, "chunk-sq1") {
		t.Errorf("sq1 findings = %+v", sq1.Findings)
	}
	sq3 := a.SubQuestions[2]
	if sq3.State != rf.SQFailed || !strings.Contains(sq3.Gap, "index offline") || sq3.Retrieval != nil {
		t.Errorf("sq3 = %+v", sq3)
	}
	if sq4 := a.SubQuestions[3]; sq4.Why != "sq3 is unanswered" || len(sq4.Findings) != 1 {
		t.Errorf("follow-up = %+v", sq4)
	}
	var kinds []string
	for _, d := range a.Decisions {
		kinds = append(kinds, d.Kind+":"+d.SubQuestion)
	}
	if got, want := strings.Join(kinds, " "), "gap:sq3 follow-up:sq4"; got != want {
		t.Errorf("decisions = %s, want %s", got, want)
	}
}
