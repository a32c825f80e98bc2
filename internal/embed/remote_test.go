package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
)

// fakeEmbeddings serves the OpenAI /v1/embeddings and Ollama /api/embed
// protocols with vectors derived from the texts by Hashing.
type fakeEmbeddings struct {
	t    *testing.T
	dims func(call int) int // vector size for the n-th request (1-based)
	fail func(call int) int // HTTP status to fail the n-th request with, or 0

	mu      sync.Mutex
	calls   int
	batches [][]string
	paths   []string
	auth    []string
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	call := f.calls
	f.paths = append(f.paths, r.URL.Path)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if f.fail != nil {
		if code := f.fail(call); code != 0 {
			w.Header().Set("Content-Type", "application/json")
			if code == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "7")
			}
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": http.StatusText(code)}})
			return
		}
	}
	dim := 8
	if f.dims != nil {
		dim = f.dims(call)
	}
	vec := func(s string) []float32 { return Hashing{Dimensions: dim}.Vector(s) }
	switch r.URL.Path {
	case "/v1/embeddings":
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.batches = append(f.batches, req.Input)
		f.mu.Unlock()
		type item struct {
			Object    string    `json:"object"`
			Embedding []float32 `json:"embedding"`
			Index     int       `json:"index"`
		}
		resp := struct {
			Object string `json:"object"`
			Data   []item `json:"data"`
			Model  string `json:"model"`
		}{Object: "list", Model: req.Model}
		for i, s := range req.Input {
			resp.Data = append(resp.Data, item{Object: "embedding", Embedding: vec(s), Index: i})
		}
		_ = json.NewEncoder(w).Encode(resp)
	case "/api/embed":
		var req struct {
			Model string `json:"model"`
			Input string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.batches = append(f.batches, []string{req.Input})
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"model": req.Model, "embeddings": [][]float32{vec(req.Input)}})
	default:
		http.NotFound(w, r)
	}
}

func startFake(t *testing.T, f *fakeEmbeddings) *httptest.Server {
	t.Helper()
	f.t = t
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "text number " + strings.Repeat("x", i+1)
	}
	return out
}

