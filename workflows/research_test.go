package workflows

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/researchflow/researchflow/internal/reasoning"
)

// fakeActivities are hand-written activities with switchable behaviour.
type fakeActivities struct {
	mu    sync.Mutex
	calls map[string]int
	// estimateIn is the last plan priced.
	estimateIn EstimateInput
	// retrieveErr fails the retrieval of a sub-question ID.
	retrieveErr map[string]error
	// analyzeFailures fails the first N analyses of each sub-question.
	analyzeFailures int
	// cancel, if set, is called when an analysis starts; the analysis then
	// waits for its context to end (the cancellation reaching it).
	cancel  func()
	synthIn SynthesizeInput
	// followUps are returned by the first reflection.
	followUps []reasoning.SubQuestion
	reflectIn []reasoning.ReflectRequest
	// analyzed is the sub-question each analysis was asked, by ID.
	analyzed  map[string]reasoning.SubQuestion
	planUsage rf.Usage
	// analyzeErr fails every analysis of a sub-question ID with this error.
	analyzeErr map[string]error
	// published lists the events the Publish activity received, in order;
	// deliverIn is the last DeliverInput.
	published []rf.Event
	deliverIn DeliverInput
	// sinkIn lists what DeliverToSink received per sink, in order; sinkErr
	// fails every delivery to a sink; stored is the last StoreReportInput.
	sinkIn  map[string][]SinkDeliveryInput
	sinkErr map[string]error
	stored  StoreReportInput
	// planErr fails every planning with this error.
	planErr error
	// configured is the notify pool's answer to DeliverySinks (nil: every
	// sink); sinksErr fails DeliverySinks.
	configured []string
	sinksErr   error
	// olderPool leaves DeliverySinks unregistered: a notify pool of a
	// release before it.
	olderPool bool
	// analyzeNeed is what the fake estimate expects one analysis to cost
	// (the fake analysis costs 15 tokens).
	analyzeNeed rf.Usage
}

// called returns how often activity name ran; snapshot copies all counts.
// Both lock: an activity cancelled by the test may still be returning.
func (f *fakeActivities) called(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *fakeActivities) snapshot() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.calls)
}

func (f *fakeActivities) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[name]++
	return f.calls[name]
}

