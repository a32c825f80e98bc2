package llmtest_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/llm"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

type noPlanner struct{}

func (noPlanner) Plan(context.Context, reasoning.PlanRequest) (reasoning.Plan, error) {
	return reasoning.Plan{}, nil
}

// engine returns an llm engine whose three roles talk to f with the real
// prompts, over provider.
func engine(t *testing.T, f *llmtest.Server, provider string) *llm.Engine {
	t.Helper()
	base := f.OpenAIURL()
	if provider == llm.ProviderOllama {
		base = f.URL
	}
	rc := llm.RoleConfig{Provider: provider, Model: "m", BaseURL: base, APIKey: "test-key"}
	e, err := llm.New(llm.Config{Planner: rc, Analyst: rc, Writer: rc},
		llm.Options{Fallback: noPlanner{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var passages = []reasoning.Passage{
	{ChunkID: "c1", SourceID: "s-bees", Title: "Beekeeping", Text: "Beekeeping basics\n\nA colony has one queen. Worker bees store nectar and evaporate it into honey."},
	{ChunkID: "c2", SourceID: "s-bread", Title: "Sourdough", Text: "A starter is fed with flour and water every day."},
}

// The default script answers every role with something the engine accepts,
// computed from the real prompts: the whole chain yields a cited draft.
func TestScriptDefaultsRoundTripThroughTheEngine(t *testing.T) {
	for _, provider := range []string{llm.ProviderOpenAI, llm.ProviderOllama} {
		t.Run(provider, func(t *testing.T) {
			f := llmtest.New(t, &llmtest.Script{
				Reflector: llmtest.Content(func(r *llmtest.Request) string {
					if !strings.Contains(r.User(), "Researched: What do worker bees store?") {
						return llmtest.ReflectJSON()
					}
					return llmtest.ReflectJSON("What is a drone?")
				}),
			})
			e := engine(t, f, provider)
			ctx := context.Background()
			if provider == llm.ProviderOpenAI {
				ctx = llm.WithHeartbeat(ctx, func() {}) // streamed answers
			}
			plan, err := e.Plan(ctx, reasoning.PlanRequest{Question: "What do worker bees store?", MaxSubQuestions: 3})
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if got, want := len(plan.SubQuestions), 1; got != want || plan.SubQuestions[0].Text != "What do worker bees store?" {
				t.Fatalf("plan: got %+v, want the question as its one sub-question", plan.SubQuestions)
			}
			a, err := e.Analyze(ctx, reasoning.AnalyzeRequest{Question: "What do worker bees store?", SubQuestion: plan.SubQuestions[0], Passages: passages})
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			want := []reasoning.Finding{{Text: "Worker bees store nectar and evaporate it into honey.", ChunkID: "c1", SourceID: "s-bees"}}
			if !reflect.DeepEqual(a.Findings, want) {
				t.Errorf("findings: got %+v, want %+v", a.Findings, want)
			}
			refl, err := e.Reflect(ctx, reasoning.ReflectRequest{Question: "What do worker bees store?", MaxFollowUps: 2,
				Answered: []reasoning.AnsweredSubQuestion{{SubQuestion: plan.SubQuestions[0], Findings: []string{a.Findings[0].Text}}}})
			if err != nil || len(refl.FollowUps) != 1 || refl.FollowUps[0].Text != "What is a drone?" {
				t.Errorf("Reflect: got %+v, %v; want the scripted follow-up", refl.FollowUps, err)
			}
			d, err := e.Write(ctx, reasoning.WriteRequest{
				Question: "What do worker bees store?",
				Sections: []reasoning.SectionInput{{SubQuestion: plan.SubQuestions[0], Findings: []reasoning.CitedFinding{{Finding: a.Findings[0], N: 2}}}},
				Sources:  []rf.Source{{N: 1, SourceID: "s-other", Title: "Other"}, {N: 2, SourceID: "s-bees", Title: "Beekeeping"}},
			})
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			wantS := reasoning.Sentence{Text: "Worker bees store nectar and evaporate it into honey.", Cites: []int{2}}
			if len(d.Sections) != 1 || !reflect.DeepEqual(d.Sections[0].Sentences, []reasoning.Sentence{wantS}) ||
				!reflect.DeepEqual(d.Summary, []reasoning.Sentence{wantS}) {
				t.Errorf("draft: got %+v, want one summary and one section sentence citing [2]", d)
			}

			reqs := f.Requests()
			var roles []string
			for _, r := range reqs {
				roles = append(roles, r.Role)
				if r.N != 1 || r.Repair || r.Abandoned {
					t.Errorf("%s request: N=%d repair=%v abandoned=%v, want the first, plain, answered call", r.Role, r.N, r.Repair, r.Abandoned)
				}
				if r.Stream != (provider == llm.ProviderOpenAI) {
					t.Errorf("%s request: stream=%v", r.Role, r.Stream)
				}
			}
			if want := []string{llmtest.Planner, llmtest.Analyst, llmtest.Reflector, llmtest.Writer}; !reflect.DeepEqual(roles, want) {
				t.Errorf("roles: got %v, want %v", roles, want)
			}
			got := plan.Usage.Add(a.Usage).Add(refl.Usage).Add(d.Usage)
			wantU := f.Usage()
			wantU.Calls = 4
			if got != wantU || got.PromptTokens == 0 || got.CompletionTokens == 0 {
				t.Errorf("usage the engine counted: got %+v, want the fake's non-zero %+v", got, wantU)
			}
		})
	}
}

// Fail answers the chosen call of a role with an error; repairs are
// recognised and counted as calls of their role.
func TestScriptFailuresAndRepairs(t *testing.T) {
	f := llmtest.New(t, &llmtest.Script{
		Planner: llmtest.HandlerFunc(func(_ context.Context, r *llmtest.Request) llmtest.Reply {
			if !r.Repair {
				return llmtest.Reply{Content: "no JSON here"}
			}
			return llmtest.Reply{Content: llmtest.PlanJSON("a", "b"), Prompt: 7, Completion: 3}
		}),
		Fail: map[llmtest.Call]llmtest.Reply{
			{Role: llmtest.Analyst, N: 1}: llmtest.RateLimited(3),
			{Role: llmtest.Analyst, N: 2}: llmtest.Error(401, "bad key test-key"),
		},
	})
	e := engine(t, f, llm.ProviderOpenAI)
	ctx := context.Background()
	plan, err := e.Plan(ctx, reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3})
	if err != nil || len(plan.SubQuestions) != 2 {
		t.Fatalf("Plan after repair: %+v, %v", plan, err)
	}
	pl := f.Calls(llmtest.Planner)
	if len(pl) != 2 || pl[0].Repair || !pl[1].Repair || pl[1].N != 2 {
		t.Errorf("planner calls: got %+v, want a call and its repair", pl)
	}

	req := reasoning.AnalyzeRequest{Question: "q", SubQuestion: plan.SubQuestions[0], Passages: passages}
	_, err = e.Analyze(ctx, req)
	if fe, ok := fault.Classify(err); !ok || fe.Permanent || fe.RetryAfter != 3*time.Second {
		t.Errorf("first analyst call: got %v (%+v), want transient with Retry-After 3s", err, fe)
	}
	_, err = e.Analyze(ctx, req)
	if fe, ok := fault.Classify(err); !ok || !fe.Permanent || fe.Kind != egress.KindUnauthorized {
		t.Errorf("second analyst call: got %v, want permanent %s", err, egress.KindUnauthorized)
	}
	if _, err := e.Analyze(ctx, req); err != nil {
		t.Errorf("third analyst call: %v", err)
	}
	if got, want := f.Usage(), (rf.Usage{PromptTokens: 7, CompletionTokens: 3}); got.PromptTokens <= want.PromptTokens {
		t.Errorf("usage %+v does not count the successful default answers beyond the planner's %+v", got, want)
	}
}

func TestRequestParsing(t *testing.T) {
	r := &llmtest.Request{Messages: []llmtest.Message{
		{Role: "system", Content: "x"},
		{Role: "user", Content: `Question: How?

Sources:
[1] Package context — src/context/context.go
[3] Blog

Findings by sub-question:

Sub-question: What is it?
- It is a thing (source 1)
- It has parts (source 3)

Sub-question: Why?
- (no findings)
`},
	}}
	if got, want := r.SourceNumbers(), []int{1, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("SourceNumbers: got %v, want %v", got, want)
	}
	want := []llmtest.Section{
		{SubQuestion: "What is it?", Findings: []llmtest.Finding{{Text: "It is a thing", Source: 1}, {Text: "It has parts", Source: 3}}},
		{SubQuestion: "Why?"},
	}
	if got := r.Sections(); !reflect.DeepEqual(got, want) {
		t.Errorf("Sections: got %+v, want %+v", got, want)
	}
	if got := r.Question(); got != "How?" {
		t.Errorf("Question: got %q", got)
	}
	if d := llmtest.WriterAnswer(r); strings.Contains(d, "no findings") || !strings.Contains(d, `"cites":[3]`) {
		t.Errorf("WriterAnswer: %s", d)
	}
}

// Completed tells a call whose whole answer reached a connected client
// from one that was cut, refused, or abandoned by its client mid-stream.
func TestCompletedMarksWholeAnswersOnly(t *testing.T) {
	tests := []struct {
		name   string
		reply  llmtest.Reply
		cancel time.Duration // the client gives up after this long (0: never)
		want   bool
	}{
		{"whole streamed answer", llmtest.Reply{Content: `{"a":1}`, Chunks: 3}, 0, true},
		{"cut mid-stream", llmtest.Reply{Content: `{"a":1}`, Chunks: 3, CutAfter: 1}, 0, false},
		{"error reply", llmtest.RateLimited(1), 0, false},
		{"client gone mid-stream", llmtest.Reply{Content: `{"a":1}`, Chunks: 4, ChunkDelay: 100 * time.Millisecond}, 150 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := llmtest.New(t, llmtest.Always(tt.reply))
			ctx := context.Background()
			if tt.cancel > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.cancel)
				defer cancel()
			}
			body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.OpenAIURL()+"/chat/completions", strings.NewReader(body))
			if resp, err := http.DefaultClient.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			var got []llmtest.Request
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				got = f.Requests()
				if len(got) == 1 && !got[0].Ended.IsZero() {
					break
				}
			}
			if len(got) != 1 || got[0].Ended.IsZero() {
				t.Fatalf("requests = %d, ended = %v; want one ended request", len(got), len(got) == 1 && !got[0].Ended.IsZero())
			}
			if got[0].Completed != tt.want {
				t.Errorf("Completed = %v, want %v", got[0].Completed, tt.want)
			}
		})
	}
}

