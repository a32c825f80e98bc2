package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// minCompletionTokens is the smallest completion cap worth asking for; a
// budget leaving less fails the call.
const minCompletionTokens = 32

// client sends the chat requests of one role.
type client struct {
	role      string
	cfg       RoleConfig
	model     chatModel
	schema    *answerSchema
	prompt    *prompt
	repair    *prompt
	limiter   *Limiter
	prices    PriceTable
	logger    *slog.Logger
	beatEvery time.Duration
	observer  CallObserver // nil: none
}

// newModel returns the protocol client of cfg's provider. r remembers the
// request fields each endpoint refused; it is shared by all roles.
func newModel(cfg RoleConfig, hc *http.Client, r *refusals, logger *slog.Logger) (chatModel, error) {
	switch cfg.Provider {
	case ProviderOpenAI:
		return newOpenAIChat(cfg, hc, r, logger.Warn), nil
	case ProviderOllama:
		return newOllamaChat(cfg, hc, r, logger.Warn), nil
	case ProviderAnthropic:
		m, err := anthropic.New(anthropic.WithToken(cfg.APIKey), anthropic.WithModel(cfg.Model),
			anthropic.WithBaseURL(cfg.BaseURL), anthropic.WithHTTPClient(hc))
		if err != nil {
			return nil, err
		}
		return langchainChat{m}, nil
	}
	return nil, fmt.Errorf("provider %q has no model client", cfg.Provider)
}

// langchainChat serves a provider through langchaingo (Anthropic).
type langchainChat struct{ model llms.Model }

func (l langchainChat) chat(ctx context.Context, req chatRequest) (chatResponse, error) {
	msgs := make([]llms.MessageContent, len(req.Messages))
	for i, m := range req.Messages {
		role := llms.ChatMessageTypeHuman
		switch m.Role {
		case "system":
			role = llms.ChatMessageTypeSystem
		case "assistant":
			role = llms.ChatMessageTypeAI
		}
		msgs[i] = llms.TextParts(role, m.Content)
	}
	opts := []llms.CallOption{llms.WithMaxTokens(req.MaxTokens), llms.WithTemperature(req.Temperature)}
	if req.OnChunk != nil {
		opts = append(opts, llms.WithStreamingFunc(func(context.Context, []byte) error { req.OnChunk(); return nil }))
	}
	resp, err := l.model.GenerateContent(ctx, msgs, opts...)
	if err != nil {
		return chatResponse{}, err
	}
	text, prompt, completion := readResponse(resp)
	return chatResponse{Content: text, Prompt: prompt, Completion: completion}, nil
}

// engineName is the Engine value of answers of this role, e.g.
// "llm planner=openai/gpt-4o-mini@planner-v1".
func (c *client) engineName() string {
	return fmt.Sprintf("llm %s=%s/%s@%s", c.role, c.cfg.Provider, c.cfg.Model, c.prompt.version)
}

// turn is one Plan, Analyze, Reflect or Write call: its messages so far,
// the tokens it spent and what is left of its budget. It makes at most two
// paid calls: the answer and one repair.
type turn struct {
	c         *client
	msgs      []chatMessage
	usage     rf.Usage
	budget    int
	hasBudget bool
	// last is the completion size of the previous answer: what a repair is
	// expected to cost on top of its prompt.
	last int
	// scale corrects the prompt estimate of a repair by what the server
	// counted for the first prompt (its tokenizer is not four bytes a
	// token); 0 until known.
	scale float64
}

// newTurn starts a conversation from the role's prompt rendered with data,
// spending at most budget's tokens over its calls (repairs included; zero
// budget: no cap). A call lowers each request's completion cap to what is
// left after the estimated prompt, and fails with a permanent "llm.budget"
// error when too little is left to ask at all.
func (c *client) newTurn(budget rf.Budget, data any) (*turn, error) {
	system, err := c.prompt.render("system", data)
	if err != nil {
		return nil, err
	}
	user, err := c.prompt.render("user", data)
	if err != nil {
		return nil, err
	}
	t := &turn{c: c, msgs: []chatMessage{{Role: "system", Content: system}, {Role: "user", Content: user}}}
	t.budget, t.hasBudget = budget.MaxTokens, budget.MaxTokens > 0
	return t, nil
}

