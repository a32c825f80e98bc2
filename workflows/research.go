package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/researchflow/researchflow/internal/reasoning"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/report"
)

// Search attribute keys (see the contract for their meaning).
var (
	statusKey = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrStatus)
	stageKey  = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrStage)
	ownerKey  = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrOwner)
	corpusKey = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrCorpus)
)

// ResearchWorkflow researches one question and returns a cited report. Its
// input is normalized with the contract's rules, the same the HTTP gateway
// and the starter apply before starting it.
func ResearchWorkflow(ctx workflow.Context, in rf.ResearchInput) (rf.ResearchResult, error) {
	in, err := in.Normalize()
	if err != nil {
		return rf.ResearchResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	if err := refuseUnknownField(ctx, in.UnknownField()); err != nil {
		return rf.ResearchResult{}, err
	}
	r, err := newResearch(ctx, in)
	if err != nil {
		return rf.ResearchResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	if err := r.registerHandlers(ctx); err != nil {
		return rf.ResearchResult{}, err
	}
	// From deliveryChange 1 the run's delivery workflow takes its events
	// and report, and the run never waits for a sink (see delivery.go).
	// Before it, eventsChange 1 published the events from the notify pool
	// in order (before that, they were only recorded in the state).
	// From asyncDeliveryChange 1 the run waits for neither the delivery
	// workflow's start nor its signals, only at its end for the outbox.
	// The run's shape first: a new run asks no other change (see shape.go).
	r.shape = workflow.GetVersion(ctx, shapeChange, workflow.DefaultVersion, maxShape)
	memoQuestion(ctx, questionMemoChange, r.in.Question)
	if r.version(ctx, deliveryChange) >= 1 {
		if r.version(ctx, asyncDeliveryChange) >= 1 {
			r.startOutbox(ctx)
		} else {
			r.startDelivery(ctx)
		}
	} else if workflow.GetVersion(ctx, eventsChange, workflow.DefaultVersion, 1) >= 1 {
		r.startPublisher(ctx)
	}
	r.pauses = r.version(ctx, budgetChange) >= 1
	res, err := r.run(ctx)
	r.finish(ctx, err)
	if err != nil {
		return rf.ResearchResult{}, err
	}
	// Known once the outbox has drained (the start may settle late).
	res.DeliveryWorkflowID = r.deliveryID
	return res, nil
}

// research is one run: its normalized input and its control state, one
// record per sub-question. Progress is computed from it when queried.
type research struct {
	id       string
	in       rf.ResearchInput
	budget   rf.Budget
	st       ResearchState
	approval *rf.PlanApproval
	resumed  bool
	// withSources is set when the run searches providers besides its
	// corpus (searchAll instead of retrieveAll; see sources.go).
	withSources bool
	// pub, when set, publishes events in order (see startPublisher).
	pub *publisher
	// offPath is set when the run hands its notifications to its delivery
	// workflow, deliveryID (empty if it could not be started); out, when
	// set, queues them for it (see startOutbox).
	offPath    bool
	deliveryID string
	out        *outbox
	// snap and changes are a scheduled run's snapshot and what changed
	// since its schedule's previous run (see changes.go).
	snap    json.RawMessage
	changes *rf.Changes
	// pauses is set on runs that price their plan and pause before
	// overspending (budgetChange 1; see budget.go); extended is set by
	// an extension until the paused run looks again; analyzing counts
	// the analyses in flight, whose expected cost is reserved.
	pauses bool
	// shape is the run's version of shapeChange.
	shape     workflow.Version
	extended  bool
	analyzing int
	// planUsage is what planning cost (the estimate counts it); pricing,
	// when set, is the estimate asked beside the search (estimateChange).
	planUsage rf.Usage
	pricing   workflow.Future
	// corpusChunks is how many passages the corpus held when prepared.
	corpusChunks int
}

func newResearch(ctx workflow.Context, in rf.ResearchInput) (*research, error) {
	r := &research{id: workflow.GetInfo(ctx).WorkflowExecution.ID, budget: in.Budget()}
	st, ok, err := decodeState(in.Resume)
	if err != nil {
		return nil, err
	}
	if ok {
		r.st, r.resumed = st, true
		r.budget = st.budget(in)
	} else {
		now := workflow.Now(ctx)
		r.st = ResearchState{Status: rf.StatusRunning, StartedAt: now, UpdatedAt: now}
	}
	in.Resume = nil
	r.in = in
	return r, nil
}

// maxSubQuestionsTotal bounds a run's sub-questions over all rounds: the
// first plan plus every follow-up round at full breadth.
const maxSubQuestionsTotal = rf.MaxSubQuestionsLimit + rf.MaxDepthLimit*rf.MaxBreadthLimit

// historyLimit is the history length past which a run continues as new
// between rounds, far below Temporal's limits.
var historyLimit = 5000

func (r *research) progress() rf.Progress { return r.st.Progress(r.id, r.in) }

func (r *research) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, rf.ProgressQuery, func() (rf.Progress, error) {
		return r.progress(), nil
	}); err != nil {
		return fmt.Errorf("register %s query: %w", rf.ProgressQuery, err)
	}
	if err := workflow.SetQueryHandler(ctx, StateQuery, func() (RunRecord, error) {
		return RunRecord{ResearchID: r.id, Input: r.in, State: r.st.Clone()}, nil
	}); err != nil {
		return fmt.Errorf("register %s query: %w", StateQuery, err)
	}
	if err := workflow.SetQueryHandler(ctx, rf.RedriveQuery, func() (rf.Redrive, error) {
		return redrive(RunRecord{ResearchID: r.id, Input: r.in, State: r.st})
	}); err != nil {
		return fmt.Errorf("register %s query: %w", rf.RedriveQuery, err)
	}
	if err := workflow.SetQueryHandler(ctx, rf.AuditQuery, func() (rf.Audit, error) {
		return r.st.Audit(r.id, r.in), nil
	}); err != nil {
		return fmt.Errorf("register %s query: %w", rf.AuditQuery, err)
	}
	if err := r.registerBudgetHandlers(ctx); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, rf.PricePlanUpdate, r.pricePlan,
		workflow.UpdateHandlerOptions{Validator: r.validatePricing}); err != nil {
		return fmt.Errorf("register %s update: %w", rf.PricePlanUpdate, err)
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, rf.ApprovePlanUpdate,
		func(ctx workflow.Context, a rf.PlanApproval) (rf.Progress, error) {
			a, _ = a.Normalize() // the validator has accepted it
			r.approval = &a
			return r.progress(), nil
		},
		workflow.UpdateHandlerOptions{Validator: r.validateApproval},
	)
}

