// Package qdrant keeps Researchflow's memory in a Qdrant collection, over
// gRPC with the official go-client.
//
// One collection holds all corpora. Each point is one chunk: its ID is the
// chunk ID (a UUID; other IDs are mapped to a UUIDv5 and kept in the
// payload), its payload every Chunk field but Vector, and it has two named
// vectors: "dense" (cosine, the embedding) and "lexical" (sparse term counts
// computed here from textproc.Tokenize, with Qdrant applying IDF). Search
// fuses both with reciprocal rank fusion when the query has text and a
// vector.
//
// The collection records the embedding model and dimension in its metadata
// (Qdrant 1.16+); opening it with another model or dimension is an error, so
// vectors of different models never mix. The dimension is also checked
// against the collection's vector configuration, which every Qdrant version
// reports.
//
// Transient gRPC failures (Unavailable, ResourceExhausted, DeadlineExceeded,
// Aborted) are retried a bounded number of times with exponential backoff;
// what still fails is classified with package fault.
package qdrant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qdrant/go-client/qdrant"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/memory"
)

// Names of the collection's vectors and payload fields.
const (
	DenseVector   = "dense"
	LexicalVector = "lexical"

	metaModel  = "researchflow_embedding_model"
	metaDim    = "researchflow_dim"
	metaSchema = "researchflow_schema"
	schema     = 1
)

// Defaults used when Config fields are empty.
const (
	DefaultCollection  = "researchflow"
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 4
	DefaultBackoff     = 200 * time.Millisecond
	defaultPort        = 6334
	upsertBatch        = 256
)

// Config says where the collection is and what it holds.
type Config struct {
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
}

// ConfigFromEnv reads QDRANT_URL, QDRANT_API_KEY and
// RESEARCHFLOW_QDRANT_COLLECTION. Dim and EmbeddingModel come from the
// embedder, not from the environment. lookup is usually os.LookupEnv.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	cfg := Config{
		URL:        get("QDRANT_URL"),
		APIKey:     get("QDRANT_API_KEY"),
		Collection: get("RESEARCHFLOW_QDRANT_COLLECTION"),
	}
	if cfg.URL == "" {
		return Config{}, errors.New("QDRANT_URL is not set")
	}
	if _, _, _, err := parseURL(cfg.URL); err != nil {
		return Config{}, fmt.Errorf("QDRANT_URL: %w", err)
	}
	return cfg.withDefaults(), nil
}

func (c Config) withDefaults() Config {
	if c.Collection == "" {
		c.Collection = DefaultCollection
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultBackoff
	}
	return c
}

// parseURL splits a Qdrant URL into host, port and whether to use TLS.
func parseURL(raw string) (host string, port int, useTLS bool, err error) {
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
	port = defaultPort
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return "", 0, false, fmt.Errorf("%q: bad port %q", raw, p)
		}
	}
	return host, port, useTLS, nil
}

// Store is a memory.Store in a Qdrant collection. It is safe for concurrent use.
type Store struct {
	cfg    Config
	client *qdrant.Client
	log    *slog.Logger
}

var _ memory.Store = (*Store)(nil)

// Open connects to Qdrant and makes sure the collection exists with the
// configured dimension and embedding model, creating it (with its payload
// indexes) if needed.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	host, port, useTLS, err := parseURL(cfg.URL)
	if err != nil {
		return nil, fault.Permanent("qdrant.config", fmt.Errorf("qdrant URL: %w", err))
	}
	log := slog.Default().With("qdrant", net.JoinHostPort(host, strconv.Itoa(port)), "collection", cfg.Collection)
	if port == 6333 {
		log.Warn("port 6333 is Qdrant's REST port; the gRPC port is usually 6334")
	}
	client, err := qdrant.NewClient(&qdrant.Config{
		Host:                   host,
		Port:                   port,
		APIKey:                 cfg.APIKey,
		UseTLS:                 useTLS,
		PoolSize:               1,
		SkipCompatibilityCheck: true,
	})
	if err != nil {
		return nil, fault.Permanent("qdrant.config", fmt.Errorf("qdrant client for %s:%d: %w", host, port, err))
	}
	s := &Store{cfg: cfg, client: client, log: log}
	if err := s.ensureCollection(ctx); err != nil {
		client.Close()
		return nil, err
	}
	return s, nil
}

// Dim is the collection's dense vector dimension.
func (s *Store) Dim() int { return s.cfg.Dim }

