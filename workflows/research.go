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
	reportMD  string
}

func newResearch(ctx workflow.Context, in ResearchInput) *research {
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

// run executes the stages in order.
func (r *research) run(ctx workflow.Context) (ResearchResult, error) {
	r.upsertAttributes(ctx)

	r.setStage(ctx, StageCorpus)
	var prep activities.PrepareCorpusResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, corpusOptions()), activities.PrepareCorpusName,
		activities.PrepareCorpusInput{Corpus: r.in.Corpus, Path: r.in.CorpusPath}).Get(ctx, &prep); err != nil {
		return ResearchResult{}, fmt.Errorf("prepare corpus %s: %w", r.in.Corpus, err)
	}

	r.setStage(ctx, StagePlan)
	var plan reasoning.Plan
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), activities.PlanName,
		activities.PlanInput{Question: r.in.Question, MaxSubQuestions: r.in.MaxSubQuestions}).Get(ctx, &plan); err != nil {
		return ResearchResult{}, fmt.Errorf("plan: %w", err)
	}
	if len(plan.SubQuestions) == 0 {
		return ResearchResult{}, temporal.NewNonRetryableApplicationError("the planner returned no sub-questions", "EmptyPlan", nil)
	}
	r.addUsage(plan.Engine, plan.Usage)
	r.setPlan(ctx, plan.SubQuestions)

	if r.in.RequireApproval {
		if err := r.awaitApproval(ctx); err != nil {
			return ResearchResult{}, err
		}
	}

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

	r.setStage(ctx, StageSynthesize)
	sections, sources := r.citedSections()
	var syn activities.SynthesizeResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, inferenceOptions()), activities.SynthesizeName,
		activities.SynthesizeInput{
			ResearchID: r.progress.ResearchID,
			Question:   r.in.Question,
			Corpus:     r.in.Corpus,
			Sections:   sections,
			Sources:    sources,
			Gaps:       r.activityGaps(),
			Engines:    r.engines,
			Usage:      r.progress.Usage,
		}).Get(ctx, &syn); err != nil {
		return ResearchResult{}, fmt.Errorf("synthesize: %w", err)
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
		r.setSubState(ctx, i, SQAnalyzing, "")
		return workflow.ExecuteActivity(actx, activities.AnalyzeName, activities.AnalyzeInput{
			Question: r.in.Question, SubQuestion: r.subqs[i], ChunkIDs: r.retrieved[i].ChunkIDs, MaxFindings: maxFindings,
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

func (r *research) activityGaps() []activities.Gap {
	gaps := make([]activities.Gap, len(r.gaps))
	for i, g := range r.gaps {
		gaps[i] = activities.Gap{SubQuestion: g.SubQuestion, Reason: g.Reason}
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