func (r *research) validateApproval(a rf.PlanApproval) error {
	if r.st.Status != rf.StatusAwaitingApproval || r.approval != nil {
		return fmt.Errorf("run is not waiting for plan approval (status %s)", r.st.Status)
	}
	// An approval that does not say approved, or holds a key that names
	// no field, is refused, not read as a rejection or as the plan
	// unedited: the run goes on waiting. A validator is not recorded in
	// history, so recorded runs replay unchanged.
	if err := a.UnknownField(); err != nil {
		return err
	}
	if _, err := a.Decision(); err != nil {
		return err
	}
	_, err := a.Normalize()
	return err
}

// approves reads the decision of an approval the validator accepted. An
// approval recorded before approved was required may lack it: it was a
// rejection then, and replays as one.
func approves(a rf.PlanApproval) bool {
	ok, _ := a.Decision()
	return ok
}

// run executes the stages in order: corpus, plan, (approval), then rounds
// of search and analysis, each followed by reflection while depth and
// budget allow, then synthesis and delivery.
func (r *research) run(ctx workflow.Context) (rf.ResearchResult, error) {
	if !r.resumed {
		if err := r.prepare(ctx); err != nil {
			return rf.ResearchResult{}, err
		}
	}
	r.startSources(ctx)
	for {
		r.setStage(ctx, rf.StageSearch)
		if r.withSources {
			r.searchAll(ctx)
		} else {
			r.retrieveAll(ctx)
		}
		if err := ctx.Err(); err != nil {
			return rf.ResearchResult{}, err
		}
		r.emitRound(ctx, rf.EventSearchCompleted)
		r.awaitEstimate(ctx)
		r.setStage(ctx, rf.StageAnalyze)
		r.analyzeAll(ctx)
		if err := ctx.Err(); err != nil {
			return rf.ResearchResult{}, err
		}
		r.emitRound(ctx, rf.EventAnalysisCompleted)
		if r.st.Round >= *r.in.Depth || r.in.RedriveOf != "" {
			break
		}
		if r.pauses && !r.afford(ctx, reasoning.StepReflect, "") {
			if err := ctx.Err(); err != nil {
				return rf.ResearchResult{}, err
			}
			r.skip(reasoning.StepReflect, fmt.Sprintf("reflection round %d", r.st.Round+1))
			break
		}
		if !r.pauses && r.budgetSpent() {
			break
		}
		added, err := r.reflect(ctx)
		if err != nil {
			return rf.ResearchResult{}, err
		}
		if added == 0 {
			break
		}
		r.st.Round++
		if workflow.GetInfo(ctx).GetCurrentHistoryLength() > historyLimit {
			r.drainPublisher(ctx)
			r.drainDelivery(ctx)
			next := r.in
			if next.Resume, err = r.st.encode(); err != nil {
				return rf.ResearchResult{}, err
			}
			return rf.ResearchResult{}, workflow.NewContinueAsNewError(ctx, rf.ResearchWorkflowType, next)
		}
	}
	return r.synthesize(ctx)
}

