package embedded

import (
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/textproc"
)

// index is the in-memory state of a store: the chunks, a BM25 inverted
// index and the dense vectors with their binary codes. Documents are
// numbered in insertion order; a replaced or deleted document stays in place
// as dead until rebuild renumbers the live ones. Hot per-document data is
// kept in parallel slices so that scans touch little memory.
type index struct {
	dim   int
	words int // uint64 words per binary code

	docs     []doc
	alive    []bool
	lens     []float32 // token count per document
	corpusOf []uint32
	sourceOf []uint32
	hashOf   []uint32
	vecs     [][]float32 // unit vectors, dim per document, vecBlock documents per block
	codes    []uint64    // sign bits of vec-center, words per document

	byID     map[string]uint32
	live     int
	totalLen float64

	corpora, sources, hashes interner

	terms    map[string]uint32
	postings [][]posting
	df       []int32 // live documents per term

	// minKeep and minRerank are the dense search's minimum candidate counts
	// (see dense); tests lower them to exercise every stage on small stores.
	minKeep, minRerank int

	center      []float32
	spread      []float32 // mean |vec-center| per dimension
	centeredAt  int       // live documents when center was last computed
	deferCodes  bool      // during replay: codes are computed once at the end
	writeFormat int       // tests: write checkpoints in this format (0: ckptFormat)
	ids         []uint32  // add's buffer of the term IDs of one document

	// analysis is the textproc.AnalysisVersion that made terms, postings
	// and the documents' seq (0: unknown, a checkpoint before format 3).
	analysis int
}

type doc struct {
	// c is the chunk (without Vector), or nil for one read from a
	// checkpoint: enc is then its fields as the checkpoint has them, in
	// the mapped file (see index.chunk). Decoding the chunks on use keeps
	// opening a large store from writing 200-odd bytes per document.
	c   *memory.Chunk
	enc []byte
	// seq is the chunk's text as term IDs in order (title, section, text,
	// as prepare tokenizes them): the phrase ranking reads its ordered
	// pairs without tokenizing the text again, and a term's document
	// frequency is counted once per distinct ID in it.
	seq []uint32
}

type posting struct {
	doc uint32
	tf  uint32
}

// interner numbers strings from 1; 0 stands for the empty string.
type interner struct{ ids map[string]uint32 }

func (in *interner) id(s string) uint32 {
	if s == "" {
		return 0
	}
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := uint32(len(in.ids) + 1)
	in.ids[s] = id
	return id
}

func (in *interner) lookup(s string) (uint32, bool) {
	id, ok := in.ids[s]
	return id, ok
}

func newIndex(dim int) *index {
	return &index{
		dim:     dim,
		words:   (dim + 63) / 64,
		byID:    map[string]uint32{},
		corpora: interner{ids: map[string]uint32{}},
		sources: interner{ids: map[string]uint32{}},
		hashes:  interner{ids: map[string]uint32{}},
		terms:   map[string]uint32{},
		center:  make([]float32, dim),
		spread:  ones(dim),

		analysis: textproc.AnalysisVersion,

		minKeep:   minScanKeep,
		minRerank: minRerank,
	}
}

// prepared is a chunk made ready for the index outside the store lock.
type prepared struct {
	chunk  memory.Chunk // Vector normalized
	terms  []string     // distinct terms
	tfs    []uint32
	seq    []uint32 // the tokens in order, as indexes into terms
	length int
}

func prepare(c memory.Chunk) prepared {
	toks := textproc.Tokenize(c.SourceTitle + " " + c.Section + " " + c.Text)
	p := prepared{chunk: c, length: len(toks), seq: make([]uint32, len(toks))}
	seen := make(map[string]int, len(toks))
	for j, t := range toks {
		if i, ok := seen[t]; ok {
			p.tfs[i]++
			p.seq[j] = uint32(i)
			continue
		}
		seen[t] = len(p.terms)
		p.seq[j] = uint32(len(p.terms))
		p.terms = append(p.terms, t)
		p.tfs = append(p.tfs, 1)
	}
	return p
}