// candidate is one place of an answer that may hold the role's JSON.
type candidate struct {
	field string // content, tool_call, reasoning_content, reasoning or thinking
	text  string
}

// ask sends the conversation, charges its usage (to the turn and to the
// context's usage recorder) and returns the places the answer may be in,
// best first: content, tool-call arguments, then the reasoning field a
// server with a reasoning parser puts the whole answer in when thinking is
// off. Reasoning blocks are removed from each.
func (t *turn) ask(ctx context.Context) ([]candidate, error) {
	c := t.c
	est := estimateTokens(t.msgs)
	if t.scale > 1 {
		est = int(float64(est) * t.scale)
	}
	maxTokens := c.cfg.MaxTokens
	if t.hasBudget {
		// A repair is refused when it would likely overrun the budget (its
		// answer costs about what the last one did); a first call needs room
		// for a minimal answer.
		need := est + max(minCompletionTokens, min(t.last, maxTokens))
		if t.budget < need {
			return nil, fault.Permanent(KindBudget, fmt.Errorf("%s: token budget spent: %d tokens left, the call needs about %d", c.role, t.budget, need))
		}
		maxTokens = min(maxTokens, t.budget-est)
	}
	if err := c.limiter.Wait(ctx, est); err != nil {
		return nil, fmt.Errorf("%s: %w", c.role, err)
	}
	req := chatRequest{Messages: t.msgs, MaxTokens: maxTokens, Temperature: c.cfg.Temperature, Schema: c.schema}
	if beat := heartbeatFrom(ctx); beat != nil && !c.cfg.NoStream {
		req.OnChunk = throttle(beat, c.beatEvery)
		beat()
	}

	x := &egress.Exchange{}
	start := time.Now()
	resp, err := c.model.chat(egress.WithExchange(ctx, x), req)
	if err := c.classify(ctx, x, err); err != nil {
		c.logger.Warn("llm call failed", "role", c.role, "provider", c.cfg.Provider, "model", c.cfg.Model, "error", err)
		t.charge(ctx, rf.Usage{Calls: 1, FailedCalls: 1})
		if c.observer != nil {
			c.observer.ModelCall(c.role, c.cfg.Provider, c.cfg.Model, time.Since(start), 0, 0, 0, err)
		}
		return nil, err
	}
	prompt, completion := resp.Prompt, resp.Completion
	if prompt == 0 && completion == 0 {
		prompt, completion = est, estimateText(resp.Content+resp.Reasoning+resp.ToolArgs)
	} else if t.scale == 0 && est > 0 {
		t.scale = float64(prompt) / float64(est)
	}
	cost := c.prices.Cost(c.cfg.Provider, c.cfg.Model, prompt, completion)
	t.charge(ctx, rf.Usage{
		PromptTokens:     prompt,
		CompletionTokens: completion,
		CostUSD:          cost,
		Calls:            1,
	})
	if c.observer != nil {
		c.observer.ModelCall(c.role, c.cfg.Provider, c.cfg.Model, time.Since(start), prompt, completion, cost, nil)
	}
	t.budget -= prompt + completion
	t.last = completion
	c.limiter.Charge(prompt + completion - est)
	c.logger.Debug("llm call", "role", c.role, "provider", c.cfg.Provider, "model", c.cfg.Model,
		"promptTokens", prompt, "completionTokens", completion, "elapsed", time.Since(start))

	cands := []candidate{
		{"content", stripThinking(resp.Content)},
		{"tool_call", strings.TrimSpace(resp.ToolArgs)},
		{resp.ReasoningField, stripThinking(resp.Reasoning)},
	}
	said := ""
	for _, cd := range cands {
		if cd.text != "" {
			said = cd.text
			break
		}
	}
	t.msgs = append(t.msgs, chatMessage{Role: "assistant", Content: said})
	return cands, nil
}

