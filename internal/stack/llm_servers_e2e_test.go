package stack

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
	"github.com/researchflow/researchflow/internal/report"
)

// switchable answers through the current mode's wrapper of base.
type switchable struct {
	mu   sync.Mutex
	h    llmtest.Handler
	base llmtest.Handler
}

func (s *switchable) Answer(ctx context.Context, r *llmtest.Request) llmtest.Reply {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	return h.Answer(ctx, r)
}

// use wraps base anew, so that a mode's per-role state starts fresh.
func (s *switchable) use(wrap func(llmtest.Handler) llmtest.Handler) {
	s.mu.Lock()
	s.h = wrap(s.base)
	s.mu.Unlock()
}

// paidUsage sums what the server reported for reqs.
func paidUsage(reqs []llmtest.Request) (u rf.Usage, paid int) {
	for _, r := range reqs {
		if r.Paid() {
			u.PromptTokens += r.Reply.Prompt
			u.CompletionTokens += r.Reply.Completion
			paid++
		}
	}
	return u, paid
}

// The server behaviours of issue 10 (the answer in reasoning_content with
// content null, JSON after a preamble with a brace, a gateway refusing
// stream_options), and every other behaviour of llmtest.Modes for the
// OpenAI protocol, each give a full run on the model: every role is served
// by it (no fallback), the report cites the right sources, one paid call per
// role invocation, and the run counts exactly the server's tokens (and the
// failed calls of a cut stream or a 429).
func TestLLMRealServerBehaviours(t *testing.T) {
	endToEnd(t)
	modes := map[string]llmtest.Mode{}
	for _, m := range llmtest.Modes {
		modes[m.Name] = m
	}
	sw := &switchable{base: &llmtest.Script{Planner: llmtest.Always(llmtest.Reply{Content: llmtest.PlanJSON(sqBread, sqBees)})}}
	fake := llmtest.New(t, sw)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	st := startLLMStack(ctx, t, fake)
	corpus := writeCorpus(t)

	// The three of the issue first, then every other OpenAI-protocol
	// behaviour; refusals are remembered per process, so response_format
	// goes last.
	order := []string{"stream_options refused", "reasoning_content, content null", "preamble with a brace, fenced JSON"}
	for _, m := range llmtest.Modes {
		if m.For(llmtest.OpenAI) && !slices.Contains(order, m.Name) && m.Name != "response_format refused" {
			order = append(order, m.Name)
		}
	}
	order = append(order, "response_format refused")
	for i, name := range order {
		m, ok := modes[name]
		if !ok {
			t.Fatalf("llmtest has no mode %q", name)
		}
		t.Run(name, func(t *testing.T) {
			sw.use(m.Wrap)
			before := len(fake.Requests())
			run := startResearch(ctx, t, st.Client, fmt.Sprintf("llm-server-%d", i), rf.ResearchInput{
				Question:   "How is a sourdough starter kept active, and what do worker bees store?",
				CorpusPath: corpus,
			})
			var res rf.ResearchResult
			if err := run.Get(ctx, &res); err != nil {
				t.Fatalf("research: %v", err)
			}
			reqs := fake.Requests()[before:]
			want, paid := paidUsage(reqs)
			failed := 0
			for _, r := range reqs {
				if r.Reply.Status == 429 || r.Reply.CutAfter > 0 {
					failed++
				}
			}
			if failing := strings.Contains(name, "first call"); failing != (failed == 4) {
				t.Errorf("%d calls failed; want 4 (one per role) only for a mode failing first calls", failed)
			}
			// planner + 2 analyses + reflector + writer; the refused
			// stream_options costs one unpaid request, once per process.
			if paid != 5 || len(reqs) > 5+m.Extra(4) {
				t.Errorf("requests: %d paid of %d, want 5 paid of at most %d", paid, len(reqs), 5+m.Extra(4))
			}
			for _, r := range reqs {
				if r.Repair {
					t.Errorf("%s call %d is a repair: the answer should have been read", r.Role, r.N)
				}
			}
			if strings.Contains(res.Engine, "fallback") || strings.Contains(res.Report, "offline extractive engine") {
				t.Errorf("a role fell back: engine %q\n%s", res.Engine, res.Report)
			}
			engines := footerLine(res.Report, "Engine: ")
			for _, name := range engineNames() {
				if !strings.Contains(engines, name) {
					t.Errorf("footer %q does not name %q", engines, name)
				}
			}
			if err := report.CheckCitations(res.Report); err != nil {
				t.Errorf("%v\n%s", err, res.Report)
			}
			cited := map[int]bool{}
			for _, n := range report.Citations(res.Report) {
				cited[n] = true
			}
			for _, file := range []string{"bread.html", "beekeeping.txt"} {
				if n := sourceFor(res, file); n == 0 || !cited[n] {
					t.Errorf("the report does not cite %s (source %d):\n%s", file, n, res.Report)
				}
			}
			if res.Usage.PromptTokens != want.PromptTokens || res.Usage.CompletionTokens != want.CompletionTokens || res.Usage.FailedCalls != failed {
				t.Errorf("run usage %+v, want the server's %+v and %d failed calls", res.Usage, want, failed)
			}
			line := fmt.Sprintf("Tokens: %d prompt, %d completion", want.PromptTokens, want.CompletionTokens)
			if !strings.HasPrefix(footerLine(res.Report, "Tokens: "), line) {
				t.Errorf("footer lacks %q:\n%s", line, res.Report)
			}
		})
	}
}