func (f *fakeActivities) register(env *testsuite.TestWorkflowEnvironment) {
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in PrepareCorpusInput) (PrepareCorpusResult, error) {
		f.count("prepare")
		return PrepareCorpusResult{Corpus: in.Corpus, Chunks: 10}, nil
	}, PrepareCorpusActivity)
	reg(func(ctx context.Context, in PlanInput) (reasoning.Plan, error) {
		f.count("plan")
		if f.planErr != nil {
			return reasoning.Plan{}, f.planErr
		}
		return reasoning.Plan{Engine: "fake", Usage: f.planUsage, SubQuestions: []reasoning.SubQuestion{
			{ID: "sq1", Text: "What is a channel?"},
			{ID: "sq2", Text: "How do sends synchronize?"},
			{ID: "sq3", Text: "What about mutexes?"},
		}}, nil
	}, PlanActivity)
	reg(func(ctx context.Context, in EstimateInput) (rf.Spend, error) {
		f.count("estimate")
		f.mu.Lock()
		f.estimateIn = in
		f.mu.Unlock()
		e := rf.Spend{Engine: "fake", Steps: []rf.Spend{{Step: reasoning.StepAnalyze, Usage: f.analyzeNeed}}}
		for _, sq := range in.SubQuestions {
			e.SubQuestions = append(e.SubQuestions, rf.Spend{ID: sq.ID, Text: sq.Text, Searches: 1, Passages: in.TopK, ModelCalls: 1, Usage: f.analyzeNeed})
			e.Searches++
			e.Passages += in.TopK
			e.ModelCalls++
			e.Usage = e.Usage.Add(f.analyzeNeed)
		}
		e.ModelCalls += in.Depth + 1 // reflections and the report
		return e, nil
	}, EstimatePlanActivity)
	reg(func(ctx context.Context, in RetrieveInput) (RetrieveResult, error) {
		f.count("retrieve:" + in.SubQuestion.ID)
		if err := f.retrieveErr[in.SubQuestion.ID]; err != nil {
			return RetrieveResult{}, err
		}
		id := "chunk-" + in.SubQuestion.ID
		return RetrieveResult{ChunkIDs: []string{id}, Scores: []float64{1}, SourceIDs: []string{"src-" + in.SubQuestion.ID}}, nil
	}, RetrieveActivity)
	reg(func(ctx context.Context, in AnalyzeInput) (AnalyzeResult, error) {
		n := f.count("analyze:" + in.SubQuestion.ID)
		f.mu.Lock()
		if f.analyzed == nil {
			f.analyzed = map[string]reasoning.SubQuestion{}
		}
		f.analyzed[in.SubQuestion.ID] = in.SubQuestion
		f.mu.Unlock()
		if err := f.analyzeErr[in.SubQuestion.ID]; err != nil {
			return AnalyzeResult{}, err
		}
		if n <= f.analyzeFailures {
			return AnalyzeResult{}, errors.New("model server busy")
		}
		if f.cancel != nil {
			f.cancel()
			select {
			case <-ctx.Done():
				return AnalyzeResult{}, ctx.Err()
			case <-time.After(10 * time.Second):
				return AnalyzeResult{}, errors.New("the cancellation never reached the activity")
			}
		}
		// sq1 and sq2 share a source, so numbering must deduplicate it.
		src := "src-shared"
		if in.SubQuestion.ID == "sq3" {
			src = "src-mutex"
		}
		return AnalyzeResult{
			Analysis: reasoning.Analysis{Engine: "fake", Usage: rf.Usage{PromptTokens: 10, CompletionTokens: 5},
				Findings: []reasoning.Finding{{Text: "Finding for " + in.SubQuestion.ID + ".", ChunkID: in.ChunkIDs[0], SourceID: src, Score: 0.75}}},
			Sources: []rf.Source{{SourceID: src, Title: "Title " + src, Location: "/docs/" + src, ChunkIDs: in.ChunkIDs}},
		}, nil
	}, AnalyzeActivity)
	reg(func(ctx context.Context, in ReflectInput) (reasoning.Reflection, error) {
		n := f.count("reflect")
		f.mu.Lock()
		f.reflectIn = append(f.reflectIn, in.Request)
		f.mu.Unlock()
		if n == 1 {
			return reasoning.Reflection{Engine: "fake", FollowUps: f.followUps}, nil
		}
		return reasoning.Reflection{Engine: "fake"}, nil
	}, ReflectActivity)
	reg(func(ctx context.Context, in SynthesizeInput) (SynthesizeResult, error) {
		f.count("synthesize")
		f.mu.Lock()
		f.synthIn = in
		f.mu.Unlock()
		return SynthesizeResult{Title: "Report", Markdown: "# Report\n\nText [1].\n", Engine: "fake"}, nil
	}, SynthesizeActivity)
	reg(func(ctx context.Context, in DeliverInput) (DeliverResult, error) {
		f.count("deliver")
		f.mu.Lock()
		f.deliverIn = in
		f.mu.Unlock()
		return DeliverResult{Path: "/reports/" + in.ResearchID + ".md"}, nil
	}, DeliverActivity)
	reg(func(ctx context.Context, in PublishInput) (PublishResult, error) {
		f.count("publish")
		f.mu.Lock()
		f.published = append(f.published, in.Event)
		f.mu.Unlock()
		return PublishResult{}, nil
	}, PublishActivity)
	reg(func(ctx context.Context, in StoreReportInput) (StoreReportResult, error) {
		f.count("store")
		f.mu.Lock()
		f.stored = in
		f.mu.Unlock()
		return StoreReportResult{Path: "/reports/" + in.ResearchID + ".md"}, nil
	}, StoreReportActivity)
	if !f.olderPool {
		reg(func(ctx context.Context, in DeliverySinksInput) (DeliverySinksResult, error) {
			f.count("sinks")
			if f.sinksErr != nil {
				return DeliverySinksResult{}, f.sinksErr
			}
			if f.configured == nil {
				return DeliverySinksResult{Configured: slices.Clone(Sinks)}, nil
			}
			return DeliverySinksResult{Configured: f.configured}, nil
		}, DeliverySinksActivity)
	}
	reg(func(ctx context.Context, in SinkDeliveryInput) (SinkDeliveryResult, error) {
		f.count("sink:" + in.Sink)
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.sinkIn == nil {
			f.sinkIn = map[string][]SinkDeliveryInput{}
		}
		f.sinkIn[in.Sink] = append(f.sinkIn[in.Sink], in)
		if err := f.sinkErr[in.Sink]; err != nil {
			return SinkDeliveryResult{}, err
		}
		return SinkDeliveryResult{Outcome: DeliveryDelivered}, nil
	}, DeliverToSinkActivity)
}

// sinkEvents returns the event IDs sink received, in order.
func (f *fakeActivities) sinkEvents(sink string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, in := range f.sinkIn[sink] {
		ids = append(ids, in.Event.ID)
	}
	return ids
}

