package workflows

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/researchflow/researchflow/activities"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
)

// Search attribute keys (see messages.go for their meaning).
var (
	statusKey = temporal.NewSearchAttributeKeyKeyword(SearchAttrStatus)
	stageKey  = temporal.NewSearchAttributeKeyKeyword(SearchAttrStage)
	ownerKey  = temporal.NewSearchAttributeKeyKeyword(SearchAttrOwner)
	corpusKey = temporal.NewSearchAttributeKeyKeyword(SearchAttrCorpus)
)

// ErrInvalidInput is the error type of a rejected ResearchInput.
const ErrInvalidInput = "InvalidInput"

// ResearchWorkflow researches one question and returns a cited report.
func ResearchWorkflow(ctx workflow.Context, in ResearchInput) (ResearchResult, error) {
	in, err := in.Normalize()
	if err != nil {
		return ResearchResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, err)
	}
	r := newResearch(ctx, in)
	if err := r.registerHandlers(ctx); err != nil {
		return ResearchResult{}, err
	}
	res, err := r.run(ctx)
	if err != nil {
		r.finish(ctx, err)
		return ResearchResult{}, err
	}
	r.finish(ctx, nil)
	return res, nil
}

// Normalize applies defaults and validates the input.
func (in ResearchInput) Normalize() (ResearchInput, error) {
	in.Question = strings.TrimSpace(in.Question)
	switch {
	case in.Question == "":
		return in, errors.New("question is required")
	case len(in.Question) > MaxQuestionLength:
		return in, fmt.Errorf("question is %d characters long; the limit is %d", len(in.Question), MaxQuestionLength)
	case in.MaxSubQuestions < 0 || in.MaxSubQuestions > MaxSubQuestionsLimit:
		return in, fmt.Errorf("maxSubQuestions must be between 1 and %d", MaxSubQuestionsLimit)
	case in.MaxSources < 0 || in.MaxSources > MaxSourcesLimit:
		return in, fmt.Errorf("maxSources must be between 1 and %d", MaxSourcesLimit)
	case in.ApprovalTimeoutSeconds < 0:
		return in, errors.New("approvalTimeoutSeconds must not be negative")
	case in.Depth != nil && (*in.Depth < 0 || *in.Depth > MaxDepthLimit):
		return in, fmt.Errorf("depth must be between 0 and %d", MaxDepthLimit)
	case in.Breadth < 0 || in.Breadth > MaxBreadthLimit:
		return in, fmt.Errorf("breadth must be between 1 and %d", MaxBreadthLimit)
	case in.MaxTokens < 0 || in.MaxCostUSD < 0:
		return in, errors.New("maxTokens and maxCostUsd must not be negative")
	}
	if in.Depth == nil {
		d := DefaultDepth
		in.Depth = &d
	}
	if in.Breadth == 0 {
		in.Breadth = DefaultBreadth
	}
	if in.MaxSubQuestions == 0 {
		in.MaxSubQuestions = DefaultMaxSubQuestions
	}
	if in.MaxSources == 0 {
		in.MaxSources = DefaultMaxSources
	}
	in.CorpusPath = strings.TrimSpace(in.CorpusPath)
	if in.CorpusPath != "" && !filepath.IsAbs(in.CorpusPath) {
		return in, fmt.Errorf("corpusPath %q must be an absolute path on the search workers", in.CorpusPath)
	}
	if in.Corpus == "" && in.CorpusPath != "" {
		in.Corpus = corpusNameFromPath(in.CorpusPath)
	}
	if in.Corpus == "" {
		in.Corpus = DefaultCorpus
	}
	if !corpusName.MatchString(in.Corpus) {
		return in, fmt.Errorf("corpus %q: use letters, digits, '.', '_' and '-' (at most 100)", in.Corpus)
	}
	switch in.OnApprovalTimeout {
	case "":
		in.OnApprovalTimeout = "approve"
	case "approve", "cancel":
	default:
		return in, fmt.Errorf("onApprovalTimeout must be \"approve\" or \"cancel\", not %q", in.OnApprovalTimeout)
	}
	return in, nil
}

var corpusName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

func corpusNameFromPath(p string) string {
	base := filepath.Base(filepath.Clean(p))
	name := strings.Trim(regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(base, "-"), "-.")
	if name == "" {
		name = "folder"
	}
	if len(name) > 100 {
		name = name[:100]
	}
	return name
}

