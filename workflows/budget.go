package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// budgetChange is the workflow.GetVersion change ID of priced plans and
// budget pauses. From version 1 a run prices its plan (EstimatePlan)
// before approval, and when its next model step would exceed its budget it
// pauses in rf.StatusAwaitingBudget and waits for rf.ExtendBudgetUpdate or
// rf.FinishNowUpdate (a timeout finishes now). Before it, a spent budget
// skipped the analyses left and wrote the report offline.
const budgetChange = "budget-pause"

// estimateChange is the workflow.GetVersion change ID of pricing beside the
// search: from version 1 a run that does not ask for plan approval prices
// its plan while it searches, and waits for the price only before its
// first analysis (searches are not budgeted, so nothing before needs it).
// Before it, and in runs that ask for approval (the approver sees the
// price), the run waits for the price before it searches.
const estimateChange = "estimate-beside-search"

// estimate prices the plan on the inference pool and waits for the price;
// it reports whether the plan was priced. A failed estimate is logged: the
// run goes on without one (or with the one it had).
func (r *research) estimate(ctx workflow.Context) bool {
	return r.settleEstimate(ctx, r.startEstimate(ctx))
}

// startEstimate asks the inference pool to price the plan.
func (r *research) startEstimate(ctx workflow.Context) workflow.Future {
	plan := make([]reasoning.SubQuestion, len(r.st.SubQuestions))
	for i, sq := range r.st.SubQuestions {
		plan[i] = sq.SubQuestion
	}
	return r.startPricing(ctx, plan)
}

// startPricing asks the inference pool to price plan, as this run would
// run it.
func (r *research) startPricing(ctx workflow.Context, plan []reasoning.SubQuestion) workflow.Future {
	in := EstimateInput{Question: r.in.Question, Sources: r.in.Sources, TopK: r.in.MaxSources,
		Depth: *r.in.Depth, Breadth: r.in.Breadth, SubQuestions: plan, CorpusChunks: r.corpusChunks}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, estimateOptions()), EstimatePlanActivity, in)
}

// pricePlan answers rf.PricePlanUpdate: the price of the plan as edited
// (the validator has accepted it), counted as settleEstimate counts the
// run's own, so that the price shown is the price approved. It adds no
// command to a run that is not asked (histories recorded before it
// replay unchanged).
func (r *research) pricePlan(ctx workflow.Context, a rf.PlanApproval) (rf.Spend, error) {
	a, _ = a.Normalize()
	var est rf.Spend
	if err := r.startPricing(ctx, editedPlan(a)).Get(ctx, &est); err != nil {
		return rf.Spend{}, fmt.Errorf("price the edited plan: %w", err)
	}
	return r.withPlanCost(est), nil
}

func (r *research) validatePricing(a rf.PlanApproval) error {
	if err := a.UnknownField(); err != nil {
		return err
	}
	switch {
	case r.st.Status != rf.StatusAwaitingApproval || r.approval != nil:
		return fmt.Errorf("run is not waiting for plan approval (status %s)", r.st.Status)
	case !r.pauses:
		return fmt.Errorf("this run does not price its plan (it started before priced plans)")
	case len(a.SubQuestions) == 0:
		return &rf.InputError{Field: "subQuestions", Message: "give the plan to price: at least one sub-question"}
	}
	_, err := a.Normalize()
	return err
}

// awaitEstimate waits for the price asked beside the search, if any.
func (r *research) awaitEstimate(ctx workflow.Context) {
	if f := r.pricing; f != nil {
		r.pricing = nil
		r.settleEstimate(ctx, f)
	}
}

// settleEstimate records the price f answers and reports whether it did.
func (r *research) settleEstimate(ctx workflow.Context, f workflow.Future) bool {
	var est rf.Spend
	if err := f.Get(ctx, &est); err != nil {
		workflow.GetLogger(ctx).Warn("the plan could not be priced; the run goes on without an estimate", "error", err)
		return false
	}
	est = r.withPlanCost(est)
	r.st.Estimate = &est
	r.touch(ctx)
	return true
}

// withPlanCost adds planning to est: the plan is made already, and the
// estimate counts it at what it cost.
func (r *research) withPlanCost(est rf.Spend) rf.Spend {
	est.ModelCalls++
	est.Usage = est.Usage.Add(r.planUsage)
	est.Steps = append([]rf.Spend{{Step: reasoning.StepPlan, ModelCalls: 1, Usage: r.planUsage}}, est.Steps...)
	return est
}

func (r *research) stepNeed(step string) rf.Usage { return r.st.Estimate.StepUsage(step) }