// A connection that is no model request — a gRPC client whose server has
// gone, reconnecting to the port the fake now listens on, opens with the
// HTTP/2 preface ("PRI * HTTP/2.0"), which net/http hands to the handler —
// is not a call: it is neither recorded nor counted as paid usage.
// (TestLLMEveryAnswerUnusableStaysInBudget saw such a request as an 11th,
// paid, "unusable" call that no worker had made.)
func TestStrayHTTP2PrefaceIsNoRequest(t *testing.T) {
	f := llmtest.New(t, llmtest.Unusable(1000, 100))
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// The server has handled the request once its answer arrives.
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		t.Errorf("a stray HTTP/2 preface got status %d, want a refusal", resp.StatusCode)
	}
	if got := f.Requests(); len(got) != 0 {
		t.Errorf("the server recorded %d requests (first: %s %q), want none", len(got), got[0].Path, got[0].Role)
	}
	if u := f.Usage(); u.PromptTokens != 0 || u.CompletionTokens != 0 {
		t.Errorf("the server counts usage %+v for no model call", u)
	}
}

// A server that waits for its answers to settle (StartSettling) does not
// count an answer whose client went away with the last piece in its socket:
// here the client closes the connection as soon as it has read the usage,
// before the terminator. Without the wait the same call counts as paid.
func TestSettlingServerCountsOnlyAnswersItsClientKept(t *testing.T) {
	for _, tt := range []struct {
		settle time.Duration
		want   bool
	}{{0, true}, {300 * time.Millisecond, false}} {
		var f *llmtest.Server
		if tt.settle > 0 {
			f = llmtest.StartSettling(llmtest.Always(llmtest.Reply{Content: `{"a":1}`, Chunks: 2}), tt.settle)
		} else {
			f = llmtest.Start(llmtest.Always(llmtest.Reply{Content: `{"a":1}`, Chunks: 2}))
		}
		body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`
		resp, err := http.Post(f.OpenAIURL()+"/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"usage"`) && strings.Contains(sc.Text(), `"choices":[]`) {
				break
			}
		}
		resp.Body.Close() // the client is gone before the terminator
		var got []llmtest.Request
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if got = f.Requests(); len(got) == 1 && !got[0].Ended.IsZero() {
				break
			}
		}
		f.Close()
		if len(got) != 1 || got[0].Completed != tt.want {
			t.Errorf("settle %v: requests %+v, want one with Completed = %v", tt.settle, got, tt.want)
		}
	}
}