// research is the state of one run.
type research struct {
	in       ResearchInput
	progress Progress
	subqs    []reasoning.SubQuestion
	// per sub-question, same index as subqs
	retrieved []activities.RetrieveResult
	analyses  []*activities.AnalyzeResult
	gaps      []Gap
	engines   []string
	approval  *PlanApproval
	round     int
	resumed   bool
	// skipped counts sub-questions left out because the budget was spent.
	skipped int
}

func newResearch(ctx workflow.Context, in ResearchInput) *research {
	if st := in.Resume; st != nil {
		in.Resume = nil
		return &research{
			in: in, progress: st.Progress, subqs: st.SubQuestions, retrieved: st.Retrieved,
			analyses: st.Analyses, gaps: st.Gaps, engines: st.Engines, round: st.Round, resumed: true,
		}
	}
	now := workflow.Now(ctx)
	return &research{
		in: in,
		progress: Progress{
			ResearchID: workflow.GetInfo(ctx).WorkflowExecution.ID,
			Question:   in.Question,
			Corpus:     in.Corpus,
			Status:     StatusRunning,
			StartedAt:  now,
			UpdatedAt:  now,
		},
	}
}

// historyLimit is the history length past which a run continues as new
// between rounds, far below Temporal's limits.
var historyLimit = 5000

func (r *research) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) {
		p := r.progress
		p.SubQuestions = append([]SubQuestionProgress(nil), r.progress.SubQuestions...)
		p.Timings = append([]StageTiming(nil), r.progress.Timings...)
		return p, nil
	}); err != nil {
		return fmt.Errorf("register %s query: %w", ProgressQuery, err)
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, ApprovePlanUpdate,
		func(ctx workflow.Context, a PlanApproval) (Progress, error) {
			r.approval = &a
			return r.progress, nil
		},
		workflow.UpdateHandlerOptions{Validator: r.validateApproval},
	)
}

func (r *research) validateApproval(a PlanApproval) error {
	if r.progress.Status != StatusAwaitingApproval || r.approval != nil {
		return fmt.Errorf("run is not waiting for plan approval (status %s)", r.progress.Status)
	}
	if len(a.SubQuestions) > MaxSubQuestionsLimit {
		return fmt.Errorf("at most %d sub-questions", MaxSubQuestionsLimit)
	}
	for i, q := range a.SubQuestions {
		if q = strings.TrimSpace(q); q == "" || len(q) > MaxQuestionLength {
			return fmt.Errorf("sub-question %d must have 1 to %d characters", i+1, MaxQuestionLength)
		}
	}
	return nil
}

// run executes the stages in order: corpus, plan, (approval), then rounds
// of search and analysis, each followed by reflection while depth and
// budget allow, then synthesis and delivery.
func (r *research) run(ctx workflow.Context) (ResearchResult, error) {
	if !r.resumed {
		if err := r.prepare(ctx); err != nil {
			return ResearchResult{}, err
		}
	}
	for {
		r.setStage(ctx, StageSearch)
		r.retrieveAll(ctx)
		if err := ctx.Err(); err != nil {
			return ResearchResult{}, err
		}
		r.setStage(ctx, StageAnalyze)
		r.analyzeAll(ctx)
		if err := ctx.Err(); err != nil {
			return ResearchResult{}, err
		}
		if r.round >= *r.in.Depth || r.budgetSpent() {
			break
		}
		added, err := r.reflect(ctx)
		if err != nil {
			return ResearchResult{}, err
		}
		if added == 0 {
			break
		}
		r.round++
		r.progress.Round = r.round
		if workflow.GetInfo(ctx).GetCurrentHistoryLength() > historyLimit {
			next := r.in
			next.Resume = r.state()
			return ResearchResult{}, workflow.NewContinueAsNewError(ctx, ResearchWorkflowType, next)
		}
	}
	return r.synthesize(ctx)
}

