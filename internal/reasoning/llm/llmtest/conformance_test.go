package llmtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/llm"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
	"github.com/researchflow/researchflow/internal/report"
)

// The conformance suite: every server behaviour of llmtest.Modes, for each
// protocol it exists in, through a whole research round (plan, analysis of
// two sub-questions, reflection, writing) with every role served by the
// model. A client that copes gets the report of a plain server, with one
// paid call per role invocation, no repair, and exactly the tokens the
// server reported.

// run is one research round against a server, as the activities drive it:
// each role retried (up to 4 attempts, like a retry policy) while its error
// is transient, every call's usage recorded.
type run struct {
	engines  []string
	md       string
	stats    report.RenderStats
	usage    rf.Usage // recorded across all attempts
	attempts int
	errs     []error // final errors of roles
	fallback int
}

func research(t *testing.T, f *llmtest.Server, protocol string, mod func(*llm.RoleConfig)) *run {
	t.Helper()
	base := f.OpenAIURL()
	if protocol == llmtest.Ollama {
		base = f.URL
	}
	rc := llm.RoleConfig{Provider: protocol, Model: "m", BaseURL: base, APIKey: "test-key"}
	if mod != nil {
		mod(&rc)
	}
	fb := &fixedPlanner{}
	e, err := llm.New(llm.Config{Planner: rc, Analyst: rc, Writer: rc},
		llm.Options{Fallback: fb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r := &run{}
	var mu sync.Mutex
	ctx := llm.WithHeartbeat(context.Background(), func() {})
	ctx = reasoning.WithUsageRecorder(ctx, func(u rf.Usage) {
		mu.Lock()
		r.usage = r.usage.Add(u)
		mu.Unlock()
	})
	call := func(f func() (string, error)) bool {
		for attempt := 1; ; attempt++ {
			r.attempts++
			engine, err := f()
			if err == nil {
				r.engines = append(r.engines, engine)
				return true
			}
			if fault.IsPermanent(err) || attempt == 4 {
				r.errs = append(r.errs, err)
				return false
			}
		}
	}

	var plan reasoning.Plan
	if !call(func() (string, error) {
		var err error
		plan, err = e.Plan(ctx, reasoning.PlanRequest{Question: "Bees and bread", MaxSubQuestions: 3})
		return plan.Engine, err
	}) {
		return r
	}
	r.fallback = fb.calls
	var sections []reasoning.SectionInput
	var answered []reasoning.AnsweredSubQuestion
	n := map[string]int{"s-bees": 1, "s-bread": 2}
	for _, sq := range plan.SubQuestions {
		passages := []reasoning.Passage{beesPassage, breadPassage}
		if sq.Text == sqBread {
			passages = []reasoning.Passage{breadPassage, beesPassage}
		}
		var a reasoning.Analysis
		if !call(func() (string, error) {
			var err error
			a, err = e.Analyze(ctx, reasoning.AnalyzeRequest{Question: "Bees and bread", SubQuestion: sq, Passages: passages})
			return a.Engine, err
		}) {
			continue
		}
		sec := reasoning.SectionInput{SubQuestion: sq}
		var texts []string
		for _, fd := range a.Findings {
			sec.Findings = append(sec.Findings, reasoning.CitedFinding{Finding: fd, N: n[fd.SourceID]})
			texts = append(texts, fd.Text)
		}
		sections = append(sections, sec)
		answered = append(answered, reasoning.AnsweredSubQuestion{SubQuestion: sq, Findings: texts})
	}
	call(func() (string, error) {
		refl, err := e.Reflect(ctx, reasoning.ReflectRequest{Question: "Bees and bread", Answered: answered, MaxFollowUps: 2})
		return refl.Engine, err
	})
	sources := []rf.Source{{N: 1, SourceID: "s-bees", Title: "Beekeeping"}, {N: 2, SourceID: "s-bread", Title: "Sourdough"}}
	var d reasoning.Draft
	if call(func() (string, error) {
		var err error
		d, err = e.Write(ctx, reasoning.WriteRequest{Question: "Bees and bread", Sections: sections, Sources: sources})
		return d.Engine, err
	}) {
		r.md, r.stats = report.Render(report.Report{Question: "Bees and bread", Draft: d, Sources: sources})
	}
	return r
}

// script answers like a competent model: two sub-questions, the best
// sentence of the first passage, no follow-ups, a draft citing the findings'
// sources.
func script() *llmtest.Script {
	return &llmtest.Script{Planner: llmtest.Always(llmtest.Reply{Content: llmtest.PlanJSON(sqBees, sqBread)})}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, protocol := range []string{llmtest.OpenAI, llmtest.Ollama} {
		for _, m := range llmtest.Modes {
			if !m.For(protocol) {
				continue
			}
			t.Run(protocol+"/"+m.Name, func(t *testing.T) {
				t.Parallel() // each subtest has its own scripted server and engine
				f := llmtest.New(t, m.Wrap(script()))
				r := research(t, f, protocol, nil)
				checkRun(t, f, r, 5, m.Extra(4))
			})
		}
	}
}

// checkRun asserts the report of a clean research round, invocations paid
// calls, extra unpaid or failed requests, and usage equal to the server's.
func checkRun(t *testing.T, f *llmtest.Server, r *run, invocations, extra int) {
	t.Helper()
	if len(r.errs) > 0 {
		t.Fatalf("roles failed: %v", r.errs)
	}
	if r.fallback != 0 {
		t.Errorf("the offline planner was used %d times", r.fallback)
	}
	for _, e := range r.engines {
		if !strings.HasPrefix(e, "llm ") {
			t.Errorf("engine %q: want an llm role, not a fallback", e)
		}
	}
	for _, want := range []string{"Worker bees store nectar and evaporate it into honey [1].",
		"A sourdough starter is kept active by feeding it flour and water every day [2]."} {
		if !strings.Contains(r.md, want) {
			t.Errorf("report lacks %q:\n%s", want, r.md)
		}
	}
	if r.stats.Dropped != 0 || r.stats.Ungrounded != 0 {
		t.Errorf("render stats %+v: want every sentence grounded", r.stats)
	}
	reqs := f.Requests()
	paid, failed, refused := 0, 0, 0
	for _, q := range reqs {
		if q.Reply.Status == http.StatusBadRequest {
			refused++ // sent again without the refused field: the same call
		}
		if q.Repair {
			t.Errorf("%s call %d is a repair: the answer should have been read", q.Role, q.N)
		}
		if q.Paid() {
			paid++
		}
		if q.Reply.Status == http.StatusTooManyRequests || q.Reply.CutAfter > 0 {
			failed++
		}
	}
	if paid != invocations || len(reqs) != invocations+extra {
		t.Errorf("requests: %d paid of %d, want %d paid of %d", paid, len(reqs), invocations, invocations+extra)
	}
	want := f.Usage()
	want.Calls, want.FailedCalls = len(reqs)-refused, failed
	if got := r.usage; got != want || got.PromptTokens == 0 {
		t.Errorf("usage recorded: got %+v, want the server's %+v", got, want)
	}
}

// Streaming off (RESEARCHFLOW_LLM_STREAM=false): whole answers, no
// stream_options, whatever the server would have done with them.
func TestConformanceWithoutStreaming(t *testing.T) {
	for _, protocol := range []string{llmtest.OpenAI, llmtest.Ollama} {
		t.Run(protocol, func(t *testing.T) {
			f := llmtest.New(t, llmtest.Refuse("Unrecognized request argument supplied: %s", "stream_options")(script()))
			r := research(t, f, protocol, func(rc *llm.RoleConfig) { rc.NoStream = true })
			checkRun(t, f, r, 5, 0)
			for _, q := range f.Requests() {
				if q.Stream {
					t.Errorf("%s call %d streams", q.Role, q.N)
				}
			}
		})
	}
}

// Structured output is asked for by default, in each protocol's own terms,
// and not at all when it is off.
func TestStructuredOutputRequested(t *testing.T) {
	for _, tt := range []struct {
		protocol, setting, want string
	}{
		{llmtest.OpenAI, "", "json_schema"},
		{llmtest.OpenAI, llm.StructuredJSONObject, "json_object"},
		{llmtest.OpenAI, llm.StructuredOff, ""},
		{llmtest.Ollama, "", "schema"},
		{llmtest.Ollama, llm.StructuredJSONObject, "json"},
		{llmtest.Ollama, llm.StructuredOff, ""},
	} {
		t.Run(fmt.Sprintf("%s/%q", tt.protocol, tt.setting), func(t *testing.T) {
			f := llmtest.New(t, script())
			r := research(t, f, tt.protocol, func(rc *llm.RoleConfig) { rc.StructuredOutput = tt.setting })
			checkRun(t, f, r, 5, 0)
			for _, q := range f.Requests() {
				if got := q.Format(); got != tt.want {
					t.Errorf("%s call %d asks for format %q, want %q", q.Role, q.N, got, tt.want)
				}
			}
		})
	}
}

// A model whose every answer is unusable costs two paid calls per role
// invocation (the answer and one repair), never more: the planner falls
// back visibly, the analyst and writer fail for good (no retry), the
// reflector gives no follow-ups. Every call is counted as failed and its
// tokens are accounted for.
func TestConformanceEveryAnswerUnusable(t *testing.T) {
	for _, protocol := range []string{llmtest.OpenAI, llmtest.Ollama} {
		t.Run(protocol, func(t *testing.T) {
			f := llmtest.New(t, llmtest.Unusable(1000, 100))
			r := research(t, f, protocol, nil)
			if r.fallback != 1 {
				t.Errorf("fallback planner calls: %d, want 1", r.fallback)
			}
			// plan (fallback) + 2 analyses (fail) + reflect (none) + write (fail)
			if got := len(r.errs); got != 3 {
				t.Errorf("failed roles: %d (%v), want the 2 analyses and the writer", got, r.errs)
			}
			for _, err := range r.errs {
				var fe *fault.Error
				if !errors.As(err, &fe) || !fe.Permanent || fe.Kind != llm.KindInvalidOutput {
					t.Errorf("error %v: want permanent %s", err, llm.KindInvalidOutput)
				}
			}
			if got, want := len(f.Requests()), 2*5; got != want {
				t.Errorf("paid calls: %d, want %d (two per role invocation)", got, want)
			}
			if r.attempts != 5 {
				t.Errorf("attempts: %d, want 5 (none retried)", r.attempts)
			}
			want := f.Usage()
			want.Calls, want.FailedCalls = 10, 10
			if r.usage != want {
				t.Errorf("usage: got %+v, want %+v", r.usage, want)
			}
		})
	}
}

// With a budget, a repair that would overrun it is not sent: the server
// hands out at most the budget plus one call. Its cost is predicted from
// what the server counted for the first call (1,000 prompt tokens where
// four bytes a token guessed about 300), so 2,150 tokens do not pay for a
// second 1,100-token call.
func TestUnusableAnswersStopAtTheBudget(t *testing.T) {
	f := llmtest.New(t, llmtest.Unusable(1000, 100))
	rc := llm.RoleConfig{Provider: llm.ProviderOpenAI, Model: "m", BaseURL: f.OpenAIURL(), APIKey: "k"}
	e, err := llm.New(llm.Config{Analyst: rc}, llm.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var spent rf.Usage
	ctx := reasoning.WithUsageRecorder(context.Background(), func(u rf.Usage) { spent = spent.Add(u) })
	_, err = e.Analyze(ctx, reasoning.AnalyzeRequest{Question: "q", SubQuestion: reasoning.SubQuestion{Text: sqBees}, Passages: []reasoning.Passage{beesPassage}, Budget: rf.Budget{MaxTokens: 2150}})
	if fe, ok := fault.Classify(err); !ok || !fe.Permanent || fe.Kind != llm.KindBudget {
		t.Fatalf("got %v, want permanent %s", err, llm.KindBudget)
	}
	if got := len(f.Requests()); got != 1 {
		t.Errorf("calls: %d, want 1 (the repair would overrun the budget)", got)
	}
	if spent.Tokens() != f.Usage().Tokens() || spent.FailedCalls != 1 {
		t.Errorf("usage recorded %+v, want the server's %+v and one failed call", spent, f.Usage())
	}
}
