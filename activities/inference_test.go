package activities

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/researchflow/researchflow/workflows"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
	"github.com/researchflow/researchflow/internal/reasoning/llm"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

// modelRoles is an llm engine for every role, served by f, wired into the
// inference activities as the worker does.
func modelRoles(t *testing.T, f *llmtest.Server) *Inference {
	t.Helper()
	rc := llm.RoleConfig{Provider: llm.ProviderOpenAI, Model: "m", BaseURL: f.OpenAIURL(), APIKey: "k"}
	offline := extractive.New(extractive.Config{}).Roles()
	e, err := llm.New(llm.Config{Planner: rc, Analyst: rc, Writer: rc},
		llm.Options{Fallback: offline.Planner, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	store := &fakeStore{chunks: map[string]memory.Chunk{"c1": chunk("c1", "mem", "A send on a channel happens before the receive completes.")}}
	return &Inference{Engine: e.Overlay(offline), Offline: offline, Chunks: store,
		WithHeartbeat: llm.WithHeartbeat}
}

// An analysis whose answer stays unusable fails for good after two paid
// calls, and its error carries their usage on top of the earlier attempts'
// (read from the heartbeat), for the workflow to charge.
func TestAnalyzeFailureCarriesTheUsageOfEveryAttempt(t *testing.T) {
	f := llmtest.New(t, llmtest.Unusable(1000, 100))
	a := modelRoles(t, f)
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	earlier := rf.Usage{PromptTokens: 500, CompletionTokens: 50, FailedCalls: 1}
	aenv.SetHeartbeatDetails(workflows.InferenceProgress{Usage: earlier})
	var beats []rf.Usage
	var mu sync.Mutex
	aenv.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		var p workflows.InferenceProgress
		if details.HasValues() && details.Get(&p) == nil {
			mu.Lock()
			beats = append(beats, p.Usage)
			mu.Unlock()
		}
	})
	_, err := aenv.ExecuteActivity(a.Analyze, workflows.AnalyzeInput{Question: "q", SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How do sends synchronize?"}, ChunkIDs: []string{"c1"}})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != "llm.invalid_output" {
		t.Fatalf("got %v, want a non-retryable llm.invalid_output", err)
	}
	if got := len(f.Requests()); got != 2 {
		t.Errorf("paid calls: %d, want 2 (the answer and one repair)", got)
	}
	want := earlier.Add(f.Usage()).Add(rf.Usage{Calls: 2, FailedCalls: 2})
	got, ok := workflows.UsageFromError(err)
	if !ok || got != want {
		t.Errorf("UsageFromError: got %+v (%v), want %+v", got, ok, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(beats) == 0 || beats[len(beats)-1] != want {
		t.Errorf("heartbeats %+v: want the running total, ending at %+v", beats, want)
	}
}

// A writer whose answer stays unusable does not fail the run: the offline
// writer writes the report, the footer says so, and the usage of the model
// calls is kept.
func TestSynthesizeFallsBackToOfflineWriter(t *testing.T) {
	f := llmtest.New(t, llmtest.Unusable(1000, 100))
	a := modelRoles(t, f)
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	in := workflows.SynthesizeInput{
		ResearchID: "r1", Question: "How do sends synchronize?",
		Sections: []reasoning.SectionInput{{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How do sends synchronize?"},
			Findings: []reasoning.CitedFinding{{Finding: reasoning.Finding{Text: "A send happens before the receive completes.", ChunkID: "c1", SourceID: "mem"}, N: 1}}}},
		Sources: []rf.Source{{N: 1, SourceID: "mem", Title: "The Go Memory Model", Location: "/doc/go_mem.html"}},
		Usage:   rf.Usage{PromptTokens: 7, CompletionTokens: 3},
	}
	val, err := aenv.ExecuteActivity(a.Synthesize, in)
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	var res workflows.SynthesizeResult
	_ = val.Get(&res)
	want := f.Usage().Add(rf.Usage{Calls: 2, FailedCalls: 2})
	if res.Usage != want {
		t.Errorf("usage: got %+v, want the model calls' %+v", res.Usage, want)
	}
	if !strings.Contains(res.Markdown, "[1]") || !strings.Contains(res.Markdown, "written by the offline extractive engine") {
		t.Errorf("report lacks the citation or the fallback note:\n%s", res.Markdown)
	}
	if !strings.Contains(res.Markdown, "Tokens: 2007 prompt, 203 completion") {
		t.Errorf("footer does not count the failed calls:\n%s", res.Markdown)
	}
}

func TestUsageFromError(t *testing.T) {
	u := rf.Usage{PromptTokens: 3, CompletionTokens: 2, FailedCalls: 1}
	err := classifyWithDetails(errors.New("plain"), workflows.InferenceProgress{Usage: u})
	if got, ok := workflows.UsageFromError(err); !ok || got != u {
		t.Errorf("unclassified error: got %+v, %v", got, ok)
	}
	timedOut := temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_HEARTBEAT, nil, workflows.InferenceProgress{Usage: u})
	if got, ok := workflows.UsageFromError(timedOut); !ok || got != u {
		t.Errorf("timeout with heartbeat details: got %+v, %v", got, ok)
	}
	if _, ok := workflows.UsageFromError(errors.New("no details")); ok {
		t.Errorf("an error without details carried usage")
	}
}

func TestModelErrorKindsMatchPackageLLM(t *testing.T) {
	if errModelOutput != llm.KindInvalidOutput || errModelBudget != llm.KindBudget {
		t.Errorf("activities know %q and %q; package llm says %q and %q", errModelOutput, errModelBudget, llm.KindInvalidOutput, llm.KindBudget)
	}
}

// A writer budget too small for a single call: nothing is sent to the model
// and the offline writer writes the report, saying why.
func TestSynthesizeOfflineWhenTheWritersShareCannotPayACall(t *testing.T) {
	f := llmtest.New(t, llmtest.Unusable(1000, 100))
	a := modelRoles(t, f)
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	in := workflows.SynthesizeInput{
		ResearchID: "r1", Question: "How do sends synchronize?",
		Sections: []reasoning.SectionInput{{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How do sends synchronize?"},
			Findings: []reasoning.CitedFinding{{Finding: reasoning.Finding{Text: "A send happens before the receive completes.", ChunkID: "c1", SourceID: "mem"}, N: 1}}}},
		Sources: []rf.Source{{N: 1, SourceID: "mem", Title: "The Go Memory Model", Location: "/doc/go_mem.html"}},
		Budget:  rf.Budget{MaxTokens: 50},
	}
	val, err := aenv.ExecuteActivity(a.Synthesize, in)
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	var res workflows.SynthesizeResult
	_ = val.Get(&res)
	if len(f.Requests()) != 0 {
		t.Errorf("the model was called %d times with no budget for a call", len(f.Requests()))
	}
	if !strings.Contains(res.Markdown, "[1]") || !strings.Contains(res.Markdown, "token budget spent") {
		t.Errorf("report lacks the citation or the reason:\n%s", res.Markdown)
	}
}

// Issue 19 item 5: a question in which the planner finds no word fails the
// Plan activity for good at its first attempt (it was retried 8 times over
// about two minutes as if the planner were down).
func TestPlanOfAWordlessQuestionIsNotRetryable(t *testing.T) {
	offline := extractive.New(extractive.Config{}).Roles()
	a := &Inference{Engine: offline, Offline: offline, Chunks: &fakeStore{}}
	for _, q := range []string{"???", "🤔🤔🤔", "\u200b\u200b\u200b", "¿¡ … — !!"} {
		var env testsuite.WorkflowTestSuite
		aenv := env.NewTestActivityEnvironment()
		aenv.RegisterActivity(a)
		_, err := aenv.ExecuteActivity(a.Plan, workflows.PlanInput{Question: q, MaxSubQuestions: 4})
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() {
			t.Errorf("Plan(%+q) = %v: want a non-retryable application error", q, err)
		}
	}
}