// prepare makes the corpus ready, plans, and waits for approval if asked.
func (r *research) prepare(ctx workflow.Context) error {
	r.upsertAttributes(ctx)
	r.setStage(ctx, StageCorpus)
	var prep activities.PrepareCorpusResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, corpusOptions()), activities.PrepareCorpusName,
		activities.PrepareCorpusInput{Corpus: r.in.Corpus, Path: r.in.CorpusPath}).Get(ctx, &prep); err != nil {
		return stageError("prepare corpus "+r.in.Corpus, err)
	}

	r.setStage(ctx, StagePlan)
	var plan reasoning.Plan
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), activities.PlanName,
		activities.PlanInput{Question: r.in.Question, MaxSubQuestions: r.in.MaxSubQuestions, BudgetTokens: r.in.MaxTokens},
	).Get(ctx, &plan); err != nil {
		return stageError("plan", err)
	}
	if len(plan.SubQuestions) == 0 {
		return temporal.NewNonRetryableApplicationError("the planner returned no sub-questions", "EmptyPlan", nil)
	}
	r.addUsage(plan.Engine, plan.Usage)
	if len(plan.SubQuestions) > r.in.MaxSubQuestions {
		plan.SubQuestions = plan.SubQuestions[:r.in.MaxSubQuestions]
	}
	r.setPlan(ctx, plan.SubQuestions)

	if r.in.RequireApproval {
		return r.awaitApproval(ctx)
	}
	return nil
}

// reflect asks for follow-up sub-questions and adds them to the plan.
func (r *research) reflect(ctx workflow.Context) (int, error) {
	r.setStage(ctx, StageReflect)
	req := reasoning.ReflectRequest{Question: r.in.Question, MaxFollowUps: r.in.Breadth}
	for i, sq := range r.subqs {
		if a := r.analyses[i]; a != nil {
			var texts []string
			for _, f := range a.Analysis.Findings {
				texts = append(texts, f.Text)
			}
			req.Answered = append(req.Answered, reasoning.AnsweredSubQuestion{SubQuestion: sq, Findings: texts})
		} else if p := r.progress.SubQuestions[i]; p.State == SQFailed {
			req.Unanswered = append(req.Unanswered, reasoning.UnansweredSubQuestion{SubQuestion: sq, Reason: p.Error})
		}
	}
	var refl reasoning.Reflection
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, reflectOptions()), activities.ReflectName,
		activities.ReflectInput{Request: req, BudgetTokens: r.tokensLeft() / 2},
	).Get(ctx, &refl); err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		// Reflection improves a report; failing it must not lose one.
		workflow.GetLogger(ctx).Warn("reflection failed; writing with what we have", "error", err)
		return 0, nil
	}
	r.addUsage(refl.Engine, refl.Usage)
	added := 0
	for _, f := range refl.FollowUps {
		if len(r.subqs) >= maxSubQuestionsTotal || strings.TrimSpace(f.Text) == "" {
			break
		}
		id := fmt.Sprintf("sq%d", len(r.subqs)+1)
		if f.Reason == "" {
			f.Reason = fmt.Sprintf("follow-up of round %d", r.round+1)
		}
		r.subqs = append(r.subqs, reasoning.SubQuestion{ID: id, Text: strings.TrimSpace(f.Text), Reason: f.Reason})
		r.retrieved = append(r.retrieved, activities.RetrieveResult{})
		r.analyses = append(r.analyses, nil)
		r.progress.SubQuestions = append(r.progress.SubQuestions, SubQuestionProgress{ID: id, Text: strings.TrimSpace(f.Text), State: SQPending})
		added++
	}
	r.touch(ctx)
	return added, nil
}

// maxSubQuestionsTotal bounds a run's sub-questions over all rounds.
const maxSubQuestionsTotal = MaxSubQuestionsLimit + MaxDepthLimit*MaxBreadthLimit

