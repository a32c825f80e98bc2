// Package llmtest is an in-process, scripted model server for tests of code
// that talks to chat models through package llm. It speaks the OpenAI
// chat-completions protocol (JSON, and SSE streaming with a final usage
// chunk), Ollama's /api/chat (JSON lines) and Anthropic's /v1/messages (JSON
// only), records every model request (a POST to one of those endpoints),
// and answers each one through a Handler.
//
// Two handlers are provided: Sequence answers with fixed replies in order
// (unit tests of one role), and Script answers by role, recognising the
// planner, analyst, reflector and writer from the JSON shape their system
// prompts ask for, and computes valid answers from the request by default
// (the analyst cites the first passage it was given, the reflector finds no
// gaps, the writer cites only the sources of its list), so that a whole
// research run produces a real, checkable report.
//
//	fake := llmtest.New(t, &llmtest.Script{
//		Fail: map[llmtest.Call]llmtest.Reply{{Role: llmtest.Analyst, N: 1}: llmtest.RateLimited(2)},
//	})
//	t.Setenv("OPENAI_BASE_URL", fake.OpenAIURL())
//
// This package must not import package llm: llm's own tests use it.
package llmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	rf "github.com/researchflow/researchflow"
)

// Roles a request is recognised as (the Engine role names of package llm).
const (
	Planner   = "planner"
	Analyst   = "analyst"
	Reflector = "reflector" // served by the planner's model
	Writer    = "writer"
	// Unknown is the role of a request whose system prompt is none of the
	// four.
	Unknown = ""
)

// Reply is one answer of the server.
type Reply struct {
	Status  int               // 0 means 200
	Header  map[string]string // extra response headers, e.g. Retry-After
	Content string            // the answer text, or the error message when Status >= 400
	// Prompt and Completion are the token counts reported in "usage"
	// (OpenAI), prompt_eval_count/eval_count (Ollama) or input/output tokens
	// (Anthropic).
	Prompt, Completion int
	// Chunks splits Content into this many streamed chunks when the request
	// streams (default 1); ChunkDelay pauses before each.
	Chunks     int
	ChunkDelay time.Duration

	// The fields below script how real servers deviate from the plain
	// answer (see Modes).

	// Field is where the answer goes: FieldContent (default),
	// FieldReasoningContent or FieldReasoning (OpenAI: content is null),
	// FieldThinking (Ollama: content is empty) or FieldToolCall (the
	// arguments of a tool call).
	Field string
	// FirstDelay pauses after the headers, before the first byte of the
	// answer (a slow first token).
	FirstDelay time.Duration
	// NoDone leaves out the final "data: [DONE]" of an OpenAI stream.
	NoDone bool
	// UsageInFinish sends usage in the chunk with finish_reason instead of a
	// chunk of its own after it.
	UsageInFinish bool
	// CutAfter, when > 0, drops the connection after that many chunks of a
	// streamed answer (after half the body of a whole one): no finish, no
	// usage. The server reported no tokens for it (see Server.Usage).
	CutAfter int
}

// Answer fields of Reply.Field.
const (
	FieldContent          = ""
	FieldReasoningContent = "reasoning_content" // DeepSeek, vLLM and SGLang reasoning parsers
	FieldReasoning        = "reasoning"         // vLLM ≥ 0.9, OpenRouter, Groq
	FieldThinking         = "thinking"          // Ollama ≥ 0.9 with think
	FieldToolCall         = "tool_call"
)

// OK reports whether r is a successful answer.
func (r Reply) OK() bool { return r.Status == 0 || r.Status < 400 }

// Error is an error reply with the provider's error body carrying message.
func Error(status int, message string) Reply {
	return Reply{Status: status, Content: message}
}

// RateLimited is a 429 reply asking the client to wait seconds.
func RateLimited(seconds int) Reply {
	return Reply{Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": strconv.Itoa(seconds)},
		Content: "Rate limit reached for requests"}
}

// Message is one chat message of a request.
type Message struct {
	Role    string // system, user, assistant
	Content string
}