// prepare makes the corpus ready, plans, and waits for approval if asked.
func (r *research) prepare(ctx workflow.Context) error {
	if r.shape >= 1 {
		r.setStage(ctx, rf.StageCorpus, r.attributes()...)
	} else {
		r.upsertAttributes(ctx)
		r.setStage(ctx, rf.StageCorpus)
	}
	var prep PrepareCorpusResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, corpusOptions()), PrepareCorpusActivity,
		PrepareCorpusInput{Corpus: r.in.Corpus, Path: r.in.CorpusPath, Prune: r.prunes()}).Get(ctx, &prep); err != nil {
		return stageError("prepare corpus "+r.in.Corpus, err)
	}
	r.corpusChunks = prep.Chunks // the estimate caps corpus passages by it
	if in := prep.Ingest; in.Total > 0 || in.Files > 0 || in.SkippedCount() > 0 {
		r.st.Ingest = &in
	}

	r.setStage(ctx, rf.StagePlan)
	var plan reasoning.Plan
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), PlanActivity,
		PlanInput{Question: r.in.Question, MaxSubQuestions: r.in.MaxSubQuestions, Budget: r.budget},
	).Get(ctx, &plan); err != nil {
		r.st.ModelSteps++
		r.chargeFailure(err)
		return stageError("plan", err)
	}
	if len(plan.SubQuestions) == 0 {
		return temporal.NewNonRetryableApplicationError("the planner returned no sub-questions", ErrEmptyPlan, nil)
	}
	r.st.ModelSteps++
	r.planUsage = plan.Usage
	r.addUsage(plan.Engine, plan.Usage)
	if len(plan.SubQuestions) > r.in.MaxSubQuestions {
		plan.SubQuestions = plan.SubQuestions[:r.in.MaxSubQuestions]
	}
	r.setPlan(ctx, plan.SubQuestions)
	switch {
	case !r.pauses:
	case !r.in.RequireApproval && r.version(ctx, estimateChange) >= 1:
		r.pricing = r.startEstimate(ctx) // awaited before the first analysis
	default:
		r.estimate(ctx)
	}

	if r.in.RequireApproval {
		if err := r.awaitApproval(ctx); err != nil {
			return err
		}
	}
	r.emit(ctx, rf.EventPlanReady, rf.EventData{Question: r.in.Question, SubQuestions: len(r.st.SubQuestions)})
	return nil
}

// reflect asks for follow-up sub-questions and adds them to the plan.
func (r *research) reflect(ctx workflow.Context) (int, error) {
	r.setStage(ctx, rf.StageReflect)
	req := reasoning.ReflectRequest{Question: r.in.Question, MaxFollowUps: r.in.Breadth}
	for _, sq := range r.st.SubQuestions {
		switch {
		case sq.Analysis != nil:
			var texts []string
			for _, f := range sq.Analysis.Analysis.Findings {
				texts = append(texts, f.Text)
			}
			req.Answered = append(req.Answered, reasoning.AnsweredSubQuestion{SubQuestion: sq.SubQuestion, Findings: texts})
		case sq.State == rf.SQFailed:
			req.Unanswered = append(req.Unanswered, reasoning.UnansweredSubQuestion{SubQuestion: sq.SubQuestion, Reason: sq.Error})
		}
	}
	var refl reasoning.Reflection
	r.st.ModelSteps++
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, reflectOptions()), ReflectActivity,
		ReflectInput{Request: req, Budget: r.budget.Share(r.st.Usage, 2)},
	).Get(ctx, &refl); err != nil {
		r.chargeFailure(err)
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		// Reflection improves a report; failing it must not lose one.
		workflow.GetLogger(ctx).Warn("reflection failed; writing with what we have", "error", err)
		r.decide(ctx, DecisionReflectionSkipped, "", "reflection failed ("+errorMessage(err)+"); the report is written with what the run has")
		return 0, nil
	}
	r.addUsage(refl.Engine, refl.Usage)
	added := 0
	for _, f := range refl.FollowUps {
		text := strings.TrimSpace(f.Text)
		if len(r.st.SubQuestions) >= maxSubQuestionsTotal || text == "" {
			break
		}
		if f.Reason == "" {
			f.Reason = fmt.Sprintf("follow-up of round %d", r.st.Round+1)
		}
		id := fmt.Sprintf("sq%d", len(r.st.SubQuestions)+1)
		r.st.SubQuestions = append(r.st.SubQuestions, SubQuestionState{
			SubQuestion: reasoning.SubQuestion{ID: id, Text: text, Reason: f.Reason, Broadens: f.Broadens}, State: rf.SQPending,
		})
		r.decide(ctx, DecisionFollowUp, id, f.Reason)
		added++
	}
	r.touch(ctx)
	return added, nil
}

