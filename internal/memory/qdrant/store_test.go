package qdrant

import (
	"context"
	"fmt"
	"github.com/researchflow/researchflow/internal/config"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/embed"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/memorytest"
	"github.com/researchflow/researchflow/internal/memory/qdrant/qdranttest"
)

// collectionName is a fresh collection name for t.
func collectionName(t *testing.T) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, t.Name())
	return fmt.Sprintf("rf_test_%s_%s", name, uuid.NewString()[:8])
}

// target is where a test's stores live: the stand-in, or a real Qdrant.
type target struct {
	url, apiKey string
	fake        *qdranttest.Server
	opts        qdranttest.Options
}

func fakeTarget(t *testing.T) target {
	return standIn(t, qdranttest.Options{})
}

func standIn(t *testing.T, opts qdranttest.Options) target {
	f := qdranttest.StartWith(t, opts)
	return target{url: f.URL, fake: f, opts: opts}
}

// strictConfig is a strict mode tight enough that the contract's requests
// must be split: upserts of at most 2 points, filters of at most 2
// conditions of at most 2 values, no exact counts, no filtering on
// unindexed fields, queries and scroll pages of at most 20 points, lexical
// vectors of at most 64 terms.
func strictConfig() *qdrant.StrictModeConfig {
	return &qdrant.StrictModeConfig{
		Enabled:                    qdrant.PtrOf(true),
		UpsertMaxBatchsize:         qdrant.PtrOf(uint64(2)),
		FilterMaxConditions:        qdrant.PtrOf(uint64(2)),
		ConditionMaxSize:           qdrant.PtrOf(uint64(2)),
		SearchAllowExact:           qdrant.PtrOf(false),
		UnindexedFilteringRetrieve: qdrant.PtrOf(false),
		UnindexedFilteringUpdate:   qdrant.PtrOf(false),
		MaxQueryLimit:              qdrant.PtrOf(uint32(20)),
		SparseConfig: &qdrant.StrictModeSparseConfig{SparseConfig: map[string]*qdrant.StrictModeSparse{
			LexicalVector: {MaxLength: qdrant.PtrOf(uint64(64))},
		}},
	}
}

// behaviours are the servers the stand-in plays for the contract and
// adapter tests: Qdrant 1.17 (vectors answered in the oneof), 1.16 (the
// pre-1.17 answer shape), 1.12.1 (reads only the deprecated input fields,
// keeps no collection metadata), the oldest supported release, and 1.17
// with strict mode on.
var behaviours = []struct {
	name string
	opts func() qdranttest.Options
}{
	{"1.17", func() qdranttest.Options { return qdranttest.Options{Version: "1.17.1"} }},
	{"pre-1.17", func() qdranttest.Options { return qdranttest.Options{Version: "1.16.3"} }},
	{"1.12.1", func() qdranttest.Options { return qdranttest.Options{Version: "1.12.1"} }},
	{"1.10.0", func() qdranttest.Options { return qdranttest.Options{Version: "1.10.0"} }},
	{"strict", func() qdranttest.Options { return qdranttest.Options{Version: "1.17.1", Strict: strictConfig()} }},
}

func realTarget(t *testing.T) target {
	url, ok := os.LookupEnv("QDRANT_URL")
	if !ok || url == "" {
		t.Skip("needs QDRANT_URL")
	}
	return target{url: url, apiKey: os.Getenv("QDRANT_API_KEY")}
}

func (tg target) config(t *testing.T, dim int) Config {
	return Config{
		URL: tg.url, APIKey: tg.apiKey, Collection: collectionName(t),
		Dim: dim, EmbeddingModel: "test-model", Timeout: 10 * time.Second, Backoff: time.Millisecond,
	}
}

// open opens a fresh collection and drops it when the test ends.
func (tg target) open(t *testing.T, cfg Config) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		// A second client: the suite closes the store itself.
		c, err := Open(ctx, Config{URL: cfg.URL, APIKey: cfg.APIKey, Collection: cfg.Collection})
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.client.DeleteCollection(ctx, cfg.Collection)
	})
	return s
}

func (tg target) opener(t *testing.T) func(t *testing.T, dim int) memory.Store {
	return func(t *testing.T, dim int) memory.Store { return tg.open(t, tg.config(t, dim)) }
}

var contractOpts = memorytest.Options{VectorsFromGet: true}

// TestContract runs the shared memory.Store contract against the adapter
// talking to the Qdrant stand-in in each server behaviour.
func TestContract(t *testing.T) {
	for _, b := range behaviours {
		t.Run(b.name, func(t *testing.T) {
			memorytest.RunWith(t, contractOpts, standIn(t, b.opts()).opener(t))
		})
	}
}