// Request is one model request the server received.
type Request struct {
	Role string // Planner, Analyst, Writer or Unknown
	// N numbers the calls of one role from 1, in order of arrival (repair
	// calls included).
	N int
	// Repair is true for a call that asks the model to correct its previous
	// answer.
	Repair   bool
	Path     string
	Body     []byte // the raw request body
	Model    string
	Stream   bool
	Messages []Message
	Time     time.Time // when the request arrived
	// Reply is what the handler answered; zero while it is being handled.
	Reply Reply
	// Abandoned is true when the client went away before the answer was
	// written (a cancelled call): it received nothing.
	Abandoned bool
	// Completed is true when the whole answer was written and flushed to a
	// client that was still connected afterwards: from then on a provider
	// has billed the call, whatever becomes of the client.
	Completed bool
	// Ended is when the server was done with the request (answer written,
	// cut, abandoned or failed); zero while it is in flight.
	Ended time.Time
}

// Paid reports whether the request got a whole answer with its token
// counts: a successful reply, not cut and not abandoned.
func (r *Request) Paid() bool { return r.Reply.OK() && r.Reply.CutAfter == 0 && !r.Abandoned }

// Field reports whether the request body has the top-level field name.
func (r *Request) Field(name string) bool {
	var body map[string]json.RawMessage
	if json.Unmarshal(r.Body, &body) != nil {
		return false
	}
	_, ok := body[name]
	return ok
}

// Format is the structured output the request asked for: for OpenAI the
// response_format type ("json_schema", "json_object"); for Ollama "schema"
// when format is an object, "json" when it is "json"; "" when none.
func (r *Request) Format() string {
	var body struct {
		ResponseFormat struct {
			Type string `json:"type"`
		} `json:"response_format"`
		Format json.RawMessage `json:"format"`
	}
	if json.Unmarshal(r.Body, &body) != nil {
		return ""
	}
	f := bytes.TrimSpace(body.Format)
	switch {
	case body.ResponseFormat.Type != "":
		return body.ResponseFormat.Type
	case len(f) > 0 && f[0] == '{':
		return "schema"
	case string(f) == `"json"`:
		return "json"
	}
	return ""
}

// System returns the system prompt.
func (r *Request) System() string {
	for _, m := range r.Messages {
		if m.Role == "system" {
			return m.Content
		}
	}
	return ""
}

// User returns the first user message: the rendered prompt of the role,
// even in a repair call.
func (r *Request) User() string {
	for _, m := range r.Messages {
		if m.Role == "user" {
			return m.Content
		}
	}
	return ""
}

// Last returns the last message (in a repair call, the repair request).
func (r *Request) Last() string {
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[len(r.Messages)-1].Content
}

// Handler answers requests. Answer may block; ctx is done when the client
// goes away.
type Handler interface {
	Answer(ctx context.Context, r *Request) Reply
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, r *Request) Reply

// Answer calls f.
func (f HandlerFunc) Answer(ctx context.Context, r *Request) Reply { return f(ctx, r) }

// Sequence answers the i-th request with replies[i], whatever its role. A
// request beyond the last reply fails the test and gets a 500.
func Sequence(t testing.TB, replies ...Reply) Handler {
	var mu sync.Mutex
	next := 0
	return HandlerFunc(func(_ context.Context, r *Request) Reply {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(replies) {
			t.Errorf("llmtest: unexpected request %d (%s call %d) to %s", next+1, roleName(r.Role), r.N, r.Path)
			return Error(http.StatusInternalServerError, "script exhausted")
		}
		next++
		return replies[next-1]
	})
}

// Server is a running fake model server.
type Server struct {
	// URL is the server's base URL (http://127.0.0.1:port), the base URL of
	// Ollama; OpenAIURL adds the /v1 the OpenAI and Anthropic clients expect.
	URL string

	srv     *httptest.Server
	handler Handler
	settle  time.Duration // see StartSettling
	mu      sync.Mutex
	reqs    []*Request
	perRole map[string]int
}

// New starts a server answering through h; it is closed when the test ends.
func New(t testing.TB, h Handler) *Server {
	t.Helper()
	s := Start(h)
	t.Cleanup(s.srv.Close)
	return s
}

// Start starts a server answering through h on a loopback port, outside a
// test (the chaos suite's model server); the caller closes it.
func Start(h Handler) *Server {
	s := &Server{handler: h, perRole: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// StartSettling is Start for a server whose clients are killed mid-call
// (the chaos suite): an answer counts as received (Completed) only if its
// client is still connected settle after the last piece was flushed. A
// process killed while that piece was on its way leaves it in a socket
// that is gone a few milliseconds later; the write itself succeeded.
func StartSettling(h Handler, settle time.Duration) *Server {
	s := Start(h)
	s.settle = settle
	return s
}

// OpenAIURL is the base URL to give an OpenAI-compatible client
// (OPENAI_BASE_URL).
func (s *Server) OpenAIURL() string { return s.URL + "/v1" }

// Close stops the server; later requests fail to connect.
func (s *Server) Close() { s.srv.Close() }

// Requests returns copies of the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = *r
	}
	return out
}