// synthesize writes the report and hands it to the notify pool.
func (r *research) synthesize(ctx workflow.Context) (rf.ResearchResult, error) {
	// A run that pauses asks before writing too (while it may still be
	// extended); one that finishes early writes offline.
	early := r.pauses && !r.afford(ctx, reasoning.StepWrite, "")
	if err := ctx.Err(); err != nil {
		return rf.ResearchResult{}, err
	}
	r.setStage(ctx, rf.StageSynthesize)
	sections, sources := r.citedSections()
	notes := append(r.revisionNotes(), r.st.SourceNotes()...)
	offline := early
	switch {
	case early:
		notes = append(notes, r.finishNote())
	case !r.pauses && r.budgetSpent():
		offline = true
		notes = append(notes, r.budgetNote())
		r.decide(ctx, DecisionBudgetStop, "", r.budgetNote())
	}
	gaps := r.st.Gaps()
	var syn SynthesizeResult
	r.st.ModelSteps++
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), SynthesizeActivity,
		SynthesizeInput{
			ResearchID: r.id,
			Question:   r.in.Question,
			Corpus:     footerCorpus(r.in), // only shown in the footer
			Sections:   sections,
			Sources:    sources,
			Gaps:       gaps,
			Engines:    r.st.Engines,
			Usage:      r.st.Usage,
			Offline:    offline,
			Budget:     r.budget.Left(r.st.Usage),
			Notes:      notes,
		}).Get(ctx, &syn); err != nil {
		r.chargeFailure(err)
		return rf.ResearchResult{}, stageError("synthesize", err)
	}
	r.addUsage(syn.Engine, syn.Usage)
	if len(syn.Gaps) > 0 || syn.GapsSet {
		// A low-confidence report states its findings as gaps; a report
		// that answers a gap does not list it.
		gaps = syn.Gaps
	}
	if syn.CitedSources {
		sources = syn.Sources // the report lists only what it cites
	}
	r.st.Sources = sources
	syn.Markdown = r.whatChanged(ctx, syn.Markdown, sources)
	r.st.Claims = syn.Claims

	ready := r.record(ctx, rf.EventReportReady, rf.EventData{Title: syn.Title, Gaps: len(gaps)})
	var del DeliverResult
	if r.offPath {
		r.setStage(ctx, rf.StageNotify)
		// The report is stored, handed to the delivery workflow with its
		// event, and returned: no sink is waited for.
		var stored StoreReportResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, storeOptions()), StoreReportActivity,
			StoreReportInput{ResearchID: r.id, Markdown: syn.Markdown}).Get(ctx, &stored); err != nil {
			if ctx.Err() != nil {
				return rf.ResearchResult{}, ctx.Err()
			}
			workflow.GetLogger(ctx).Warn("report not stored; it is in the result", "error", err)
		}
		del.Path = stored.Path
		if r.notifiesReport(ctx) {
			r.deliver(ctx, DeliveryMessage{Event: &ready, Report: syn.Markdown, ReportPath: stored.Path})
		}
	} else {
		// The report's event is published by Deliver, with the report,
		// after every earlier event.
		r.drainPublisher(ctx)
		r.setStage(ctx, rf.StageNotify)
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, notifyOptions()), DeliverActivity,
			DeliverInput{ResearchID: r.id, Title: syn.Title, Markdown: syn.Markdown, Owner: r.in.Owner,
				Event: &ready, Email: r.in.NotifyEmail()},
		).Get(ctx, &del); err != nil {
			if ctx.Err() != nil {
				return rf.ResearchResult{}, ctx.Err()
			}
			// The report is in the result either way: a delivery that failed for
			// good is logged, not a reason to lose the research.
			workflow.GetLogger(ctx).Warn("report delivery failed", "error", err)
		}
	}

	return rf.ResearchResult{
		ResearchID: r.id,
		Question:   r.in.Question,
		Title:      syn.Title,
		Confidence: syn.Confidence,
		Report:     syn.Markdown,
		Sources:    sources,
		Gaps:       gaps,
		Engine:     strings.Join(r.st.Engines, "; "),
		Usage:      r.st.Usage,
		ReportPath: del.Path,
		Corpus:     r.in.Corpus,
		// Sources, dead letters and revision (see sources.go).
		SearchedSources: r.searchedSources(),
		DeadLetters:     r.st.DeadLetters,
		Revision:        r.st.Rev(),
		RedriveOf:       r.in.RedriveOf,
		Claims:          syn.Claims,
		// Notifications (see delivery.go).
		DeliveryWorkflowID: r.deliveryID,
		// Scheduled runs (see changes.go).
		Schedule: r.scheduleID(), Snapshot: r.snap, Changes: r.changes,
		// Priced plans and budget pauses (see budget.go).
		Estimate: r.st.Estimate, Actual: r.resultActual(), Budget: r.resultBudget(), Skipped: r.st.SkippedSteps,
	}, nil
}

