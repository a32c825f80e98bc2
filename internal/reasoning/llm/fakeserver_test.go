package llm

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// reply is one scripted answer of the fake model server.
type reply struct {
	status     int               // 0 = 200
	header     map[string]string // extra response headers
	content    string            // the answer text, or the error message when status >= 400
	prompt     int               // reported prompt (input) tokens
	completion int               // reported completion (output) tokens
	chunks     int               // when the request streams: split content into this many chunks (default 1)
	chunkDelay time.Duration     // pause before each streamed chunk
}

// fakeServer speaks the OpenAI chat-completions protocol (JSON and SSE with
// usage), Ollama's /api/chat (JSON lines) and Anthropic's /v1/messages, and
// answers each request with the next reply of its script.
type fakeServer struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	script []reply
	bodies []string // raw request bodies, in order
	paths  []string
}

func newFakeServer(t *testing.T, script ...reply) *fakeServer {
	t.Helper()
	f := &fakeServer{t: t, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) URL() string { return f.srv.URL }

// requests returns the raw bodies received so far.
func (f *fakeServer) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

// path returns the URL path of the i-th request.
func (f *fakeServer) path(i int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paths[i]
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(body))
	f.paths = append(f.paths, r.URL.Path)
	if len(f.script) == 0 {
		f.mu.Unlock()
		f.t.Errorf("fake server: unexpected request %d to %s", len(f.bodies), r.URL.Path)
		http.Error(w, `{"error":{"message":"script exhausted"}}`, http.StatusInternalServerError)
		return
	}
	rp := f.script[0]
	f.script = f.script[1:]
	f.mu.Unlock()

	var req struct {
		Model  string `json:"model"`
		Stream bool   `json:"stream"`
	}
	_ = json.Unmarshal(body, &req)
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	if rp.status >= 400 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.status)
		if strings.HasSuffix(r.URL.Path, "/api/chat") {
			writeJSON(w, map[string]any{"error": rp.content})
		} else {
			writeJSON(w, map[string]any{"error": map[string]any{"message": rp.content, "type": "error"}})
		}
		return
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		f.openAI(w, rp, req.Model, req.Stream)
	case strings.HasSuffix(r.URL.Path, "/api/chat"):
		f.ollama(w, rp, req.Model, req.Stream)
	case strings.HasSuffix(r.URL.Path, "/messages"):
		writeJSON(w, map[string]any{
			"id": "msg_1", "type": "message", "role": "assistant", "model": req.Model,
			"content":     []any{map[string]any{"type": "text", "text": rp.content}},
			"stop_reason": "end_turn",
			"usage":       map[string]any{"input_tokens": rp.prompt, "output_tokens": rp.completion},
		})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeServer) openAI(w http.ResponseWriter, rp reply, model string, stream bool) {
	usage := map[string]any{"prompt_tokens": rp.prompt, "completion_tokens": rp.completion, "total_tokens": rp.prompt + rp.completion}
	if !stream {
		w.Header().Set("Content-Type", "application/json")
		writeJSON(w, map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "model": model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": rp.content}}},
			"usage": usage,
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for _, part := range split(rp.content, rp.chunks) {
		time.Sleep(rp.chunkDelay)
		fmt.Fprintf(w, "data: %s\n\n", mustJSON(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": part}}}}))
		w.(http.Flusher).Flush()
	}
	fmt.Fprintf(w, "data: %s\n\n", mustJSON(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
		"choices": []any{}, "usage": usage}))
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func (f *fakeServer) ollama(w http.ResponseWriter, rp reply, model string, stream bool) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	final := map[string]any{"model": model, "done": true, "prompt_eval_count": rp.prompt, "eval_count": rp.completion,
		"message": map[string]any{"role": "assistant", "content": ""}}
	if !stream {
		final["message"] = map[string]any{"role": "assistant", "content": rp.content}
		fmt.Fprintf(w, "%s\n", mustJSON(final))
		return
	}
	for _, part := range split(rp.content, rp.chunks) {
		time.Sleep(rp.chunkDelay)
		fmt.Fprintf(w, "%s\n", mustJSON(map[string]any{"model": model, "done": false,
			"message": map[string]any{"role": "assistant", "content": part}}))
		w.(http.Flusher).Flush()
	}
	fmt.Fprintf(w, "%s\n", mustJSON(final))
}

func split(s string, n int) []string {
	if n <= 1 || len(s) < n {
		return []string{s}
	}
	size := (len(s) + n - 1) / n
	var out []string
	for len(s) > size {
		out = append(out, s[:size])
		s = s[size:]
	}
	return append(out, s)
}

func writeJSON(w io.Writer, v any) { _, _ = w.Write(mustJSON(v)) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
