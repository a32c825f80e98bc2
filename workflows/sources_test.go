package workflows

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/reasoning"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// sourceFakes are the activities of a run with providers: "web" answers
// sq1 and sq2 but finds nothing for sq3, "arxiv" fails while down.
type sourceFakes struct {
	mu        sync.Mutex
	calls     map[string]int
	arxivDown bool
	// webUnread: web's results for sq3 are pages that could not be read.
	webUnread bool
	// analyzed lists the chunk IDs of every Analyze call, in order.
	analyzed [][]string
	synthIn  SynthesizeInput
}

func (f *sourceFakes) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[key]++
	return f.calls[key]
}

func (f *sourceFakes) total(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, v := range f.calls { // summed: the order does not matter
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

func (f *sourceFakes) env(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ResearchWorkflow, workflow.RegisterOptions{Name: rf.ResearchWorkflowType})
	env.RegisterWorkflowWithOptions(DeliveryWorkflow, workflow.RegisterOptions{Name: DeliveryWorkflowType})
	env.SetTestTimeout(30 * time.Second)
	f.calls = map[string]int{}
	f.analyzed = nil
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(ctx context.Context, in PrepareCorpusInput) (PrepareCorpusResult, error) {
		f.count("prepare")
		return PrepareCorpusResult{Corpus: in.Corpus, Chunks: 1}, nil
	}, PrepareCorpusActivity)
	reg(func(ctx context.Context, in PlanInput) (reasoning.Plan, error) {
		f.count("plan")
		return reasoning.Plan{Engine: "fake", SubQuestions: []reasoning.SubQuestion{
			{ID: "sq1", Text: "How long are logs kept?"}, {ID: "sq2", Text: "Who can read the logs?"}, {ID: "sq3", Text: "Are logs encrypted?"},
		}}, nil
	}, PlanActivity)
	reg(func(ctx context.Context, in RetrieveInput) (RetrieveResult, error) {
		f.count("retrieve:" + in.SubQuestion.ID)
		return RetrieveResult{ChunkIDs: []string{"corpus-" + in.SubQuestion.ID}, Scores: []float64{1}, SourceIDs: []string{"doc-" + in.SubQuestion.ID}}, nil
	}, RetrieveActivity)
	reg(func(ctx context.Context, in SearchSourceInput) (SearchSourceResult, error) {
		f.count("search:" + in.Source + ":" + in.SubQuestion.ID)
		if in.Corpus != RunCorpus(in.ResearchID) {
			return SearchSourceResult{}, temporal.NewNonRetryableApplicationError("wrong corpus "+in.Corpus, ErrInvalidInput, nil)
		}
		f.mu.Lock()
		down := f.arxivDown
		f.mu.Unlock()
		if in.Source == rf.SourceArxiv && down {
			return SearchSourceResult{}, temporal.NewApplicationErrorWithOptions("arxiv: 503 Service Unavailable", "provider.unavailable",
				temporal.ApplicationErrorOptions{Details: []any{SearchFailure{Attempt: int(activity.GetInfo(ctx).Attempt), Breaker: BreakerOpen}}})
		}
		if in.Source == rf.SourceWeb && in.SubQuestion.ID == "sq3" {
			if f.webUnread {
				return SearchSourceResult{Results: 2, Unfetched: 2,
					FetchErrors: []string{`fetch https://web.example/a.zip: content type "application/zip" is not read`, "fetch https://web.example/private: robots.txt disallows it"},
					Unread: []rf.UnreadPage{
						{URL: "https://web.example/a.zip", Reason: UnreadContentType, Detail: `content type "application/zip" is not read`},
						{URL: "https://web.example/private", Reason: UnreadRobots, Detail: "robots.txt disallows it"},
					}}, nil
			}
			return SearchSourceResult{Results: 0}, nil
		}
		page := in.Source + "-page-" + in.SubQuestion.ID
		return SearchSourceResult{
			Retrieved: RetrieveResult{ChunkIDs: []string{in.Source + "-chunk-" + in.SubQuestion.ID}, Scores: []float64{1}, SourceIDs: []string{page}},
			Sources: []rf.Source{{SourceID: page, Title: "Page " + page, Site: in.Source + ".example", URL: "https://" + in.Source + ".example/" + page,
				AccessedAt: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), Provider: in.Source}},
			Results: 1, Fetched: 1,
		}, nil
	}, SearchSourceActivity)
	reg(func(ctx context.Context, in AnalyzeInput) (AnalyzeResult, error) {
		f.count("analyze:" + in.SubQuestion.ID)
		f.mu.Lock()
		f.analyzed = append(f.analyzed, slices.Clone(in.ChunkIDs))
		f.mu.Unlock()
		var res AnalyzeResult
		res.Analysis.Engine = "fake"
		for _, id := range in.ChunkIDs {
			src := strings.Replace(id, "-chunk-", "-page-", 1)
			res.Analysis.Findings = append(res.Analysis.Findings, reasoning.Finding{Text: "Finding from " + id + ".", ChunkID: id, SourceID: src})
			res.Sources = append(res.Sources, rf.Source{SourceID: src, Title: "Page " + src, Location: "https://x.example/" + src, ChunkIDs: []string{id}})
		}
		return res, nil
	}, AnalyzeActivity)
	reg(func(ctx context.Context, in ReflectInput) (reasoning.Reflection, error) {
		f.count("reflect")
		return reasoning.Reflection{Engine: "fake"}, nil
	}, ReflectActivity)
	reg(func(ctx context.Context, in SynthesizeInput) (SynthesizeResult, error) {
		f.count("synthesize")
		f.mu.Lock()
		f.synthIn = in
		f.mu.Unlock()
		return SynthesizeResult{Title: "Report", Markdown: "# Report\n", Engine: "fake"}, nil
	}, SynthesizeActivity)
	reg(func(ctx context.Context, in DeliverInput) (DeliverResult, error) {
		f.count("deliver")
		return DeliverResult{Path: "/reports/" + in.ResearchID + ".md"}, nil
	}, DeliverActivity)
	reg(func(ctx context.Context, in StoreReportInput) (StoreReportResult, error) {
		f.count("store")
		return StoreReportResult{Path: "/reports/" + in.ResearchID + ".md"}, nil
	}, StoreReportActivity)
	reg(func(ctx context.Context, in SinkDeliveryInput) (SinkDeliveryResult, error) {
		f.count("sink:" + in.Sink)
		return SinkDeliveryResult{Outcome: DeliveryDelivered}, nil
	}, DeliverToSinkActivity)
	return env
}

func runResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) rf.ResearchResult {
	t.Helper()
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
	return res
}

// TestSourcesDeadLetterAndRedrive: a provider that fails on every attempt
// does not sink the run — its searches become dead letters, sq3 (which
// only it could answer) a gap naming it — and a redrive after it recovers
// fills the gap while no search or analysis that succeeded runs again.
func TestSourcesDeadLetterAndRedrive(t *testing.T) {
	f := &sourceFakes{arxivDown: true}
	env := f.env(t)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is the log retention policy?", Sources: []string{"web", "arxiv"}})
	res := runResult(t, env)

	maxAttempts := int(searchSourceOptions().RetryPolicy.MaximumAttempts)
	for _, sq := range []string{"sq1", "sq2", "sq3"} {
		if got := f.calls["search:arxiv:"+sq]; got != maxAttempts {
			t.Errorf("arxiv searched %s %d times, want %d (every attempt)", sq, got, maxAttempts)
		}
		if got := f.calls["search:web:"+sq]; got != 1 {
			t.Errorf("web searched %s %d times, want 1", sq, got)
		}
	}
	if f.total("retrieve:") != 0 {
		t.Errorf("the corpus was searched although not selected: %v", f.calls)
	}
	if len(res.DeadLetters) != 3 {
		t.Fatalf("dead letters = %+v, want the 3 arxiv searches", res.DeadLetters)
	}
	for _, d := range res.DeadLetters {
		if d.Provider != "arxiv" || d.Attempts != maxAttempts || !strings.Contains(d.LastError, "503") || d.At.IsZero() || d.SubQuestion == "" {
			t.Errorf("dead letter = %+v", d)
		}
	}
	var sq3Gap *rf.Gap
	for i, g := range res.Gaps {
		if g.SubQuestion == "Are logs encrypted?" {
			sq3Gap = &res.Gaps[i]
		}
	}
	// sq1 and sq2 were answered by web: not gaps; arxiv's failure is a note.
	if len(res.Gaps) != 1 {
		t.Errorf("gaps = %+v, want only sq3", res.Gaps)
	}
	if sq3Gap == nil || !strings.Contains(sq3Gap.Reason, "arXiv was unavailable") || strings.Contains(sq3Gap.Reason, "503") ||
		!strings.Contains(sq3Gap.Reason, "web found no result") || !strings.Contains(sq3Gap.Cause, "arxiv failed after 4 attempt(s)") {
		t.Fatalf("gaps = %+v, want sq3's naming arxiv and web with their reasons", res.Gaps)
	}
	if res.Revision != 1 || res.RedriveOf != "" || !slices.Equal(res.SearchedSources, []string{"web", "arxiv"}) {
		t.Errorf("revision %d of %q, sources %v", res.Revision, res.RedriveOf, res.SearchedSources)
	}
	// The web pages are cited with URL, site and access date.
	if notes := strings.Join(f.synthIn.Notes, "\n"); !strings.Contains(notes, "arXiv was unavailable (its server answered with an error) for 2 sub-questions, which were answered from the other sources.") || strings.Contains(notes, "503") {
		t.Errorf("report notes = %q, want arXiv's failure for the 2 answered sub-questions in plain words", notes)
	}
	if len(f.synthIn.Sources) != 2 {
		t.Fatalf("cited sources = %+v", f.synthIn.Sources)
	}
	for _, s := range f.synthIn.Sources {
		if !strings.HasPrefix(s.URL, "https://web.example/") || s.Site != "web.example" || s.AccessedAt.IsZero() || s.Provider != "web" {
			t.Errorf("cited source lacks its page metadata: %+v", s)
		}
	}
	p := queryProgress(t, env)
	if len(p.DeadLetters) != 3 || p.Revision != 1 || !slices.Equal(p.SearchSources, []string{"web", "arxiv"}) {
		t.Errorf("progress shows dead letters %+v, revision %d, sources %v", p.DeadLetters, p.Revision, p.SearchSources)
	}
	// The provider's breaker state, as the search worker reported it, is in
	// the progress of each search.
	arxivSearches := 0
	for _, sq := range p.SubQuestions {
		for _, se := range sq.Searches {
			if se.Source == rf.SourceArxiv {
				arxivSearches++
				if se.Breaker != BreakerOpen {
					t.Errorf("%s: arxiv search shows breaker %q, want open", sq.ID, se.Breaker)
				}
			}
		}
	}
	if arxivSearches != 3 {
		t.Errorf("progress shows %d arxiv searches, want 3", arxivSearches)
	}
	if se := p.SubQuestions[2].Searches; len(se) != 2 || se[0].Source != "web" || se[0].State != rf.SQSearched || se[0].Note != "web found no result" ||
		se[1].Source != "arxiv" || se[1].State != rf.SQFailed || se[1].Attempts != maxAttempts {
		t.Errorf("progress of sq3's searches = %+v", se)
	}
	firstAnalyzed := slices.Concat(f.analyzed...)

	v, err := env.QueryWorkflow(StateQuery)
	if err != nil {
		t.Fatal(err)
	}
	var rec RunRecord
	if err := v.Get(&rec); err != nil {
		t.Fatal(err)
	}
	id, in, err := RedriveInput(rec)
	if err != nil {
		t.Fatal(err)
	}
	if id != rec.ResearchID+"-rev2" || in.RedriveOf != rec.ResearchID {
		t.Errorf("redrive ID %q of %q", id, in.RedriveOf)
	}

	// The provider recovers; the redrive runs as a new workflow.
	f2 := &sourceFakes{}
	env2 := f2.env(t)
	env2.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	env2.ExecuteWorkflow(rf.ResearchWorkflowType, in)
	res2 := runResult(t, env2)

	for _, step := range []string{"prepare", "plan", "reflect", "search:web:", "retrieve:"} {
		if n := f2.total(step); n != 0 {
			t.Errorf("the redrive ran %s %d times: a step that had succeeded was paid for again", step, n)
		}
	}
	for _, sq := range []string{"sq1", "sq2", "sq3"} {
		if got := f2.calls["search:arxiv:"+sq]; got != 1 {
			t.Errorf("the redrive searched arxiv for %s %d times, want 1", sq, got)
		}
	}
	for _, ids := range f2.analyzed {
		for _, id := range ids {
			if slices.Contains(firstAnalyzed, id) {
				t.Errorf("the redrive analyzed %s again", id)
			}
		}
	}
	if f2.total("analyze:") != 3 || f2.calls["synthesize"] != 1 {
		t.Errorf("redrive calls = %v, want one analysis per sub-question (its new passages) and one report", f2.calls)
	}
	if len(res2.Gaps) != 0 || len(res2.DeadLetters) != 0 {
		t.Errorf("the redrive left gaps %+v and dead letters %+v", res2.Gaps, res2.DeadLetters)
	}
	if res2.Revision != 2 || res2.RedriveOf != rec.ResearchID || res2.ResearchID != id {
		t.Errorf("redrive result: revision %d of %q, ID %q", res2.Revision, res2.RedriveOf, res2.ResearchID)
	}
	// The findings of revision 1 are all kept; arxiv's pages are added.
	var findings []string
	for _, sec := range f2.synthIn.Sections {
		for _, fd := range sec.Findings {
			findings = append(findings, fd.ChunkID)
		}
	}
	for _, want := range []string{"web-chunk-sq1", "web-chunk-sq2", "arxiv-chunk-sq1", "arxiv-chunk-sq2", "arxiv-chunk-sq3"} {
		if !slices.Contains(findings, want) {
			t.Errorf("revision 2's findings %v lack %s", findings, want)
		}
	}
	if !strings.Contains(strings.Join(f2.synthIn.Notes, " "), "revision 2") {
		t.Errorf("the report does not say it is revision 2: %v", f2.synthIn.Notes)
	}
	if _, _, err := RedriveInput(RunRecord{ResearchID: id, Input: in, State: ResearchState{Status: rf.StatusCompleted}}); err == nil {
		t.Error("a run without dead letters was redriven")
	}
}

