package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/temporalserver"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/client"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/reasoning/llm"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
	"github.com/researchflow/researchflow/internal/report"
)

// These tests run research on their own embedded stacks whose reasoning
// engine is configured, as in production, from OPENAI_BASE_URL and
// OPENAI_API_KEY, pointed at a scripted model server (package llmtest).

const (
	llmKey   = "test-key"
	llmModel = "llmtest-model"
)

// useFakeModel points the LLM configuration read by Start at fake. The
// shared stack built its engine before and is not affected.
func useFakeModel(t *testing.T, fake *llmtest.Server) {
	t.Setenv("OPENAI_BASE_URL", fake.OpenAIURL())
	t.Setenv("OPENAI_API_KEY", llmKey)
	t.Setenv("OPENAI_MODEL", llmModel)
}

// llmConfig is a stack config on a fresh data dir with a free port.
func llmConfig(t *testing.T) config.Config {
	t.Helper()
	dir := t.TempDir()
	// The model settings come from the environment useFakeModel set.
	cfg, err := config.Load(func(k string) (string, bool) {
		switch {
		case k == "RESEARCHFLOW_DATA_DIR":
			return dir, true
		case strings.HasPrefix(k, "OPENAI_"), strings.HasPrefix(k, "RESEARCHFLOW_LLM_"),
			strings.HasPrefix(k, "RESEARCHFLOW_PLANNER_"), strings.HasPrefix(k, "RESEARCHFLOW_ANALYST_"),
			strings.HasPrefix(k, "RESEARCHFLOW_WRITER_"), k == "RESEARCHFLOW_PRICES":
			return os.LookupEnv(k)
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.EmbeddedFrontendPort = -1
	cfg.EmbeddedUIPort = 0
	return cfg
}

// startLLMStack starts an embedded stack with the given pools (all when
// none) on a fresh data dir, its models served by fake.
func startLLMStack(ctx context.Context, t *testing.T, fake *llmtest.Server) *Stack {
	t.Helper()
	useFakeModel(t, fake)
	all, _ := pools.Parse(pools.All)
	s, err := Start(ctx, llmConfig(t), Options{Pools: all, Logger: testLogger(), DevServer: temporalserver.StartDev, NoUI: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func startResearch(ctx context.Context, t *testing.T, c client.Client, id string, in rf.ResearchInput) client.WorkflowRun {
	t.Helper()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: rf.TaskQueueWorkflow},
		rf.ResearchWorkflowType, in)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// engineNames are the Engine strings of the roles served by the fake.
func engineNames() []string {
	return []string{
		"llm planner=openai/" + llmModel + "@" + llm.PlannerPromptVersion,
		"llm analyst=openai/" + llmModel + "@" + llm.AnalystPromptVersion,
		"llm reflector=openai/" + llmModel + "@" + llm.ReflectorPromptVersion,
		"llm writer=openai/" + llmModel + "@" + llm.WriterPromptVersion,
	}
}

// footerLine returns the line of the report's footer that starts with
// prefix.
func footerLine(md, prefix string) string {
	_, foot, _ := strings.Cut(md, "\n---\n")
	for _, line := range strings.Split(foot, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

// checkUsage checks that the run counted exactly the tokens the model server
// reported in the answers that reached the workers, in the result and in
// the report's footer.
func checkUsage(t *testing.T, fake *llmtest.Server, res rf.ResearchResult) {
	t.Helper()
	want := fake.Usage()
	if want.PromptTokens == 0 || want.CompletionTokens == 0 {
		t.Fatalf("the fake reported no usage (%+v); the check would be empty", want)
	}
	if res.Usage.PromptTokens != want.PromptTokens || res.Usage.CompletionTokens != want.CompletionTokens {
		t.Errorf("run usage: got %+v, want the model server's %+v", res.Usage, want)
	}
	line := fmt.Sprintf("Tokens: %d prompt, %d completion", want.PromptTokens, want.CompletionTokens)
	if !strings.HasPrefix(footerLine(res.Report, "Tokens: "), line) {
		t.Errorf("report footer lacks %q:\n%s", line, res.Report)
	}
}

// subQuestionsOf returns the sub-question of each analyst call.
func subQuestionsOf(calls []llmtest.Request) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.SubQuestion())
	}
	return out
}

const (
	sqBread = "How is a sourdough starter kept active?"
	sqBees  = "What do worker bees store?"
	bogus   = "Bees were first kept on the moon."
	thought = "P1 might be about [7] lamps"
)

// A run with every role served by the model: the planner's sub-question and
// the reflector's follow-up are researched, the report is built from the
// model's answers with their reasoning blocks and out-of-list citations
// removed, and the footer names the models and counts their tokens exactly.
func TestLLMRunWithTheModel(t *testing.T) {
	endToEnd(t)
	fake := llmtest.New(t, &llmtest.Script{
		Planner:   llmtest.Always(llmtest.Reply{Content: llmtest.PlanJSON(sqBread)}),
		Reflector: llmtest.Always(llmtest.Reply{Content: llmtest.ReflectJSON(sqBees)}),
		Analyst: llmtest.HandlerFunc(func(_ context.Context, r *llmtest.Request) llmtest.Reply {
			answer := llmtest.AnalystAnswer(r)
			if r.N == 1 {
				answer = "<think>" + thought + "</think>\n" + answer
			}
			return llmtest.Reply{Content: answer, Chunks: 3}
		}),
		Writer: llmtest.HandlerFunc(func(_ context.Context, r *llmtest.Request) llmtest.Reply {
			d := llmtest.WriterDraft(r)
			if !r.Repair {
				d.Summary = append(d.Summary, llmtest.Sentence{Text: bogus, Cites: []int{9}})
			}
			return llmtest.Reply{Content: d.JSON()}
		}),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st := startLLMStack(ctx, t, fake)
	run := startResearch(ctx, t, st.Client, "llm-run", rf.ResearchInput{
		Question:   "How is a sourdough starter kept active, and what do worker bees store?",
		CorpusPath: writeCorpus(t),
	})
	var res rf.ResearchResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("research with the model: %v", err)
	}

	planner, analyst, writer := fake.Calls(llmtest.Planner), fake.Calls(llmtest.Analyst), fake.Calls(llmtest.Writer)
	reflector := fake.Calls(llmtest.Reflector)
	if len(planner) != 1 || len(analyst) != 2 || len(reflector) != 1 || len(writer) != 2 {
		t.Fatalf("model calls: %d planner, %d analyst, %d reflector, %d writer; want 1, 2 (the sub-question and the follow-up), 1, 2 (answer and repair)",
			len(planner), len(analyst), len(reflector), len(writer))
	}
	if got, want := subQuestionsOf(analyst), []string{sqBread, sqBees}; !slices.Equal(got, want) {
		t.Errorf("analysed sub-questions: got %q, want %q (the plan, then the follow-up)", got, want)
	}
	if !writer[1].Repair {
		t.Errorf("the second writer call is not a repair of the out-of-list citation")
	}
	for _, r := range fake.Requests() {
		if r.Model != llmModel || !r.Stream {
			t.Errorf("%s call: model %q, stream %v; want %q, streamed (heartbeats)", r.Role, r.Model, r.Stream, llmModel)
		}
	}
	if err := report.CheckCitations(res.Report); err != nil {
		t.Errorf("%v\n%s", err, res.Report)
	}
	for _, bad := range []string{"<think>", "think&gt;", thought, bogus, "[9]"} {
		if strings.Contains(res.Report, bad) {
			t.Errorf("report contains %q:\n%s", bad, res.Report)
		}
	}
	// Each sub-question's finding is in the report, citing its source.
	cited := map[int]bool{}
	for _, n := range report.Citations(res.Report) {
		cited[n] = true
	}
	for _, file := range []string{"bread.html", "beekeeping.txt"} {
		if n := sourceFor(res, file); n == 0 || !cited[n] {
			t.Errorf("the report does not cite %s (source %d):\n%s", file, n, res.Report)
		}
	}
	for _, r := range analyst {
		var a struct{ Findings []struct{ Text string } }
		if err := json.Unmarshal([]byte(llmtest.AnalystAnswer(&r)), &a); err != nil || len(a.Findings) != 1 {
			t.Fatalf("analyst answer for %q: %v %+v", r.SubQuestion(), err, a)
		}
		// The renderer puts the citation before the final period.
		if f := strings.TrimSuffix(a.Findings[0].Text, "."); !strings.Contains(res.Report, f) {
			t.Errorf("the finding %q of %q is not in the report:\n%s", f, r.SubQuestion(), res.Report)
		}
	}
	engines := footerLine(res.Report, "Engine: ")
	for _, name := range engineNames() {
		if !strings.Contains(engines, name) || !strings.Contains(res.Engine, name) {
			t.Errorf("neither the footer's %q nor the result's %q names %q", engines, res.Engine, name)
		}
	}
	checkUsage(t, fake, res)
}

// Killing the worker that serves inference after the analyst finished and
// while the writer waits for the model, then starting a new one, re-runs
// only the writer: no model call of the planner, analyst or reflector is
// repeated.
func TestLLMWriterInterruptedRerunsOnlyTheWriter(t *testing.T) {
	endToEnd(t)
	held, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	fake := llmtest.New(t, &llmtest.Script{
		Planner: llmtest.Always(llmtest.Reply{Content: llmtest.PlanJSON(sqBread, sqBees)}),
		Writer:  llmtest.Hold(held, release, llmtest.Content(llmtest.WriterAnswer)),
	})
	useFakeModel(t, fake)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// One process runs the server with the workflow and notify pools; the
	// search and inference pools run in a second one, a client of the first,
	// as `workers -pool search,inference` would (they share the embedded
	// memory, which one process at a time may open). That second process is
	// stopped and replaced.
	cfg := llmConfig(t)
	core, err := Start(ctx, cfg, Options{Pools: []string{pools.Notify, pools.Workflow}, Logger: testLogger(), NoUI: true, DevServer: temporalserver.StartDev})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	workers := func() *Stack {
		t.Helper()
		wcfg := cfg
		wcfg.TemporalAddress = core.Server.FrontendAddress()
		s, err := Start(ctx, wcfg, Options{Pools: []string{pools.Inference, pools.Search}, Logger: testLogger()})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	first := workers()
	const id = "llm-writer-interrupted"
	run := startResearch(ctx, t, core.Client, id, rf.ResearchInput{
		Question:   "How is a sourdough starter kept active, and what do worker bees store?",
		CorpusPath: writeCorpus(t),
	})
	select {
	case <-held:
	case <-ctx.Done():
		first.Close()
		t.Fatal("the run never reached the writer")
	}
	first.Close() // stops the workers; the held model call is cancelled
	waitRetryScheduled(ctx, t, core.Client, id)
	second := workers()
	defer second.Close()

	var res rf.ResearchResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("the run did not complete after the inference worker was replaced: %v", err)
	}
	planner, analyst, writer := fake.Calls(llmtest.Planner), fake.Calls(llmtest.Analyst), fake.Calls(llmtest.Writer)
	if r := fake.Calls(llmtest.Reflector); len(planner) != 1 || len(r) != 1 {
		t.Errorf("planner and reflector calls: got %d and %d, want 1 each", len(planner), len(r))
	}
	if got := subQuestionsOf(analyst); len(got) != 2 || got[0] == got[1] {
		t.Errorf("analyst calls: got %q, want one for each of the 2 sub-questions", got)
	}
	if len(writer) != 2 {
		t.Fatalf("writer calls: got %d, want 2 (the interrupted one and its retry)", len(writer))
	}
	if !writer[0].Abandoned || writer[1].Abandoned || writer[1].Repair {
		t.Errorf("writer calls: first abandoned %v, second abandoned %v repair %v; want the first cut off and the second a fresh, answered call",
			writer[0].Abandoned, writer[1].Abandoned, writer[1].Repair)
	}
	if err := report.CheckCitations(res.Report); err != nil || len(report.Citations(res.Report)) == 0 {
		t.Errorf("report citations (%v):\n%s", err, res.Report)
	}
	checkUsage(t, fake, res)
}

// A rejected API key fails the run at once with a clear error: permanent
// errors are not retried, and the planner does not fall back on them.
func TestLLMUnauthorizedFailsFast(t *testing.T) {
	endToEnd(t)
	fake := llmtest.New(t, llmtest.Always(llmtest.Error(401, "Incorrect API key provided: "+llmKey)))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st := startLLMStack(ctx, t, fake)
	run := startResearch(ctx, t, st.Client, "llm-unauthorized", rf.ResearchInput{
		Question: "What do worker bees store?", CorpusPath: writeCorpus(t),
	})
	err := run.Get(ctx, nil)
	if err == nil {
		t.Fatal("the run succeeded with a rejected API key")
	}
	// What a person sees: the run's progress (HTTP API, web app) and the
	// workflow's error (Temporal CLI and UI).
	var p rf.Progress
	if v, qerr := st.Client.QueryWorkflow(ctx, "llm-unauthorized", "", rf.ProgressQuery); qerr != nil {
		t.Errorf("progress query: %v", qerr)
	} else if qerr := v.Get(&p); qerr != nil {
		t.Errorf("progress: %v", qerr)
	}
	if p.Status != rf.StatusFailed {
		t.Errorf("progress status: got %q, want %q", p.Status, rf.StatusFailed)
	}
	for _, msg := range []string{p.Error, err.Error()} {
		for _, want := range []string{"API key rejected (HTTP 401)", fake.OpenAIURL()} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not say %q", msg, want)
			}
		}
		if strings.Contains(msg, llmKey) {
			t.Errorf("error leaks the API key: %s", msg)
		}
	}
	reqs := fake.Requests()
	if len(reqs) != 1 || reqs[0].Role != llmtest.Planner {
		t.Errorf("model calls: got %d (%v), want exactly 1 planner call, not retried", len(reqs), rolesOf(reqs))
	}
}

func rolesOf(reqs []llmtest.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Role)
	}
	return out
}

// A rate-limited analyst call is retried after the server's Retry-After,
// and the run completes. Retry-After is longer than the retry policy's
// first interval (1s), so an ignored header would retry too early.
func TestLLMRateLimitedAnalystRetriesAfterRetryAfter(t *testing.T) {
	endToEnd(t)
	const wait = 2 * time.Second
	fake := llmtest.New(t, &llmtest.Script{
		Fail: map[llmtest.Call]llmtest.Reply{{Role: llmtest.Analyst, N: 1}: llmtest.RateLimited(int(wait / time.Second))},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st := startLLMStack(ctx, t, fake)
	run := startResearch(ctx, t, st.Client, "llm-rate-limited", rf.ResearchInput{
		Question: sqBees, CorpusPath: writeCorpus(t),
	})
	var res rf.ResearchResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("the run did not survive a 429: %v", err)
	}
	analyst := fake.Calls(llmtest.Analyst)
	if len(analyst) != 2 || analyst[0].Reply.Status != 429 || analyst[0].SubQuestion() != analyst[1].SubQuestion() {
		t.Fatalf("analyst calls: got %d (sub-questions %q), want the rate-limited call and one retry of it", len(analyst), subQuestionsOf(analyst))
	}
	if gap := analyst[1].Time.Sub(analyst[0].Time); gap < wait {
		t.Errorf("the retry came %v after the 429, want at least the Retry-After of %v", gap, wait)
	}
	if n := sourceFor(res, "beekeeping.txt"); n == 0 {
		t.Errorf("the report does not cite beekeeping.txt:\n%s", res.Report)
	}
	checkUsage(t, fake, res)
}