func newEnv(t *testing.T, f *fakeActivities) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ResearchWorkflow, workflow.RegisterOptions{Name: rf.ResearchWorkflowType})
	env.RegisterWorkflowWithOptions(DeliveryWorkflow, workflow.RegisterOptions{Name: DeliveryWorkflowType})
	env.SetTestTimeout(30 * time.Second)
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.register(env)
	return env
}

func TestResearchHappyPath(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var res rf.ResearchResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Report == "" || res.Corpus != rf.DefaultCorpus || len(res.Gaps) != 0 || res.ReportPath == "" {
		t.Errorf("result = %+v", res)
	}
	// Two distinct sources over three sub-questions, numbered once, in order
	// of first citation.
	if got := len(f.synthIn.Sources); got != 2 {
		t.Fatalf("sources given to the writer = %d, want 2: %+v", got, f.synthIn.Sources)
	}
	if s := f.synthIn.Sources; s[0].N != 1 || s[0].SourceID != "src-shared" || s[1].N != 2 || s[1].SourceID != "src-mutex" {
		t.Errorf("numbering = %+v", s)
	}
	if len(f.synthIn.Sources[0].ChunkIDs) != 2 {
		t.Errorf("shared source should carry the chunks of both findings: %+v", f.synthIn.Sources[0])
	}
	for _, sec := range f.synthIn.Sections {
		for _, fd := range sec.Findings {
			if fd.N < 1 || fd.N > len(f.synthIn.Sources) {
				t.Errorf("finding cites %d, outside 1..%d", fd.N, len(f.synthIn.Sources))
			}
		}
	}
	if f.synthIn.Usage.PromptTokens != 30 {
		t.Errorf("usage summed = %+v, want 30 prompt tokens", f.synthIn.Usage)
	}
	p := queryProgress(t, env)
	if p.Status != rf.StatusCompleted || p.Stage != rf.StageDone || len(p.SubQuestions) != 3 || p.Sources != 3 {
		t.Errorf("progress = %+v", p)
	}
	for _, sq := range p.SubQuestions {
		if sq.State != rf.SQDone {
			t.Errorf("sub-question %s state %s, want done", sq.ID, sq.State)
		}
	}
	if len(p.Timings) < 6 {
		t.Errorf("timings = %+v", p.Timings)
	}
}

func queryProgress(t *testing.T, env *testsuite.TestWorkflowEnvironment) rf.Progress {
	t.Helper()
	v, err := env.QueryWorkflow(rf.ProgressQuery)
	if err != nil {
		t.Fatal(err)
	}
	var p rf.Progress
	if err := v.Get(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResearchRetriesTransientFailures(t *testing.T) {
	f := &fakeActivities{analyzeFailures: 2}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	for _, id := range []string{"sq1", "sq2", "sq3"} {
		if got := f.calls["analyze:"+id]; got != 3 {
			t.Errorf("analyze %s ran %d times, want 3 (two failures, one success)", id, got)
		}
	}
	var res rf.ResearchResult
	_ = env.GetWorkflowResult(&res)
	if len(res.Gaps) != 0 {
		t.Errorf("gaps = %+v, want none", res.Gaps)
	}
}

func TestResearchPermanentSearchFailureBecomesGap(t *testing.T) {
	f := &fakeActivities{retrieveErr: map[string]error{
		"sq2": temporal.NewNonRetryableApplicationError("index is corrupt", "StoreCorrupt", nil),
	}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("a failed sub-question sank the run: %v", err)
	}
	if got := f.calls["retrieve:sq2"]; got != 1 {
		t.Errorf("a non-retryable search ran %d times, want 1", got)
	}
	var res rf.ResearchResult
	_ = env.GetWorkflowResult(&res)
	// The reader gets plain words, the JSON keeps the error.
	if len(res.Gaps) != 1 || res.Gaps[0].SubQuestion != "How do sends synchronize?" || res.Gaps[0].Reason != "The search failed" ||
		!strings.Contains(res.Gaps[0].Cause, "index is corrupt") {
		t.Fatalf("gaps = %+v", res.Gaps)
	}
	if len(f.synthIn.Gaps) != 1 || len(f.synthIn.Sections) != 2 {
		t.Errorf("writer got %d gaps and %d sections, want 1 and 2", len(f.synthIn.Gaps), len(f.synthIn.Sections))
	}
	if f.calls["analyze:sq2"] != 0 {
		t.Errorf("a sub-question without passages was analyzed")
	}
	if p := queryProgress(t, env); p.SubQuestions[1].State != rf.SQFailed || p.SubQuestions[1].Error == "" {
		t.Errorf("progress of sq2 = %+v", p.SubQuestions[1])
	}
}

func TestResearchCancellation(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	var once sync.Once
	f.cancel = func() { once.Do(env.CancelWorkflow) }
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?"})
	err := env.GetWorkflowError()
	if err == nil || !temporal.IsCanceledError(err) {
		t.Fatalf("workflow error = %v, want cancelled", err)
	}
	if f.called("synthesize") != 0 || f.called("deliver") != 0 {
		t.Errorf("a cancelled run went on: %v", f.snapshot())
	}
	if p := queryProgress(t, env); p.Status != rf.StatusCancelled {
		t.Errorf("status = %s, want cancelled", p.Status)
	}
}

func TestResearchPlanApproval(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		// Approving before the run waits is refused by the validator… but by
		// now it waits (planning is instant in test time).
		env.UpdateWorkflow(rf.ApprovePlanUpdate, "u1", &updateCallbacks{t: t}, rf.PlanApproval{
			Approved: new(true), By: "alice", SubQuestions: []string{"Edited one?", "Edited two?"},
		})
	}, time.Minute)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", RequireApproval: true})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if f.calls["retrieve:sq1"] != 1 || f.calls["retrieve:sq2"] != 1 || f.calls["retrieve:sq3"] != 0 {
		t.Errorf("the edited plan was not used: %v", f.snapshot())
	}
	p := queryProgress(t, env)
	if len(p.SubQuestions) != 2 || p.SubQuestions[0].Text != "Edited one?" {
		t.Errorf("sub-questions = %+v", p.SubQuestions)
	}
}

