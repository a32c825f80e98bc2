package llm

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ollamaChat speaks Ollama's POST {base}/api/chat: JSON lines when
// streaming, one JSON object otherwise. It reads the answer from content,
// thinking (reasoning models) and tool-call arguments, and asks for the
// role's JSON schema in "format" (Ollama ≥ 0.5; "json" or nothing when the
// server refuses it).
type ollamaChat struct {
	hc         *http.Client
	cfg        RoleConfig
	refused    *refusals
	logf       func(msg string, args ...any)
	structured []string
}

func newOllamaChat(cfg RoleConfig, hc *http.Client, r *refusals, logf func(string, ...any)) *ollamaChat {
	return &ollamaChat{hc: hc, cfg: cfg, refused: r, logf: logf, structured: formatLevels(cfg.StructuredOutput)}
}

type ollamaLine struct {
	Message struct {
		Content   string           `json:"content"`
		Thinking  string           `json:"thinking"`
		ToolCalls []openaiToolCall `json:"tool_calls"`
	} `json:"message"`
	Done            bool   `json:"done"`
	PromptEvalCount int    `json:"prompt_eval_count"`
	EvalCount       int    `json:"eval_count"`
	Error           string `json:"error"`
}

func (o *ollamaChat) chat(ctx context.Context, req chatRequest) (chatResponse, error) {
	endpoint := strings.TrimRight(o.cfg.BaseURL, "/") + "/api/chat"
	return sendWithFallbacks(ctx, o.refused, endpoint, o.logf, func(refused func(string) bool, sent *[]string) (chatResponse, error) {
		msgs := make([]map[string]string, len(req.Messages))
		for i, m := range req.Messages {
			msgs[i] = map[string]string{"role": m.Role, "content": m.Content}
		}
		stream := req.OnChunk != nil && !o.cfg.NoStream && !refused(fieldStream)
		body := map[string]any{
			"model": o.cfg.Model, "messages": msgs, "stream": stream,
			"options": map[string]any{"temperature": req.Temperature, "num_predict": req.MaxTokens},
		}
		if stream {
			*sent = append(*sent, fieldStream)
		}
		if req.Schema != nil {
			for _, level := range o.structured {
				if refused(level) {
					continue
				}
				if level == fieldJSONSchema {
					body["format"] = req.Schema.Schema
				} else {
					body["format"] = "json"
				}
				*sent = append(*sent, level)
				break
			}
		}
		resp, err := postJSON(ctx, o.hc, endpoint, nil, body)
		if err != nil {
			return chatResponse{}, err
		}
		defer resp.Body.Close()
		return readOllama(resp.Body, req.OnChunk)
	})
}

// readOllama reads one JSON object or JSON lines up to the one with
// "done": true; a body that ends before it was cut short.
func readOllama(r io.Reader, onChunk func()) (chatResponse, error) {
	var out chatResponse
	var content, thinking, args strings.Builder
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			var l ollamaLine
			if jerr := json.Unmarshal(line, &l); jerr != nil {
				return out, fmt.Errorf("read answer line: %w", jerr)
			}
			if l.Error != "" {
				return out, fmt.Errorf("server error in the answer: %s", l.Error)
			}
			content.WriteString(l.Message.Content)
			thinking.WriteString(l.Message.Thinking)
			if len(l.Message.ToolCalls) > 0 && args.Len() == 0 {
				args.WriteString(argsText(l.Message.ToolCalls[0].Function.Arguments))
			}
			if onChunk != nil {
				onChunk()
			}
			if l.Done {
				out.Content, out.Reasoning, out.ToolArgs = content.String(), thinking.String(), args.String()
				if out.Reasoning != "" {
					out.ReasoningField = "thinking"
				}
				out.Prompt, out.Completion = l.PromptEvalCount, l.EvalCount
				return out, nil
			}
		}
		if errors.Is(err, io.EOF) {
			return out, fmt.Errorf("answer ended before \"done\" after %d bytes: cut short", content.Len()+thinking.Len())
		}
		if err != nil {
			return out, fmt.Errorf("answer cut after %d bytes: %w", content.Len()+thinking.Len(), err)
		}
	}
}