// budgetSpent reports whether the run's model budget is used up.
func (r *research) budgetSpent() bool { return r.budget.Spent(r.st.Usage) }

func (r *research) budgetNote() string {
	u := r.st.Usage
	what := fmt.Sprintf("%d of %d tokens", u.Tokens(), r.budget.MaxTokens)
	if r.budget.MaxCostUSD > 0 && (r.budget.MaxTokens == 0 || u.CostUSD >= r.budget.MaxCostUSD) {
		what = fmt.Sprintf("$%.4f of $%.4f", u.CostUSD, r.budget.MaxCostUSD)
	}
	note := "the run's model budget is spent (" + what + "): the report was written by the offline extractive engine"
	if r.st.Skipped > 0 {
		were := " were"
		if r.st.Skipped == 1 {
			were = " was"
		}
		note += " and " + report.Count(r.st.Skipped, "sub-question", "") + were + " not analyzed"
	}
	return note
}

func (r *research) setPlan(ctx workflow.Context, subqs []reasoning.SubQuestion) {
	r.st.SubQuestions = make([]SubQuestionState, len(subqs))
	for i, sq := range subqs {
		r.st.SubQuestions[i] = SubQuestionState{SubQuestion: sq, State: rf.SQPending}
	}
	r.touch(ctx)
}

func (r *research) awaitApproval(ctx workflow.Context) error {
	r.setStage(ctx, rf.StageApproval)
	r.setStatus(ctx, rf.StatusAwaitingApproval)
	decided, err := workflow.AwaitWithTimeout(ctx, r.in.ApprovalTimeout(), func() bool { return r.approval != nil })
	if err != nil {
		return err
	}
	r.setStatus(ctx, rf.StatusRunning)
	switch {
	case !decided && r.in.OnApprovalTimeout == rf.OnTimeoutCancel:
		return temporal.NewNonRetryableApplicationError("the plan was not approved in time", ErrApprovalTimeout, nil)
	case !decided:
		workflow.GetLogger(ctx).Info("plan approval timed out; proceeding as configured")
		r.decide(ctx, DecisionApproval, "", "the plan was not approved in time; the run proceeded as configured (onApprovalTimeout approve)")
		return nil
	case !approves(*r.approval):
		return temporal.NewNonRetryableApplicationError("the plan was rejected by "+orUnknown(r.approval.By), ErrPlanRejected, nil)
	}
	// An edited plan is priced before the approval is recorded, so that
	// the record carries the price of the plan approved (the commands are
	// those of runs recorded before: the decision is state only).
	approved := "the plan was approved by " + orUnknown(r.approval.By)
	priced := true
	if len(r.approval.SubQuestions) > 0 {
		approved += " as edited"
		r.setPlan(ctx, editedPlan(*r.approval))
		if r.pauses {
			priced = r.estimate(ctx) // the edited plan's price
		}
	}
	switch {
	case r.pauses && priced:
		approved += " (" + estimateWords(r.st.Estimate) + ")"
	case r.pauses:
		approved += " (the edited plan could not be priced)"
	}
	r.decide(ctx, DecisionApproval, "", approved)
	return nil
}

