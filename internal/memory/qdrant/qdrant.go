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
// (Qdrant 1.15.4+; on older servers in an alias of the collection, see
// metaAlias); opening it with another model or dimension is an error, so
// vectors of different models never mix. The dimension is also checked
// against the collection's vector configuration, which every Qdrant version
// reports.
//
// Open checks the server version (HealthCheck): Qdrant older than 1.10.0 is
// refused (MinVersion); 1.10.0–1.12.1 get vectors in the wire fields they
// read; the answer shapes of every version from 1.10 on are read. Open also
// creates missing payload indexes and reads the collection's strict-mode
// limits, by which requests are split (see limits).
//
// Transient gRPC failures (Unavailable, ResourceExhausted from the server,
// DeadlineExceeded, Aborted) are retried a bounded number of times with
// exponential backoff; what still fails is classified with package
// egress's kinds, the scheme the HTTP adapters share (see kindOf). An
// answer larger than MaxResponseBytes is not transient: reads are paged so
// that none is, and one that still is fails as egress.too_large.
package qdrant

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/qdrant/go-client/qdrant"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/egress"
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
	upsertBatch        = 256
	// getBatch is how many points one Get or scroll page asks for: with
	// chunks of a few KiB of text and a 4096-dimensional vector (16 KiB),
	// 128 points stay near 3 MiB, far below MaxResponseBytes.
	getBatch = 128
	// scanPage is the page of a scan, which fetches three short payload
	// fields per point (about 200 bytes).
	scanPage = 1024
)

// MaxResponseBytes is the largest gRPC answer the client accepts (64 MiB;
// gRPC's default is 4 MiB, which one Get of a few hundred chunks with
// large vectors can exceed). Qdrant itself sends answers of any size.
const MaxResponseBytes = 64 << 20

// Config says where the collection is and what it holds; package config
// declares it and binds it from QDRANT_URL, QDRANT_API_KEY and
// RESEARCHFLOW_QDRANT_COLLECTION (config.Qdrant).
type Config = config.Qdrant

func withDefaults(c Config) Config {
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
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = MaxResponseBytes
	}
	return c
}

// parseURL splits a Qdrant URL into host, port and whether to use TLS.
func parseURL(raw string) (host string, port int, useTLS bool, err error) {
	return config.ParseQdrantURL(raw)
}

// Store is a memory.Store in a Qdrant collection. It is safe for concurrent use.
type Store struct {
	cfg    Config
	addr   string
	client *qdrant.Client
	log    *slog.Logger

	// server is the version Qdrant reported; legacyVectors sends vectors in
	// the deprecated data/indices fields (servers before 1.12.2).
	server        version
	legacyVectors bool
	lim           atomic.Pointer[limits]
}

var (
	_ memory.Store          = (*Store)(nil)
	_ memory.DocumentLister = (*Store)(nil)
)

// Open connects to Qdrant, checks its version, and makes sure the
// collection exists with the configured dimension and embedding model
// (creating it if needed) and with its payload indexes (creating any that
// are missing). Errors are classified: a server below MinVersion, a
// collection of another model or dimension, or a bad URL are permanent.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = withDefaults(cfg)
	host, port, useTLS, err := parseURL(cfg.URL)
	if err != nil {
		return nil, egress.Fail(egress.KindConfig, fmt.Errorf("qdrant URL: %w", err))
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	log := slog.Default().With("qdrant", addr, "collection", cfg.Collection)
	if port == 6333 {
		log.Warn("port 6333 is Qdrant's REST port; the gRPC port is usually 6334")
	}
	client, err := qdrant.NewClient(&qdrant.Config{
		Host:                   host,
		Port:                   port,
		APIKey:                 cfg.APIKey,
		UseTLS:                 useTLS,
		PoolSize:               1,
		SkipCompatibilityCheck: true, // Open checks the version itself
		GrpcOptions: []grpc.DialOption{
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(cfg.MaxResponseBytes)),
			// Memory calls are client spans of the caller's trace.
			grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		},
	})
	if err != nil {
		return nil, egress.Fail(egress.KindConfig, fmt.Errorf("qdrant client for %s: %w", addr, err))
	}
	s := &Store{cfg: cfg, addr: addr, client: client, log: log}
	if err := s.open(ctx); err != nil {
		client.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	if err := s.checkVersion(ctx); err != nil {
		return err
	}
	created, err := s.ensureCollection(ctx)
	if err != nil {
		return err
	}
	var info *qdrant.CollectionInfo
	if err := s.call(ctx, "get collection", func(ctx context.Context) error {
		var err error
		info, err = s.client.GetCollectionInfo(ctx, s.cfg.Collection)
		return err
	}); err != nil {
		return err
	}
	if err := s.checkCollection(ctx, info, created); err != nil {
		return err
	}
	if _, err := s.ensureIndexes(ctx, info); err != nil {
		return err
	}
	s.setLimits(limitsOf(info.GetConfig().GetStrictModeConfig()))
	return nil
}

// Dim is the collection's dense vector dimension.
func (s *Store) Dim() int { return s.cfg.Dim }

// Close implements memory.Store.
func (s *Store) Close() error { return s.client.Close() }