// Calls returns the requests of one role, in order.
func (s *Server) Calls(role string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Role == role {
			out = append(out, r)
		}
	}
	return out
}

// Usage sums the token counts the server reported: those of the successful
// answers that reached their client whole (a cut answer reported none).
// What a caller that adds up "usage" should have counted.
func (s *Server) Usage() rf.Usage {
	var u rf.Usage
	for _, r := range s.Requests() {
		if r.Paid() {
			u.PromptTokens += r.Reply.Prompt
			u.CompletionTokens += r.Reply.Completion
		}
	}
	return u
}

func (s *Server) serve(w http.ResponseWriter, hr *http.Request) {
	if !modelRequest(hr) {
		// No call: neither recorded nor handed to the handler, so that it
		// is never counted as paid.
		http.Error(w, fmt.Sprintf("llmtest: no endpoint %s %s", hr.Method, hr.URL.Path), http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(hr.Body)
	req := &Request{Path: hr.URL.Path, Body: body, Time: time.Now()}
	decodeRequest(req)
	req.Role = roleOf(req.System())
	req.Repair = isRepair(req)
	s.mu.Lock()
	s.perRole[req.Role]++
	req.N = s.perRole[req.Role]
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()

	rp := s.handler.Answer(hr.Context(), snapshot(req))
	abandoned := hr.Context().Err() != nil
	s.mu.Lock()
	req.Reply, req.Abandoned = rp, abandoned
	s.mu.Unlock()
	completed := false
	defer func() {
		// Also when write aborts the connection (a scripted cut).
		s.mu.Lock()
		req.Completed, req.Ended = completed, time.Now()
		s.mu.Unlock()
	}()
	if abandoned {
		return
	}
	tw := &trackingWriter{ResponseWriter: w, ctx: hr.Context(), settle: s.settle}
	write(tw, req, rp)
	tw.answered()
	completed = rp.OK() && tw.whole
}

// modelRequest reports whether hr is a call of a model: a POST to the
// endpoint of one of the protocols the server speaks. Anything else reaching
// the port is not: a gRPC client whose server has gone reconnects to a port
// that this server now has, and net/http hands its HTTP/2 preface ("PRI *
// HTTP/2.0") to the handler.
func modelRequest(hr *http.Request) bool {
	if hr.Method != http.MethodPost {
		return false
	}
	p := hr.URL.Path
	return strings.HasSuffix(p, "/chat/completions") || strings.HasSuffix(p, "/api/chat") || strings.HasSuffix(p, "/messages")
}

// trackingWriter remembers the first error of a write or flush (a client
// that went away makes them fail) and whether the whole answer reached a
// connected client.
type trackingWriter struct {
	http.ResponseWriter
	ctx    context.Context
	err    error
	whole  bool
	settle time.Duration
	// unflushed: written since the last flush; connected: the client was
	// connected when the last flush began.
	unflushed, connected bool
}

// answered marks the answer whole if everything written so far was flushed
// to a client still connected. A stream calls it before its terminator
// ("data: [DONE]"): a client may close the connection as soon as it has
// read the terminator, and it has paid for the answer by then.
func (w *trackingWriter) answered() {
	if w.whole {
		return
	}
	if w.unflushed {
		w.Flush()
	}
	if w.settle == 0 {
		// The client was there when the last piece went out: one that
		// reads it and hangs up at once has it, whether its going is
		// seen before or after the flush returns (scheduling on a loaded
		// machine).
		w.whole = w.connected && w.err == nil
		return
	}
	if w.err == nil {
		// A client that was killed with the answer in its socket closes
		// the connection, which cancels ctx.
		select {
		case <-w.ctx.Done():
		case <-time.After(w.settle):
		}
	}
	w.whole = w.err == nil && w.ctx.Err() == nil
}

// answered marks the answer written so far as whole (see trackingWriter).
func answered(w http.ResponseWriter) {
	if a, ok := w.(interface{ answered() }); ok {
		a.answered()
	}
}

func (w *trackingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.unflushed = true
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// Flush flushes the response to the connection, remembering an error.
func (w *trackingWriter) Flush() {
	w.connected, w.unflushed = w.ctx.Err() == nil, false
	if err := http.NewResponseController(w.ResponseWriter).Flush(); err != nil && w.err == nil {
		w.err = err
	}
}

// snapshot gives the handler its own copy, so that it may keep it.
func snapshot(r *Request) *Request {
	c := *r
	c.Messages = append([]Message(nil), r.Messages...)
	return &c
}

func write(w http.ResponseWriter, req *Request, rp Reply) {
	for k, v := range rp.Header {
		w.Header().Set(k, v)
	}
	switch {
	case !rp.OK():
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.Status)
		switch {
		case strings.HasSuffix(req.Path, "/api/chat"):
			writeJSON(w, map[string]any{"error": rp.Content})
		case strings.HasSuffix(req.Path, "/messages"):
			writeJSON(w, map[string]any{"type": "error", "error": map[string]any{"type": "error", "message": rp.Content}})
		default:
			writeJSON(w, map[string]any{"error": map[string]any{"message": rp.Content, "type": "error"}})
		}
	case strings.HasSuffix(req.Path, "/chat/completions"):
		writeOpenAI(w, rp, req.Model, req.Stream)
	case strings.HasSuffix(req.Path, "/api/chat"):
		writeOllama(w, rp, req.Model, req.Stream)
	case strings.HasSuffix(req.Path, "/messages"):
		w.Header().Set("Content-Type", "application/json")
		writeJSON(w, map[string]any{
			"id": "msg_1", "type": "message", "role": "assistant", "model": req.Model,
			"content":     []any{map[string]any{"type": "text", "text": rp.Content}},
			"stop_reason": "end_turn",
			"usage":       map[string]any{"input_tokens": rp.Prompt, "output_tokens": rp.Completion},
		})
	default:
		http.Error(w, fmt.Sprintf("llmtest: no endpoint %s", req.Path), http.StatusNotFound)
	}
}

func writeOpenAI(w http.ResponseWriter, rp Reply, model string, stream bool) {
	usage := map[string]any{"prompt_tokens": rp.Prompt, "completion_tokens": rp.Completion, "total_tokens": rp.Prompt + rp.Completion}
	// message puts text where rp.Field says.
	message := func(text string, delta bool) map[string]any {
		m := map[string]any{"role": "assistant", "content": nil}
		switch rp.Field {
		case FieldContent:
			m["content"] = text
		case FieldToolCall:
			tc := map[string]any{"index": 0, "function": map[string]any{"arguments": text}}
			if !delta || text == "" {
				tc["id"], tc["type"] = "call_1", "function"
				tc["function"].(map[string]any)["name"] = "answer"
			}
			m["tool_calls"] = []any{tc}
		default:
			m[rp.Field] = text
		}
		return m
	}
	if !stream {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		flush(w)
		time.Sleep(rp.FirstDelay)
		finish := "stop"
		if rp.Field == FieldToolCall {
			finish = "tool_calls"
		}
		body := mustJSON(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "model": model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": finish, "message": message(rp.Content, false)}},
			"usage":   usage,
		})
		if rp.CutAfter > 0 {
			_, _ = w.Write(body[:len(body)/2])
			flush(w)
			panic(http.ErrAbortHandler)
		}
		_, _ = w.Write(body)
		answered(w)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	flush(w)
	time.Sleep(rp.FirstDelay)
	event := func(v map[string]any) {
		v["id"], v["object"], v["model"] = "chatcmpl-1", "chat.completion.chunk", model
		fmt.Fprintf(w, "data: %s\n\n", mustJSON(v))
		flush(w)
	}
	if rp.Field == FieldToolCall {
		event(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": message("", true)}}})
	}
	for i, part := range split(rp.Content, rp.Chunks) {
		if rp.CutAfter > 0 && i == rp.CutAfter {
			panic(http.ErrAbortHandler)
		}
		time.Sleep(rp.ChunkDelay)
		event(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": message(part, true)}}})
	}
	if rp.CutAfter > 0 {
		panic(http.ErrAbortHandler)
	}
	finish := map[string]any{"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}}}
	if rp.UsageInFinish {
		finish["usage"] = usage
	}
	event(finish)
	if !rp.UsageInFinish {
		event(map[string]any{"choices": []any{}, "usage": usage})
	}
	answered(w)
	if !rp.NoDone {
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
}

func writeOllama(w http.ResponseWriter, rp Reply, model string, stream bool) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	flush(w)
	time.Sleep(rp.FirstDelay)
	message := func(text string) map[string]any {
		m := map[string]any{"role": "assistant", "content": ""}
		switch rp.Field {
		case FieldContent:
			m["content"] = text
		case FieldToolCall:
			var args any = text // Ollama sends arguments as an object
			var obj map[string]any
			if json.Unmarshal([]byte(text), &obj) == nil {
				args = obj
			}
			m["tool_calls"] = []any{map[string]any{"function": map[string]any{"name": "answer", "arguments": args}}}
		default:
			m[rp.Field] = text
		}
		return m
	}
	final := map[string]any{"model": model, "done": true, "done_reason": "stop", "prompt_eval_count": rp.Prompt, "eval_count": rp.Completion,
		"message": map[string]any{"role": "assistant", "content": ""}}
	if !stream {
		final["message"] = message(rp.Content)
		body := mustJSON(final)
		if rp.CutAfter > 0 {
			_, _ = w.Write(body[:len(body)/2])
			flush(w)
			panic(http.ErrAbortHandler)
		}
		fmt.Fprintf(w, "%s\n", body)
		return
	}
	parts := split(rp.Content, rp.Chunks)
	if rp.Field == FieldToolCall {
		parts = []string{rp.Content} // Ollama sends a tool call whole
	}
	for i, part := range parts {
		if rp.CutAfter > 0 && i == rp.CutAfter {
			panic(http.ErrAbortHandler)
		}
		time.Sleep(rp.ChunkDelay)
		fmt.Fprintf(w, "%s\n", mustJSON(map[string]any{"model": model, "done": false, "message": message(part)}))
		flush(w)
	}
	if rp.CutAfter > 0 {
		panic(http.ErrAbortHandler)
	}
	fmt.Fprintf(w, "%s\n", mustJSON(final))
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// decodeRequest fills the model, stream flag and messages of the three
// protocols' request bodies. Content may be a string or a list of parts.
func decodeRequest(r *Request) {
	var body struct {
		Model    string          `json:"model"`
		Stream   bool            `json:"stream"`
		System   json.RawMessage `json:"system"` // Anthropic
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return
	}
	r.Model, r.Stream = body.Model, body.Stream
	if sys := text(body.System); sys != "" {
		r.Messages = append(r.Messages, Message{Role: "system", Content: sys})
	}
	for _, m := range body.Messages {
		role := m.Role
		if role == "human" {
			role = "user"
		}
		r.Messages = append(r.Messages, Message{Role: role, Content: text(m.Content)})
	}
}

// text reads a string, or joins the "text" of a list of content parts.
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return ""
	}
	var out []string
	for _, p := range parts {
		out = append(out, p.Text)
	}
	return strings.Join(out, "\n")
}

// roleOf recognises a role by the JSON shape its system prompt asks for
// (prompts/*-v1.tmpl in package llm).
func roleOf(system string) string {
	switch {
	case strings.Contains(system, `{"subQuestions":`):
		return Planner
	case strings.Contains(system, `{"findings":`):
		return Analyst
	case strings.Contains(system, `{"followUps":`):
		return Reflector
	case strings.Contains(system, `{"title":`) && strings.Contains(system, `"sections":`):
		return Writer
	}
	return Unknown
}

// isRepair reports whether the request answers a previous model answer with
// a correction request (prompts/repair-v1.tmpl).
func isRepair(r *Request) bool {
	n := len(r.Messages)
	return n >= 2 && r.Messages[n-1].Role == "user" && r.Messages[n-2].Role == "assistant" &&
		strings.Contains(r.Messages[n-1].Content, "could not be used")
}

func roleName(role string) string {
	if role == Unknown {
		return "unrecognised"
	}
	return role
}

// split cuts s into about n parts on rune boundaries (a part must stay
// valid UTF-8 to survive JSON encoding).
func split(s string, n int) []string {
	if n <= 1 || len(s) < n {
		return []string{s}
	}
	size := (len(s) + n - 1) / n
	var out []string
	for len(s) > size {
		cut := size
		for cut < len(s) && !utf8.RuneStart(s[cut]) {
			cut++
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s == "" {
		return out
	}
	return append(out, s)
}

func writeJSON(w io.Writer, v any) { _, _ = w.Write(mustJSON(v)) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("llmtest: encode %T: %v", v, err))
	}
	return b
}
