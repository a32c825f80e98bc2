// Package embed turns text into dense vectors for vector memory.
//
// The default embedder, Hashing, works offline and needs no model: it hashes
// the terms of a text (and adjacent term pairs) into a fixed number of
// dimensions. Remote embedders speak the OpenAI embeddings protocol (OpenAI,
// vLLM, LM Studio, llama.cpp server, ...) or Ollama's, through langchaingo.
// Their errors are classified with package fault (transient: 429, 5xx,
// timeouts, unreachable server; permanent: 400, 401, 403, 404, dimension
// mismatch), so that activities can decide about retries without this package
// importing Temporal.
//
// WithEmbeddings decorates a memory.Store so that backends never see an
// embedder: chunks get their vectors on Upsert and queries on Search.
package embed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tmc/langchaingo/embeddings"

	"github.com/researchflow/researchflow/internal/config"
)

// Embedder turns texts into dense vectors. Its first two methods are those of
// langchaingo's embeddings.Embedder, so either can stand for the other.
type Embedder interface {
	// EmbedDocuments returns one vector per text, in order.
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
	// EmbedQuery returns the vector of one search query.
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
	// Model names the embedding model ("hashing-v3", "openai:text-embedding-3-small");
	// vector stores record it so that vectors of different models never mix.
	Model() string
	// Dim is the vector dimension, or 0 while a remote embedder has not yet
	// seen a response and none was configured (see Probe).
	Dim() int
}

var (
	_ embeddings.Embedder = Embedder(nil)
	_ Embedder            = Hashing{}
	_ Embedder            = (*Remote)(nil)
)

// Providers accepted in Config.Provider.
const (
	ProviderHashing = config.EmbeddingsHashing
	ProviderOpenAI  = config.EmbeddingsOpenAI
	ProviderOllama  = config.EmbeddingsOllama
)

// Defaults used when Config fields are empty.
const (
	DefaultHashingDim  = 384
	DefaultBatchSize   = 64
	DefaultTimeout     = 60 * time.Second
	DefaultOpenAIModel = "text-embedding-3-small"
	DefaultOpenAIURL   = "https://api.openai.com/v1"
	DefaultOllamaModel = "nomic-embed-text"
	DefaultOllamaURL   = "http://localhost:11434"
	// hashingModelName changes whenever Hashing's vectors change (for the
	// same text), so that a store made with the old vectors is refused at
	// open instead of being searched with incomparable ones. v2:
	// textproc.Tokenize keeps compound identifiers whole and by parts; v3:
	// textproc.Stem takes -sion/-tion and irregular past forms.
	hashingModelName    = "hashing-v3"
	envPrefix           = "RESEARCHFLOW_EMBEDDINGS"
	envOpenAIAPIKeyFall = "OPENAI_API_KEY"
)

// Config chooses and configures an embedder; package config declares it
// and binds it from RESEARCHFLOW_EMBEDDINGS* (config.Embeddings).
type Config = config.Embeddings

func withDefaults(c Config) Config {
	if c.Provider == "" {
		c.Provider = ProviderHashing
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	switch c.Provider {
	case ProviderHashing:
		if c.Dim <= 0 {
			c.Dim = DefaultHashingDim
		}
		if c.Model == "" {
			c.Model = hashingModelName
		}
	case ProviderOpenAI:
		if c.Model == "" {
			c.Model = DefaultOpenAIModel
		}
		if c.BaseURL == "" {
			c.BaseURL = DefaultOpenAIURL
		}
	case ProviderOllama:
		if c.Model == "" {
			c.Model = DefaultOllamaModel
		}
		if c.BaseURL == "" {
			c.BaseURL = DefaultOllamaURL
		}
	}
	return c
}

func validate(c Config) error {
	switch c.Provider {
	case ProviderHashing:
		if c.Model != hashingModelName {
			return fmt.Errorf("embeddings model %q: the hashing embedder has only %q", c.Model, hashingModelName)
		}
	case ProviderOpenAI:
		if c.APIKey == "" && strings.TrimSuffix(c.BaseURL, "/") == DefaultOpenAIURL {
			return fmt.Errorf("openai embeddings: no API key: set %s_API_KEY or %s", envPrefix, envOpenAIAPIKeyFall)
		}
	case ProviderOllama:
	default:
		return fmt.Errorf("RESEARCHFLOW_EMBEDDINGS: provider %q: want %s, %s or %s", c.Provider, ProviderHashing, ProviderOpenAI, ProviderOllama)
	}
	return nil
}

// New returns the embedder cfg describes. Missing fields take their defaults.
func New(cfg Config) (Embedder, error) {
	cfg = withDefaults(cfg)
	if err := validate(cfg); err != nil {
		return nil, err
	}
	switch cfg.Provider {
	case ProviderOpenAI:
		return newOpenAI(cfg)
	case ProviderOllama:
		return newOllama(cfg)
	default:
		return Hashing{Dimensions: cfg.Dim}, nil
	}
}

// Probe returns the dimension of e's vectors, embedding a short text if e
// has not learned it yet. Vector stores need it before they create a
// collection.
func Probe(ctx context.Context, e Embedder) (int, error) {
	if d := e.Dim(); d > 0 {
		return d, nil
	}
	v, err := e.EmbedQuery(ctx, "dimension probe")
	if err != nil {
		return 0, fmt.Errorf("probe %s dimension: %w", e.Model(), err)
	}
	return len(v), nil
}
