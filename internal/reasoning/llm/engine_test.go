package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

const testKey = "sk-test-secret-key-0123456789"

// planFunc is a reasoning.Planner made of a function.
type planFunc func(context.Context, reasoning.PlanRequest) (reasoning.Plan, error)

func (f planFunc) Plan(ctx context.Context, req reasoning.PlanRequest) (reasoning.Plan, error) {
	return f(ctx, req)
}

// offlinePlanner stands in for the extractive planner and counts its calls.
func offlinePlanner(calls *int) reasoning.Planner {
	return planFunc(func(_ context.Context, req reasoning.PlanRequest) (reasoning.Plan, error) {
		*calls++
		return reasoning.Plan{
			SubQuestions: []reasoning.SubQuestion{{ID: "sq1", Text: req.Question}},
			Engine:       "extractive",
		}, nil
	})
}

type setup struct {
	provider string
	prices   PriceTable
	beat     time.Duration
	logs     *bytes.Buffer
	fallback int // calls of the fallback planner
}

// newTestEngine returns an engine whose three roles talk to f.
func newTestEngine(t *testing.T, f *llmtest.Server, s *setup) *Engine {
	t.Helper()
	if s.provider == "" {
		s.provider = ProviderOpenAI
	}
	base := f.URL
	if s.provider == ProviderOpenAI || s.provider == ProviderAnthropic {
		base += "/v1"
	}
	rc := RoleConfig{Provider: s.provider, Model: "test-model", BaseURL: base, APIKey: testKey, Temperature: 0.1}
	s.logs = &bytes.Buffer{}
	e, err := New(Config{Planner: rc, Analyst: rc, Writer: rc}, Options{
		Fallback:          offlinePlanner(&s.fallback),
		Logger:            slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Prices:            s.prices,
		HeartbeatInterval: s.beat,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

const validPlan = `{"subQuestions":[{"text":"What does the context package cancel?","reason":"scope"},{"text":"How do deadlines propagate?","reason":"mechanics"}]}`

func TestPlanRepairsMalformedJSONAndSumsUsage(t *testing.T) {
	f := newFakeServer(t,
		llmtest.Reply{Content: `Sure! {"subQuestions": [{"text": "unterminated`, Prompt: 100, Completion: 20},
		llmtest.Reply{Content: validPlan, Prompt: 150, Completion: 30},
	)
	s := &setup{prices: PriceTable{"test-model": {Input: 2, Output: 10}}}
	e := newTestEngine(t, f, s)

	plan, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "How does context cancellation work?", MaxSubQuestions: 3})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if got, want := len(plan.SubQuestions), 2; got != want {
		t.Fatalf("sub-questions: got %d, want %d", got, want)
	}
	if got, want := plan.SubQuestions[1].ID, "sq2"; got != want {
		t.Errorf("ID: got %q, want %q", got, want)
	}
	if got, want := plan.Engine, "llm planner=openai/test-model@planner-v1"; got != want {
		t.Errorf("Engine: got %q, want %q", got, want)
	}
	if got, want := plan.Usage.PromptTokens, 250; got != want {
		t.Errorf("prompt tokens: got %d, want %d", got, want)
	}
	if got, want := plan.Usage.CompletionTokens, 50; got != want {
		t.Errorf("completion tokens: got %d, want %d", got, want)
	}
	wantCost := (250*2.0 + 50*10.0) / 1e6
	if got := plan.Usage.CostUSD; got < wantCost*0.999 || got > wantCost*1.001 {
		t.Errorf("cost: got %g, want %g", got, wantCost)
	}
	reqs := bodies(f)
	if len(reqs) != 2 {
		t.Fatalf("requests: got %d, want 2", len(reqs))
	}
	if !strings.Contains(reqs[1], "not valid JSON") {
		t.Errorf("repair request does not tell the model its error: %s", reqs[1])
	}
	if s.fallback != 0 {
		t.Errorf("fallback planner called %d times", s.fallback)
	}
}

func TestPlanFallsBackVisiblyAfterFailedRepair(t *testing.T) {
	f := newFakeServer(t,
		llmtest.Reply{Content: "I cannot answer in JSON.", Prompt: 10, Completion: 5},
		llmtest.Reply{Content: `{"subQuestions": []}`, Prompt: 20, Completion: 5},
	)
	s := &setup{}
	e := newTestEngine(t, f, s)

	plan, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "What is a goroutine?", MaxSubQuestions: 3})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if s.fallback != 1 {
		t.Fatalf("fallback planner calls: got %d, want 1", s.fallback)
	}
	if !strings.HasPrefix(plan.Engine, "extractive (fallback: ") {
		t.Errorf("Engine does not show the fallback: %q", plan.Engine)
	}
	if got, want := plan.Usage.PromptTokens, 30; got != want {
		t.Errorf("usage of the failed calls: got %d prompt tokens, want %d", got, want)
	}
	if !strings.Contains(s.logs.String(), "level=WARN") || !strings.Contains(s.logs.String(), "falls back") {
		t.Errorf("no warning logged: %s", s.logs.String())
	}
}