// synthesize writes the report and hands it to the notify pool.
func (r *research) synthesize(ctx workflow.Context) (ResearchResult, error) {
	r.setStage(ctx, StageSynthesize)
	sections, sources := r.citedSections()
	var notes []string
	offline := r.budgetSpent()
	if offline {
		notes = append(notes, r.budgetNote())
	}
	var syn activities.SynthesizeResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), activities.SynthesizeName,
		activities.SynthesizeInput{
			ResearchID:   r.progress.ResearchID,
			Question:     r.in.Question,
			Corpus:       r.in.Corpus,
			Sections:     sections,
			Sources:      sources,
			Gaps:         r.reportGaps(),
			Engines:      r.engines,
			Usage:        r.progress.Usage,
			Offline:      offline,
			BudgetTokens: r.tokensLeft(),
			Notes:        notes,
		}).Get(ctx, &syn); err != nil {
		return ResearchResult{}, stageError("synthesize", err)
	}
	r.addUsage(syn.Engine, syn.Usage)

	r.setStage(ctx, StageNotify)
	var del activities.DeliverResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, notifyOptions()), activities.DeliverName,
		activities.DeliverInput{ResearchID: r.progress.ResearchID, Title: syn.Title, Markdown: syn.Markdown, Owner: r.in.Owner},
	).Get(ctx, &del); err != nil {
		if ctx.Err() != nil {
			return ResearchResult{}, ctx.Err()
		}
		// The report is in the result either way: a delivery that failed for
		// good is logged, not a reason to lose the research.
		workflow.GetLogger(ctx).Warn("report delivery failed", "error", err)
	}

	return ResearchResult{
		ResearchID: r.progress.ResearchID,
		Question:   r.in.Question,
		Title:      syn.Title,
		Report:     syn.Markdown,
		Sources:    sources,
		Gaps:       r.gaps,
		Engine:     strings.Join(r.engines, "; "),
		Usage:      r.progress.Usage,
		ReportPath: del.Path,
		Corpus:     r.in.Corpus,
	}, nil
}

func (r *research) state() *ResearchState {
	return &ResearchState{
		Progress: r.progress, SubQuestions: r.subqs, Retrieved: r.retrieved, Analyses: r.analyses,
		Gaps: r.gaps, Engines: r.engines, Round: r.round,
	}
}

// budgetSpent reports whether the run's model budget is used up.
func (r *research) budgetSpent() bool {
	u := r.progress.Usage
	return (r.in.MaxTokens > 0 && u.PromptTokens+u.CompletionTokens >= r.in.MaxTokens) ||
		(r.in.MaxCostUSD > 0 && u.CostUSD >= r.in.MaxCostUSD)
}

// tokensLeft is what remains of MaxTokens (0 when there is no token limit).
func (r *research) tokensLeft() int {
	if r.in.MaxTokens == 0 {
		return 0
	}
	u := r.progress.Usage
	return max(r.in.MaxTokens-u.PromptTokens-u.CompletionTokens, 1)
}

func (r *research) budgetNote() string {
	u := r.progress.Usage
	what := fmt.Sprintf("%d of %d tokens", u.PromptTokens+u.CompletionTokens, r.in.MaxTokens)
	if r.in.MaxCostUSD > 0 && (r.in.MaxTokens == 0 || u.CostUSD >= r.in.MaxCostUSD) {
		what = fmt.Sprintf("$%.4f of $%.4f", u.CostUSD, r.in.MaxCostUSD)
	}
	note := "the run's model budget is spent (" + what + "): the report was written by the offline extractive engine"
	if r.skipped > 0 {
		note += fmt.Sprintf(" and %d sub-question(s) were not analyzed", r.skipped)
	}
	return note
}

func (r *research) setPlan(ctx workflow.Context, subqs []reasoning.SubQuestion) {
	r.subqs = subqs
	r.retrieved = make([]activities.RetrieveResult, len(subqs))
	r.analyses = make([]*activities.AnalyzeResult, len(subqs))
	r.progress.SubQuestions = make([]SubQuestionProgress, len(subqs))
	for i, sq := range subqs {
		r.progress.SubQuestions[i] = SubQuestionProgress{ID: sq.ID, Text: sq.Text, State: SQPending}
	}
	r.touch(ctx)
}

func (r *research) awaitApproval(ctx workflow.Context) error {
	r.setStage(ctx, StageApproval)
	r.setStatus(ctx, StatusAwaitingApproval)
	timeout := DefaultApprovalTimeout
	if r.in.ApprovalTimeoutSeconds > 0 {
		timeout = time.Duration(r.in.ApprovalTimeoutSeconds) * time.Second
	}
	decided, err := workflow.AwaitWithTimeout(ctx, timeout, func() bool { return r.approval != nil })
	if err != nil {
		return err
	}
	r.setStatus(ctx, StatusRunning)
	switch {
	case !decided && r.in.OnApprovalTimeout == "cancel":
		return temporal.NewNonRetryableApplicationError("the plan was not approved in time", "ApprovalTimeout", nil)
	case !decided:
		workflow.GetLogger(ctx).Info("plan approval timed out; proceeding as configured")
		return nil
	case !r.approval.Approved:
		return temporal.NewNonRetryableApplicationError("the plan was rejected by "+orUnknown(r.approval.By), "PlanRejected", nil)
	}
	if len(r.approval.SubQuestions) > 0 {
		edited := make([]reasoning.SubQuestion, len(r.approval.SubQuestions))
		for i, q := range r.approval.SubQuestions {
			edited[i] = reasoning.SubQuestion{ID: fmt.Sprintf("sq%d", i+1), Text: strings.TrimSpace(q), Reason: "edited at approval by " + orUnknown(r.approval.By)}
		}
		r.setPlan(ctx, edited)
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "an unnamed approver"
	}
	return s
}