// TestSourcesCorpusAndProvider: the corpus and a provider serve each
// sub-question together; every analysis reads both.
func TestSourcesCorpusAndProvider(t *testing.T) {
	f := &sourceFakes{}
	env := f.env(t)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is the log retention policy?", Sources: []string{"corpus", "web"}})
	res := runResult(t, env)
	if f.total("retrieve:") != 3 || f.total("search:web:") != 3 || len(res.DeadLetters) != 0 {
		t.Errorf("calls = %v, dead letters %+v", f.calls, res.DeadLetters)
	}
	for _, ids := range f.analyzed {
		if !strings.HasPrefix(ids[0], "corpus-") {
			t.Errorf("analysis got %v, want the corpus passage first", ids)
		}
	}
	if len(res.Gaps) != 0 {
		t.Errorf("gaps = %+v", res.Gaps)
	}
}

// TestSourcesDefaultIsCorpus: a run that names no source searches its
// corpus only, with Retrieve, as before sources existed (the replay test
// proves its commands are those of the recorded shapes).
func TestSourcesDefaultIsCorpus(t *testing.T) {
	f := &sourceFakes{}
	env := f.env(t)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is the log retention policy?"})
	runResult(t, env)
	if f.total("search:") != 0 || f.total("retrieve:") != 3 {
		t.Errorf("calls = %v", f.calls)
	}
}