// editedPlan is the plan an approval sets (its SubQuestions, not empty).
func editedPlan(a rf.PlanApproval) []reasoning.SubQuestion {
	plan := make([]reasoning.SubQuestion, len(a.SubQuestions))
	for i, q := range a.SubQuestions {
		plan[i] = reasoning.SubQuestion{ID: fmt.Sprintf("sq%d", i+1), Text: q, Reason: "edited at approval by " + orUnknown(a.By)}
	}
	return plan
}

func orUnknown(s string) string {
	if s == "" {
		return "an unnamed approver"
	}
	return s
}

// retrieveAll searches every pending sub-question, at most parallelism at a
// time. A sub-question whose search fails for good becomes a gap.
func (r *research) retrieveAll(ctx workflow.Context) {
	actx := workflow.WithActivityOptions(ctx, retrieveOptions())
	r.forEach(ctx, func(i int) workflow.Future {
		sq := &r.st.SubQuestions[i]
		if sq.State != rf.SQPending {
			return nil
		}
		r.setState(ctx, i, rf.SQSearching, "")
		return workflow.ExecuteActivity(summarized(actx, "search the corpus: "+sq.SubQuestion.Text), RetrieveActivity, RetrieveInput{
			Corpus: r.in.Corpus, Question: r.in.Question, SubQuestion: sq.SubQuestion, TopK: r.in.MaxSources,
		})
	}, func(i int, f workflow.Future) {
		var res RetrieveResult
		if err := f.Get(ctx, &res); err != nil {
			if ctx.Err() == nil {
				r.deadLetter(ctx, i, rf.SourceCorpus, err, retrieveOptions())
			}
			r.setState(ctx, i, rf.SQFailed, "search failed: "+errorMessage(err))
			return
		}
		if len(res.ChunkIDs) == 0 {
			r.setState(ctx, i, rf.SQFailed, "no passage of the corpus matched it")
			return
		}
		r.st.SubQuestions[i].Retrieved = res
		r.setState(ctx, i, rf.SQSearched, "")
	})
}

// analyzeAll analyzes every sub-question that has passages.
func (r *research) analyzeAll(ctx workflow.Context) {
	actx := workflow.WithActivityOptions(ctx, inferenceOptions())
	r.forEach(ctx, func(i int) workflow.Future {
		sq := &r.st.SubQuestions[i]
		if sq.State != rf.SQSearched {
			return nil
		}
		switch {
		case r.pauses && !r.afford(ctx, reasoning.StepAnalyze, sq.SubQuestion.ID):
			if ctx.Err() != nil {
				return nil
			}
			r.skip(reasoning.StepAnalyze, sq.SubQuestion.Text)
			r.setState(ctx, i, rf.SQFailed, "not analyzed: the run finished early")
			return nil
		case !r.pauses && r.budgetSpent():
			r.st.Skipped++
			r.setState(ctx, i, rf.SQFailed, "not analyzed: the run's model budget is spent")
			return nil
		}
		chunks := sq.Retrieved.ChunkIDs
		if r.withSources {
			// Only passages no analysis has read (all of them, but on a
			// redrive); a sub-question with none new keeps its analysis.
			if chunks = r.unanalyzed(i); len(chunks) == 0 {
				r.settleAnalysis(ctx, i, "the retrieved passages did not answer it")
				return nil
			}
		}
		r.setState(ctx, i, rf.SQAnalyzing, "")
		r.st.ModelSteps++
		r.analyzing++
		return workflow.ExecuteActivity(summarized(actx, "analyze: "+sq.SubQuestion.Text), AnalyzeActivity, AnalyzeInput{
			Question: r.in.Question, SubQuestion: sq.SubQuestion, ChunkIDs: chunks, MaxFindings: maxFindings,
			Budget: r.analysisShare(),
		})
	}, func(i int, f workflow.Future) {
		r.analyzing--
		var res AnalyzeResult
		if err := f.Get(ctx, &res); err != nil {
			r.chargeFailure(err)
			if r.withSources {
				r.settleAnalysis(ctx, i, "analysis failed: "+errorMessage(err))
				return
			}
			r.setState(ctx, i, rf.SQFailed, "analysis failed: "+errorMessage(err))
			return
		}
		r.addUsage(res.Analysis.Engine, res.Analysis.Usage)
		if r.withSources {
			r.mergeAnalysis(ctx, i, res)
			return
		}
		if len(res.Analysis.Findings) == 0 {
			r.setState(ctx, i, rf.SQFailed, "the retrieved passages did not answer it")
			return
		}
		r.st.SubQuestions[i].Analysis = &res
		r.setState(ctx, i, rf.SQDone, "")
	})
}