// A model whose every answer is unusable (1,100 tokens each) with a
// 30,000-token budget: each role invocation pays for two calls at most and
// fails for good, the server hands out no more than the budget plus one
// call, and the run's usage and footer count every token the server
// reported, failed calls included.
func TestLLMEveryAnswerUnusableStaysInBudget(t *testing.T) {
	endToEnd(t)
	const perCall, budget = 1100, 30000
	fake := llmtest.New(t, llmtest.Unusable(1000, 100))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	st := startLLMStack(ctx, t, fake)
	run := startResearch(ctx, t, st.Client, "llm-unusable", rf.ResearchInput{
		Question:   "How is a sourdough starter kept active, and what do worker bees store?",
		CorpusPath: writeCorpus(t),
		MaxTokens:  budget,
	})
	var res rf.ResearchResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("research: %v", err)
	}
	reqs := fake.Requests()
	served, _ := paidUsage(reqs)
	if served.Tokens() > budget+perCall {
		t.Errorf("the server handed out %d tokens, over the budget %d plus one call", served.Tokens(), budget)
	}
	if res.Usage.PromptTokens != served.PromptTokens || res.Usage.CompletionTokens != served.CompletionTokens {
		t.Errorf("run usage %+v, want the server's %+v", res.Usage, served)
	}
	if res.Usage.Calls != len(reqs) || res.Usage.FailedCalls != len(reqs) {
		t.Errorf("run usage counts %d calls, %d failed; the server got %d unusable ones", res.Usage.Calls, res.Usage.FailedCalls, len(reqs))
	}
	if t.Failed() {
		for _, r := range reqs {
			t.Logf("request %s %s #%d repair=%v stream=%v body %d bytes, abandoned=%v, at %s",
				r.Path, r.Role, r.N, r.Repair, r.Stream, len(r.Body), r.Abandoned, r.Time.Format("15:04:05.000000"))
		}
	}
	line := fmt.Sprintf("Tokens: %d prompt, %d completion", served.PromptTokens, served.CompletionTokens)
	if !strings.HasPrefix(footerLine(res.Report, "Tokens: "), line) || !strings.Contains(res.Report, fmt.Sprintf("(%d failed)", len(reqs))) {
		t.Errorf("footer lacks %q and the failed calls:\n%s", line, res.Report)
	}
	perRole := map[string]int{}
	for _, r := range reqs {
		perRole[r.Role]++
	}
	if perRole[llmtest.Planner] != 2 || perRole[llmtest.Reflector] > 2 || perRole[llmtest.Analyst]%2 != 0 {
		t.Errorf("calls per role %v: want two per invocation (answer and repair)", perRole)
	}
	if !strings.Contains(res.Engine, "fallback") {
		t.Errorf("engine %q does not show the planner's fallback", res.Engine)
	}
	t.Logf("footer: %s", footerLine(res.Report, "Tokens: "))
	t.Logf("unusable answers: %d calls, server %d tokens, run %d tokens (%d failed calls)",
		len(reqs), served.Tokens(), res.Usage.Tokens(), res.Usage.FailedCalls)
}
