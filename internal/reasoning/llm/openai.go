package llm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// openaiChat speaks the OpenAI chat-completions protocol
// (POST {base}/chat/completions) as OpenAI, vLLM, llama.cpp server, LM
// Studio, SGLang and gateways serve it. It reads the answer from content,
// reasoning_content or reasoning, and tool-call arguments, streamed or not;
// it asks for structured output and leaves out optional fields the server
// refuses (see sendWithFallbacks).
type openaiChat struct {
	hc         *http.Client
	cfg        RoleConfig
	refused    *refusals
	logf       func(msg string, args ...any)
	legacyMax  bool // max_tokens instead of max_completion_tokens
	structured []string
}

func newOpenAIChat(cfg RoleConfig, hc *http.Client, r *refusals, logf func(string, ...any)) *openaiChat {
	return &openaiChat{
		hc: hc, cfg: cfg, refused: r, logf: logf,
		// Most OpenAI-compatible servers know max_tokens, not
		// max_completion_tokens; OpenAI's reasoning models need the latter.
		legacyMax:  !isOpenAIHost(cfg.BaseURL),
		structured: formatLevels(cfg.StructuredOutput),
	}
}

func (o *openaiChat) chat(ctx context.Context, req chatRequest) (chatResponse, error) {
	endpoint := strings.TrimRight(o.cfg.BaseURL, "/") + "/chat/completions"
	header := http.Header{}
	if o.cfg.APIKey != "" {
		header.Set("Authorization", "Bearer "+o.cfg.APIKey)
	}
	return sendWithFallbacks(ctx, o.refused, endpoint, o.logf, func(refused func(string) bool, sent *[]string) (chatResponse, error) {
		msgs := make([]map[string]string, len(req.Messages))
		for i, m := range req.Messages {
			msgs[i] = map[string]string{"role": m.Role, "content": m.Content}
		}
		body := map[string]any{"model": o.cfg.Model, "messages": msgs}
		if o.legacyMax {
			body["max_tokens"] = req.MaxTokens
		} else {
			body["max_completion_tokens"] = req.MaxTokens
		}
		if !refused(fieldTemperature) {
			body["temperature"] = req.Temperature
			*sent = append(*sent, fieldTemperature)
		}
		stream := req.OnChunk != nil && !o.cfg.NoStream && !refused(fieldStream)
		if stream {
			body["stream"] = true
			*sent = append(*sent, fieldStream)
			if !refused(fieldStreamOptions) {
				body["stream_options"] = map[string]any{"include_usage": true}
				*sent = append(*sent, fieldStreamOptions)
			}
		}
		if req.Schema != nil {
			for _, level := range o.structured {
				if refused(level) {
					continue
				}
				if level == fieldJSONSchema {
					body["response_format"] = map[string]any{"type": "json_schema",
						"json_schema": map[string]any{"name": req.Schema.Name, "schema": req.Schema.Schema}}
				} else {
					body["response_format"] = map[string]any{"type": "json_object"}
				}
				*sent = append(*sent, level)
				break
			}
		}
		resp, err := postJSON(ctx, o.hc, endpoint, header, body)
		if err != nil {
			return chatResponse{}, err
		}
		defer resp.Body.Close()
		if stream && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			return readOpenAIStream(resp.Body, req.OnChunk)
		}
		return readOpenAIBody(resp.Body)
	})
}

// openaiUsage is the "usage" object.
type openaiUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

