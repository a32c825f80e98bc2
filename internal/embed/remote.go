package embed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/researchflow/researchflow/internal/egress"
)

// Remote is an embedder served over HTTP through langchaingo (OpenAI-compatible
// or Ollama). It checks the count and dimension of every response and
// classifies failures with package egress.
//
// langchaingo reports HTTP failures as plain strings, so Remote watches the
// exchange itself: its HTTP transport (egress.Recorder) records the status
// (and Retry-After) of each request into a per-call egress.Exchange
// carried by the request context.
type Remote struct {
	provider string
	model    string
	inner    embeddings.Embedder
	apiKey   string        // redacted from error messages
	timeout  time.Duration // of one request, for messages

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
	rec := &egress.Exchange{}
	vecs, err := r.inner.EmbedDocuments(egress.WithExchange(ctx, rec), in)
	if err != nil {
		return nil, r.classify(ctx, rec, len(texts), err)
	}
	if len(vecs) != len(texts) {
		return nil, egress.Fail(egress.KindUnsupported, fmt.Errorf("%s embeddings: got %d vectors for %d texts", r.Model(), len(vecs), len(texts)))
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
	rec := &egress.Exchange{}
	v, err := r.inner.EmbedQuery(egress.WithExchange(ctx, rec), text)
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
		return egress.Fail(egress.KindUnsupported, fmt.Errorf("%s embeddings: empty vector", r.Model()))
	}
	if r.dim == 0 {
		r.dim = n
		return nil
	}
	if n != r.dim {
		return egress.Fail(egress.KindConfig, fmt.Errorf(
			"%s embeddings: got a %d-dimensional vector, want %d (set %s_DIM to the model's dimension, or use another collection)",
			r.Model(), n, r.dim, envPrefix))
	}
	return nil
}

// statusHints add what to check to a failed status's message, by egress
// kind.
var statusHints = map[string]string{
	egress.KindUnauthorized: " (API key refused: check " + envPrefix + "_API_KEY)",
	egress.KindNotFound:     " (unknown model or wrong base URL?)",
}

// classify turns a langchaingo failure into a classified error (package
// egress's kinds), using what the recording transport saw. The API key
// never reaches the message.
func (r *Remote) classify(ctx context.Context, rec *egress.Exchange, n int, err error) error {
	err = egress.RedactErr(fmt.Errorf("%s embeddings of %d texts: %w", r.Model(), n, err), r.apiKey)
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			return egress.Fail(egress.KindUnavailable, fmt.Errorf("%w (timed out: %w)", err, cerr))
		}
		return fmt.Errorf("%w (%w)", err, cerr)
	}
	status, retryAfter, terr := rec.Result()
	switch {
	case status >= 400:
		kind := egress.StatusKind(status)
		return egress.FailAfter(kind, fmt.Errorf("%w: HTTP %d%s", err, status, statusHints[kind]), retryAfter)
	case terr != nil:
		terr = egress.RedactErr(terr, r.apiKey)
		if isTimeout(terr) || isTimeout(err) {
			return egress.Fail(egress.KindUnavailable, fmt.Errorf("%w: timed out after %s (%s_TIMEOUT): %w", err, r.timeout, envPrefix, terr))
		}
		return egress.Fail(egress.KindUnavailable, fmt.Errorf("%w: %w", err, terr))
	}
	// A 2xx answer langchaingo could not use: the server does not speak
	// the protocol as expected, and will not next time either.
	return egress.Fail(egress.KindUnsupported, err)
}

// isTimeout reports whether err is a timeout. The client's own timeout
// reaches the transport as a plain cancellation, and langchaingo may keep
// only the text of the client's error, so the text is checked too.
func isTimeout(err error) bool {
	var ne net.Error
	return (errors.As(err, &ne) && ne.Timeout()) || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "Client.Timeout exceeded")
}

func httpClient(cfg Config) *http.Client {
	return &http.Client{
		Timeout: cfg.Timeout,
		// Embedding calls are client spans of the caller's trace.
		Transport: egress.Recorder{Base: otelhttp.NewTransport(http.DefaultTransport)},
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
	return &Remote{provider: ProviderOpenAI, model: cfg.Model, inner: inner, dim: cfg.Dim, apiKey: cfg.APIKey, timeout: cfg.Timeout}, nil
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
	return &Remote{provider: ProviderOllama, model: cfg.Model, inner: inner, dim: cfg.Dim, apiKey: cfg.APIKey, timeout: cfg.Timeout}, nil
}
