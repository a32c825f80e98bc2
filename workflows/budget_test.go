package workflows

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// A budget too small for the plan: planning cost 70 tokens, each analysis
// is expected to cost 15 and does, the limit is 100. Two analyses fit (70 +
// 15 + 15 reserved), the third would exceed it: the run pauses before it.
func smallBudget() (*fakeActivities, rf.ResearchInput) {
	f := &fakeActivities{planUsage: rf.Usage{PromptTokens: 50, CompletionTokens: 20},
		analyzeNeed: rf.Usage{PromptTokens: 10, CompletionTokens: 5}}
	return f, rf.ResearchInput{Question: "What is q?", MaxTokens: 100}
}

// atPause runs fn once the run waits in awaiting_budget (an hour of test
// time after the start: activities are instant, the pause waits a day).
func atPause(t *testing.T, env *testsuite.TestWorkflowEnvironment, fn func(p rf.Progress)) {
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		if p.Status != rf.StatusAwaitingBudget || p.BudgetPause == nil {
			t.Errorf("an hour in, status %s, pause %+v; want awaiting_budget", p.Status, p.BudgetPause)
			return
		}
		fn(p)
	}, time.Hour)
}

type rejections struct {
	t      *testing.T
	reject bool
	err    error
}

func (u *rejections) Accept() {
	if u.reject {
		u.t.Error("an update the validator should refuse was accepted")
	}
}
func (u *rejections) Reject(err error) {
	u.err = err
	if !u.reject {
		u.t.Errorf("update rejected: %v", err)
	}
}
func (u *rejections) Complete(any, error) {}

