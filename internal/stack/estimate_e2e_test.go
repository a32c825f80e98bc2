package stack

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/eval"
	"github.com/researchflow/researchflow/internal/eval/runner"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

// TestLLMEstimateOnEvalSet runs an eval set (the CI set; another with
// RESEARCHFLOW_ESTIMATE_SET=../../testdata/eval/go-docs.tsv) on a stack
// whose models are the scripted server, and compares each run's estimate
// with its use. The server counts a prompt's tokens as the engine does
// (four bytes a token), so the prompt-token error measures the estimate's
// material and prompt-text rule on real passages; its answers are short
// scripted ones, so the completion error says nothing of a real model. No
// run may use more model calls than estimated.
func TestLLMEstimateOnEvalSet(t *testing.T) {
	endToEnd(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs a Go installation for the default corpus")
	}
	path := os.Getenv("RESEARCHFLOW_ESTIMATE_SET")
	if path == "" {
		path = "../../testdata/eval/ci.tsv"
	}
	set, err := eval.LoadSet(path)
	if err != nil {
		t.Fatal(err)
	}
	fake := llmtest.New(t, &llmtest.Script{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st := startLLMStack(ctx, t, fake)
	r := &runner.Workflows{Runs: st.Runs, IDPrefix: "estimate-"}
	res, err := eval.Run(ctx, set, r, eval.Configuration{Engine: "llmtest", Embedder: "hashing"}, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	eval.PrintTable(&table, res)
	t.Log("\n" + table.String())
	e := res.Totals.EstimateError
	if e == nil || e.Runs != len(set.Questions) || e.Tokens == nil || e.ModelCalls == nil {
		t.Fatalf("estimate error = %+v, want every run measured", e)
	}
	var estPrompt, actPrompt, estAll, actAll float64
	for _, q := range res.Questions {
		if q.Estimate == nil {
			continue
		}
		estAll += float64(q.Estimate.Estimated.Tokens)
		actAll += float64(q.Estimate.Actual.Tokens)
		estPrompt += float64(q.Estimate.Estimated.Prompt)
		actPrompt += float64(q.Estimate.Actual.Prompt)
		if q.Estimate.Actual.ModelCalls > q.Estimate.Estimated.ModelCalls {
			t.Errorf("%s used %d model calls, estimated %d", q.ID, q.Estimate.Actual.ModelCalls, q.Estimate.Estimated.ModelCalls)
		}
	}
	for _, role := range []string{llmtest.Planner, llmtest.Analyst, llmtest.Reflector, llmtest.Writer} {
		calls := fake.Calls(role)
		var prompt, completion int
		for _, c := range calls {
			prompt += c.Reply.Prompt
			completion += c.Reply.Completion
		}
		if n := len(calls); n > 0 {
			t.Logf("%s: %d calls, mean %d prompt and %d completion tokens", role, n, prompt/n, completion/n)
		}
	}
	if p, err := st.Runs.Progress(ctx, "estimate-"+set.Questions[0].ID); err == nil && p.Estimate != nil {
		for _, step := range p.Estimate.Steps {
			t.Logf("estimated %s step: %d prompt and %d completion tokens", step.Step, step.Usage.PromptTokens, step.Usage.CompletionTokens)
		}
	}
	t.Logf("%d runs: tokens estimated %.0f, used %.0f (sum %+.1f%%); prompt tokens estimated %.0f, used %.0f (sum %+.1f%%); mean per-run token error %+.1f%%, model calls %+.1f%%",
		e.Runs, estAll, actAll, 100*(estAll-actAll)/actAll, estPrompt, actPrompt, 100*(estPrompt-actPrompt)/actPrompt, 100**e.Tokens, 100**e.ModelCalls)
}
