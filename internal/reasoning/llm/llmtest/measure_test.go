package llmtest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/llm"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

const (
	sqBees  = "What do worker bees store?"
	sqBread = "How is a sourdough starter kept active?"
)

var (
	beesPassage  = reasoning.Passage{ChunkID: "c-bees", SourceID: "s-bees", Title: "Beekeeping", Text: "Beekeeping basics\n\nA colony has one queen. Worker bees store nectar and evaporate it into honey."}
	breadPassage = reasoning.Passage{ChunkID: "c-bread", SourceID: "s-bread", Title: "Sourdough", Text: "A sourdough starter is kept active by feeding it flour and water every day."}
)

// fixedPlanner is the offline fallback: it must not be needed.
type fixedPlanner struct{ calls int }

func (p *fixedPlanner) Plan(_ context.Context, req reasoning.PlanRequest) (reasoning.Plan, error) {
	p.calls++
	return reasoning.Plan{Engine: "extractive", SubQuestions: []reasoning.SubQuestion{{ID: "sq1", Text: sqBees}, {ID: "sq2", Text: sqBread}}}, nil
}

// accountHook, when set, gives the engine a recorder of every call's usage
// (reasoning.WithUsageRecorder); without it the measurement counts what the
// workflow was handed: the usage of successful role results. This file uses
// only what the engine offered before issue 10, so that it measures old and
// new code alike.
var accountHook func(context.Context, func(rf.Usage)) context.Context

// TestMeasureModes writes, for each server behaviour and protocol, what one
// research round (plan, 2 analyses, reflection, writing) cost: requests,
// paid calls, repairs, the server's tokens and the tokens the run accounted
// for, and which roles fell back or failed. Roles are retried like the
// workflow's retry policy does (8 attempts, 3 for reflection) while their
// errors are transient. Set LLMTEST_MEASURE to the output file:
//
//	LLMTEST_MEASURE=/tmp/modes.md go test ./internal/reasoning/llm/llmtest -run TestMeasureModes
func TestMeasureModes(t *testing.T) {
	path := os.Getenv("LLMTEST_MEASURE")
	if path == "" {
		t.Skip("set LLMTEST_MEASURE to the output file")
	}
	modes := append([]llmtest.Mode(nil), llmtest.Modes...)
	modes = append(modes, llmtest.Mode{Name: "every answer unusable (1,100 tokens each)", Protocols: []string{llmtest.OpenAI, llmtest.Ollama},
		Wrap: func(llmtest.Handler) llmtest.Handler { return llmtest.Unusable(1000, 100) }})
	var b strings.Builder
	b.WriteString("| protocol | server behaviour | requests | paid | repairs | server tokens | accounted tokens | outcome |\n|---|---|---|---|---|---|---|---|\n")
	for _, protocol := range []string{llmtest.OpenAI, llmtest.Ollama} {
		for _, m := range modes {
			if !m.For(protocol) {
				continue
			}
			f := llmtest.New(t, m.Wrap(&llmtest.Script{Planner: llmtest.Always(llmtest.Reply{Content: llmtest.PlanJSON(sqBees, sqBread)})}))
			accounted, outcome := measureRound(t, f, protocol)
			reqs := f.Requests()
			paid, repairs := 0, 0
			for _, r := range reqs {
				if r.Paid() {
					paid++
				}
				if r.Repair {
					repairs++
				}
			}
			server := f.Usage()
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %s |\n", protocol, m.Name, len(reqs), paid, repairs,
				server.PromptTokens+server.CompletionTokens, accounted.PromptTokens+accounted.CompletionTokens, outcome)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func measureRound(t *testing.T, f *llmtest.Server, protocol string) (rf.Usage, string) {
	base := f.OpenAIURL()
	if protocol == llmtest.Ollama {
		base = f.URL
	}
	rc := llm.RoleConfig{Provider: protocol, Model: "m", BaseURL: base, APIKey: "test-key"}
	fb := &fixedPlanner{}
	e, err := llm.New(llm.Config{Planner: rc, Analyst: rc, Writer: rc},
		llm.Options{Fallback: fb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var recorded, returned rf.Usage
	ctx := llm.WithHeartbeat(context.Background(), func() {})
	if accountHook != nil {
		ctx = accountHook(ctx, func(u rf.Usage) {
			mu.Lock()
			recorded.PromptTokens += u.PromptTokens
			recorded.CompletionTokens += u.CompletionTokens
			mu.Unlock()
		})
	}
	var failed []string
	call := func(role string, attempts int, f func() (string, rf.Usage, error)) bool {
		for attempt := 1; ; attempt++ {
			engine, u, err := f()
			if err == nil {
				returned.PromptTokens += u.PromptTokens
				returned.CompletionTokens += u.CompletionTokens
				if strings.Contains(engine, "fallback") {
					failed = append(failed, role+" fell back")
				}
				return true
			}
			if fault.IsPermanent(err) || attempt == attempts {
				failed = append(failed, fmt.Sprintf("%s failed after %d attempt(s)", role, attempt))
				return false
			}
		}
	}
	var plan reasoning.Plan
	call("planner", 8, func() (string, rf.Usage, error) {
		var err error
		plan, err = e.Plan(ctx, reasoning.PlanRequest{Question: "Bees and bread", MaxSubQuestions: 3})
		return plan.Engine, plan.Usage, err
	})
	var sections []reasoning.SectionInput
	n := map[string]int{"s-bees": 1, "s-bread": 2}
	for _, sq := range plan.SubQuestions {
		passages := []reasoning.Passage{beesPassage, breadPassage}
		if sq.Text == sqBread {
			passages = []reasoning.Passage{breadPassage, beesPassage}
		}
		var a reasoning.Analysis
		if call("analyst", 8, func() (string, rf.Usage, error) {
			var err error
			a, err = e.Analyze(ctx, reasoning.AnalyzeRequest{Question: "Bees and bread", SubQuestion: sq, Passages: passages})
			return a.Engine, a.Usage, err
		}) {
			sec := reasoning.SectionInput{SubQuestion: sq}
			for _, fd := range a.Findings {
				sec.Findings = append(sec.Findings, reasoning.CitedFinding{Finding: fd, N: n[fd.SourceID]})
			}
			sections = append(sections, sec)
		}
	}
	call("reflector", 3, func() (string, rf.Usage, error) {
		refl, err := e.Reflect(ctx, reasoning.ReflectRequest{Question: "Bees and bread", MaxFollowUps: 2})
		return refl.Engine, refl.Usage, err
	})
	if len(sections) > 0 {
		sources := []rf.Source{{N: 1, SourceID: "s-bees", Title: "Beekeeping"}, {N: 2, SourceID: "s-bread", Title: "Sourdough"}}
		call("writer", 8, func() (string, rf.Usage, error) {
			d, err := e.Write(ctx, reasoning.WriteRequest{Question: "Bees and bread", Sections: sections, Sources: sources})
			return d.Engine, d.Usage, err
		})
	}
	outcome := "all roles on the model"
	if len(failed) > 0 {
		outcome = strings.Join(failed, "; ")
	}
	if accountHook != nil {
		return recorded, outcome
	}
	return returned, outcome
}