// afford makes sure the run may take a model step expected to cost one call
// of step (plus the calls in flight, reserved): it returns true when the
// step fits the budget, pauses while it does not, and returns false when
// the run finishes with what it has (FinishNowUpdate, a pause that timed
// out, or a cancelled run).
func (r *research) afford(ctx workflow.Context, step, subQuestion string) bool {
	for {
		if r.st.Finish != nil || ctx.Err() != nil {
			return false
		}
		need := r.stepNeed(step)
		if !r.budget.Exceeds(r.st.Usage.Add(r.reservedUsage()), need) {
			return true
		}
		if !r.pause(ctx, step, subQuestion, need) {
			return false
		}
	}
}

// pause waits in StatusAwaitingBudget for an extension or finishNow; it
// returns true when the budget was extended.
func (r *research) pause(ctx workflow.Context, step, subQuestion string, need rf.Usage) bool {
	now := workflow.Now(ctx)
	timeout := r.in.BudgetTimeout()
	until := now.Add(timeout)
	used := r.st.Usage.Add(r.reservedUsage())
	p := &rf.Spend{Step: step, ID: subQuestion, Usage: need, Until: &until}
	r.st.Pause, r.extended = p, false
	r.st.Pauses++
	r.decide(ctx, DecisionBudgetPause, subQuestion, pauseDetail(p, used, r.budget))
	r.setStatus(ctx, rf.StatusAwaitingBudget)
	r.emit(ctx, rf.EventBudgetExhausted, rf.EventData{Question: r.in.Question, BudgetPause: p})
	extended, err := workflow.AwaitWithTimeout(ctx, timeout, func() bool { return r.extended || r.st.Finish != nil })
	r.st.Pause = nil
	if err != nil { // cancelled
		return false
	}
	r.setStatus(ctx, rf.StatusRunning)
	if !extended {
		r.st.Finish = &rf.BudgetRequest{By: budgetTimeoutBy}
		r.decide(ctx, DecisionFinishNow, "", fmt.Sprintf("no budget extension came within %s: the run finished with what it had", timeout))
		return false
	}
	return r.st.Finish == nil
}

// budgetTimeoutBy is who finishes a run whose budget pause timed out.
const budgetTimeoutBy = "the budget timeout"

func pauseDetail(p *rf.Spend, used rf.Usage, b rf.Budget) string {
	what := p.Step
	if p.ID != "" {
		what += " " + p.ID
	}
	return fmt.Sprintf("the next step (%s, about %d tokens, $%.4f) would exceed the budget (%s; used or in flight %d tokens, $%.4f): waiting for extendBudget or finishNow",
		what, p.Usage.Tokens(), p.Usage.CostUSD, budgetWords(b), used.Tokens(), used.CostUSD)
}

func budgetWords(b rf.Budget) string {
	var parts []string
	if b.MaxTokens > 0 {
		parts = append(parts, fmt.Sprintf("%d tokens", b.MaxTokens))
	}
	if b.MaxCostUSD > 0 {
		parts = append(parts, fmt.Sprintf("$%.4f", b.MaxCostUSD))
	}
	if len(parts) == 0 {
		return "no limit"
	}
	return strings.Join(parts, ", ")
}

// registerBudgetHandlers registers ExtendBudgetUpdate and FinishNowUpdate.
// Registering issues no command: runs of every version have them, and the
// validators refuse them where they mean nothing.
func (r *research) registerBudgetHandlers(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, rf.ExtendBudgetUpdate,
		func(ctx workflow.Context, e rf.BudgetRequest) (rf.Progress, error) {
			e, _ = e.Normalize() // the validator has accepted it
			b, _ := r.budget.Extend(e, r.st.Usage.Add(r.reservedUsage()))
			r.budget, r.extended = b, true
			r.st.Budget = &b
			r.decide(ctx, DecisionBudgetExtended, "", "the budget was set to "+budgetWords(b)+" by "+orUnknown(e.By))
			r.touch(ctx)
			return r.progress(), nil
		},
		workflow.UpdateHandlerOptions{Validator: r.validateExtension},
	); err != nil {
		return fmt.Errorf("register %s update: %w", rf.ExtendBudgetUpdate, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, rf.FinishNowUpdate,
		func(ctx workflow.Context, f rf.BudgetRequest) (rf.Progress, error) {
			f = rf.BudgetRequest{By: f.By}
			r.st.Finish = &f
			r.decide(ctx, DecisionFinishNow, "", "finishNow by "+orUnknown(f.By)+": the run writes its report from what it has")
			r.touch(ctx)
			return r.progress(), nil
		},
		workflow.UpdateHandlerOptions{Validator: r.validateFinish},
	); err != nil {
		return fmt.Errorf("register %s update: %w", rf.FinishNowUpdate, err)
	}
	return nil
}