// charge adds u to the turn and reports it to the context's recorder.
func (t *turn) charge(ctx context.Context, u rf.Usage) {
	t.usage = t.usage.Add(u)
	reasoning.RecordUsage(ctx, u)
}

// read hands the answer's candidates to parse, best first, until one is
// accepted. When none is, the call counts as failed and the problem with
// the first non-empty candidate is returned.
func (t *turn) read(ctx context.Context, cands []candidate, parse func(text string) error) error {
	var problem error
	for _, cd := range cands {
		if cd.text == "" {
			continue
		}
		err := parse(cd.text)
		if err == nil {
			if cd.field != "content" {
				var log reasoning.RunLogger = t.c.logger
				if l := reasoning.RunLoggerFrom(ctx); l != nil {
					log = l
				}
				log.Info("model answer read from "+cd.field+" (content was empty or unusable)",
					"role", t.c.role, "provider", t.c.cfg.Provider, "model", t.c.cfg.Model, "field", cd.field)
			}
			return nil
		}
		if problem == nil {
			problem = err
		}
	}
	if problem == nil {
		problem = errors.New("the answer was empty")
	}
	t.charge(ctx, rf.Usage{FailedCalls: 1})
	return problem
}

// askRepair tells the model what was wrong with its last answer and asks
// again, once.
func (t *turn) askRepair(ctx context.Context, problem string) ([]candidate, error) {
	msg, err := t.c.repair.render("user", struct{ Problem string }{problem})
	if err != nil {
		return nil, err
	}
	t.msgs = append(t.msgs, chatMessage{Role: "user", Content: msg})
	return t.ask(ctx)
}

// readResponse joins the text of all choices and reads token usage from the
// generation info (openai and ollama: PromptTokens/CompletionTokens;
// anthropic: InputTokens/OutputTokens). Choices of one response share one
// usage, so it is read once.
func readResponse(resp *llms.ContentResponse) (text string, prompt, completion int) {
	if resp == nil {
		return "", 0, 0
	}
	var parts []string
	for _, ch := range resp.Choices {
		if ch == nil {
			continue
		}
		if ch.Content != "" {
			parts = append(parts, ch.Content)
		}
		if prompt == 0 && completion == 0 {
			prompt = intInfo(ch.GenerationInfo, "PromptTokens", "InputTokens")
			completion = intInfo(ch.GenerationInfo, "CompletionTokens", "OutputTokens")
		}
	}
	return strings.Join(parts, "\n"), prompt, completion
}

func intInfo(info map[string]any, keys ...string) int {
	for _, k := range keys {
		switch v := info[k].(type) {
		case int:
			if v != 0 {
				return v
			}
		case int32:
			if v != 0 {
				return int(v)
			}
		case int64:
			if v != 0 {
				return int(v)
			}
		case float64:
			if v != 0 {
				return int(v)
			}
		}
	}
	return 0
}

// estimateTokens guesses the prompt size (about four bytes a token).
func estimateTokens(msgs []chatMessage) int {
	n := 0
	for _, m := range msgs {
		n += 4 + estimateText(m.Content)
	}
	return n
}

func estimateText(s string) int { return (len(s) + 3) / 4 }

// throttle returns a chunk callback that calls beat at most once per every.
func throttle(beat func(), every time.Duration) func() {
	var mu sync.Mutex
	last := time.Now()
	return func() {
		mu.Lock()
		due := time.Since(last) >= every
		if due {
			last = time.Now()
		}
		mu.Unlock()
		if due {
			beat()
		}
	}
}