func TestOpenAIBatchesAndLearnsDim(t *testing.T) {
	f := &fakeEmbeddings{}
	srv := startFake(t, f)
	e, err := New(Config{Provider: ProviderOpenAI, BaseURL: srv.URL + "/v1", APIKey: "sk-test", Model: "m1", BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Dim(); got != 0 {
		t.Fatalf("Dim() before any response = %d, want 0", got)
	}
	in := texts(10)
	in[3] = "line one\nline two"
	vecs, err := e.EmbedDocuments(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(vecs), 10; got != want {
		t.Fatalf("got %d vectors, want %d", got, want)
	}
	if got, want := len(f.batches), 3; got != want { // ceil(10/4)
		t.Errorf("requests = %d, want %d", got, want)
	}
	for i, b := range f.batches {
		if want := min(4, 10-4*i); len(b) != want {
			t.Errorf("batch %d has %d texts, want %d", i, len(b), want)
		}
	}
	if f.paths[0] != "/v1/embeddings" || f.auth[0] != "Bearer sk-test" {
		t.Errorf("request = %s with Authorization %q, want /v1/embeddings with Bearer sk-test", f.paths[0], f.auth[0])
	}
	if in[3] != "line one\nline two" {
		t.Errorf("caller's texts were modified: %q", in[3])
	}
	// Vectors come back in input order.
	want := Hashing{Dimensions: 8}.Vector(in[7])
	for k := range want {
		if vecs[7][k] != want[k] {
			t.Fatalf("vector 7 is not the vector of text 7")
		}
	}
	if got := e.Dim(); got != 8 {
		t.Errorf("Dim() after a response = %d, want 8", got)
	}
	if got, want := e.Model(), "openai:m1"; got != want {
		t.Errorf("Model() = %q, want %q", got, want)
	}
	if d, err := Probe(context.Background(), e); err != nil || d != 8 {
		t.Errorf("Probe = %d, %v; want 8", d, err)
	}
}

func TestOpenAIDimensionMismatch(t *testing.T) {
	ctx := context.Background()
	t.Run("learned", func(t *testing.T) {
		f := &fakeEmbeddings{dims: func(call int) int { return map[bool]int{true: 8, false: 12}[call == 1] }}
		srv := startFake(t, f)
		e, err := New(Config{Provider: ProviderOpenAI, BaseURL: srv.URL + "/v1", Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.EmbedQuery(ctx, "first"); err != nil {
			t.Fatal(err)
		}
		_, err = e.EmbedQuery(ctx, "second")
		assertKind(t, err, egress.KindConfig, true)
	})
	t.Run("configured", func(t *testing.T) {
		f := &fakeEmbeddings{}
		srv := startFake(t, f)
		e, err := New(Config{Provider: ProviderOpenAI, BaseURL: srv.URL + "/v1", Model: "m", Dim: 16})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.EmbedDocuments(ctx, texts(3))
		assertKind(t, err, egress.KindConfig, true)
		if !strings.Contains(err.Error(), "8-dimensional") || !strings.Contains(err.Error(), "want 16") {
			t.Errorf("error %q does not say what was got and wanted", err)
		}
	})
}

func TestRemoteErrorClassification(t *testing.T) {
	tests := []struct {
		status    int
		kind      string
		permanent bool
	}{
		{http.StatusUnauthorized, egress.KindUnauthorized, true},
		{http.StatusForbidden, egress.KindUnauthorized, true},
		{http.StatusNotFound, egress.KindNotFound, true},
		{http.StatusBadRequest, egress.KindRejected, true},
		{http.StatusTooManyRequests, egress.KindRateLimited, false},
		{http.StatusInternalServerError, egress.KindUnavailable, false},
		{http.StatusBadGateway, egress.KindUnavailable, false},
		{http.StatusServiceUnavailable, egress.KindUnavailable, false},
		{http.StatusRequestTimeout, egress.KindUnavailable, false},
		{http.StatusGone, egress.KindNotFound, true},
		{http.StatusUnprocessableEntity, egress.KindRejected, true},
	}
	for _, provider := range []string{ProviderOpenAI, ProviderOllama} {
		for _, tt := range tests {
			t.Run(provider+"/"+http.StatusText(tt.status), func(t *testing.T) {
				f := &fakeEmbeddings{fail: func(int) int { return tt.status }}
				srv := startFake(t, f)
				base := srv.URL
				if provider == ProviderOpenAI {
					base += "/v1"
				}
				e, err := New(Config{Provider: provider, BaseURL: base, APIKey: "k", Model: "m"})
				if err != nil {
					t.Fatal(err)
				}
				_, err = e.EmbedDocuments(context.Background(), texts(2))
				assertKind(t, err, tt.kind, tt.permanent)
				if got := fault.IsTransient(err); got != !tt.permanent {
					t.Errorf("fault.IsTransient = %v, want %v", got, !tt.permanent)
				}
				if tt.status == http.StatusTooManyRequests {
					fe, _ := fault.Classify(err)
					if fe.RetryAfter != 7*time.Second {
						t.Errorf("RetryAfter = %v, want 7s from the Retry-After header", fe.RetryAfter)
					}
				}
			})
		}
	}
}

func TestRemoteUnreachableAndTimeoutAreRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	e, err := New(Config{Provider: ProviderOpenAI, BaseURL: url + "/v1", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.EmbedQuery(context.Background(), "q")
	assertKind(t, err, egress.KindUnavailable, false)

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(300 * time.Millisecond):
		}
	}))
	defer slow.Close()
	e, err = New(Config{Provider: ProviderOllama, BaseURL: slow.URL, Model: "m", Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.EmbedQuery(context.Background(), "q")
	assertKind(t, err, egress.KindUnavailable, false)
	if !strings.Contains(err.Error(), "timed out") {
		t.Errorf("error %q does not say the call timed out", err)
	}
}

func TestOllamaEmbeds(t *testing.T) {
	f := &fakeEmbeddings{}
	srv := startFake(t, f)
	e, err := New(Config{Provider: ProviderOllama, BaseURL: srv.URL, Model: "nomic", BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	vecs, err := e.EmbedDocuments(context.Background(), texts(5))
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 5 || len(vecs[4]) != 8 {
		t.Fatalf("got %d vectors of %d, want 5 of 8", len(vecs), len(vecs[4]))
	}
	// langchaingo v0.1.14 posts one text per /api/embed request.
	if got, want := len(f.paths), 5; got != want {
		t.Errorf("requests = %d, want %d", got, want)
	}
	if f.paths[0] != "/api/embed" {
		t.Errorf("path = %q, want /api/embed", f.paths[0])
	}
	if got, want := e.Model(), "ollama:nomic"; got != want {
		t.Errorf("Model() = %q, want %q", got, want)
	}
}

func assertKind(t *testing.T, err error, kind string, permanent bool) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	fe, ok := fault.Classify(err)
	if !ok {
		t.Fatalf("error %q is not classified, want %s", err, kind)
	}
	if fe.Kind != kind || fe.Permanent != permanent {
		t.Errorf("error %q: kind %s permanent %v, want %s permanent %v", err, fe.Kind, fe.Permanent, kind, permanent)
	}
	if errors.Unwrap(err) == nil {
		t.Errorf("error %q wraps nothing", err)
	}
}

// An API key a server echoes in its error (OpenAI's "Incorrect API key
// provided: sk-…") never reaches the error message.
func TestRemoteErrorsRedactTheKey(t *testing.T) {
	const key = "sk-embed-very-secret-1234"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "Incorrect API key provided: " + got}})
	}))
	defer srv.Close()
	e, err := New(Config{Provider: ProviderOpenAI, BaseURL: srv.URL + "/v1", APIKey: key, Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.EmbedQuery(context.Background(), "q")
	assertKind(t, err, egress.KindUnauthorized, true)
	if strings.Contains(err.Error(), key) || strings.Contains(fmt.Sprintf("%+v", err), key) {
		t.Errorf("error leaks the API key: %v", err)
	}
	if !strings.Contains(err.Error(), "Incorrect API key provided: [redacted]") || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("error %q does not keep the server's message and status", err)
	}
}
