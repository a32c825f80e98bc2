package llm

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

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
	model     llms.Model
	prompt    *prompt
	repair    *prompt
	limiter   *Limiter
	prices    PriceTable
	logger    *slog.Logger
	beatEvery time.Duration
}

func newModel(cfg RoleConfig, hc *http.Client) (llms.Model, error) {
	switch cfg.Provider {
	case ProviderOpenAI:
		key := cfg.APIKey
		if key == "" {
			// langchaingo insists on a key; local servers ignore it.
			key = "none"
		}
		return openai.New(openai.WithToken(key), openai.WithModel(cfg.Model),
			openai.WithBaseURL(cfg.BaseURL), openai.WithHTTPClient(hc))
	case ProviderOllama:
		return ollama.New(ollama.WithModel(cfg.Model), ollama.WithServerURL(cfg.BaseURL), ollama.WithHTTPClient(hc))
	case ProviderAnthropic:
		return anthropic.New(anthropic.WithToken(cfg.APIKey), anthropic.WithModel(cfg.Model),
			anthropic.WithBaseURL(cfg.BaseURL), anthropic.WithHTTPClient(hc))
	}
	return nil, fmt.Errorf("provider %q has no model client", cfg.Provider)
}

// engineName is the Engine value of answers of this role, e.g.
// "llm planner=openai/gpt-4o-mini@planner-v1".
func (c *client) engineName() string {
	return fmt.Sprintf("llm %s=%s/%s@%s", c.role, c.cfg.Provider, c.cfg.Model, c.prompt.version)
}

// turn is one Plan, Analyze or Write call: its messages so far, the tokens it
// spent and what is left of its budget.
type turn struct {
	c         *client
	msgs      []llms.MessageContent
	usage     reasoning.Usage
	budget    int
	hasBudget bool
}

func (c *client) newTurn(ctx context.Context, data any) (*turn, error) {
	system, err := c.prompt.render("system", data)
	if err != nil {
		return nil, err
	}
	user, err := c.prompt.render("user", data)
	if err != nil {
		return nil, err
	}
	t := &turn{c: c, msgs: []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, system),
		llms.TextParts(llms.ChatMessageTypeHuman, user),
	}}
	t.budget, t.hasBudget = budgetFrom(ctx)
	return t, nil
}

// ask sends the conversation, appends the answer to it and returns the
// answer with reasoning blocks removed.
func (t *turn) ask(ctx context.Context) (string, error) {
	c := t.c
	est := estimateTokens(t.msgs)
	maxTokens := c.cfg.MaxTokens
	if t.hasBudget {
		left := t.budget - est
		if left < minCompletionTokens {
			return "", fault.Permanent(KindBudget, fmt.Errorf("%s: token budget spent: %d tokens left, prompt needs about %d", c.role, t.budget, est))
		}
		maxTokens = min(maxTokens, left)
	}
	if err := c.limiter.Wait(ctx, est); err != nil {
		return "", fmt.Errorf("%s: %w", c.role, err)
	}

	opts := []llms.CallOption{llms.WithMaxTokens(maxTokens), llms.WithTemperature(c.cfg.Temperature)}
	if c.cfg.Provider == ProviderOpenAI && !isOpenAIHost(c.cfg.BaseURL) {
		// Most OpenAI-compatible servers know max_tokens, not max_completion_tokens.
		opts = append(opts, openai.WithLegacyMaxTokensField())
	}
	if beat := heartbeatFrom(ctx); beat != nil {
		opts = append(opts, llms.WithStreamingFunc(throttle(beat, c.beatEvery)))
		beat()
	}

	x := &exchange{}
	start := time.Now()
	resp, err := c.model.GenerateContent(withExchange(ctx, x), t.msgs, opts...)
	if err := c.classify(ctx, x, err); err != nil {
		c.logger.Warn("llm call failed", "role", c.role, "provider", c.cfg.Provider, "model", c.cfg.Model, "error", err)
		return "", err
	}
	text, prompt, completion := readResponse(resp)
	if prompt == 0 && completion == 0 {
		prompt, completion = est, estimateText(text)
	}
	u := reasoning.Usage{
		PromptTokens:     prompt,
		CompletionTokens: completion,
		CostUSD:          c.prices.Cost(c.cfg.Provider, c.cfg.Model, prompt, completion),
	}
	t.usage = t.usage.Add(u)
	t.budget -= prompt + completion
	c.limiter.Charge(prompt + completion - est)
	c.logger.Debug("llm call", "role", c.role, "provider", c.cfg.Provider, "model", c.cfg.Model,
		"promptTokens", prompt, "completionTokens", completion, "elapsed", time.Since(start))

	clean := stripThinking(text)
	t.msgs = append(t.msgs, llms.TextParts(llms.ChatMessageTypeAI, clean))
	return clean, nil
}

// askRepair tells the model what was wrong with its last answer and asks
// again.
func (t *turn) askRepair(ctx context.Context, problem string) (string, error) {
	msg, err := t.c.repair.render("user", struct{ Problem string }{problem})
	if err != nil {
		return "", err
	}
	t.msgs = append(t.msgs, llms.TextParts(llms.ChatMessageTypeHuman, msg))
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
func estimateTokens(msgs []llms.MessageContent) int {
	n := 0
	for _, m := range msgs {
		n += 4
		for _, p := range m.Parts {
			if tp, ok := p.(llms.TextContent); ok {
				n += estimateText(tp.Text)
			}
		}
	}
	return n
}

func estimateText(s string) int { return (len(s) + 3) / 4 }

// throttle returns a streaming func that calls beat at most once per every.
func throttle(beat func(), every time.Duration) func(context.Context, []byte) error {
	var mu sync.Mutex
	last := time.Now()
	return func(context.Context, []byte) error {
		mu.Lock()
		due := time.Since(last) >= every
		if due {
			last = time.Now()
		}
		mu.Unlock()
		if due {
			beat()
		}
		return nil
	}
}
