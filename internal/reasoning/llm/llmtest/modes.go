package llmtest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Protocols a Mode applies to.
const (
	OpenAI = "openai" // chat completions
	Ollama = "ollama" // /api/chat
)

// Mode is a behaviour of real model servers, scripted: Wrap turns the
// answers of a handler into that server's. Every mode leaves the answers'
// meaning alone, so a client that copes with the behaviour gets the same
// report as from a plain server.
type Mode struct {
	Name string
	// Seen says which servers are publicly reported to behave so.
	Seen string
	// Protocols lists the protocols the behaviour exists in (OpenAI,
	// Ollama).
	Protocols []string
	Wrap      func(Handler) Handler
	// Extra is how many requests beyond one per role invocation a client
	// that copes needs over a whole run (refused or failed requests, never
	// paid ones), given the number of distinct roles called.
	Extra func(roles int) int
}

// For reports whether m applies to protocol.
func (m Mode) For(protocol string) bool {
	for _, p := range m.Protocols {
		if p == protocol {
			return true
		}
	}
	return false
}

func none(int) int { return 0 }

// Modes are the server behaviours a client must cope with: where the answer
// is, how it is wrapped, how the stream ends, which optional request fields
// are refused, and transient failures.
var Modes = []Mode{
	{Name: "plain", Seen: "OpenAI, vLLM, llama.cpp, LM Studio, Ollama", Protocols: []string{OpenAI, Ollama},
		Wrap: func(h Handler) Handler { return h }, Extra: none},
	{Name: "reasoning_content, content null", Seen: "vLLM/SGLang with a reasoning parser and thinking off, DeepSeek",
		Protocols: []string{OpenAI}, Wrap: InField(FieldReasoningContent), Extra: none},
	{Name: "reasoning, content null", Seen: "vLLM ≥ 0.9, OpenRouter, Groq",
		Protocols: []string{OpenAI}, Wrap: InField(FieldReasoning), Extra: none},
	{Name: "thinking, content empty", Seen: "Ollama ≥ 0.9 with think on",
		Protocols: []string{Ollama}, Wrap: InField(FieldThinking), Extra: none},
	{Name: "tool call arguments", Seen: "gateways and servers that answer structured output with a tool call",
		Protocols: []string{OpenAI, Ollama}, Wrap: InField(FieldToolCall), Extra: none},
	{Name: "preamble with a brace, fenced JSON", Seen: "instruction-tuned models without structured output",
		Protocols: []string{OpenAI, Ollama}, Wrap: Preamble, Extra: none},
	{Name: "think block before JSON", Seen: "Qwen3, DeepSeek-R1 distills without a reasoning parser",
		Protocols: []string{OpenAI, Ollama}, Wrap: ThinkFirst, Extra: none},
	{Name: "stream_options refused", Seen: "Azure OpenAI (older API versions), some gateways",
		Protocols: []string{OpenAI},
		Wrap:      Refuse("Unrecognized request argument supplied: %s", "stream_options"),
		Extra:     func(int) int { return 1 }},
	{Name: "response_format refused", Seen: "servers without structured output",
		Protocols: []string{OpenAI},
		Wrap:      Refuse("Invalid request: unknown field %s", "response_format"),
		Extra:     func(int) int { return 2 }}, // json_schema, then json_object
	{Name: "format schema refused", Seen: "Ollama < 0.5 (format is a string)",
		Protocols: []string{Ollama},
		Wrap:      RefuseSchemaFormat,
		Extra:     func(int) int { return 1 }},
	{Name: "no [DONE]", Seen: "some llama.cpp and proxy versions",
		Protocols: []string{OpenAI}, Wrap: Streamed(func(r *Reply) { r.NoDone = true }), Extra: none},
	{Name: "usage in the finish chunk", Seen: "vLLM, Together",
		Protocols: []string{OpenAI}, Wrap: Streamed(func(r *Reply) { r.UsageInFinish = true }), Extra: none},
	{Name: "slow first token", Seen: "any server loading a model or under load",
		Protocols: []string{OpenAI, Ollama}, Wrap: Streamed(func(r *Reply) { r.FirstDelay = 100 * time.Millisecond }), Extra: none},
	{Name: "stream cut on each role's first call", Seen: "proxies with idle timeouts, servers restarting",
		Protocols: []string{OpenAI, Ollama}, Wrap: FirstCall(func(r *Reply) { r.CutAfter = 1 }),
		Extra: func(roles int) int { return roles }},
	{Name: "429 with Retry-After on each role's first call", Seen: "OpenAI, gateways with rate limits",
		Protocols: []string{OpenAI, Ollama}, Wrap: FirstCall(func(r *Reply) { *r = RateLimited(1) }),
		Extra: func(roles int) int { return roles }},
}