// TestContractRealQdrant runs the same contract against a real Qdrant.
func TestContractRealQdrant(t *testing.T) {
	memorytest.RunWith(t, contractOpts, realTarget(t).opener(t))
}

func TestAdapterRealQdrant(t *testing.T) {
	runAdapterTests(t, realTarget(t))
}

func TestAdapterStandIn(t *testing.T) {
	for _, b := range behaviours {
		t.Run(b.name, func(t *testing.T) {
			runAdapterTests(t, standIn(t, b.opts()))
		})
	}
}

// runAdapterTests covers what the contract does not: collection setup,
// embedding checks, batching, IDs that are not UUIDs, and search over
// real embeddings.
func runAdapterTests(t *testing.T, tg target) {
	ctx := context.Background()

	t.Run("EmbeddingMismatchOnOpen", func(t *testing.T) {
		cfg := tg.config(t, 8)
		s := tg.open(t, cfg)
		s.Close()
		for _, tc := range []struct {
			name  string
			dim   int
			model string
		}{{"dimension", 16, cfg.EmbeddingModel}, {"model", 8, "other-model"}} {
			other := cfg
			other.Dim, other.EmbeddingModel = tc.dim, tc.model
			_, err := Open(ctx, other)
			fe, ok := fault.Classify(err)
			if !ok || fe.Kind != egress.KindConfig || !fe.Permanent || !strings.Contains(err.Error(), "re-ingest") {
				t.Errorf("reopen with another %s: err = %v, want a permanent %s saying what to do", tc.name, err, egress.KindConfig)
			}
		}
		// Same model and dimension, or dimension left to the collection: fine.
		for _, dim := range []int{8, 0} {
			same := cfg
			same.Dim = dim
			s, err := Open(ctx, same)
			if err != nil {
				t.Fatalf("reopen with dim %d: %v", dim, err)
			}
			if s.Dim() != 8 {
				t.Errorf("reopen with dim %d: Dim() = %d, want 8", dim, s.Dim())
			}
			s.Close()
		}
	})

	t.Run("ForeignCollectionRefused", func(t *testing.T) {
		cfg := tg.config(t, 8)
		s := tg.open(t, cfg)
		defer s.Close()
		name := cfg.Collection + "_plain"
		if err := s.client.CreateCollection(ctx, plainCollection(name)); err != nil {
			t.Fatalf("create plain collection: %v", err)
		}
		defer s.client.DeleteCollection(ctx, name)
		other := cfg
		other.Collection = name
		_, err := Open(ctx, other)
		if fe, ok := fault.Classify(err); !ok || fe.Kind != egress.KindConfig || !strings.Contains(err.Error(), "not made by Researchflow") {
			t.Errorf("Open of a collection without named vectors: err = %v, want %s naming the schema", err, egress.KindConfig)
		}
	})

	t.Run("BatchesAndOddIDs", func(t *testing.T) {
		s := tg.open(t, tg.config(t, 4))
		defer s.Close()
		var chunks []memory.Chunk
		for i := range 600 {
			chunks = append(chunks, memory.Chunk{
				ID: fmt.Sprintf("chunk-%03d", i), Corpus: "c", SourceID: "s", Text: fmt.Sprintf("note number %d", i),
				Vector: []float32{1, float32(i), 0, 0},
			})
		}
		if err := s.Upsert(ctx, chunks); err != nil {
			t.Fatal(err)
		}
		if tg.fake != nil {
			batch := 256
			if lim := tg.opts.Strict.GetUpsertMaxBatchsize(); lim > 0 {
				batch = int(lim)
			}
			if got, want := tg.fake.Calls("Upsert"), (600+batch-1)/batch; got != want {
				t.Errorf("Upsert RPCs for 600 chunks = %d, want %d batches of at most %d", got, want, batch)
			}
		}
		n, err := s.Count(ctx, memory.Filter{Corpus: "c"})
		if err != nil || n != 600 {
			t.Errorf("Count = %d, %v; want 600", n, err)
		}
		got, err := s.Get(ctx, []string{"chunk-599", "chunk-000", "nope"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "chunk-599" || got[1].ID != "chunk-000" {
			t.Errorf("Get of IDs that are not UUIDs = %v, want chunk-599, chunk-000", ids(got))
		}
		// Qdrant normalizes cosine vectors on upload: Get returns the
		// stored vector's direction, not its length.
		if len(got) == 2 {
			want := []float32{1, 599, 0, 0}
			if len(got[0].Vector) != 4 || cosine(got[0].Vector, want) < 0.99999 || math.Abs(norm(got[0].Vector)-1) > 1e-5 {
				t.Errorf("Get returned the dense vector %v, want the unit vector along %v", got[0].Vector, want)
			}
		}
	})

	t.Run("HybridOverEmbeddings", func(t *testing.T) {
		e := embed.Hashing{Dimensions: 64}
		cfg := tg.config(t, e.Dim())
		cfg.EmbeddingModel = e.Model()
		s := embed.WithEmbeddings(tg.open(t, cfg), e)
		defer s.Close()
		docs := map[string]string{
			"gc":       "The garbage collector reclaims memory that is no longer reachable; GOGC sets its pace.",
			"mm":       "The Go memory model specifies when a read of a variable in one goroutine observes a write in another.",
			"http":     "Package net/http provides HTTP client and server implementations.",
			"strconv":  "Package strconv implements conversions to and from string representations of basic data types.",
			"channels": "Channels connect concurrent goroutines; a send on an unbuffered channel waits for a receiver.",
		}
		var chunks []memory.Chunk
		for loc, text := range docs {
			chunks = append(chunks, memory.Chunk{
				ID: memory.ChunkID("go", loc, memory.Hash(text)), Corpus: "go", SourceID: memory.SourceID("go", loc),
				SourceTitle: loc, SourceLocation: loc, Text: text, ContentHash: memory.Hash(text),
			})
		}
		if err := s.Upsert(ctx, chunks); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]string{
			"when does a goroutine observe a write to a variable": "mm",
			"garbage collector pace GOGC":                         "gc",
			"convert a string to an int":                          "strconv",
		} {
			hits, err := s.Search(ctx, memory.Query{Text: q, TopK: 3, Filter: memory.Filter{Corpus: "go"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].Chunk.SourceLocation != want {
				t.Errorf("Search(%q) = %v, want %s first", q, locations(hits), want)
			}
		}
	})
}

func TestOpenCreatesCollection(t *testing.T) {
	tg := fakeTarget(t)
	cfg := tg.config(t, 8)
	s := tg.open(t, cfg)
	defer s.Close()
	meta := tg.fake.Metadata(cfg.Collection)
	if got := meta[metaModel].GetStringValue(); got != "test-model" {
		t.Errorf("metadata model = %q, want test-model", got)
	}
	if got := meta[metaDim].GetIntegerValue(); got != 8 {
		t.Errorf("metadata dim = %d, want 8", got)
	}
	if got, want := strings.Join(tg.fake.Indexes(cfg.Collection), ","), "corpus,doc_hash,source_id"; got != want {
		t.Errorf("payload indexes = %s, want %s", got, want)
	}
	// Open without a dimension cannot create a collection.
	none := tg.config(t, 0)
	if _, err := Open(context.Background(), none); err == nil || !fault.IsPermanent(err) {
		t.Errorf("Open of a missing collection without Dim: err = %v, want a permanent error", err)
	}
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	tg := fakeTarget(t)
	s := tg.open(t, tg.config(t, 2))
	defer s.Close()
	c := memory.Chunk{ID: uuid.NewString(), Corpus: "c", Text: "retry me", Vector: []float32{1, 0}}

	t.Run("UnavailableTwiceThenOK", func(t *testing.T) {
		before := tg.fake.Calls("Upsert")
		tg.fake.FailNext("Upsert", codes.Unavailable, codes.Unavailable)
		if err := s.Upsert(ctx, []memory.Chunk{c}); err != nil {
			t.Fatalf("Upsert after two Unavailable: %v", err)
		}
		if got := tg.fake.Calls("Upsert") - before; got != 3 {
			t.Errorf("Upsert RPCs = %d, want 3", got)
		}
		if n, _ := s.Count(ctx, memory.Filter{}); n != 1 {
			t.Errorf("Count = %d, want 1", n)
		}
	})

	t.Run("InvalidArgumentNotRetried", func(t *testing.T) {
		before := tg.fake.Calls("Query")
		tg.fake.FailNext("Query", codes.InvalidArgument)
		_, err := s.Search(ctx, memory.Query{Text: "retry"})
		if got := tg.fake.Calls("Query") - before; got != 1 {
			t.Errorf("Query RPCs = %d, want 1", got)
		}
		fe, ok := fault.Classify(err)
		if !ok || !fe.Permanent || fe.Kind != egress.KindRejected || !strings.Contains(err.Error(), "InvalidArgument") {
			t.Errorf("err = %v, want a permanent %s naming the gRPC code", err, egress.KindRejected)
		}
		if fault.IsTransient(err) {
			t.Errorf("fault.IsTransient(%v) = true", err)
		}
	})

	t.Run("RetriesRunOut", func(t *testing.T) {
		before := tg.fake.Calls("Count")
		tg.fake.FailNext("Count", codes.ResourceExhausted, codes.Unavailable, codes.Aborted, codes.DeadlineExceeded, codes.Unavailable)
		_, err := s.Count(ctx, memory.Filter{})
		if got := tg.fake.Calls("Count") - before; got != DefaultMaxAttempts {
			t.Errorf("Count RPCs = %d, want %d", got, DefaultMaxAttempts)
		}
		if !fault.IsTransient(err) {
			t.Errorf("err = %v, want it retryable (transient)", err)
		}
		// The fifth failure is still queued: the next call retries past it.
		if _, err := s.Count(ctx, memory.Filter{}); err != nil {
			t.Errorf("Count after the queued failure: %v", err)
		}
	})

	t.Run("CancelStopsRetrying", func(t *testing.T) {
		slow := tg.config(t, 2)
		slow.Collection = s.cfg.Collection
		slow.Backoff = time.Hour
		s2, err := Open(ctx, slow)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		tg.fake.FailNext("Count", codes.Unavailable)
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = s2.Count(cctx, memory.Filter{})
		if err == nil || time.Since(start) > 5*time.Second {
			t.Errorf("Count with a cancelled context: err = %v after %v, want a quick error", err, time.Since(start))
		}
	})
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		url  string
		host string
		port int
		tls  bool
		bad  bool
	}{
		{url: "http://localhost:6334", host: "localhost", port: 6334},
		{url: "localhost:7000", host: "localhost", port: 7000},
		{url: "qdrant", host: "qdrant", port: 6334},
		{url: "https://xyz.cloud.qdrant.io:6334", host: "xyz.cloud.qdrant.io", port: 6334, tls: true},
		{url: "https://xyz.cloud.qdrant.io", host: "xyz.cloud.qdrant.io", port: 6334, tls: true},
		{url: "ftp://x", bad: true},
		{url: "http://:99999", bad: true},
	} {
		host, port, tls, err := parseURL(tc.url)
		if tc.bad {
			if err == nil {
				t.Errorf("parseURL(%q) accepted a bad URL", tc.url)
			}
			continue
		}
		if err != nil || host != tc.host || port != tc.port || tls != tc.tls {
			t.Errorf("parseURL(%q) = %s %d %v %v, want %s %d %v", tc.url, host, port, tls, err, tc.host, tc.port, tc.tls)
		}
	}
	env := map[string]string{"QDRANT_URL": "https://q.example:6334", "QDRANT_API_KEY": "k", "RESEARCHFLOW_QDRANT_COLLECTION": "docs"}
	c, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil || c.Qdrant == nil {
		t.Fatalf("config.Load = %v, %v", c.Qdrant, err)
	}
	if cfg := withDefaults(*c.Qdrant); cfg.URL != env["QDRANT_URL"] || cfg.APIKey != "k" || cfg.Collection != "docs" || cfg.Timeout != DefaultTimeout {
		t.Errorf("bound settings = %+v", cfg)
	}
	if c, err := config.Load(func(string) (string, bool) { return "", false }); err != nil || c.Qdrant != nil {
		t.Errorf("config.Load without QDRANT_URL = %v, %v; want no Qdrant", c.Qdrant, err)
	}
	if _, err := config.Load(func(k string) (string, bool) { return "ftp://q", k == "QDRANT_URL" }); err == nil || !strings.Contains(err.Error(), "QDRANT_URL") {
		t.Errorf("config.Load with an ftp QDRANT_URL: %v, want an error naming it", err)
	}
}

func TestSparse(t *testing.T) {
	idx, val := Sparse("Channels, channels and a channel: goroutines!")
	if len(idx) != 2 {
		t.Fatalf("indices = %v, want 2 distinct terms (channel, goroutin)", idx)
	}
	for i := 1; i < len(idx); i++ {
		if idx[i] <= idx[i-1] {
			t.Errorf("indices not strictly increasing: %v", idx)
		}
	}
	var sum float32
	for _, v := range val {
		sum += v
	}
	if sum != 4 {
		t.Errorf("values = %v, want term counts 3 and 1", val)
	}
	if idx2, _ := Sparse("channel goroutine"); idx2[0] != idx[0] || idx2[1] != idx[1] {
		t.Errorf("the same terms hash to different indices: %v vs %v", idx2, idx)
	}
}

func cosine(a, b []float32) float64 {
	var dot float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
	}
	return dot / (norm(a) * norm(b))
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func ids(cs []memory.Chunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func locations(hits []memory.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Chunk.SourceLocation)
	}
	return out
}

// plainCollection is a collection with one unnamed vector, as another
// application would make it.
func plainCollection(name string) *qdrant.CreateCollection {
	return &qdrant.CreateCollection{
		CollectionName: name,
		VectorsConfig:  qdrant.NewVectorsConfig(&qdrant.VectorParams{Size: 8, Distance: qdrant.Distance_Cosine}),
	}
}