func TestBudgetPauseThenExtendFinishesWithNoStepRepeated(t *testing.T) {
	f, in := smallBudget()
	env := newEnv(t, f)
	low, short := &rejections{t: t, reject: true}, &rejections{t: t, reject: true}
	atPause(t, env, func(p rf.Progress) {
		if p.BudgetPause.Step != reasoning.StepAnalyze || p.BudgetPause.ID != "sq3" || p.BudgetPause.Usage.Tokens() != 15 {
			t.Errorf("pause = %+v, want before the analysis of sq3, which needs 15 tokens", p.BudgetPause)
		}
		if f.called("analyze:sq3") != 0 {
			t.Errorf("sq3 was analyzed before the pause")
		}
		if !slices.ContainsFunc(p.Events, func(e rf.Event) bool { return e.Type == rf.EventBudgetExhausted && e.Data.BudgetPause != nil }) {
			t.Errorf("no %s event in progress: %+v", rf.EventBudgetExhausted, p.Events)
		}
		// A limit below what is used (70) and in flight (2 × 15) is
		// refused, one that does not cover the next step too; a real one
		// is taken.
		env.UpdateWorkflow(rf.ExtendBudgetUpdate, "low", low, rf.BudgetRequest{MaxTokens: 90})
		env.UpdateWorkflow(rf.ExtendBudgetUpdate, "short", short, rf.BudgetRequest{MaxTokens: 110})
		env.UpdateWorkflow(rf.ExtendBudgetUpdate, "ok", &rejections{t: t}, rf.BudgetRequest{MaxTokens: 1000, By: "alice"})
	})
	env.ExecuteWorkflow(rf.ResearchWorkflowType, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if low.err == nil || !strings.Contains(low.err.Error(), "not above") || short.err == nil || !strings.Contains(short.err.Error(), "does not cover the next step") {
		t.Errorf("extensions too small: %v; %v", low.err, short.err)
	}
	// Every step ran once: nothing done before the pause was done again.
	for name, want := range map[string]int{"plan": 1, "estimate": 1, "retrieve:sq1": 1, "retrieve:sq2": 1, "retrieve:sq3": 1,
		"analyze:sq1": 1, "analyze:sq2": 1, "analyze:sq3": 1, "reflect": 1, "synthesize": 1} {
		if got := f.called(name); got != want {
			t.Errorf("%s ran %d times, want %d", name, got, want)
		}
	}
	var res rf.ResearchResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Budget == nil || res.Budget.MaxTokens != 1000 || len(res.Skipped) != 0 || len(res.Gaps) != 0 || f.synthIn.Offline {
		t.Errorf("budget %+v, skipped %+v, gaps %+v, offline %v", res.Budget, res.Skipped, res.Gaps, f.synthIn.Offline)
	}
	// Estimate and actual side by side.
	if res.Estimate == nil || res.Actual == nil {
		t.Fatalf("estimate %+v, actual %+v", res.Estimate, res.Actual)
	}
	if res.Actual.ModelCalls != 6 || res.Actual.Searches != 3 || res.Actual.Usage.Tokens() != 115 {
		t.Errorf("actual = %+v, want 6 model steps (plan, 3 analyses, reflection, report), 3 searches, 115 tokens", res.Actual)
	}
	if res.Estimate.ModelCalls != 6 || res.Estimate.Usage.Tokens() != 70+3*15 {
		t.Errorf("estimate = %+v, want the plan's 70 tokens and 3 analyses of 15", res.Estimate)
	}
	p := queryProgress(t, env)
	if p.Status != rf.StatusCompleted || p.BudgetPause != nil {
		t.Errorf("final progress: %s, pause %+v", p.Status, p.BudgetPause)
	}
	audit := r0Audit(t, env)
	var kinds []string
	for _, d := range audit.Decisions {
		kinds = append(kinds, d.Kind)
	}
	if !slices.Contains(kinds, DecisionBudgetPause) || !slices.Contains(kinds, DecisionBudgetExtended) {
		t.Errorf("decisions = %v", kinds)
	}
}

func TestBudgetPauseFinishNowNamesWhatWasSkipped(t *testing.T) {
	f, in := smallBudget()
	env := newEnv(t, f)
	atPause(t, env, func(rf.Progress) {
		env.UpdateWorkflow(rf.FinishNowUpdate, "finish", &rejections{t: t}, rf.BudgetRequest{By: "alice"})
	})
	env.ExecuteWorkflow(rf.ResearchWorkflowType, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if f.called("analyze:sq3") != 0 || f.called("reflect") != 0 || f.called("analyze:sq1") != 1 {
		t.Errorf("steps after finishNow: %v", f.snapshot())
	}
	var res rf.ResearchResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	want := []string{`the analysis of "What about mutexes?"`, "reflection round 1"}
	if !slices.Equal(res.Skipped, want) {
		t.Errorf("skipped = %+v, want %+v", res.Skipped, want)
	}
	note := strings.Join(f.synthIn.Notes, "\n")
	if !f.synthIn.Offline || !strings.Contains(note, "finishNow was asked by alice") ||
		!strings.Contains(note, `the analysis of "What about mutexes?"`) || !strings.Contains(note, "reflection round 1") {
		t.Errorf("writer: offline %v, notes %q", f.synthIn.Offline, f.synthIn.Notes)
	}
	if len(res.Gaps) != 1 || res.Gaps[0].SubQuestion != "What about mutexes?" {
		t.Errorf("gaps = %+v", res.Gaps)
	}
	if len(f.synthIn.Sections) != 2 {
		t.Errorf("the report lost what the run had: %d sections, want 2", len(f.synthIn.Sections))
	}
	if res.Actual == nil || res.Actual.ModelCalls != 4 {
		t.Errorf("actual = %+v, want 4 model steps (plan, 2 analyses, report)", res.Actual)
	}
}

func TestBudgetExtensionAndFinishAreRefusedWhereMeaningless(t *testing.T) {
	f, in := smallBudget()
	env := newEnv(t, f)
	bad := []rf.BudgetRequest{{}, {MaxTokens: -1}, {MaxCostUSD: -2}}
	var refused []*rejections
	again, late := &rejections{t: t, reject: true}, &rejections{t: t, reject: true}
	atPause(t, env, func(rf.Progress) {
		for i, e := range bad {
			refused = append(refused, &rejections{t: t, reject: true})
			env.UpdateWorkflow(rf.ExtendBudgetUpdate, fmt.Sprint("bad", i), refused[i], e)
		}
		env.UpdateWorkflow(rf.FinishNowUpdate, "finish", &rejections{t: t}, rf.BudgetRequest{By: "bob"})
		env.UpdateWorkflow(rf.FinishNowUpdate, "again", again, rf.BudgetRequest{})
		env.UpdateWorkflow(rf.ExtendBudgetUpdate, "late", late, rf.BudgetRequest{MaxTokens: 5000})
	})
	env.ExecuteWorkflow(rf.ResearchWorkflowType, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for i, u := range refused {
		if u.err == nil {
			t.Errorf("extension %+v accepted", bad[i])
		}
	}
	if again.err == nil || late.err == nil {
		t.Errorf("after finishNow: again %v, extension %v", again.err, late.err)
	}
	if f.called("synthesize") != 1 {
		t.Errorf("synthesize ran %d times", f.called("synthesize"))
	}
}

// The plan's estimate is in the progress while the run awaits approval,
// and the approval records it.
func TestEstimateShownAtApprovalAndRecorded(t *testing.T) {
	f := &fakeActivities{analyzeNeed: rf.Usage{PromptTokens: 10, CompletionTokens: 5, CostUSD: 0.01}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		if p.Status != rf.StatusAwaitingApproval || p.Estimate == nil || len(p.Estimate.SubQuestions) != 3 {
			t.Errorf("at approval: status %s, estimate %+v", p.Status, p.Estimate)
		}
		env.UpdateWorkflow(rf.ApprovePlanUpdate, "u1", &updateCallbacks{t: t}, rf.PlanApproval{Approved: new(true), By: "alice"})
	}, time.Minute)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", RequireApproval: true})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	a := r0Audit(t, env)
	i := slices.IndexFunc(a.Decisions, func(d rf.Decision) bool { return d.Kind == DecisionApproval })
	if i < 0 || !strings.Contains(a.Decisions[i].Detail, "estimate: 3 searches") || !strings.Contains(a.Decisions[i].Detail, "$0.0300") {
		t.Errorf("approval decision = %+v", a.Decisions)
	}
	if a.Estimate == nil || a.Actual == nil || a.Actual.Searches != 3 {
		t.Errorf("audit: estimate %+v, actual %+v", a.Estimate, a.Actual)
	}
}

func r0Audit(t *testing.T, env *testsuite.TestWorkflowEnvironment) rf.Audit {
	t.Helper()
	v, err := env.QueryWorkflow(rf.AuditQuery)
	if err != nil {
		t.Fatal(err)
	}
	var a rf.Audit
	if err := v.Get(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

// A paused run can be cancelled: it ends cancelled, without writing.
func TestBudgetPauseCancelled(t *testing.T) {
	f, in := smallBudget()
	env := newEnv(t, f)
	atPause(t, env, func(rf.Progress) { env.CancelWorkflow() })
	env.ExecuteWorkflow(rf.ResearchWorkflowType, in)
	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("error = %v, want cancelled", err)
	}
	if f.called("synthesize") != 0 || f.called("analyze:sq3") != 0 {
		t.Errorf("a cancelled pause went on: %v", f.snapshot())
	}
	if p := queryProgress(t, env); p.Status != rf.StatusCancelled || p.BudgetPause != nil {
		t.Errorf("progress: %s, pause %+v", p.Status, p.BudgetPause)
	}
}

// The redrive of a run that finished early does not finish early again.
func TestRedriveForgetsFinishNow(t *testing.T) {
	st := ResearchState{Status: rf.StatusCompleted, Finish: &rf.BudgetRequest{By: "alice"},
		SkippedSteps: []string{"reflection round 1"}, Budget: &rf.Budget{MaxTokens: 500},
		SubQuestions: []SubQuestionState{{SubQuestion: reasoning.SubQuestion{ID: "sq1"}, State: rf.SQFailed}},
		DeadLetters:  []rf.DeadLetter{{SubQuestionID: "sq1", Provider: rf.SourceCorpus}}}
	_, in, err := RedriveInput(RunRecord{ResearchID: "r1", Input: rf.ResearchInput{Question: "What is q?"}, State: st})
	if err != nil {
		t.Fatal(err)
	}
	next, _, err := decodeState(in.Resume)
	if err != nil {
		t.Fatal(err)
	}
	if next.Finish != nil || next.SkippedSteps != nil || next.Budget == nil || next.Budget.MaxTokens != 500 {
		t.Errorf("redriven state: finish %+v, skipped %+v, budget %+v", next.Finish, next.SkippedSteps, next.Budget)
	}
}

// priced keeps what an update answered.
type priced struct {
	t   *testing.T
	got any
	err error
}

func (u *priced) Accept()                   {}
func (u *priced) Reject(err error)          { u.err = err }
func (u *priced) Complete(v any, err error) { u.got, u.err = v, err }

// An edited plan is priced before it is approved (rf.PricePlanUpdate), at
// the price the run then records: the approval's line carries the edited
// plan's estimate, not the planned one's.
func TestEditedPlanPricedBeforeApproval(t *testing.T) {
	f := &fakeActivities{analyzeNeed: rf.Usage{PromptTokens: 10, CompletionTokens: 5, CostUSD: 0.01}}
	env := newEnv(t, f)
	edits := []string{"Edited one?", "Edited two?", "Edited three?", "Edited four?"}
	price, late := &priced{t: t}, &priced{t: t}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(rf.PricePlanUpdate, "p1", price, rf.PlanApproval{SubQuestions: edits})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(rf.ApprovePlanUpdate, "u1", &updateCallbacks{t: t}, rf.PlanApproval{Approved: new(true), By: "alice", SubQuestions: edits})
		env.UpdateWorkflow(rf.PricePlanUpdate, "p2", late, rf.PlanApproval{SubQuestions: edits})
	}, 2*time.Minute)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", RequireApproval: true})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if price.err != nil {
		t.Fatalf("pricing the edited plan: %v", price.err)
	}
	e, ok := price.got.(rf.Spend)
	if !ok || e.Searches != 4 || len(e.SubQuestions) != 4 || e.SubQuestions[3].Text != "Edited four?" || e.Usage.CostUSD < 0.0399 {
		t.Fatalf("price of the edited plan = %#v, want 4 searches, 4 sub-questions, $0.04", price.got)
	}
	if late.err == nil {
		t.Error("a plan was priced after the approval: want it refused")
	}
	a := r0Audit(t, env)
	want := "the plan was approved by alice as edited (" + estimateWords(&e) + ")"
	var approvals []string
	for _, d := range a.Decisions {
		if d.Kind == DecisionApproval {
			approvals = append(approvals, d.Detail)
		}
	}
	if len(approvals) != 1 || approvals[0] != want {
		t.Errorf("approval decisions = %q, want [%q]", approvals, want)
	}
	if a.Estimate == nil || a.Estimate.Searches != 4 || a.Estimate.ModelCalls != e.ModelCalls {
		t.Errorf("audit estimate = %+v, want the edited plan's %+v", a.Estimate, e)
	}
}

// The run tells the estimate how many passages its corpus holds (from
// PrepareCorpus), so that a small corpus is not priced at TopK a search.
func TestEstimateKnowsTheCorpusSize(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", RequireApproval: true, ApprovalTimeoutSeconds: 60})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if f.estimateIn.CorpusChunks != 10 {
		t.Errorf("estimate input = %+v, want corpusChunks 10 (what PrepareCorpus found)", f.estimateIn)
	}
}