func TestPlanValidation(t *testing.T) {
	tests := []struct {
		name    string
		answer  string
		max     int
		want    int
		wantErr bool
	}{
		{"valid", validPlan, 3, 2, false},
		{"fenced", "```json\n" + validPlan + "\n```", 3, 2, false},
		{"duplicates dropped", `{"subQuestions":[{"text":"A?"},{"text":"a"},{"text":"B?"}]}`, 3, 2, false},
		{"too many", validPlan, 1, 0, true},
		{"empty text", `{"subQuestions":[{"text":"  "}]}`, 3, 0, true},
		{"none", `{"subQuestions":[]}`, 3, 0, true},
		{"not json", "no", 3, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePlan(tt.answer, tt.max)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err: got %v, want error %v", err, tt.wantErr)
			}
			if len(got) != tt.want {
				t.Errorf("sub-questions: got %d, want %d", len(got), tt.want)
			}
		})
	}
}

func TestPlanStripsThinkBlock(t *testing.T) {
	f := newFakeServer(t, llmtest.Reply{Content: "<think>The user wants {\"subQuestions\": []} maybe…</think>\n" + validPlan, Prompt: 5, Completion: 5})
	e := newTestEngine(t, f, &setup{})
	plan, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if got, want := len(plan.SubQuestions), 2; got != want {
		t.Errorf("sub-questions: got %d, want %d", got, want)
	}
	if got := len(bodies(f)); got != 1 {
		t.Errorf("requests: got %d, want 1 (no repair needed)", got)
	}
}

func TestStripThinking(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<think>a</think>{}", "{}"},
		{"<THINK>\nmulti\nline\n</THINK> {\"x\":1}", `{"x":1}`},
		{"<thinking>a</thinking>{}", "{}"},
		{"{} <think>unterminated and cut off", "{}"},
		{"reasoning without opener</think>{}", "{}"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := stripThinking(tt.in); got != tt.want {
			t.Errorf("stripThinking(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRateLimitIsTransientWithRetryAfter(t *testing.T) {
	f := newFakeServer(t,
		llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "2"}, Content: "Rate limit reached"},
		llmtest.Reply{Content: validPlan, Prompt: 5, Completion: 5},
	)
	e := newTestEngine(t, f, &setup{})
	_, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3})
	fe, ok := fault.Classify(err)
	if !ok {
		t.Fatalf("error not classified: %v", err)
	}
	if fe.Permanent {
		t.Errorf("429 classified permanent")
	}
	if got, want := fe.Kind, egress.KindRateLimited; got != want {
		t.Errorf("kind: got %q, want %q", got, want)
	}
	if got, want := fe.RetryAfter, 2*time.Second; got != want {
		t.Errorf("RetryAfter: got %v, want %v", got, want)
	}
	if _, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3}); err != nil {
		t.Errorf("next call after the rate limit: %v", err)
	}
}

