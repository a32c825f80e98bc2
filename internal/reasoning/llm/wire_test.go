package llm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

func TestDecodeJSONFindsTheRolesJSON(t *testing.T) {
	tests := []struct {
		name, answer string
		want         int // sub-questions; 0 = error
		problem      string
	}{
		{"bare", validPlan, 2, ""},
		{"preamble with a brace, fenced", "Sure. The reply uses the {json} shape below:\n\n```json\n" + validPlan + "\n```\nMore {text}.", 2, ""},
		{"preamble with a brace, not fenced", "The {json} is: " + validPlan, 2, ""},
		{"example object first", `Format: {"a": 1}. Answer: ` + validPlan, 2, ""},
		{"fence without language", "```\n" + validPlan + "\n```", 2, ""},
		{"two fences, the first an example", "```json\n{\"x\":1}\n```\n```json\n" + validPlan + "\n```", 2, ""},
		{"bare array", `[{"text":"What is a goroutine?","reason":"r"}]`, 1, ""},
		{"array inside broken object is not taken", `{"subQuestions": [{"text":"a"}], "extra": `, 0, "not valid JSON"},
		{"valid JSON, wrong shape", `{"questions": ["a"]}`, 0, "subQuestions"},
		{"prose only", "I cannot do that.", 0, "no JSON"},
		{"empty", "  ", 0, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePlan(tt.answer, 4)
			if tt.want == 0 {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("got %v, %v; want an error naming %q", got, err, tt.problem)
				}
				return
			}
			if err != nil || len(got) != tt.want {
				t.Fatalf("got %d sub-questions, %v; want %d", len(got), err, tt.want)
			}
		})
	}
}

// The reflector's answer must be its own shape: an unrelated object is not
// "no follow-ups".
func TestReflectionNeedsFollowUpsKey(t *testing.T) {
	if _, err := parseReflection(`{"a": 1}`, 2, map[string]bool{}); err == nil {
		t.Fatal("an object without followUps was taken for no follow-ups")
	}
	got, err := parseReflection(`Thinking {maybe}. {"followUps": []}`, 2, map[string]bool{})
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want no follow-ups", got, err)
	}
}

func TestRefusedField(t *testing.T) {
	all := []string{fieldTemperature, fieldStream, fieldStreamOptions, fieldJSONSchema}
	tests := []struct {
		err  error
		want string
	}{
		{&httpError{400, "Unrecognized request argument supplied: stream_options"}, fieldStreamOptions},
		{&httpError{400, "[{'type': 'extra_forbidden', 'loc': ('body', 'stream_options')}]"}, fieldStreamOptions},
		{&httpError{400, "streaming is not supported"}, fieldStream},
		{&httpError{422, "response_format.type json_schema is not supported"}, fieldJSONSchema},
		{&httpError{400, "Unsupported value: 'temperature' does not support 0.2"}, fieldTemperature},
		{&httpError{400, "This model's maximum context length is 8192 tokens"}, ""},
		{&httpError{500, "stream_options broke"}, ""},
		{errors.New("stream_options"), ""},
	}
	for _, tt := range tests {
		if got := refusedField(tt.err, all); got != tt.want {
			t.Errorf("refusedField(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if got := refusedField(&httpError{400, "unknown field stream_options"}, []string{fieldTemperature}); got != "" {
		t.Errorf("a field that was not sent was taken for refused: %q", got)
	}
}

func TestReadHTTPError(t *testing.T) {
	for body, want := range map[string]string{
		`{"error":{"message":"bad key","type":"auth"}}`: "bad key",
		`{"error":"model 'x' not found"}`:               "model 'x' not found",
		`{"detail":"Not Found"}`:                        `"Not Found"`,
		`{"message":"slow down"}`:                       "slow down",
		`upstream timed out`:                            "upstream timed out",
	} {
		resp := &http.Response{StatusCode: 502, Body: ioNopCloser(body)}
		err := readHTTPError(resp)
		var he *httpError
		if !errors.As(err, &he) || he.status != 502 || he.message != want {
			t.Errorf("body %s: got %v, want message %q", body, err, want)
		}
	}
}

// A refusal is remembered by the engine for the endpoint: later calls, of
// any role and concurrently, leave the field out at once.
func TestRefusalIsRememberedAcrossCalls(t *testing.T) {
	f := llmtest.New(t, llmtest.Refuse("Unrecognized request argument supplied: %s", "stream_options")(
		llmtest.Always(llmtest.Reply{Content: validPlan, Prompt: 5, Completion: 5})))
	e := newTestEngine(t, f, &setup{})
	ctx := WithHeartbeat(context.Background(), func() {})
	if _, err := e.Plan(ctx, reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3}); err != nil {
		t.Fatalf("Plan: %v", err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.Plan(ctx, reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3}); err != nil {
				t.Errorf("Plan: %v", err)
			}
		}()
	}
	wg.Wait()
	reqs := f.Requests()
	if len(reqs) != 6 || reqs[0].Reply.Status != 400 {
		t.Fatalf("requests: %d, want the refused one and 5 answered", len(reqs))
	}
	for _, r := range reqs[1:] {
		if r.Field("stream_options") || !r.Stream {
			t.Errorf("request after the refusal: stream %v, stream_options %v; want streamed without it", r.Stream, r.Field("stream_options"))
		}
	}
	if !strings.Contains(f.Requests()[0].Reply.Content, "stream_options") {
		t.Errorf("the fake did not refuse the field")
	}
}

