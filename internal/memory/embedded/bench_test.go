package embedded

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/textproc"
)

const benchDim = 384

// BenchmarkSearch measures hybrid top-10 queries restricted to one corpus
// on synthetic collections, reporting latency percentiles and the recall@10
// of the approximate dense search (alone and fused) against exact search.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%dk", n/1000), func(b *testing.B) {
			ctx := context.Background()
			dir := b.TempDir()
			s, err := Open(dir, Options{EmbeddingModel: "bench", Dim: benchDim, Logger: quiet()})
			if err != nil {
				b.Fatal(err)
			}
			fx := newFixture(n, benchDim, n/500, 3)
			start := time.Now()
			if err := fx.load(ctx, s, 256); err != nil {
				b.Fatal(err)
			}
			build := time.Since(start)
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			// Reopen as a fresh process would: with the closed store's
			// memory given back, not reusing it (the build's garbage made
			// reopen look cheaper than it is after a restart).
			s = nil
			debug.FreeOSMemory()
			start = time.Now()
			s, err = Open(dir, Options{EmbeddingModel: "bench", Dim: benchDim, Logger: quiet()})
			if err != nil {
				b.Fatal(err)
			}
			reopen := time.Since(start)
			defer s.Close()

			r := rand.New(rand.NewPCG(3, 4))
			z := rand.NewZipf(r, 1.1, 2, uint64(len(fx.vocab)-1))
			queries := make([]memory.Query, 500)
			for i := range queries {
				queries[i] = memory.Query{
					Text: fx.queryText(r, z), Vector: fx.query(r), TopK: 10,
					Filter: memory.Filter{Corpus: fmt.Sprintf("c%d", i%3)},
				}
			}
			var lat []time.Duration
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				i++
				t0 := time.Now()
				hits, err := s.Search(ctx, q)
				lat = append(lat, time.Since(t0))
				if err != nil || len(hits) == 0 {
					b.Fatalf("Search = %d hits, %v", len(hits), err)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			dense, hybrid := recall(s, queries[:100])
			b.ReportMetric(dense, "recall@10")
			b.ReportMetric(hybrid, "hybrid-recall@10")
			b.ReportMetric(build.Seconds(), "build-s")
			b.ReportMetric(reopen.Seconds(), "reopen-s")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// recall compares approximate against exact dense search, alone and fused
// with BM25 as Search does it.
func recall(s *Store, queries []memory.Query) (dense, hybrid float64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	x := s.idx
	sc := new(scratch)
	var dFound, hFound, dTotal, hTotal int
	for _, q := range queries {
		v := normalized(q.Vector)
		m := x.compile(q.Filter)
		exact := x.denseExact(v, m, q.TopK)
		dFound += overlap(exact, x.dense(v, m, q.TopK, sc))
		dTotal += len(exact)

		terms := distinct(textproc.Tokenize(q.Text))
		depth := fuseDepth * q.TopK
		lex := x.bm25(terms, m, depth, sc)
		exactFused := x.fuse(q.TopK, lex, x.denseExact(v, m, depth))
		approxFused := x.fuse(q.TopK, lex, x.dense(v, m, depth, sc))
		hFound += overlap(exactFused, approxFused)
		hTotal += len(exactFused)
	}
	return float64(dFound) / float64(dTotal), float64(hFound) / float64(hTotal)
}

// BenchmarkIngest measures durable ingestion: batches of 256 chunks with
// 384-dim vectors, one fsync per batch.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	s, err := Open(b.TempDir(), Options{EmbeddingModel: "bench", Dim: benchDim, Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const size = 256
	fx := newFixture(40*size, benchDim, 40, 3)
	var pool [][]memory.Chunk
	fx.batches(size, func(c []memory.Chunk) error {
		pool = append(pool, slices.Clone(c))
		return nil
	})
	i := 0
	for b.Loop() {
		batch := slices.Clone(pool[i%len(pool)])
		for j := range batch {
			batch[j].ID = memory.ChunkID(batch[j].Corpus, batch[j].SourceLocation, fmt.Sprint(i, "/", j))
		}
		i++
		if err := s.Upsert(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i*size)/b.Elapsed().Seconds(), "chunks/s")
}