func TestServerErrorsClassified(t *testing.T) {
	tests := []struct {
		name      string
		provider  string
		status    int
		message   string
		kind      string
		permanent bool
	}{
		{"unauthorized", ProviderOpenAI, 401, "Incorrect API key provided: " + testKey, egress.KindUnauthorized, true},
		{"forbidden", ProviderOpenAI, 403, "forbidden", egress.KindUnauthorized, true},
		{"bad request", ProviderOpenAI, 400, "bad field", egress.KindRejected, true},
		{"model not found", ProviderOpenAI, 404, "The model `test-model` does not exist", egress.KindNotFound, true},
		{"unavailable", ProviderOpenAI, 503, "overloaded", egress.KindUnavailable, false},
		{"ollama model not found", ProviderOllama, 404, "model 'test-model' not found", egress.KindNotFound, true},
		{"ollama unavailable", ProviderOllama, 500, "boom", egress.KindUnavailable, false},
		{"anthropic unauthorized", ProviderAnthropic, 401, "invalid x-api-key", egress.KindUnauthorized, true},
		{"gone", ProviderOpenAI, 410, "this endpoint is retired", egress.KindNotFound, true},
		{"request timeout", ProviderOpenAI, 408, "slow upload", egress.KindUnavailable, false},
		{"unknown model in a 400", ProviderOllama, 400, "model \"test-model\" not found, try pulling it first", egress.KindNotFound, true},
		{"payload too large", ProviderOpenAI, 413, "prompt too long", egress.KindRejected, true},
		{"anthropic overloaded", ProviderAnthropic, 529, "overloaded", egress.KindUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t, llmtest.Reply{Status: tt.status, Content: tt.message})
			e := newTestEngine(t, f, &setup{provider: tt.provider})
			_, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3})
			fe, ok := fault.Classify(err)
			if !ok {
				t.Fatalf("error not classified: %v", err)
			}
			if fe.Kind != tt.kind || fe.Permanent != tt.permanent {
				t.Errorf("got kind %q permanent %v, want %q %v (%v)", fe.Kind, fe.Permanent, tt.kind, tt.permanent, err)
			}
			msg := err.Error()
			if strings.Contains(msg, testKey) {
				t.Errorf("message leaks the API key: %s", msg)
			}
			for _, want := range []string{tt.provider, "test-model", f.URL} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not name %q", msg, want)
				}
			}
		})
	}
}

func TestUnreachableServerIsTransient(t *testing.T) {
	f := newFakeServer(t)
	e := newTestEngine(t, f, &setup{})
	f.Close()
	_, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q"})
	fe, ok := fault.Classify(err)
	if !ok || fe.Permanent || fe.Kind != egress.KindUnavailable {
		t.Fatalf("got %v (%+v), want transient %s", err, fe, egress.KindUnavailable)
	}
}

func TestStreamingCallsHeartbeat(t *testing.T) {
	for _, provider := range []string{ProviderOpenAI, ProviderOllama} {
		t.Run(provider, func(t *testing.T) {
			f := newFakeServer(t, llmtest.Reply{Content: validPlan, Prompt: 40, Completion: 12, Chunks: 20, ChunkDelay: 10 * time.Millisecond})
			e := newTestEngine(t, f, &setup{provider: provider, beat: 40 * time.Millisecond})
			var beats atomic.Int32
			ctx := WithHeartbeat(context.Background(), func() { beats.Add(1) })
			plan, err := e.Plan(ctx, reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3})
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if got := beats.Load(); got < 3 {
				t.Errorf("heartbeats: got %d, want at least 3 over a 200ms stream", got)
			}
			if got := beats.Load(); got > 12 {
				t.Errorf("heartbeats: got %d for 20 chunks, want them throttled to about one per 40ms", got)
			}
			if got, want := len(plan.SubQuestions), 2; got != want {
				t.Errorf("streamed plan: got %d sub-questions, want %d", got, want)
			}
			if got, want := plan.Usage, (rf.Usage{PromptTokens: 40, CompletionTokens: 12, Calls: 1}); got != want {
				t.Errorf("streamed usage: got %+v, want %+v", got, want)
			}
			if !strings.Contains(bodies(f)[0], `"stream":true`) {
				t.Errorf("request did not ask for a stream: %s", bodies(f)[0])
			}
		})
	}
}

func TestOllamaPlannerEndToEnd(t *testing.T) {
	f := newFakeServer(t, llmtest.Reply{Content: validPlan, Prompt: 33, Completion: 11})
	e := newTestEngine(t, f, &setup{provider: ProviderOllama})
	plan, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "How do deadlines work?", MaxSubQuestions: 4})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if got, want := plan.Engine, "llm planner=ollama/test-model@planner-v1"; got != want {
		t.Errorf("Engine: got %q, want %q", got, want)
	}
	if got, want := plan.Usage, (rf.Usage{PromptTokens: 33, CompletionTokens: 11, Calls: 1}); got != want {
		t.Errorf("usage: got %+v, want %+v", got, want)
	}
	if got := f.Requests()[0].Path; got != "/api/chat" {
		t.Errorf("path: got %q, want /api/chat", got)
	}
	if !strings.Contains(bodies(f)[0], "How do deadlines work?") {
		t.Errorf("question not in the prompt: %s", bodies(f)[0])
	}
}

func TestAnthropicUsageKeys(t *testing.T) {
	f := newFakeServer(t, llmtest.Reply{Content: validPlan, Prompt: 70, Completion: 9})
	e := newTestEngine(t, f, &setup{provider: ProviderAnthropic})
	plan, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if got, want := plan.Usage, (rf.Usage{PromptTokens: 70, CompletionTokens: 9, Calls: 1}); got != want {
		t.Errorf("usage: got %+v, want %+v", got, want)
	}
}

