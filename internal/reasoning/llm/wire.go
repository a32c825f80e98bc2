package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/researchflow/researchflow/internal/config"
)

// Why this package speaks the OpenAI chat-completions and Ollama /api/chat
// protocols itself instead of through langchaingo (v0.1.14), which it still
// uses for Anthropic: langchaingo always sends stream_options when it
// streams and cannot leave it out for a server that refuses it; it reads
// reasoning_content but not "reasoning" (vLLM ≥ 0.9, OpenRouter) nor
// Ollama's "thinking"; its Ollama client can send format "json" but not a
// JSON schema, and drops tool calls; and its errors hide the status code.
// Rewriting its requests and streamed responses in an http.RoundTripper
// would need more code than the two small clients in openai.go and
// ollama.go.

// chatMessage is one message of a conversation: role system, user or
// assistant.
type chatMessage struct {
	Role    string
	Content string
}

// chatRequest is one model call.
type chatRequest struct {
	Messages    []chatMessage
	MaxTokens   int
	Temperature float64
	// Schema is the JSON schema of the role's answer, requested as
	// structured output where the server offers it (nil: none).
	Schema *answerSchema
	// OnChunk, when set, asks for a streamed answer and is called for each
	// chunk that arrives.
	OnChunk func()
}

// chatResponse is what a server answered, field by field: servers put the
// answer in different places (see candidates).
type chatResponse struct {
	Content string
	// Reasoning is reasoning_content, reasoning or thinking; ReasoningField
	// names the field it came from.
	Reasoning      string
	ReasoningField string
	// ToolArgs are the arguments of the first tool call, when the server
	// answered with one.
	ToolArgs string
	// Prompt and Completion are the token counts the server reported; both
	// 0 when it reported none.
	Prompt, Completion int
}

// chatModel sends one model call. Errors of the server are *httpError.
type chatModel interface {
	chat(ctx context.Context, req chatRequest) (chatResponse, error)
}

// httpError is a reply with an error status; message is the server's.
type httpError struct {
	status  int
	message string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.status, e.message)
}

// readHTTPError reads the error message of a reply: OpenAI's
// {"error":{"message"}}, Ollama's {"error":"…"}, {"message"}, {"detail"}
// (FastAPI servers) or the body itself.
func readHTTPError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &v) == nil {
		var nested struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(v.Error, &nested) == nil && nested.Message != "":
			msg = nested.Message
		case json.Unmarshal(v.Error, &s) == nil && s != "":
			msg = s
		case v.Message != "":
			msg = v.Message
		case len(v.Detail) > 0:
			msg = string(v.Detail)
		}
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &httpError{status: resp.StatusCode, message: msg}
}

// postJSON sends body to url and returns the response when its status is
// 2xx, an *httpError otherwise.
func postJSON(ctx context.Context, hc *http.Client, url string, header http.Header, body any) (*http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, readHTTPError(resp)
	}
	return resp, nil
}

// Optional request fields a server may refuse; the request works without
// them (refusal names them in a 400 or 422 message).
const (
	fieldStreamOptions = "stream_options"
	fieldStream        = "stream"
	fieldTemperature   = "temperature"
	fieldJSONSchema    = "response_format:json_schema" // or Ollama's format schema
	fieldJSONObject    = "response_format:json_object" // or Ollama's format "json"
)

var (
	namesStreamOptions = regexp.MustCompile(`(?i)stream_options|include_usage`)
	namesStream        = regexp.MustCompile(`(?i)\bstream\b|streaming`)
	namesTemperature   = regexp.MustCompile(`(?i)\btemperature\b`)
	namesFormat        = regexp.MustCompile(`(?i)response_format|json_schema|json_object|\bformat\b|structured output|guided`)
)

// refusals remembers which optional request fields an endpoint refused, so
// that later calls leave them out at once. One per Engine (so, in a worker,
// one per process); safe for concurrent use.
type refusals struct {
	mu   sync.Mutex
	seen map[string]bool // endpoint + " " + field
}

func (r *refusals) has(endpoint, field string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[endpoint+" "+field]
}

func (r *refusals) add(endpoint, field string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[endpoint+" "+field] = true
}

// refusedField returns the optional field of sent that err (a 400 or 422)
// names, or "" when it names none of them: then the request is wrong in a
// way leaving out a field cannot fix. sent lists the optional fields the
// request carried.
func refusedField(err error, sent []string) string {
	he, ok := err.(*httpError)
	if !ok || (he.status != http.StatusBadRequest && he.status != http.StatusUnprocessableEntity) {
		return ""
	}
	for _, f := range sent {
		var re *regexp.Regexp
		switch f {
		case fieldStreamOptions:
			re = namesStreamOptions
		case fieldStream:
			// "stream_options" does not name "stream": \b fails before '_'.
			re = namesStream
		case fieldTemperature:
			re = namesTemperature
		case fieldJSONSchema, fieldJSONObject:
			re = namesFormat
		}
		if re != nil && re.MatchString(he.message) {
			return f
		}
	}
	return ""
}

// Structured-output settings (RoleConfig.StructuredOutput).
const (
	StructuredAuto       = config.StructuredAuto       // JSON schema, then JSON mode, then none, as the server accepts
	StructuredJSONSchema = config.StructuredJSONSchema // JSON schema, else none
	StructuredJSONObject = config.StructuredJSONObject // JSON mode, else none
	StructuredOff        = config.StructuredOff        // never ask for structured output
)

// formatLevels are the structured-output requests to try, best first.
func formatLevels(setting string) []string {
	switch setting {
	case StructuredOff:
		return nil
	case StructuredJSONSchema:
		return []string{fieldJSONSchema}
	case StructuredJSONObject:
		return []string{fieldJSONObject}
	}
	return []string{fieldJSONSchema, fieldJSONObject}
}

// maxFieldRetries bounds the requests of one call that leave out a refused
// field (one per optional field).
const maxFieldRetries = 5

// sendWithFallbacks calls send with the optional fields the endpoint has not
// refused; when the server refuses one by name it remembers that and sends
// again without it. Refused requests are not paid for.
func sendWithFallbacks(ctx context.Context, r *refusals, endpoint string, logf func(msg string, args ...any),
	send func(drop func(field string) bool, sent *[]string) (chatResponse, error)) (chatResponse, error) {
	for i := 0; ; i++ {
		var sent []string
		resp, err := send(func(f string) bool { return r.has(endpoint, f) }, &sent)
		if err == nil || i >= maxFieldRetries || ctx.Err() != nil {
			return resp, err
		}
		f := refusedField(err, sent)
		if f == "" {
			return resp, err
		}
		r.add(endpoint, f)
		logf("model server refuses an optional request field; sending without it from now on",
			"endpoint", endpoint, "field", f, "error", err.Error())
	}
}