// pausable reports whether the run can still pause or finish early: a run
// of this version that has not begun its report.
func (r *research) pausable() error {
	switch {
	case !r.pauses:
		return fmt.Errorf("this run was started before budget pauses existed")
	case rf.IsTerminal(r.st.Status):
		return fmt.Errorf("the run is %s", r.st.Status)
	case r.st.Stage == rf.StageSynthesize || r.st.Stage == rf.StageNotify || r.st.Stage == rf.StageDone:
		return fmt.Errorf("the run is writing its report already")
	case r.st.Status == rf.StatusAwaitingApproval:
		return fmt.Errorf("the run is waiting for plan approval: approve or reject the plan")
	}
	return nil
}

func (r *research) validateExtension(e rf.BudgetRequest) error {
	if err := e.UnknownField(); err != nil {
		return err
	}
	if err := r.pausable(); err != nil {
		return err
	}
	if r.st.Finish != nil {
		return fmt.Errorf("the run is finishing now (asked by %s)", orUnknown(r.st.Finish.By))
	}
	e, err := e.Normalize()
	if err != nil {
		return err
	}
	// Above what is used and committed to the calls in flight, and, in a
	// pause, enough for the step that paused.
	used := r.st.Usage.Add(r.reservedUsage())
	b, err := r.budget.Extend(e, used)
	if err != nil {
		return err
	}
	if p := r.st.Pause; p != nil && b.Exceeds(used, p.Usage) {
		return &rf.InputError{Field: "maxTokens", Message: fmt.Sprintf("%s does not cover the next step (%s, about %d tokens, $%.4f, on top of %d tokens, $%.4f used or in flight)",
			budgetWords(b), p.Step, p.Usage.Tokens(), p.Usage.CostUSD, used.Tokens(), used.CostUSD)}
	}
	return nil
}

func (r *research) validateFinish(f rf.BudgetRequest) error {
	if err := f.UnknownField(); err != nil {
		return err
	}
	if err := r.pausable(); err != nil {
		return err
	}
	if f.MaxTokens != 0 || f.MaxCostUSD != 0 {
		return &rf.InputError{Field: "maxTokens", Message: "finishNow takes no limits: send them with extendBudget"}
	}
	if r.st.Finish != nil {
		return fmt.Errorf("the run is finishing now already (asked by %s)", orUnknown(r.st.Finish.By))
	}
	return nil
}

// skip records a step left out because the run finishes early, in words:
// the analysis of a sub-question, or a reflection round.
func (r *research) skip(step, text string) {
	if step == reasoning.StepAnalyze {
		text = fmt.Sprintf("the analysis of %q", text)
	}
	r.st.SkippedSteps = append(r.st.SkippedSteps, text)
}

// finishNote says in the report that the run finished early, and what it
// left out.
func (r *research) finishNote() string {
	by := "its budget pause timed out"
	if f := r.st.Finish; f != nil && f.By != budgetTimeoutBy {
		by = "finishNow was asked by " + orUnknown(f.By)
	}
	note := "the run finished early (" + by + ") and the report was written from what it had by the offline extractive engine"
	if len(r.st.SkippedSteps) > 0 {
		note += "; skipped: " + strings.Join(r.st.SkippedSteps, "; ")
	}
	return note
}

// actualOf counts what a run used as its estimate counts it.
func actualOf(s *ResearchState) *rf.Spend {
	a := &rf.Spend{Usage: s.Usage, ModelCalls: s.ModelSteps}
	for _, sq := range s.SubQuestions {
		a.Passages += len(sq.Retrieved.ChunkIDs)
		if len(sq.Searches) > 0 {
			for _, se := range sq.Searches {
				if se.State != rf.SQPending {
					a.Searches++
				}
			}
		} else if sq.State != rf.SQPending {
			a.Searches++
		}
	}
	return a
}

// estimateWords is an estimate in a line, for the approval's record.
func estimateWords(e *rf.Spend) string {
	if e == nil {
		return "no estimate"
	}
	return fmt.Sprintf("estimate: %d searches, %d passages, %d model calls, %d tokens, $%.4f",
		e.Searches, e.Passages, e.ModelCalls, e.Usage.Tokens(), e.Usage.CostUSD)
}

// reserved is the expected cost of the analyses in flight.
func (r *research) reservedUsage() rf.Usage {
	var u rf.Usage
	one := r.stepNeed(reasoning.StepAnalyze)
	for range r.analyzing {
		u = u.Add(one)
	}
	return u
}

// resultActual and resultBudget are the result's Actual and Budget (runs
// of this version).
func (r *research) resultActual() *rf.Spend {
	if !r.pauses {
		return nil
	}
	return actualOf(&r.st)
}

func (r *research) resultBudget() *rf.Budget {
	if !r.pauses || r.budget.Unlimited() {
		return nil
	}
	b := r.budget
	return &b
}