// TestCorpusRunRedrive: a corpus-only run (the released shape) records a
// retrieval that failed for good as a dead letter; its redrive retrieves
// and analyzes that sub-question only.
func TestCorpusRunRedrive(t *testing.T) {
	f := &fakeActivities{retrieveErr: map[string]error{
		"sq2": temporal.NewNonRetryableApplicationError("index is corrupt", "StoreCorrupt", nil),
	}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?"})
	res := runResult(t, env)
	if len(res.DeadLetters) != 1 || res.DeadLetters[0].Provider != rf.SourceCorpus || res.DeadLetters[0].SubQuestionID != "sq2" || res.DeadLetters[0].Attempts != 1 {
		t.Fatalf("dead letters = %+v", res.DeadLetters)
	}
	v, err := env.QueryWorkflow(StateQuery)
	if err != nil {
		t.Fatal(err)
	}
	var rec RunRecord
	if err := v.Get(&rec); err != nil {
		t.Fatal(err)
	}
	id, in, err := RedriveInput(rec)
	if err != nil {
		t.Fatal(err)
	}
	f2 := &fakeActivities{}
	env2 := newEnv(t, f2)
	env2.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	env2.ExecuteWorkflow(rf.ResearchWorkflowType, in)
	res2 := runResult(t, env2)
	// The revision delivers its own search and analysis events and report
	// (its own research ID, so new event IDs) to each sink, once it has
	// asked the notify pool which sinks it has.
	want := map[string]int{"retrieve:sq2": 1, "analyze:sq2": 1, "synthesize": 1, "store": 1, "sinks": 1, "sink:webhook": 3, "sink:nats": 3}
	if got := f2.snapshot(); !maps.Equal(got, want) {
		t.Errorf("the redrive ran %v, want only %v", got, want)
	}
	if len(res2.Gaps) != 0 || res2.Revision != 2 || len(f2.synthIn.Sections) != 3 {
		t.Errorf("revision 2: gaps %+v, revision %d, %d sections", res2.Gaps, res2.Revision, len(f2.synthIn.Sections))
	}
}

// TestUnreadPagesReachProgressAndAudit is issue 19 item 8 through the
// workflow: why web's result pages for sq3 were not read is in the
// progress query (searches[].unread), the audit and the gap.
func TestUnreadPagesReachProgressAndAudit(t *testing.T) {
	f := &sourceFakes{webUnread: true}
	env := f.env(t)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is the log retention policy?", Sources: []string{"web"}})
	res := runResult(t, env)
	p := queryProgress(t, env)
	var unread []rf.UnreadPage
	for _, sq := range p.SubQuestions {
		for _, se := range sq.Searches {
			if sq.ID == "sq3" && se.Source == rf.SourceWeb {
				unread = se.Unread
			}
		}
	}
	if len(unread) != 2 || unread[0].Reason != UnreadContentType || unread[1].Reason != UnreadRobots {
		t.Errorf("progress of sq3's web search shows unread %+v", unread)
	}
	v, err := env.QueryWorkflow(rf.AuditQuery)
	if err != nil {
		t.Fatal(err)
	}
	var audit rf.Audit
	if err := v.Get(&audit); err != nil {
		t.Fatal(err)
	}
	var inAudit []rf.AuditUnread
	for _, sq := range audit.SubQuestions {
		if sq.ID == "sq3" {
			inAudit = sq.Unread
		}
	}
	if len(inAudit) != 2 || inAudit[1].Source != rf.SourceWeb || inAudit[1].URL != "https://web.example/private" {
		t.Errorf("audit of sq3 shows unread %+v", inAudit)
	}
	found := false
	for _, g := range res.Gaps {
		found = found || strings.Contains(g.Reason, "no page could be read") && strings.Contains(g.Reason, "application/zip")
	}
	if !found {
		t.Errorf("gaps %+v do not say why web's pages were not read", res.Gaps)
	}
}