// A 400 that names no optional field is final, sent once.
func TestBadRequestNamingNoFieldIsNotResent(t *testing.T) {
	f := newFakeServer(t, llmtest.Error(400, "This model's maximum context length is 8192 tokens"))
	e := newTestEngine(t, f, &setup{})
	_, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "q"})
	if err == nil || len(f.Requests()) != 1 {
		t.Fatalf("got %v after %d requests, want the 400 after one", err, len(f.Requests()))
	}
}

// A stream whose server repeats a running usage in every chunk is counted
// once, with the last numbers; an error event fails the call.
func TestReadOpenAIStreamUsageAndErrors(t *testing.T) {
	stream := "data: {\"choices\":[{\"delta\":{\"content\":\"{\\\"a\\\":\"}}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1}}\n\n" +
		"data: {\"choices\":[{\"delta\":{\"content\":\"1}\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2}}\n\n"
	got, err := readOpenAIStream(strings.NewReader(stream), nil)
	if err != nil || got.Content != `{"a":1}` || got.Prompt != 10 || got.Completion != 2 {
		t.Errorf("got %+v, %v", got, err)
	}
	_, err = readOpenAIStream(strings.NewReader("data: {\"error\":{\"message\":\"overloaded\"}}\n\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "overloaded") {
		t.Errorf("error event: got %v", err)
	}
	_, err = readOpenAIStream(strings.NewReader("data: {\"choices\":[{\"delta\":{\"content\":\"{\\\"a\\\"\"}}]}\n\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("a stream without finish, usage or [DONE]: got %v, want cut short", err)
	}
}

func ioNopCloser(s string) *nopCloser { return &nopCloser{strings.NewReader(s)} }

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) Info(msg string, _ ...any) { l.mu.Lock(); l.got = append(l.got, msg); l.mu.Unlock() }
func (l *lines) Warn(msg string, _ ...any) { l.Info(msg) }

// An answer taken from the reasoning field is read without a repair, and
// the run's log says where it came from.
func TestAnswerFromReasoningIsLoggedToTheRun(t *testing.T) {
	f := newFakeServer(t, llmtest.Reply{Content: validPlan, Field: llmtest.FieldReasoningContent, Prompt: 5, Completion: 5})
	e := newTestEngine(t, f, &setup{})
	log := &lines{}
	plan, err := e.Plan(reasoning.WithRunLogger(context.Background(), log), reasoning.PlanRequest{Question: "q", MaxSubQuestions: 3})
	if err != nil || len(plan.SubQuestions) != 2 || !strings.HasPrefix(plan.Engine, "llm planner=") {
		t.Fatalf("Plan: %+v, %v", plan, err)
	}
	if len(log.got) != 1 || !strings.Contains(log.got[0], "read from reasoning_content") {
		t.Errorf("run log: %q, want one line saying the answer came from reasoning_content", log.got)
	}
}
