package embedded

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/researchflow/researchflow/internal/memory"
)

// fixture generates a synthetic but realistically shaped collection: chunk
// texts of about 120 words drawn from a Zipf-distributed vocabulary, and
// unit vectors scattered around topic centers (cosine to their center about
// 0.7), spread over a few corpora.
type fixture struct {
	n, dim  int
	corpora int
	vocab   []string
	centers [][]float32
	noise   float64
}

func newFixture(n, dim, clusters, corpora int) *fixture {
	r := rand.New(rand.NewPCG(42, uint64(n)))
	f := &fixture{n: n, dim: dim, corpora: corpora, noise: 1 / math.Sqrt(float64(dim))}
	syll := []string{"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "po", "gu", "be", "sha", "tri", "qua", "dor", "fen"}
	seen := map[string]bool{}
	for len(f.vocab) < 20000 {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		b.WriteString("x") // no English inflection for the stemmer to strip
		if w := b.String(); !seen[w] {
			seen[w] = true
			f.vocab = append(f.vocab, w)
		}
	}
	for range clusters {
		f.centers = append(f.centers, gaussUnit(r, dim, nil, 0))
	}
	return f
}

// gaussUnit returns a unit vector: center plus Gaussian noise of the given
// scale per dimension, or a random direction when center is nil.
func gaussUnit(r *rand.Rand, dim int, center []float32, noise float64) []float32 {
	v := make([]float32, dim)
	var s float64
	for i := range v {
		x := r.NormFloat64()
		if center != nil {
			x = float64(center[i]) + noise*x
		}
		v[i] = float32(x)
		s += x * x
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
	return v
}

func (f *fixture) words(r *rand.Rand, z *rand.Zipf, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.vocab[z.Uint64()])
	}
	return b.String()
}

// batches calls fn with the chunks of the collection in batches of size.
func (f *fixture) batches(size int, fn func([]memory.Chunk) error) error {
	r := rand.New(rand.NewPCG(1, uint64(f.n)))
	z := rand.NewZipf(r, 1.1, 2, uint64(len(f.vocab)-1))
	batch := make([]memory.Chunk, 0, size)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range f.n {
		corpus := fmt.Sprintf("c%d", i%f.corpora)
		loc := fmt.Sprintf("docs/%d.md", i/8)
		text := f.words(r, z, 120)
		c := memory.Chunk{
			ID: memory.ChunkID(corpus, loc, fmt.Sprint(i)), Corpus: corpus,
			SourceID: memory.SourceID(corpus, loc), SourceTitle: f.words(r, z, 3), SourceLocation: loc,
			Text: text, End: len(text), ContentHash: memory.Hash(text), IngestedAt: now,
		}
		if f.dim > 0 {
			c.Vector = gaussUnit(r, f.dim, f.centers[r.IntN(len(f.centers))], f.noise)
		}
		batch = append(batch, c)
		if len(batch) == size || i == f.n-1 {
			if err := fn(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

func (f *fixture) load(ctx context.Context, s *Store, size int) error {
	return f.batches(size, func(b []memory.Chunk) error { return s.Upsert(ctx, b) })
}

// query returns a vector near a random topic center.
func (f *fixture) query(r *rand.Rand) []float32 {
	return gaussUnit(r, f.dim, f.centers[r.IntN(len(f.centers))], f.noise)
}

// queryText returns a few words with the same Zipf law as the chunks.
func (f *fixture) queryText(r *rand.Rand, z *rand.Zipf) string {
	return f.words(r, z, 3+r.IntN(4))
}