// analysisShare splits what is left of the budget between the analyses
// still to run and the writer.
func (r *research) analysisShare() rf.Budget {
	pending := 1 // the writer
	for _, sq := range r.st.SubQuestions {
		if sq.State == rf.SQSearched || sq.State == rf.SQAnalyzing {
			pending++
		}
	}
	return r.budget.Share(r.st.Usage, pending)
}

// maxFindings per sub-question: a ceiling, not a quota. The analyst keeps
// only findings close to its best one (the offline analyst's relative and
// source floors), so a sub-question with little on-topic evidence gets
// one or two findings and one with much gets up to this many.
const maxFindings = 8

// forEach starts start(i) for every sub-question, keeping at most
// parallelism futures in flight, and calls done in completion order. A nil
// future means "nothing to do for i".
func (r *research) forEach(ctx workflow.Context, start func(i int) workflow.Future, done func(i int, f workflow.Future)) {
	sel := workflow.NewSelector(ctx)
	inFlight, next := 0, 0
	for next < len(r.st.SubQuestions) || inFlight > 0 {
		for inFlight < parallelism && next < len(r.st.SubQuestions) && ctx.Err() == nil {
			i := next
			next++
			f := start(i)
			if f == nil {
				continue
			}
			inFlight++
			sel.AddFuture(f, func(f workflow.Future) { done(i, f) })
		}
		if inFlight == 0 {
			if ctx.Err() != nil || next >= len(r.st.SubQuestions) {
				return
			}
			continue
		}
		sel.Select(ctx)
		inFlight--
	}
}

// citedSections numbers the sources once, in order of first citation, and
// maps every finding to its source number. A source cited by several
// sub-questions keeps the chunks of all of them.
func (r *research) citedSections() ([]reasoning.SectionInput, []rf.Source) {
	var subqs []reasoning.SubQuestion
	var findings [][]reasoning.Finding
	known := map[string]*rf.Source{} // lookup only, never iterated
	for _, sq := range r.st.SubQuestions {
		a := sq.Analysis
		if a == nil {
			continue
		}
		subqs = append(subqs, sq.SubQuestion)
		findings = append(findings, a.Analysis.Findings)
		for _, src := range a.Sources {
			k, ok := known[src.SourceID]
			if !ok {
				c := src
				c.ChunkIDs = nil
				k = &c
				known[src.SourceID] = k
			}
			for _, id := range src.ChunkIDs {
				if !slices.Contains(k.ChunkIDs, id) {
					k.ChunkIDs = append(k.ChunkIDs, id)
				}
			}
		}
	}
	pages := r.pageSources() // lookup only, never iterated
	sources := report.NumberSources(findings, func(id string) (rf.Source, bool) {
		s, ok := known[id]
		if !ok {
			return rf.Source{}, false
		}
		return withPage(*s, pages), true
	})
	return report.CiteFindings(subqs, findings, sources), sources
}

// chargeFailure charges the run with the model usage a failed inference
// activity carries: the calls of all its attempts, paid for although they
// gave nothing usable (see UsageFromError). It issues no command.
func (r *research) chargeFailure(err error) {
	if u, ok := UsageFromError(err); ok {
		r.addUsage("", u)
	}
}

// addUsage charges the run, and its current stage (state only: the
// stage's usage is shown, never decides anything).
func (r *research) addUsage(engine string, u rf.Usage) {
	r.st.Usage = r.st.Usage.Add(u)
	if n := len(r.st.Timings); n > 0 {
		r.st.Timings[n-1].Usage = r.st.Timings[n-1].Usage.Add(u)
	}
	if engine != "" && !slices.Contains(r.st.Engines, engine) {
		r.st.Engines = append(r.st.Engines, engine)
	}
}

func (r *research) setState(ctx workflow.Context, i int, state, reason string) {
	r.st.SubQuestions[i].State = state
	r.st.SubQuestions[i].Error = reason
	if state == rf.SQFailed {
		r.decide(ctx, DecisionGap, r.st.SubQuestions[i].SubQuestion.ID, reason)
	}
	r.touch(ctx)
}

// decide records a decision for the audit (state only: no command).
func (r *research) decide(ctx workflow.Context, kind, subQuestion, detail string) {
	r.st.Decisions = append(r.st.Decisions, rf.Decision{
		Seq: r.st.Seq, Time: workflow.Now(ctx), Kind: kind, SubQuestion: subQuestion, Detail: detail,
	})
}