// retrieveAll searches every sub-question, at most parallelism at a time. A
// sub-question whose search fails for good becomes a gap.
func (r *research) retrieveAll(ctx workflow.Context) {
	actx := workflow.WithActivityOptions(ctx, retrieveOptions())
	r.forEach(ctx, func(i int) workflow.Future {
		if r.progress.SubQuestions[i].State != SQPending {
			return nil
		}
		r.setSubState(ctx, i, SQSearching, "")
		return workflow.ExecuteActivity(actx, activities.RetrieveName, activities.RetrieveInput{
			Corpus: r.in.Corpus, Question: r.in.Question, SubQuestion: r.subqs[i], TopK: r.in.MaxSources,
		})
	}, func(i int, f workflow.Future) {
		var res activities.RetrieveResult
		if err := f.Get(ctx, &res); err != nil {
			r.fail(ctx, i, "search failed: "+errorMessage(err))
			return
		}
		if len(res.ChunkIDs) == 0 {
			r.fail(ctx, i, "no passage of the corpus matched it")
			return
		}
		r.retrieved[i] = res
		r.progress.SubQuestions[i].Passages = len(res.ChunkIDs)
		r.progress.Passages += len(res.ChunkIDs)
		r.countSources()
		r.setSubState(ctx, i, SQSearched, "")
	})
}

// analyzeAll analyzes every sub-question that has passages.
func (r *research) analyzeAll(ctx workflow.Context) {
	actx := workflow.WithActivityOptions(ctx, inferenceOptions())
	r.forEach(ctx, func(i int) workflow.Future {
		if r.progress.SubQuestions[i].State != SQSearched {
			return nil
		}
		if r.budgetSpent() {
			r.skipped++
			r.fail(ctx, i, "not analyzed: the run's model budget is spent")
			return nil
		}
		r.setSubState(ctx, i, SQAnalyzing, "")
		return workflow.ExecuteActivity(actx, activities.AnalyzeName, activities.AnalyzeInput{
			Question: r.in.Question, SubQuestion: r.subqs[i], ChunkIDs: r.retrieved[i].ChunkIDs, MaxFindings: maxFindings,
			BudgetTokens: r.analysisShare(),
		})
	}, func(i int, f workflow.Future) {
		var res activities.AnalyzeResult
		if err := f.Get(ctx, &res); err != nil {
			r.fail(ctx, i, "analysis failed: "+errorMessage(err))
			return
		}
		r.addUsage(res.Analysis.Engine, res.Analysis.Usage)
		if len(res.Analysis.Findings) == 0 {
			r.fail(ctx, i, "the retrieved passages did not answer it")
			return
		}
		r.analyses[i] = &res
		r.progress.SubQuestions[i].Findings = len(res.Analysis.Findings)
		r.setSubState(ctx, i, SQDone, "")
	})
}

// analysisShare splits what is left of the token budget between the
// analyses still to run and the writer.
func (r *research) analysisShare() int {
	left := r.tokensLeft()
	if left == 0 {
		return 0
	}
	pending := 1 // the writer
	for _, sq := range r.progress.SubQuestions {
		if sq.State == SQSearched || sq.State == SQAnalyzing {
			pending++
		}
	}
	return max(left/pending, 1)
}

// maxFindings per sub-question.
const maxFindings = 5

