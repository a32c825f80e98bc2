package embedded

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/researchflow/researchflow/internal/memory"
)

// The batched kernels give bit for bit the results of the plain ones, so
// the dense ranking is unchanged by them.
func TestKernelsMatchPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, dim := range []int{1, 3, 4, 7, 64, 384, 385} {
		vec := func() []float32 {
			v := make([]float32, dim)
			for i := range v {
				v[i] = float32(r.NormFloat64())
			}
			return v
		}
		q, b, c := vec(), vec(), vec()
		gb, gc := dot2(q, b, c)
		if gb != dot(q, b) || gc != dot(q, c) {
			t.Errorf("dim %d: dot2 = %v, %v; dot = %v, %v", dim, gb, gc, dot(q, b), dot(q, c))
		}
		d, e := vec(), vec()
		g0, g1, g2, g3 := dot4(q, b, c, d, e)
		for i, v := range [][]float32{b, c, d, e} {
			if got := []float32{g0, g1, g2, g3}[i]; got != dot(q, v) {
				t.Errorf("dim %d: dot4[%d] = %v, dot = %v", dim, i, got, dot(q, v))
			}
		}
		x := newIndex(dim)
		s := new(scratch)
		for i := range x.spread {
			x.spread[i] = float32(r.Float64())
		}
		lut := x.lut(q, s)
		codes := make([][]uint64, 4)
		for i := range codes {
			codes[i] = make([]uint64, x.words)
			for j := range codes[i] {
				codes[i][j] = r.Uint64()
			}
			if dim%64 != 0 { // bits past dim are never set
				codes[i][x.words-1] &= 1<<(dim%64) - 1
			}
		}
		e0, e1, e2, e3 := estimate4(lut, codes[0], codes[1], codes[2], codes[3])
		for i, got := range []float32{e0, e1, e2, e3} {
			if want := estimate(lut, codes[i]); got != want {
				t.Errorf("dim %d: estimate4[%d] = %v, estimate = %v", dim, i, got, want)
			}
		}
	}
}

// denseReference is dense as first written, one candidate at a time.
func (x *index) denseReference(q []float32, m *matcher, k int, s *scratch) []scored {
	if x.live == 0 || m.none {
		return nil
	}
	rerank := max(x.minRerank, rerankFactor*k)
	keep := max(x.minKeep, scanKeepFactor*k)
	n := len(x.docs)
	if cap(s.dist) < n {
		s.dist = make([]uint16, n)
	}
	dist := s.dist[:n]
	if cap(s.hist) < x.dim+1 {
		s.hist = make([]int, x.dim+1)
	}
	hist := s.hist[:x.dim+1]
	clear(hist)
	qc := make([]uint64, x.words)
	signCode(q, x.center, qc)
	const excluded = math.MaxUint16
	eligible := 0
	w := x.words
	for d := 0; d < n; d++ {
		if !x.alive[d] || !m.match(x, uint32(d)) {
			dist[d] = excluded
			continue
		}
		h := hamming(x.codes[d*w:(d+1)*w], qc)
		dist[d] = uint16(h)
		hist[h]++
		eligible++
	}
	// Keep every candidate closer than limit, and those at exactly limit
	// until keep candidates are kept.
	limit, below := x.dim+1, eligible
	if eligible > keep {
		below = 0
		for limit = 0; below+hist[limit] < keep; limit++ {
			below += hist[limit]
		}
	}
	atLimit := keep - below
	cands := s.cands[:0]
	for d := 0; d < n; d++ {
		h := int(dist[d])
		if h == excluded || h > limit {
			continue
		}
		if h == limit {
			if atLimit <= 0 {
				continue
			}
			atLimit--
		}
		cands = append(cands, cand{doc: uint32(d)})
	}
	s.cands = cands
	if len(cands) > rerank {
		lut := x.lut(q, s)
		for i := range cands {
			cands[i].est = estimate(lut, x.code(cands[i].doc))
		}
		selectTop(cands, rerank)
		cands = cands[:rerank]
	}
	top := topK{x: x, k: k}
	for _, c := range cands {
		top.push(scored{doc: c.doc, score: float64(dot(q, x.vec(c.doc)))})
	}
	return top.sorted()
}

// dense ranks exactly as its first, unbatched form on a store large enough
// for every stage (Hamming scan, estimate, exact re-rank).
func TestDenseMatchesReference(t *testing.T) {
	s := openT(t, t.TempDir(), 48)
	defer s.Close()
	fx := newFixture(3000, 48, 12, 3)
	if err := fx.load(t.Context(), s, 256); err != nil {
		t.Fatal(err)
	}
	x := s.idx
	x.minKeep, x.minRerank = 400, 37 // an odd count leaves a tail for the batched loops
	r := rand.New(rand.NewPCG(9, 10))
	sc := new(scratch)
	for i := range 100 {
		q := normalized(fx.query(r))
		f := memory.Filter{Corpus: fmt.Sprintf("c%d", i%4)} // c3 matches nothing
		switch i % 3 {
		case 1: // not the corpus-only fast path
			f.ExcludeSourceIDs = []string{x.chunk(uint32(i)).SourceID}
		case 2:
			f = memory.Filter{}
		}
		m := x.compile(f)
		k := 1 + i%13
		got, want := x.dense(q, m, k, sc), x.denseReference(q, m, k, sc)
		if !slices.Equal(got, want) {
			t.Fatalf("query %d: dense = %v, reference = %v", i, got, want)
		}
	}
}

// A filter on one corpus takes a shortcut in the term and dense rankings;
// the same documents chosen by a filter that does not take it (the corpus
// less a source that does not exist) get the same hits, scores included.
func TestCorpusShortcutMatchesGeneralFilter(t *testing.T) {
	s := openT(t, t.TempDir(), 48)
	defer s.Close()
	fx := newFixture(3000, 48, 12, 3)
	if err := fx.load(t.Context(), s, 256); err != nil {
		t.Fatal(err)
	}
	s.idx.minKeep, s.idx.minRerank = 400, 37
	r := rand.New(rand.NewPCG(7, 8))
	z := rand.NewZipf(r, 1.1, 2, uint64(len(fx.vocab)-1))
	for i := range 60 {
		q := memory.Query{Text: fx.queryText(r, z), Vector: fx.query(r), TopK: 1 + i%12}
		switch i % 3 {
		case 1:
			q.Vector = nil
		case 2:
			q.Text = ""
		}
		corpus := fmt.Sprintf("c%d", i%3)
		q.Filter = memory.Filter{Corpus: corpus}
		if _, ok := s.idx.compile(q.Filter).corpusOnly(); !ok {
			t.Fatal("a corpus filter does not take the shortcut; the test covers nothing")
		}
		got := searches(t, s, []memory.Query{q})
		q.Filter = memory.Filter{Corpus: corpus, ExcludeSourceIDs: []string{"no such source"}}
		want := searches(t, s, []memory.Query{q})
		if got[0] == "" || got[0] != want[0] {
			t.Fatalf("query %d: corpus filter gives\n%s\nthe general filter\n%s", i, got[0], want[0])
		}
	}
}
