package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// defaultQdrantPort is Qdrant's gRPC port (6333 is the REST port).
const defaultQdrantPort = 6334

// Qdrant says where the memory collection is and what it holds (package
// memory/qdrant; QDRANT_URL, QDRANT_API_KEY,
// RESEARCHFLOW_QDRANT_COLLECTION). Dim and EmbeddingModel come from the
// embedder, not from the environment.
type Qdrant struct {
	// URL of Qdrant's gRPC endpoint: "http://localhost:6334",
	// "https://xyz.cloud.qdrant.io:6334" (TLS) or "host:port". The port
	// defaults to 6334 (gRPC; 6333 is the REST port).
	URL    string
	APIKey string
	// Collection defaults to "researchflow".
	Collection string
	// Dim is the dense vector dimension. It must match the embedder's; 0
	// adopts an existing collection's dimension (and cannot create one).
	Dim int
	// EmbeddingModel is recorded with the collection and checked on open.
	EmbeddingModel string
	// Timeout bounds each gRPC call (default 30s).
	Timeout time.Duration
	// MaxAttempts bounds the tries of one call on transient errors
	// (default 4); Backoff is the first delay, doubled each time (default
	// 200ms, capped at 5s).
	MaxAttempts int
	Backoff     time.Duration
	// MaxResponseBytes overrides qdrant.MaxResponseBytes (tests).
	MaxResponseBytes int
}

// bindQdrant reads QDRANT_URL, QDRANT_API_KEY and
// RESEARCHFLOW_QDRANT_COLLECTION; defaults are filled by qdrant.Open.
func bindQdrant(b *binder) Qdrant {
	cfg := Qdrant{
		URL:        b.get("QDRANT_URL"),
		APIKey:     b.get("QDRANT_API_KEY"),
		Collection: b.get("RESEARCHFLOW_QDRANT_COLLECTION"),
	}
	if _, _, _, err := ParseQdrantURL(cfg.URL); err != nil {
		b.failErr("QDRANT_URL", err)
	}
	return cfg
}

// ParseQdrantURL splits a Qdrant URL into host, port and whether to use TLS.
func ParseQdrantURL(raw string) (host string, port int, useTLS bool, err error) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", 0, false, fmt.Errorf("parse %q: %w", raw, err)
	}
	switch u.Scheme {
	case "http", "grpc":
	case "https", "grpcs":
		useTLS = true
	default:
		return "", 0, false, fmt.Errorf("%q: scheme %q, want http or https", raw, u.Scheme)
	}
	host = u.Hostname()
	if host == "" {
		return "", 0, false, fmt.Errorf("%q: no host", raw)
	}
	port = defaultQdrantPort
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return "", 0, false, fmt.Errorf("%q: bad port %q", raw, p)
		}
	}
	return host, port, useTLS, nil
}
