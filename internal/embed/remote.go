package embed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/researchflow/researchflow/internal/fault"
)

// Remote is an embedder served over HTTP through langchaingo (OpenAI-compatible
// or Ollama). It checks the count and dimension of every response and
// classifies failures with package fault.
//
// langchaingo reports HTTP failures as plain strings, so Remote watches the
// exchange itself: its HTTP transport records the status (and Retry-After)
// of each request into a per-call record carried by the request context.
type Remote struct {
	provider string
	model    string
	inner    embeddings.Embedder

	mu  sync.Mutex
	dim int // configured, or learned from the first response
}

// Model implements Embedder: "provider:model".
func (r *Remote) Model() string { return r.provider + ":" + r.model }

// Dim implements Embedder; 0 until configured or learned.
func (r *Remote) Dim() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dim
}

// EmbedDocuments implements Embedder. Texts go in batches of Config.BatchSize
// per call (Ollama: langchaingo sends one request per text).
func (r *Remote) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	// langchaingo replaces newlines in place: keep the caller's slice intact.
	in := append([]string(nil), texts...)
	rec := &exchange{}
	vecs, err := r.inner.EmbedDocuments(withExchange(ctx, rec), in)
	if err != nil {
		return nil, r.classify(ctx, rec, len(texts), err)
	}
	if len(vecs) != len(texts) {
		return nil, fault.Permanent("embed.bad_response", fmt.Errorf("%s embeddings: got %d vectors for %d texts", r.Model(), len(vecs), len(texts)))
	}
	for _, v := range vecs {
		if err := r.checkDim(len(v)); err != nil {
			return nil, err
		}
	}
	return vecs, nil
}

// EmbedQuery implements Embedder.
func (r *Remote) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	rec := &exchange{}
	v, err := r.inner.EmbedQuery(withExchange(ctx, rec), text)
	if err != nil {
		return nil, r.classify(ctx, rec, 1, err)
	}
	if err := r.checkDim(len(v)); err != nil {
		return nil, err
	}
	return v, nil
}

func (r *Remote) checkDim(n int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n == 0 {
		return fault.Permanent("embed.bad_response", fmt.Errorf("%s embeddings: empty vector", r.Model()))
	}
	if r.dim == 0 {
		r.dim = n
		return nil
	}
	if n != r.dim {
		return fault.Permanent("embed.dimension_mismatch", fmt.Errorf(
			"%s embeddings: got a %d-dimensional vector, want %d (set %s_DIM to the model's dimension, or use another collection)",
			r.Model(), n, r.dim, envPrefix))
	}
	return nil
}

// classify turns a langchaingo failure into a fault.Error, using what the
// transport saw.
func (r *Remote) classify(ctx context.Context, rec *exchange, n int, err error) error {
	err = fmt.Errorf("%s embeddings of %d texts: %w", r.Model(), n, err)
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			return fault.Transient("embed.timeout", fmt.Errorf("%w (%w)", err, cerr), 0)
		}
		return fmt.Errorf("%w (%w)", err, cerr)
	}
	status, retryAfter, terr := rec.get()
	switch {
	case status == http.StatusTooManyRequests:
		return fault.Transient("embed.rate_limited", err, retryAfter)
	case status == http.StatusRequestTimeout || status >= 500:
		return fault.Transient("embed.server_error", err, retryAfter)
	case status == http.StatusUnauthorized:
		return fault.Permanent("embed.unauthorized", err)
	case status == http.StatusForbidden:
		return fault.Permanent("embed.forbidden", err)
	case status == http.StatusNotFound:
		return fault.Permanent("embed.not_found", fmt.Errorf("%w (unknown model or wrong base URL?)", err))
	case status >= 400:
		return fault.Permanent("embed.bad_request", err)
	case terr != nil:
		if isTimeout(terr) || isTimeout(err) {
			return fault.Transient("embed.timeout", fmt.Errorf("%w: %w", err, terr), 0)
		}
		return fault.Transient("embed.unavailable", fmt.Errorf("%w: %w", err, terr), 0)
	}
	return fault.Permanent("embed.bad_response", err)
}

// isTimeout reports whether err is a timeout. The client's own timeout
// reaches the transport as a plain cancellation, and langchaingo may keep
// only the text of the client's error, so the text is checked too.
func isTimeout(err error) bool {
	var ne net.Error
	return (errors.As(err, &ne) && ne.Timeout()) || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "Client.Timeout exceeded")
}

// exchange records the last HTTP response of one embedding call.
type exchange struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
	err        error
}

func (e *exchange) get() (int, time.Duration, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status, e.retryAfter, e.err
}

func (e *exchange) record(resp *http.Response, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.err = err
	e.status, e.retryAfter = 0, 0
	if resp != nil {
		e.status = resp.StatusCode
		e.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
	}
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

type exchangeKey struct{}

func withExchange(ctx context.Context, e *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, e)
}

// recordingTransport records each response into the exchange of its request.
type recordingTransport struct{ base http.RoundTripper }

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if e, ok := req.Context().Value(exchangeKey{}).(*exchange); ok {
		e.record(resp, err)
	}
	return resp, err
}

func httpClient(cfg Config) *http.Client {
	return &http.Client{
		Timeout: cfg.Timeout,
		// Embedding calls are client spans of the caller's trace.
		Transport: recordingTransport{base: otelhttp.NewTransport(http.DefaultTransport)},
	}
}

func newOpenAI(cfg Config) (*Remote, error) {
	token := cfg.APIKey
	if token == "" {
		// Local OpenAI-compatible servers ignore the key; langchaingo insists on one.
		token = "unused"
	}
	opts := []openai.Option{
		openai.WithBaseURL(strings.TrimSuffix(cfg.BaseURL, "/")),
		openai.WithToken(token),
		openai.WithEmbeddingModel(cfg.Model),
		openai.WithHTTPClient(httpClient(cfg)),
	}
	// Only the text-embedding-3 family accepts a requested dimension; for
	// other models Dim is only checked.
	if cfg.Dim > 0 && strings.HasPrefix(cfg.Model, "text-embedding-3") {
		opts = append(opts, openai.WithEmbeddingDimensions(cfg.Dim))
	}
	llm, err := openai.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("openai embeddings client: %w", err)
	}
	inner, err := embeddings.NewEmbedder(llm, embeddings.WithBatchSize(cfg.BatchSize))
	if err != nil {
		return nil, fmt.Errorf("openai embedder: %w", err)
	}
	return &Remote{provider: ProviderOpenAI, model: cfg.Model, inner: inner, dim: cfg.Dim}, nil
}

func newOllama(cfg Config) (*Remote, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("ollama embeddings base URL %q: want e.g. %s", cfg.BaseURL, DefaultOllamaURL)
	}
	llm, err := ollama.New(
		ollama.WithServerURL(cfg.BaseURL),
		ollama.WithModel(cfg.Model),
		ollama.WithHTTPClient(httpClient(cfg)),
	)
	if err != nil {
		return nil, fmt.Errorf("ollama embeddings client: %w", err)
	}
	inner, err := embeddings.NewEmbedder(llm, embeddings.WithBatchSize(cfg.BatchSize))
	if err != nil {
		return nil, fmt.Errorf("ollama embedder: %w", err)
	}
	return &Remote{provider: ProviderOllama, model: cfg.Model, inner: inner, dim: cfg.Dim}, nil
}