func TestResearchApprovalTimeoutCancels(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", RequireApproval: true, ApprovalTimeoutSeconds: 60, OnApprovalTimeout: "cancel"})
	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != "ApprovalTimeout" {
		t.Fatalf("error = %v, want ApprovalTimeout", err)
	}
	if f.calls["retrieve:sq1"] != 0 {
		t.Errorf("an unapproved plan was researched")
	}
}

type updateCallbacks struct{ t *testing.T }

func (u *updateCallbacks) Accept()             {}
func (u *updateCallbacks) Reject(err error)    { u.t.Errorf("update rejected: %v", err) }
func (u *updateCallbacks) Complete(any, error) {}

func TestResearchRejectsBadInput(t *testing.T) {
	tests := []rf.ResearchInput{
		{Question: "  "},
		{Question: "What is q?", MaxSubQuestions: 7},
		{Question: "What is q?", MaxSources: 21},
		{Question: "What is q?", Corpus: "../etc"},
		{Question: "What is q?", CorpusPath: "relative/path"},
		{Question: "What is q?", OnApprovalTimeout: "maybe"},
		{Question: strings.Repeat("x", 2001)},
	}
	for _, in := range tests {
		f := &fakeActivities{}
		env := newEnv(t, f)
		env.ExecuteWorkflow(rf.ResearchWorkflowType, in)
		var appErr *temporal.ApplicationError
		if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput || !appErr.NonRetryable() {
			t.Errorf("input %+v: error = %v, want a non-retryable InvalidInput", in, err)
		}
		if len(f.snapshot()) != 0 {
			t.Errorf("input %+v ran activities: %v", in, f.snapshot())
		}
	}
}

func TestResearchReflectionRound(t *testing.T) {
	f := &fakeActivities{
		retrieveErr: map[string]error{"sq3": temporal.NewNonRetryableApplicationError("nothing", "Empty", nil)},
		followUps:   []reasoning.SubQuestion{{Text: "What does the documentation say about mutexes?", Broadens: "How do mutexes order goroutines?"}},
	}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", Breadth: 1})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if f.called("reflect") != 1 {
		t.Fatalf("reflect ran %d times, want 1 (depth 1)", f.called("reflect"))
	}
	req := f.reflectIn[0]
	if len(req.Answered) != 2 || len(req.Unanswered) != 1 || req.Unanswered[0].SubQuestion.ID != "sq3" || req.MaxFollowUps != 1 {
		t.Errorf("reflection request = %+v", req)
	}
	if f.calls["retrieve:sq4"] != 1 || f.calls["analyze:sq4"] != 1 {
		t.Errorf("the follow-up was not researched: %v", f.snapshot())
	}
	if f.calls["retrieve:sq1"] != 1 {
		t.Errorf("round 2 searched sq1 again: %v", f.snapshot())
	}
	// The analyst learns what the follow-up broadens: it asks what that
	// sub-question asks.
	if got := f.analyzed["sq4"].Broadens; got != "How do mutexes order goroutines?" {
		t.Errorf("the follow-up's analysis broadens %q, want the reflection's", got)
	}
	p := queryProgress(t, env)
	if p.Round != 1 || len(p.SubQuestions) != 4 || p.SubQuestions[3].State != rf.SQDone {
		t.Errorf("progress = %+v", p)
	}
	if len(f.synthIn.Sections) != 3 {
		t.Errorf("writer got %d sections, want 3 (sq1, sq2, follow-up)", len(f.synthIn.Sections))
	}
}