type openaiToolCall struct {
	Index    *int `json:"index"`
	Function struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

// openaiMessage is a choice's message or a streamed delta.
type openaiMessage struct {
	Content          json.RawMessage  `json:"content"`
	ReasoningContent *string          `json:"reasoning_content"`
	Reasoning        *string          `json:"reasoning"`
	ToolCalls        []openaiToolCall `json:"tool_calls"`
	FunctionCall     *struct {
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function_call"`
}

// errorObject is an error some servers send with status 200.
type errorObject struct {
	Message string `json:"message"`
}

func readOpenAIBody(r io.Reader) (chatResponse, error) {
	var v struct {
		Choices []struct {
			Message openaiMessage `json:"message"`
		} `json:"choices"`
		Usage *openaiUsage `json:"usage"`
		Error *errorObject `json:"error"`
	}
	if err := json.NewDecoder(r).Decode(&v); err != nil {
		return chatResponse{}, fmt.Errorf("read answer: %w", err)
	}
	if v.Error != nil {
		return chatResponse{}, fmt.Errorf("server error in the answer: %s", v.Error.Message)
	}
	var out chatResponse
	if v.Usage != nil {
		out.Prompt, out.Completion = v.Usage.PromptTokens, v.Usage.CompletionTokens
	}
	if len(v.Choices) == 0 {
		return out, errors.New("the answer has no choices")
	}
	m := v.Choices[0].Message
	out.Content = contentText(m.Content)
	switch {
	case m.ReasoningContent != nil && *m.ReasoningContent != "":
		out.Reasoning, out.ReasoningField = *m.ReasoningContent, "reasoning_content"
	case m.Reasoning != nil && *m.Reasoning != "":
		out.Reasoning, out.ReasoningField = *m.Reasoning, "reasoning"
	}
	if len(m.ToolCalls) > 0 {
		out.ToolArgs = argsText(m.ToolCalls[0].Function.Arguments)
	} else if m.FunctionCall != nil {
		out.ToolArgs = argsText(m.FunctionCall.Arguments)
	}
	return out, nil
}

// readOpenAIStream reads server-sent events until [DONE] or the end of the
// body. A stream that ends before a finish_reason or usage arrived was cut:
// its partial answer is an error.
func readOpenAIStream(r io.Reader, onChunk func()) (chatResponse, error) {
	var out chatResponse
	var content, reasoning, args strings.Builder
	finished := false
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			data, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("data:"))
			data = bytes.TrimSpace(data)
			switch {
			case !ok || len(data) == 0:
			case string(data) == "[DONE]":
				// Done: do not wait for a server that keeps the connection open.
				out.Content, out.Reasoning, out.ToolArgs = content.String(), reasoning.String(), args.String()
				return out, nil
			default:
				var ev struct {
					Choices []struct {
						Delta        openaiMessage `json:"delta"`
						FinishReason *string       `json:"finish_reason"`
					} `json:"choices"`
					Usage *openaiUsage `json:"usage"`
					Error *errorObject `json:"error"`
				}
				if json.Unmarshal(data, &ev) != nil {
					continue // not JSON: a keep-alive or a comment some servers send
				}
				if ev.Error != nil {
					return out, fmt.Errorf("server error in the stream: %s", ev.Error.Message)
				}
				if ev.Usage != nil && (ev.Usage.PromptTokens > 0 || ev.Usage.CompletionTokens > 0) {
					// Some servers repeat a running count in every chunk: the last one holds.
					out.Prompt, out.Completion = ev.Usage.PromptTokens, ev.Usage.CompletionTokens
				}
				for _, ch := range ev.Choices {
					d := ch.Delta
					content.WriteString(contentText(d.Content))
					if d.ReasoningContent != nil && *d.ReasoningContent != "" {
						reasoning.WriteString(*d.ReasoningContent)
						out.ReasoningField = "reasoning_content"
					} else if d.Reasoning != nil && *d.Reasoning != "" {
						reasoning.WriteString(*d.Reasoning)
						out.ReasoningField = "reasoning"
					}
					for _, tc := range d.ToolCalls {
						if tc.Index == nil || *tc.Index == 0 {
							args.WriteString(argsText(tc.Function.Arguments))
						}
					}
					if d.FunctionCall != nil {
						args.WriteString(argsText(d.FunctionCall.Arguments))
					}
					if ch.FinishReason != nil && *ch.FinishReason != "" {
						finished = true
					}
				}
				if onChunk != nil {
					onChunk()
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("stream cut after %d bytes of answer: %w", content.Len()+reasoning.Len()+args.Len(), err)
		}
	}
	out.Content, out.Reasoning, out.ToolArgs = content.String(), reasoning.String(), args.String()
	if !finished && out.Prompt == 0 && out.Completion == 0 {
		return out, fmt.Errorf("stream ended without a finish reason, usage or [DONE] after %d bytes of answer: cut short",
			content.Len()+reasoning.Len()+args.Len())
	}
	return out, nil
}

// contentText reads content given as a string, null, or a list of parts
// with "text".
func contentText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// argsText reads tool-call arguments given as a JSON string (OpenAI) or as
// an object (Ollama, some gateways).
func argsText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