// ensureCollection creates the collection if it does not exist; created
// says whether this call made it.
func (s *Store) ensureCollection(ctx context.Context) (created bool, err error) {
	var exists bool
	err = s.call(ctx, "collection exists", func(ctx context.Context) error {
		var err error
		exists, err = s.client.CollectionExists(ctx, s.cfg.Collection)
		return err
	})
	if err != nil || exists {
		return false, err
	}
	if err := s.createCollection(ctx); err != nil {
		// Another worker created it meanwhile: Qdrant answers AlreadyExists.
		if code(err) == codes.AlreadyExists {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func (s *Store) createCollection(ctx context.Context) error {
	if s.cfg.Dim <= 0 {
		return egress.Fail(egress.KindConfig, fmt.Errorf("create collection %q: dimension unknown (Config.Dim is 0)", s.cfg.Collection))
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
		// Servers before 1.15.4 drop the metadata; recordInAlias keeps
		// the embedding there.
		Metadata: qdrant.NewValueMap(meta),
	}
	if err := s.call(ctx, "create collection", func(ctx context.Context) error {
		return s.client.CreateCollection(ctx, req)
	}); err != nil {
		return err
	}
	s.log.Info("created qdrant collection", "dim", s.cfg.Dim, "model", s.cfg.EmbeddingModel)
	if s.server.less(versionMetadata) && s.cfg.EmbeddingModel != "" {
		s.recordInAlias(ctx)
	}
	return nil
}

// requiredIndexes are the payload fields every filter uses; each gets a
// keyword index.
var requiredIndexes = []string{fieldCorpus, fieldSourceID, fieldDocHash}

// ensureIndexes creates the payload indexes the collection lacks. It runs
// on every Open, so an index whose creation failed once (or that an
// operator dropped) is made again. Without the permission to create one
// (a read-only API key) it warns and goes on: filters still work, slower,
// unless strict mode forbids filtering on unindexed fields.
//
// It tries every missing index, and returns how many it made and the
// first failure.
func (s *Store) ensureIndexes(ctx context.Context, info *qdrant.CollectionInfo) (created int, first error) {
	have := info.GetPayloadSchema()
	for _, field := range requiredIndexes {
		if _, ok := have[field]; ok {
			continue
		}
		err := s.call(ctx, "index "+field, func(ctx context.Context) error {
			_, err := s.client.CreateFieldIndex(ctx, &qdrant.CreateFieldIndexCollection{
				CollectionName: s.cfg.Collection,
				Wait:           qdrant.PtrOf(true),
				FieldName:      field,
				FieldType:      qdrant.FieldType_FieldTypeKeyword.Enum(),
			})
			return err
		})
		if code(err) == codes.PermissionDenied || code(err) == codes.Unauthenticated {
			s.log.Warn("cannot create a missing payload index (read-only API key?): filters on it scan the collection", "field", field, "err", err)
			continue
		}
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		s.log.Info("created qdrant payload index", "field", field)
		created++
	}
	return created, first
}

// checkCollection compares the collection with the configuration.
func (s *Store) checkCollection(ctx context.Context, info *qdrant.CollectionInfo, created bool) error {
	params := info.GetConfig().GetParams()
	dense := params.GetVectorsConfig().GetParamsMap().GetMap()[DenseVector]
	_, hasLexical := params.GetSparseVectorsConfig().GetMap()[LexicalVector]
	if dense == nil || !hasLexical {
		return egress.Fail(egress.KindConfig, fmt.Errorf(
			"collection %q has no %q dense and %q sparse vectors: it was not made by Researchflow; set RESEARCHFLOW_QDRANT_COLLECTION to another name",
			s.cfg.Collection, DenseVector, LexicalVector))
	}
	have := int(dense.GetSize())
	// model names the recorded embedding model ("" if none is recorded);
	// known is the name when it can be adopted.
	model := info.GetConfig().GetMetadata()[metaModel].GetStringValue()
	known := model
	matches := func(m string) bool { return m == model }
	if model == "" && !created {
		// Made on a server without collection metadata: look for the alias.
		if rec, ok := s.aliasRecord(ctx); ok {
			model, known, matches = rec.describe(), rec.model, rec.matches
		}
	}
	if s.cfg.Dim == 0 {
		s.cfg.Dim = have
	}
	if have != s.cfg.Dim || (model != "" && s.cfg.EmbeddingModel != "" && !matches(s.cfg.EmbeddingModel)) {
		return egress.Fail(egress.KindConfig, fmt.Errorf(
			"collection %q holds %d-dimensional vectors of model %q, but the embedder is %q with %d dimensions: "+
				"use another RESEARCHFLOW_QDRANT_COLLECTION or re-ingest into a new one",
			s.cfg.Collection, have, model, s.cfg.EmbeddingModel, s.cfg.Dim))
	}
	if model == "" && !created && s.cfg.EmbeddingModel != "" {
		s.log.Warn("the collection records no embedding model (made on a Qdrant without collection metadata, or by an older Researchflow): only its dimension is checked",
			"dim", have)
	}
	if s.cfg.EmbeddingModel == "" {
		s.cfg.EmbeddingModel = known
	}
	return nil
}