func TestResearchDepthZeroSkipsReflection(t *testing.T) {
	f := &fakeActivities{followUps: []reasoning.SubQuestion{{Text: "More?"}}}
	env := newEnv(t, f)
	zero := 0
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", Depth: &zero})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if f.called("reflect") != 0 {
		t.Errorf("depth 0 reflected %d times", f.called("reflect"))
	}
}

// A budget spent by planning pauses the run; when no extension comes, the
// pause times out and the run finishes with what it has (budget pauses
// themselves: budget_test.go).
func TestResearchBudgetSpentFinishesWithWhatItHas(t *testing.T) {
	f := &fakeActivities{planUsage: rf.Usage{PromptTokens: 50, CompletionTokens: 20}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", MaxTokens: 60})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("a spent budget failed the run: %v", err)
	}
	if n := f.calls["analyze:sq1"] + f.calls["analyze:sq2"] + f.calls["analyze:sq3"]; n != 0 {
		t.Errorf("%d analyses ran after the budget was spent", n)
	}
	if f.called("reflect") != 0 {
		t.Errorf("reflected after the budget was spent")
	}
	in := f.synthIn
	if !in.Offline || len(in.Notes) != 1 || !strings.Contains(in.Notes[0], "budget pause timed out") || !strings.Contains(in.Notes[0], `the analysis of "What about mutexes?"`) {
		t.Errorf("writer input: offline=%v notes=%q", in.Offline, in.Notes)
	}
	var res rf.ResearchResult
	_ = env.GetWorkflowResult(&res)
	if len(res.Gaps) != 3 || !strings.Contains(res.Gaps[0].Reason, "finished early") {
		t.Errorf("gaps = %+v", res.Gaps)
	}
	if p := queryProgress(t, env); !p.BudgetSpent {
		t.Errorf("progress does not say the budget is spent")
	}
}

func TestResearchPassesBudgetShares(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	var shares []int
	var mu sync.Mutex
	env.SetOnActivityStartedListener(func(info *activity.Info, ctx context.Context, args converter.EncodedValues) {
		if info.ActivityType.Name != AnalyzeActivity {
			return
		}
		var in AnalyzeInput
		if err := args.Get(&in); err == nil {
			mu.Lock()
			shares = append(shares, in.Budget.MaxTokens)
			mu.Unlock()
		}
	})
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", MaxTokens: 1000})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(shares) != 3 {
		t.Fatalf("shares = %v", shares)
	}
	for _, s := range shares {
		if s <= 0 || s > 1000/2 {
			t.Errorf("an analysis got a budget of %d tokens out of 1000 shared by 3 analyses and the writer", s)
		}
	}
}

// An analysis that fails for good still cost its calls: the run charges the
// usage its error carries, the writer's footer and the progress query show
// it, and the sub-question becomes a gap with the reason.
func TestResearchChargesFailedAnalyses(t *testing.T) {
	spent := rf.Usage{PromptTokens: 2000, CompletionTokens: 200, Calls: 2, FailedCalls: 2}
	f := &fakeActivities{analyzeErr: map[string]error{"sq2": temporal.NewNonRetryableApplicationError(
		"analyst: answer unusable after repair", "llm.invalid_output", nil, InferenceProgress{Usage: spent})}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is a channel?"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if got := f.calls["analyze:sq2"]; got != 1 {
		t.Errorf("analyses of sq2: %d, want 1 (the error is final)", got)
	}
	want := rf.Usage{PromptTokens: 2020, CompletionTokens: 210, Calls: 2, FailedCalls: 2}
	if got := f.synthIn.Usage; got != want {
		t.Errorf("usage handed to the writer: %+v, want the two analyses and the failed one's %+v", got, want)
	}
	p := queryProgress(t, env)
	if p.Usage != want {
		t.Errorf("progress usage: %+v, want %+v", p.Usage, want)
	}
	var res rf.ResearchResult
	_ = env.GetWorkflowResult(&res)
	if len(res.Gaps) != 1 || res.Gaps[0].Reason != "The model could not analyze the passages" || !strings.Contains(res.Gaps[0].Cause, "unusable after repair") {
		t.Errorf("gaps: %+v, want sq2 with the reason", res.Gaps)
	}
}