// Close implements memory.Store.
func (s *Store) Close() error { return s.client.Close() }

func (s *Store) ensureCollection(ctx context.Context) error {
	var exists bool
	err := s.call(ctx, "collection exists", func(ctx context.Context) error {
		var err error
		exists, err = s.client.CollectionExists(ctx, s.cfg.Collection)
		return err
	})
	if err != nil {
		return err
	}
	if !exists {
		if err := s.createCollection(ctx); err != nil {
			// Another worker may have created it meanwhile.
			if again, cerr := s.client.CollectionExists(ctx, s.cfg.Collection); cerr != nil || !again {
				return err
			}
		}
	}
	return s.checkCollection(ctx)
}

func (s *Store) createCollection(ctx context.Context) error {
	if s.cfg.Dim <= 0 {
		return fault.Permanent("qdrant.config", fmt.Errorf("create collection %q: dimension unknown (Config.Dim is 0)", s.cfg.Collection))
	}
	meta := map[string]any{metaDim: s.cfg.Dim, metaSchema: schema}
	if s.cfg.EmbeddingModel != "" {
		meta[metaModel] = s.cfg.EmbeddingModel
	}
	req := &qdrant.CreateCollection{
		CollectionName: s.cfg.Collection,
		VectorsConfig: qdrant.NewVectorsConfigMap(map[string]*qdrant.VectorParams{
			DenseVector: {Size: uint64(s.cfg.Dim), Distance: qdrant.Distance_Cosine},
		}),
		SparseVectorsConfig: qdrant.NewSparseVectorsConfig(map[string]*qdrant.SparseVectorParams{
			LexicalVector: {Modifier: qdrant.Modifier_Idf.Enum()},
		}),
		Metadata: qdrant.NewValueMap(meta),
	}
	if err := s.call(ctx, "create collection", func(ctx context.Context) error {
		return s.client.CreateCollection(ctx, req)
	}); err != nil {
		return err
	}
	for _, field := range []string{fieldCorpus, fieldSourceID, fieldDocHash} {
		if err := s.call(ctx, "index "+field, func(ctx context.Context) error {
			_, err := s.client.CreateFieldIndex(ctx, &qdrant.CreateFieldIndexCollection{
				CollectionName: s.cfg.Collection,
				Wait:           qdrant.PtrOf(true),
				FieldName:      field,
				FieldType:      qdrant.FieldType_FieldTypeKeyword.Enum(),
			})
			return err
		}); err != nil {
			return err
		}
	}
	s.log.Info("created qdrant collection", "dim", s.cfg.Dim, "model", s.cfg.EmbeddingModel)
	return nil
}

// checkCollection compares the collection with the configuration.
func (s *Store) checkCollection(ctx context.Context) error {
	var info *qdrant.CollectionInfo
	if err := s.call(ctx, "get collection", func(ctx context.Context) error {
		var err error
		info, err = s.client.GetCollectionInfo(ctx, s.cfg.Collection)
		return err
	}); err != nil {
		return err
	}
	params := info.GetConfig().GetParams()
	dense := params.GetVectorsConfig().GetParamsMap().GetMap()[DenseVector]
	_, hasLexical := params.GetSparseVectorsConfig().GetMap()[LexicalVector]
	if dense == nil || !hasLexical {
		return fault.Permanent("qdrant.schema_mismatch", fmt.Errorf(
			"collection %q has no %q dense and %q sparse vectors: it was not made by Researchflow; set RESEARCHFLOW_QDRANT_COLLECTION to another name",
			s.cfg.Collection, DenseVector, LexicalVector))
	}
	have := int(dense.GetSize())
	model := info.GetConfig().GetMetadata()[metaModel].GetStringValue()
	if s.cfg.Dim == 0 {
		s.cfg.Dim = have
	}
	if have != s.cfg.Dim || (model != "" && s.cfg.EmbeddingModel != "" && model != s.cfg.EmbeddingModel) {
		return fault.Permanent("qdrant.embedding_mismatch", fmt.Errorf(
			"collection %q holds %d-dimensional vectors of model %q, but the embedder is %q with %d dimensions: "+
				"use another RESEARCHFLOW_QDRANT_COLLECTION or re-ingest into a new one",
			s.cfg.Collection, have, model, s.cfg.EmbeddingModel, s.cfg.Dim))
	}
	if s.cfg.EmbeddingModel == "" {
		s.cfg.EmbeddingModel = model
	}
	return nil
}
