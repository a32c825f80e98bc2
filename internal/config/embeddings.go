package config

import (
	"strings"
	"time"
)

// Embedding providers accepted in Embeddings.Provider.
const (
	EmbeddingsHashing = "hashing"
	EmbeddingsOpenAI  = "openai"
	EmbeddingsOllama  = "ollama"
)

// Embeddings chooses and configures an embedder (package embed). The
// embeddings endpoint is configured apart from the chat model's: they are
// often different servers.
//
//	RESEARCHFLOW_EMBEDDINGS           hashing (default) | openai | ollama
//	RESEARCHFLOW_EMBEDDINGS_MODEL     model name (default per provider)
//	RESEARCHFLOW_EMBEDDINGS_BASE_URL  endpoint (default per provider)
//	RESEARCHFLOW_EMBEDDINGS_API_KEY   API key (openai falls back to OPENAI_API_KEY)
//	RESEARCHFLOW_EMBEDDINGS_DIM       expected/output dimension
//	RESEARCHFLOW_EMBEDDINGS_BATCH     texts per request (default 64)
//	RESEARCHFLOW_EMBEDDINGS_TIMEOUT   per request, Go duration (default 60s)
type Embeddings struct {
	// Provider is "hashing" (default), "openai" (any OpenAI-compatible
	// /v1/embeddings endpoint) or "ollama".
	Provider string
	// Model is the embedding model; defaults per provider.
	Model string
	// BaseURL of the endpoint: for openai the URL that precedes
	// "/embeddings" (e.g. "http://localhost:8000/v1"), for ollama the server
	// URL (e.g. "http://localhost:11434").
	BaseURL string
	// APIKey for openai. A local OpenAI-compatible server (BaseURL set) may
	// do without one.
	APIKey string
	// Dim is the expected vector dimension. For hashing it is the output
	// dimension (default 384); for remote embedders 0 means "learn it from
	// the first response", and every response is checked against it.
	Dim int
	// BatchSize is how many texts go in one request (default 64).
	BatchSize int
	// Timeout bounds one HTTP request (default 60s).
	Timeout time.Duration
}

const embeddingsVar = "RESEARCHFLOW_EMBEDDINGS"

// bindEmbeddings reads RESEARCHFLOW_EMBEDDINGS*. Defaults per provider
// are filled by embed.New.
func bindEmbeddings(b *binder) Embeddings {
	cfg := Embeddings{
		Provider:  strings.ToLower(b.str(embeddingsVar, EmbeddingsHashing)),
		Model:     b.get(embeddingsVar + "_MODEL"),
		BaseURL:   b.get(embeddingsVar + "_BASE_URL"),
		APIKey:    b.get(embeddingsVar + "_API_KEY"),
		Dim:       b.count(embeddingsVar+"_DIM", 0, 0),
		BatchSize: b.count(embeddingsVar+"_BATCH", 0, 0),
		Timeout:   b.duration(embeddingsVar+"_TIMEOUT", 0, false),
	}
	switch cfg.Provider {
	case EmbeddingsHashing, EmbeddingsOllama:
	case EmbeddingsOpenAI:
		if cfg.APIKey == "" {
			cfg.APIKey = b.get("OPENAI_API_KEY")
		}
		if base := strings.TrimSuffix(cfg.BaseURL, "/"); cfg.APIKey == "" && (base == "" || base == DefaultOpenAIBaseURL) {
			b.fail(embeddingsVar+"_API_KEY", "openai embeddings need an API key: set %s_API_KEY or OPENAI_API_KEY", embeddingsVar)
		}
	default:
		b.fail(embeddingsVar, "provider %q: want %s, %s or %s", cfg.Provider, EmbeddingsHashing, EmbeddingsOpenAI, EmbeddingsOllama)
	}
	b.httpURL(embeddingsVar+"_BASE_URL", cfg.BaseURL)
	return cfg
}