func TestBudgetLowersMaxTokens(t *testing.T) {
	f := newFakeServer(t, llmtest.Reply{Content: validPlan, Prompt: 5, Completion: 5})
	e := newTestEngine(t, f, &setup{})
	if _, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3, Budget: rf.Budget{MaxTokens: 400}}); err != nil {
		t.Fatalf("Plan: %v", err)
	}
	var sent struct {
		MaxTokens int `json:"max_tokens"`
	}
	if err := json.Unmarshal([]byte(bodies(f)[0]), &sent); err != nil {
		t.Fatal(err)
	}
	// The prompt is about 160 tokens: a 400-token budget leaves about 240 for
	// the answer, below the planner's default cap of 512.
	if sent.MaxTokens < minCompletionTokens || sent.MaxTokens > 300 {
		t.Errorf("max_tokens under a 400-token budget: got %d, want 32..300", sent.MaxTokens)
	}

	_, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q", Budget: rf.Budget{MaxTokens: 10}})
	fe, ok := fault.Classify(err)
	if !ok || !fe.Permanent || fe.Kind != KindBudget {
		t.Fatalf("tiny budget: got %v, want permanent %s", err, KindBudget)
	}
	if got := len(bodies(f)); got != 1 {
		t.Errorf("a spent budget still sent a request (%d requests)", got)
	}
}

func TestDescribeAndOverlay(t *testing.T) {
	rc := RoleConfig{Provider: ProviderOllama, Model: "qwen3", BaseURL: "http://127.0.0.1:1"}
	var calls int
	e, err := New(Config{Analyst: rc}, Options{Fallback: offlinePlanner(&calls)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	got := e.Describe()
	want := []RoleInfo{
		{Role: RolePlanner, Provider: ProviderOffline},
		{Role: RoleAnalyst, Provider: ProviderOllama, Model: "qwen3", PromptVersion: "analyst-v1"},
		{Role: RoleWriter, Provider: ProviderOffline},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Describe()[%d]: got %+v, want %+v", i, got[i], want[i])
		}
	}
	base := reasoning.Engine{Planner: offlinePlanner(&calls)}
	over := e.Overlay(base)
	if over.Analyst != e || over.Writer != nil {
		t.Errorf("Overlay replaced the wrong roles: %+v", over)
	}
	_, err = e.Write(context.Background(), reasoning.WriteRequest{})
	if !fault.IsPermanent(err) {
		t.Errorf("Write on an offline role: got %v, want a permanent error", err)
	}
}

func TestNewNeedsFallbackForPlanner(t *testing.T) {
	rc := RoleConfig{Provider: ProviderOllama, Model: "qwen3"}
	if _, err := New(Config{Planner: rc}, Options{}); err == nil {
		t.Fatal("New without a fallback planner: got nil error")
	}
}

func TestLimiterWaitsAndHonoursContext(t *testing.T) {
	l := NewLimiter(1, 0)
	if err := l.Wait(context.Background(), 10); err != nil {
		t.Fatalf("first request: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, 10); err == nil {
		t.Fatal("second request within the minute: got nil, want a context error")
	}

	tl := NewLimiter(0, 600) // 10 tokens a second
	if err := tl.Wait(context.Background(), 600); err != nil {
		t.Fatalf("first tokens: %v", err)
	}
	tl.Charge(100)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if err := tl.Wait(ctx2, 1); err == nil {
		t.Fatal("tokens after the bucket was spent and charged: got nil, want a wait beyond the deadline")
	}
	var nilLimiter *Limiter
	if err := nilLimiter.Wait(context.Background(), 1e9); err != nil {
		t.Errorf("nil limiter: %v", err)
	}
}

func TestPlanFallsBackWhenBudgetLeavesNoRepair(t *testing.T) {
	f := newFakeServer(t, llmtest.Reply{Content: "not json", Prompt: 160, Completion: 20})
	s := &setup{}
	e := newTestEngine(t, f, s)
	plan, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3, Budget: rf.Budget{MaxTokens: 300}})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if s.fallback != 1 || !strings.Contains(plan.Engine, "no token budget left") {
		t.Errorf("got Engine %q after %d fallback calls, want a visible budget fallback", plan.Engine, s.fallback)
	}
	if got := len(bodies(f)); got != 1 {
		t.Errorf("requests: got %d, want 1 (no repair without budget)", got)
	}
}