// prepareAll prepares chunks, using every CPU for large batches.
func prepareAll(chunks []memory.Chunk) []prepared {
	ps := make([]prepared, len(chunks))
	workers := min(runtime.GOMAXPROCS(0), len(chunks)/64)
	if workers <= 1 {
		for i, c := range chunks {
			ps[i] = prepare(c)
		}
		return ps
	}
	var wg sync.WaitGroup
	per := (len(chunks) + workers - 1) / workers
	for lo := 0; lo < len(chunks); lo += per {
		hi := min(lo+per, len(chunks))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				ps[i] = prepare(chunks[i])
			}
		})
	}
	wg.Wait()
	return ps
}

// normalized returns v scaled to unit length (a zero vector stays zero).
func normalized(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if s == 0 {
		return out
	}
	inv := 1 / math.Sqrt(s)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

// reserve makes room for n more documents. The per-document slices grow
// by doubling: append alone grows a large slice by a quarter at a time, and
// ingesting 100k chunks spent much of its time copying them into ever
// larger arrays. (The vectors, the largest, are kept in blocks that are
// never copied.)
func (x *index) reserve(n int) {
	x.docs = growDouble(x.docs, n)
	x.alive = growDouble(x.alive, n)
	x.lens = growDouble(x.lens, n)
	x.corpusOf = growDouble(x.corpusOf, n)
	x.sourceOf = growDouble(x.sourceOf, n)
	x.hashOf = growDouble(x.hashOf, n)
	if x.dim > 0 {
		x.codes = growDouble(x.codes, n*x.words)
	}
}

// growDouble returns s with room for n more elements, at least doubling
// its capacity when it has to grow.
func growDouble[S ~[]E, E any](s S, n int) S {
	if cap(s)-len(s) >= n {
		return s
	}
	return slices.Grow(s, max(n, len(s)))
}

// add inserts p, replacing a live document with the same ID; it reports
// whether one was replaced.
func (x *index) add(p *prepared) (replaced bool) {
	if old, ok := x.byID[p.chunk.ID]; ok {
		x.kill(old)
		replaced = true
	}
	d := uint32(len(x.docs))
	ids := slices.Grow(x.ids[:0], len(p.terms))[:len(p.terms)]
	x.ids = ids
	x.post(p, d, ids)
	// p is used once: its sequence of indexes into p.terms becomes the
	// document's sequence of term IDs in place.
	seq := p.seq
	for j, i := range seq {
		seq[j] = ids[i]
	}
	c := p.chunk
	vec := c.Vector
	c.Vector = nil
	x.docs = append(x.docs, doc{c: &c, seq: seq})
	x.alive = append(x.alive, true)
	x.lens = append(x.lens, float32(p.length))
	x.corpusOf = append(x.corpusOf, x.corpora.id(c.Corpus))
	x.sourceOf = append(x.sourceOf, x.sources.id(c.SourceID))
	x.hashOf = append(x.hashOf, x.hashes.id(c.DocHash))
	if x.dim > 0 {
		x.vecs = appendVec(x.vecs, int(d), x.dim, vec)
		x.codes = append(x.codes, make([]uint64, x.words)...)
		if !x.deferCodes {
			x.encode(d)
		}
	}
	x.byID[c.ID] = d
	x.live++
	x.totalLen += float64(p.length)
	return replaced
}

// post adds document d's postings for the terms of p, giving each new
// term the next ID, and writes the ID of p.terms[j] to ids[j].
func (x *index) post(p *prepared, d uint32, ids []uint32) {
	for j, t := range p.terms {
		id, ok := x.terms[t]
		if !ok {
			id = uint32(len(x.postings))
			x.terms[t] = id
			x.postings = append(x.postings, nil)
			x.df = append(x.df, 0)
		}
		x.postings[id] = append(x.postings[id], posting{doc: d, tf: p.tfs[j]})
		x.df[id]++
		ids[j] = id
	}
}

// reanalyse tokenizes every live document's text again with this build's
// textproc and rebuilds the terms, postings, document frequencies, term
// sequences and lengths from it, keeping the documents' numbers (and so
// their vectors and codes). A checkpoint keeps each chunk's text, so an
// index whose terms were made by another analysis version becomes the one
// this build would make by ingesting the same chunks.
func (x *index) reanalyse() {
	var live []memory.Chunk
	var nums []uint32
	for d := range x.docs {
		if x.alive[d] {
			live = append(live, x.chunk(uint32(d)))
			nums = append(nums, uint32(d))
		}
	}
	ps := prepareAll(live)
	x.terms = make(map[string]uint32, len(x.terms))
	x.postings, x.df = x.postings[:0], x.df[:0]
	x.totalLen = 0
	for i, p := range ps {
		d := nums[i]
		ids := make([]uint32, len(p.terms))
		x.post(&p, d, ids)
		seq := make([]uint32, len(p.seq))
		for j, k := range p.seq {
			seq[j] = ids[k]
		}
		x.docs[d].seq = seq
		x.lens[d] = float32(p.length)
		x.totalLen += float64(p.length)
	}
	x.analysis = textproc.AnalysisVersion
}

// kill marks document d dead.
func (x *index) kill(d uint32) {
	if !x.alive[d] {
		return
	}
	x.alive[d] = false
	x.live--
	x.totalLen -= float64(x.lens[d])
	for _, t := range distinctIDs(x.docs[d].seq) {
		x.df[t]--
	}
	if id := x.id(d); x.byID[id] == d {
		delete(x.byID, id)
	}
	x.docs[d] = doc{} // let the text go
}

// chunk returns document d's chunk (the zero chunk for a dead one). Its
// strings may point into the mapped checkpoint (see detached).
func (x *index) chunk(d uint32) memory.Chunk {
	switch doc := &x.docs[d]; {
	case doc.c != nil:
		return *doc.c
	case doc.enc != nil:
		return decodeChunk(&decoder{b: doc.enc}) // checked when loaded
	}
	return memory.Chunk{}
}

// id returns document d's chunk ID.
func (x *index) id(d uint32) string {
	switch doc := &x.docs[d]; {
	case doc.c != nil:
		return doc.c.ID
	case doc.enc != nil:
		// The ID is the first field: its length, the other eight
		// lengths, then its bytes.
		dec := decoder{b: doc.enc}
		n := dec.uvarint()
		for range 8 {
			dec.uvarint()
		}
		if n == 0 {
			return ""
		}
		return unsafe.String(&dec.b[0], n)
	}
	return ""
}

// distinctIDs returns the distinct IDs in seq, sorted.
func distinctIDs(seq []uint32) []uint32 {
	ids := slices.Clone(seq)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// vecBlock is the number of documents per block of vectors: a block is
// allocated whole and never grows, so adding documents never copies the
// vectors already there.
const vecBlock = 1024

func (x *index) vec(d uint32) []float32 {
	o := int(d%vecBlock) * x.dim
	return x.vecs[d/vecBlock][o : o+x.dim : o+x.dim]
}

// appendVec appends v as the vector of document d (the next one) to blocks.
func appendVec(blocks [][]float32, d, dim int, v []float32) [][]float32 {
	if d%vecBlock == 0 {
		blocks = append(blocks, make([]float32, 0, vecBlock*dim))
	}
	b := &blocks[len(blocks)-1]
	*b = append(*b, v...)
	return blocks
}

func (x *index) code(d uint32) []uint64 {
	return x.codes[int(d)*x.words : (int(d)+1)*x.words]
}

// encode computes the binary code of document d from the current center.
func (x *index) encode(d uint32) {
	signCode(x.vec(d), x.center, x.code(d))
}

func signCode(v, center []float32, dst []uint64) {
	clear(dst)
	for i, f := range v {
		if f > center[i] {
			dst[i>>6] |= 1 << (uint(i) & 63)
		}
	}
}

// maybeRecenter recomputes the center (the mean of the live vectors) and all
// codes whenever the store has doubled since the last time. Centering keeps
// the sign bits informative for embeddings that share a common direction.
func (x *index) maybeRecenter() {
	if x.dim == 0 || x.deferCodes || x.live < 64 || x.live < 2*x.centeredAt {
		return
	}
	x.recenter()
}

func (x *index) recenter() {
	if x.dim == 0 {
		return
	}
	sum := make([]float64, x.dim)
	n := 0
	for d := range x.docs {
		if !x.alive[d] {
			continue
		}
		for i, f := range x.vec(uint32(d)) {
			sum[i] += float64(f)
		}
		n++
	}
	for i := range x.center {
		x.center[i] = 0
		if n > 0 {
			x.center[i] = float32(sum[i] / float64(n))
		}
	}
	dev := make([]float64, x.dim)
	for d := range x.docs {
		if !x.alive[d] {
			continue
		}
		for i, f := range x.vec(uint32(d)) {
			dev[i] += math.Abs(float64(f - x.center[i]))
		}
	}
	for i := range x.spread {
		x.spread[i] = 1
		if n > 0 && dev[i] > 0 {
			x.spread[i] = float32(dev[i] / float64(n))
		}
	}
	for d := range x.docs {
		x.encode(uint32(d))
	}
	x.centeredAt = x.live
}

func ones(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// rebuild renumbers the live documents, dropping the dead ones.
func (x *index) rebuild() {
	remap := make([]uint32, len(x.docs))
	n := uint32(0)
	for d := range x.docs {
		if x.alive[d] {
			remap[d] = n
			n++
		}
	}
	keep := func(d int) bool { return x.alive[d] }
	docs := make([]doc, 0, n)
	lens := make([]float32, 0, n)
	corpusOf := make([]uint32, 0, n)
	sourceOf := make([]uint32, 0, n)
	hashOf := make([]uint32, 0, n)
	var vecs [][]float32
	var codes []uint64
	if x.dim > 0 {
		codes = make([]uint64, 0, int(n)*x.words)
	}
	for d := range x.docs {
		if !keep(d) {
			continue
		}
		docs = append(docs, x.docs[d])
		lens = append(lens, x.lens[d])
		corpusOf = append(corpusOf, x.corpusOf[d])
		sourceOf = append(sourceOf, x.sourceOf[d])
		hashOf = append(hashOf, x.hashOf[d])
		if x.dim > 0 {
			vecs = appendVec(vecs, len(docs)-1, x.dim, x.vec(uint32(d)))
			codes = append(codes, x.code(uint32(d))...)
		}
	}
	for t, ps := range x.postings {
		out := ps[:0]
		for _, p := range ps {
			if x.alive[p.doc] {
				out = append(out, posting{doc: remap[p.doc], tf: p.tf})
			}
		}
		if len(out) == 0 {
			out = nil
		}
		x.postings[t] = out
	}
	for id, d := range x.byID {
		x.byID[id] = remap[d]
	}
	alive := make([]bool, n)
	for i := range alive {
		alive[i] = true
	}
	x.docs, x.alive, x.lens = docs, alive, lens
	x.corpusOf, x.sourceOf, x.hashOf = corpusOf, sourceOf, hashOf
	x.vecs, x.codes = vecs, codes
}

// matcher is a Filter resolved against the interned values of an index.
type matcher struct {
	all    bool // no constraint besides liveness
	none   bool // a constrained value is unknown: nothing matches
	corpus uint32
	source uint32
	hash   uint32
	inSet  []bool // indexed by source ID, when SourceIDs is set
	outSet []bool // indexed by source ID, when ExcludeSourceIDs is set
}

func filterEmpty(f memory.Filter) bool {
	return f.Corpus == "" && f.SourceID == "" && f.DocHash == "" && len(f.SourceIDs) == 0 && len(f.ExcludeSourceIDs) == 0
}

func (x *index) compile(f memory.Filter) *matcher {
	m := &matcher{all: filterEmpty(f)}
	if m.all {
		return m
	}
	var ok bool
	if f.Corpus != "" {
		if m.corpus, ok = x.corpora.lookup(f.Corpus); !ok {
			m.none = true
		}
	}
	if f.SourceID != "" {
		if m.source, ok = x.sources.lookup(f.SourceID); !ok {
			m.none = true
		}
	}
	if f.DocHash != "" {
		if m.hash, ok = x.hashes.lookup(f.DocHash); !ok {
			m.none = true
		}
	}
	if len(f.SourceIDs) > 0 {
		m.inSet = make([]bool, len(x.sources.ids)+1)
		found := false
		for _, s := range f.SourceIDs {
			if id, ok := x.sources.lookup(s); ok {
				m.inSet[id] = true
				found = true
			}
		}
		if !found {
			m.none = true
		}
	}
	if len(f.ExcludeSourceIDs) > 0 {
		m.outSet = make([]bool, len(x.sources.ids)+1)
		for _, s := range f.ExcludeSourceIDs {
			if id, ok := x.sources.lookup(s); ok {
				m.outSet[id] = true
			}
		}
	}
	return m
}

// match reports whether live document d passes the filter.
func (m *matcher) match(x *index, d uint32) bool {
	if m.all {
		return true
	}
	if m.none {
		return false
	}
	if m.corpus != 0 && x.corpusOf[d] != m.corpus {
		return false
	}
	if m.source != 0 && x.sourceOf[d] != m.source {
		return false
	}
	if m.hash != 0 && x.hashOf[d] != m.hash {
		return false
	}
	if m.inSet != nil && !m.inSet[x.sourceOf[d]] {
		return false
	}
	if m.outSet != nil && m.outSet[x.sourceOf[d]] {
		return false
	}
	return true
}

// corpusOnly reports whether m constrains nothing but the corpus, and
// which.
func (m *matcher) corpusOnly() (uint32, bool) {
	ok := !m.all && !m.none && m.corpus != 0 && m.source == 0 && m.hash == 0 && m.inSet == nil && m.outSet == nil
	return m.corpus, ok
}

// count returns the number of live documents matching m.
func (x *index) count(m *matcher) int {
	if m.all {
		return x.live
	}
	if m.none {
		return 0
	}
	n := 0
	for d := range x.docs {
		if x.alive[d] && m.match(x, uint32(d)) {
			n++
		}
	}
	return n
}

// matching returns the live documents matching m.
func (x *index) matching(m *matcher) []uint32 {
	if m.none {
		return nil
	}
	var out []uint32
	for d := range x.docs {
		if x.alive[d] && m.match(x, uint32(d)) {
			out = append(out, uint32(d))
		}
	}
	return out
}

func hamming(a, b []uint64) int {
	n := 0
	for i := range a {
		n += bits.OnesCount64(a[i] ^ b[i])
	}
	return n
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// dot4 is dot of a against b, c, d and e at once, each summed in dot's
// order (bit for bit dot's results).
func dot4(a, b, c, d, e []float32) (float32, float32, float32, float32) {
	b, c, d, e = b[:len(a)], c[:len(a)], d[:len(a)], e[:len(a)]
	var s0, s1, s2, s3, t0, t1, t2, t3, u0, u1, u2, u3, v0, v1, v2, v3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		a0, a1, a2, a3 := a[i], a[i+1], a[i+2], a[i+3]
		s0 += a0 * b[i]
		s1 += a1 * b[i+1]
		s2 += a2 * b[i+2]
		s3 += a3 * b[i+3]
		t0 += a0 * c[i]
		t1 += a1 * c[i+1]
		t2 += a2 * c[i+2]
		t3 += a3 * c[i+3]
		u0 += a0 * d[i]
		u1 += a1 * d[i+1]
		u2 += a2 * d[i+2]
		u3 += a3 * d[i+3]
		v0 += a0 * e[i]
		v1 += a1 * e[i+1]
		v2 += a2 * e[i+2]
		v3 += a3 * e[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
		t0 += a[i] * c[i]
		u0 += a[i] * d[i]
		v0 += a[i] * e[i]
	}
	return s0 + s1 + s2 + s3, t0 + t1 + t2 + t3, u0 + u1 + u2 + u3, v0 + v1 + v2 + v3
}

// dot2 is dot of a against b and c at once, each summed in dot's order (so
// bit for bit dot's results); the two documents' loads overlap.
func dot2(a, b, c []float32) (float32, float32) {
	b, c = b[:len(a)], c[:len(a)]
	var s0, s1, s2, s3, t0, t1, t2, t3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		a0, a1, a2, a3 := a[i], a[i+1], a[i+2], a[i+3]
		s0 += a0 * b[i]
		s1 += a1 * b[i+1]
		s2 += a2 * b[i+2]
		s3 += a3 * b[i+3]
		t0 += a0 * c[i]
		t1 += a1 * c[i+1]
		t2 += a2 * c[i+2]
		t3 += a3 * c[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
		t0 += a[i] * c[i]
	}
	return s0 + s1 + s2 + s3, t0 + t1 + t2 + t3
}