// forEach starts start(i) for every sub-question, keeping at most
// parallelism futures in flight, and calls done in completion order. A nil
// future means "nothing to do for i".
func (r *research) forEach(ctx workflow.Context, start func(i int) workflow.Future, done func(i int, f workflow.Future)) {
	sel := workflow.NewSelector(ctx)
	inFlight, next := 0, 0
	for next < len(r.subqs) || inFlight > 0 {
		for inFlight < parallelism && next < len(r.subqs) && ctx.Err() == nil {
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
			if ctx.Err() != nil || next >= len(r.subqs) {
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
func (r *research) citedSections() ([]reasoning.SectionInput, []reasoning.Source) {
	var subqs []reasoning.SubQuestion
	var findings [][]reasoning.Finding
	known := map[string]*reasoning.Source{} // lookup only, never iterated
	for i, a := range r.analyses {
		if a == nil {
			continue
		}
		subqs = append(subqs, r.subqs[i])
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
	sources := report.NumberSources(findings, func(id string) (reasoning.Source, bool) {
		s, ok := known[id]
		if !ok {
			return reasoning.Source{}, false
		}
		return *s, true
	})
	return report.CiteFindings(subqs, findings, sources), sources
}

func (r *research) fail(ctx workflow.Context, i int, reason string) {
	r.gaps = append(r.gaps, Gap{SubQuestion: r.subqs[i].Text, Reason: reason})
	r.setSubState(ctx, i, SQFailed, reason)
}

func (r *research) reportGaps() []report.Gap {
	gaps := make([]report.Gap, len(r.gaps))
	for i, g := range r.gaps {
		gaps[i] = report.Gap{SubQuestion: g.SubQuestion, Reason: g.Reason}
	}
	return gaps
}

func (r *research) countSources() {
	seen := map[string]bool{}
	for _, res := range r.retrieved {
		for _, id := range res.SourceIDs {
			seen[id] = true
		}
	}
	r.progress.Sources = len(seen)
}

func (r *research) addUsage(engine string, u reasoning.Usage) {
	r.progress.Usage = r.progress.Usage.Add(u)
	r.progress.BudgetSpent = r.budgetSpent()
	for _, e := range r.engines {
		if e == engine {
			return
		}
	}
	if engine != "" {
		r.engines = append(r.engines, engine)
		r.progress.Engine = strings.Join(r.engines, "; ")
	}
}

func (r *research) setSubState(ctx workflow.Context, i int, state, errMsg string) {
	r.progress.SubQuestions[i].State = state
	r.progress.SubQuestions[i].Error = errMsg
	r.touch(ctx)
}

func (r *research) setStage(ctx workflow.Context, stage string) {
	now := workflow.Now(ctx)
	if n := len(r.progress.Timings); n > 0 && r.progress.Timings[n-1].EndedAt.IsZero() {
		r.progress.Timings[n-1].EndedAt = now
	}
	if stage != StageDone {
		r.progress.Timings = append(r.progress.Timings, StageTiming{Stage: stage, StartedAt: now})
	}
	r.progress.Stage = stage
	r.touch(ctx)
	r.upsert(ctx, stageKey.ValueSet(stage))
}

func (r *research) setStatus(ctx workflow.Context, status string) {
	r.progress.Status = status
	r.touch(ctx)
	r.upsert(ctx, statusKey.ValueSet(status))
}

func (r *research) touch(ctx workflow.Context) {
	r.progress.Seq++
	r.progress.UpdatedAt = workflow.Now(ctx)
}

func (r *research) upsertAttributes(ctx workflow.Context) {
	updates := []temporal.SearchAttributeUpdate{statusKey.ValueSet(StatusRunning), corpusKey.ValueSet(r.in.Corpus)}
	if r.in.Owner != "" {
		updates = append(updates, ownerKey.ValueSet(r.in.Owner))
	}
	r.upsert(ctx, updates...)
}

func (r *research) upsert(ctx workflow.Context, updates ...temporal.SearchAttributeUpdate) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes failed", "error", err)
	}
}

// finish records the final status. It runs on a disconnected context so that
// a cancelled run still says so in its search attributes.
func (r *research) finish(ctx workflow.Context, err error) {
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	status := StatusCompleted
	var canceled *temporal.CanceledError
	switch {
	case err == nil:
	case errors.As(err, &canceled) || temporal.IsCanceledError(err):
		status = StatusCancelled
	default:
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && (appErr.Type() == "PlanRejected" || appErr.Type() == "ApprovalTimeout") {
			status = StatusCancelled
		} else {
			status = StatusFailed
		}
		r.progress.Error = errorMessage(err)
	}
	r.setStage(dctx, StageDone)
	r.setStatus(dctx, status)
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