// setStage records the run's stage, in its state and its ResearchStage
// search attribute (with more, in one upsert).
func (r *research) setStage(ctx workflow.Context, stage string, more ...temporal.SearchAttributeUpdate) {
	now := workflow.Now(ctx)
	if n := len(r.st.Timings); n > 0 && r.st.Timings[n-1].EndedAt.IsZero() {
		r.st.Timings[n-1].EndedAt = now
	}
	if stage != rf.StageDone {
		r.st.Timings = append(r.st.Timings, rf.StageTiming{Stage: stage, StartedAt: now})
	}
	r.st.Stage = stage
	r.touch(ctx)
	r.upsert(ctx, append(more, stageKey.ValueSet(stage))...)
}

func (r *research) setStatus(ctx workflow.Context, status string) {
	r.st.Status = status
	r.touch(ctx)
	r.upsert(ctx, statusKey.ValueSet(status))
}

func (r *research) touch(ctx workflow.Context) {
	r.st.Seq++
	r.st.UpdatedAt = workflow.Now(ctx)
}

func (r *research) upsertAttributes(ctx workflow.Context) {
	r.upsert(ctx, r.attributes()...)
}

// attributes are the search attributes a run sets when it starts.
func (r *research) attributes() []temporal.SearchAttributeUpdate {
	updates := []temporal.SearchAttributeUpdate{statusKey.ValueSet(rf.StatusRunning), corpusKey.ValueSet(r.in.Corpus)}
	if r.in.Owner != "" {
		updates = append(updates, ownerKey.ValueSet(r.in.Owner))
	}
	return updates
}

func (r *research) upsert(ctx workflow.Context, updates ...temporal.SearchAttributeUpdate) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes failed", "error", err)
	}
}

// finish records the final status. It runs on a disconnected context so that
// a cancelled run still says so in its search attributes. A run that
// continues as new is not finished.
func (r *research) finish(ctx workflow.Context, err error) {
	if workflow.IsContinueAsNewError(err) {
		return
	}
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	status := RunStatus(err)
	if err != nil && !temporal.IsCanceledError(err) {
		r.st.Error = errorMessage(err) // also why a plan was rejected
	}
	if r.shape >= 1 {
		r.st.Status = status
		r.setStage(dctx, rf.StageDone, statusKey.ValueSet(status))
	} else {
		r.setStage(dctx, rf.StageDone)
		r.setStatus(dctx, status)
	}
	if status == rf.StatusFailed {
		r.emit(dctx, rf.EventFailed, rf.EventData{Error: r.st.Error, Gaps: len(r.st.Gaps())})
		r.drainPublisher(dctx)
	}
	// Whatever the end, the delivery workflow learns that nothing follows,
	// after everything else the run handed it.
	r.deliver(dctx, DeliveryMessage{Final: true})
	r.drainDelivery(dctx)
}

// RunStatus names how a research run ended from the error its workflow
// returned: completed (nil), cancelled (a cancellation, a rejected plan or
// an approval that timed out with "cancel"), or failed. The workflow's
// ResearchStatus search attribute and the run metrics both use it.
func RunStatus(err error) string {
	var canceled *temporal.CanceledError
	var appErr *temporal.ApplicationError
	switch {
	case err == nil:
		return rf.StatusCompleted
	case errors.As(err, &canceled) || temporal.IsCanceledError(err):
		return rf.StatusCancelled
	case errors.As(err, &appErr) && (appErr.Type() == ErrPlanRejected || appErr.Type() == ErrApprovalTimeout):
		return rf.StatusCancelled
	}
	return rf.StatusFailed
}

// stageError ends the run for a stage that failed for good, with a short
// message and the failure's type (the history keeps the full chain).
func stageError(stage string, err error) error {
	if temporal.IsCanceledError(err) {
		return err
	}
	errType := "StageFailed"
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() != "" {
		errType = appErr.Type()
	}
	return temporal.NewNonRetryableApplicationError(stage+": "+errorMessage(err), errType, nil)
}

// errorMessage is the innermost message of a Temporal error chain, which is
// what a reader of the report wants ("connection refused"), not the chain.
func errorMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		return "timed out (" + timeoutErr.TimeoutType().String() + ")"
	}
	for errors.Unwrap(err) != nil {
		err = errors.Unwrap(err)
	}
	return err.Error()
}