// InField returns a wrapper that puts successful answers in field.
func InField(field string) func(Handler) Handler {
	return func(h Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) Reply {
			rp := h.Answer(ctx, r)
			if rp.OK() {
				rp.Field = field
				rp.Chunks = max(rp.Chunks, 3)
			}
			return rp
		})
	}
}

// PreambleText comes before the answer in Preamble: a brace that is not
// JSON, then the answer in a fenced block.
const PreambleText = "Sure. The reply uses the {json} shape below:\n\n```json\n"

// Preamble wraps successful answers in prose with a brace and a fenced
// block.
func Preamble(h Handler) Handler {
	return HandlerFunc(func(ctx context.Context, r *Request) Reply {
		rp := h.Answer(ctx, r)
		if rp.OK() {
			rp.Content = PreambleText + rp.Content + "\n```\n\nLet me know if you want {more} detail."
		}
		return rp
	})
}

// ThinkFirst puts a reasoning block with braces and brackets before each
// successful answer.
func ThinkFirst(h Handler) Handler {
	return HandlerFunc(func(ctx context.Context, r *Request) Reply {
		rp := h.Answer(ctx, r)
		if rp.OK() {
			rp.Content = "<think>The shape is {\"x\": [1]} maybe; P1 [7] looks relevant.</think>\n" + rp.Content
		}
		return rp
	})
}

// Refuse returns a wrapper that answers a request carrying any of fields
// with HTTP 400 and message (a format with one %s for the field).
func Refuse(message string, fields ...string) func(Handler) Handler {
	return func(h Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) Reply {
			for _, f := range fields {
				if r.Field(f) {
					return Error(http.StatusBadRequest, fmt.Sprintf(message, f))
				}
			}
			return h.Answer(ctx, r)
		})
	}
}

// RefuseSchemaFormat answers an Ollama request whose "format" is an object
// (a JSON schema) with the 400 of Ollama < 0.5.
func RefuseSchemaFormat(h Handler) Handler {
	return HandlerFunc(func(ctx context.Context, r *Request) Reply {
		if r.Format() == "schema" {
			return Error(http.StatusBadRequest, "json: cannot unmarshal object into Go struct field ChatRequest.format of type string")
		}
		return h.Answer(ctx, r)
	})
}

// Streamed returns a wrapper that applies f to successful answers, split in
// a few chunks.
func Streamed(f func(*Reply)) func(Handler) Handler {
	return func(h Handler) Handler {
		return HandlerFunc(func(ctx context.Context, r *Request) Reply {
			rp := h.Answer(ctx, r)
			if rp.OK() {
				rp.Chunks = max(rp.Chunks, 4)
				f(&rp)
			}
			return rp
		})
	}
}

// FirstCall returns a wrapper that applies f to the answer of the first
// call of each role that the wrapped handler serves.
func FirstCall(f func(*Reply)) func(Handler) Handler {
	return func(h Handler) Handler {
		var mu sync.Mutex
		seen := map[string]bool{}
		return HandlerFunc(func(ctx context.Context, r *Request) Reply {
			rp := h.Answer(ctx, r)
			rp.Chunks = max(rp.Chunks, 4)
			mu.Lock()
			first := !seen[r.Role]
			seen[r.Role] = true
			mu.Unlock()
			if first {
				f(&rp)
			}
			return rp
		})
	}
}

// Unusable answers every request with text no role can use, reporting
// prompt and completion tokens.
func Unusable(prompt, completion int) Handler {
	return Always(Reply{Content: "I'm sorry, I can't help with that request.", Prompt: prompt, Completion: completion})
}
