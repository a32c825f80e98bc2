package embedded

import (
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/researchflow/researchflow/internal/textproc"
)

const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// rrfK is the reciprocal rank fusion constant.
	rrfK = 60
	// fuseDepth is how many candidates per retriever a hybrid query fuses,
	// as a multiple of TopK.
	fuseDepth = 4
	// Dense search keeps max(minScanKeep, scanKeepFactor*k) candidates from
	// the Hamming scan and re-ranks the best max(minRerank, rerankFactor*k)
	// of them exactly; stores no larger than that are searched exactly.
	minScanKeep    = 16384
	scanKeepFactor = 128
	minRerank      = 1024
	rerankFactor   = 16
	// proximityWeight scales the bonus a lexical candidate gets for each
	// pair of consecutive query terms it holds next to each other, in
	// order: the ordered-window feature of Metzler & Croft's sequential
	// dependence model ("A Markov random field model for term
	// dependencies", SIGIR 2005), here on the BM25 candidates only.
	proximityWeight = 0.5
	// phraseMinPairs is how many of the query's ordered term pairs a
	// passage holds to enter the phrase ranking of hybrid search.
	phraseMinPairs = 2
	// titleShare is the largest share of the store's documents that may
	// hold the title word a question names a document by (see namedBy):
	// "stash" names git-stash(1); a word as common as "add" or "commit"
	// names no page more than the others that use it. Set on the tune halves
	// (0.005 changed nothing, 0.05 cost the users'-words set an answer).
	titleShare = 0.02
)

// scored is a document with a score; results sort by score descending,
// then by chunk ID.
type scored struct {
	doc   uint32
	score float64
}

// scratch holds per-query buffers, reused through a sync.Pool. bm25 uses
// scores and touched, dense the rest, so one query can run both at once.
type scratch struct {
	scores  []float32
	touched []uint32
	dist    []uint16
	hist    []int
	cands   []cand
	lut     [][256]float32
}

// topK keeps the k best documents seen.
type topK struct {
	x    *index
	k    int
	heap []scored // worst on top
}

// worse reports whether a ranks below b (equal scores: see before).
func (t *topK) worse(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return t.x.before(b.doc, a.doc)
}

// before orders two documents of equal score by what they hold, not by
// where they were read from: by the text's hash, then the source file's,
// then the chunk ID. A chunk's ID names its file by path, so the same
// folder ingested from another place (each evaluation run links its
// corpora under its own data dir) would otherwise rank equal chunks of two
// files (the same paragraph in a manual's HTML and man page) the other
// way round, and cite the other file.
func (x *index) before(a, b uint32) bool {
	ca, cb := x.chunk(a), x.chunk(b)
	switch {
	case ca.ContentHash != cb.ContentHash:
		return ca.ContentHash < cb.ContentHash
	case ca.DocHash != cb.DocHash:
		return ca.DocHash < cb.DocHash
	}
	return ca.ID < cb.ID
}

func (t *topK) push(s scored) {
	if len(t.heap) < t.k {
		t.heap = append(t.heap, s)
		t.up(len(t.heap) - 1)
		return
	}
	if !t.worse(t.heap[0], s) {
		return
	}
	t.heap[0] = s
	t.down(0)
}

func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.worse(t.heap[i], t.heap[p]) {
			return
		}
		t.heap[i], t.heap[p] = t.heap[p], t.heap[i]
		i = p
	}
}

func (t *topK) down(i int) {
	n := len(t.heap)
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && t.worse(t.heap[l], t.heap[m]) {
			m = l
		}
		if r < n && t.worse(t.heap[r], t.heap[m]) {
			m = r
		}
		if m == i {
			return
		}
		t.heap[i], t.heap[m] = t.heap[m], t.heap[i]
		i = m
	}
}

// sorted returns the kept documents, best first.
func (t *topK) sorted() []scored {
	out := t.heap
	sort.Slice(out, func(i, j int) bool { return t.worse(out[j], out[i]) })
	return out
}

// bm25 ranks documents matching m by BM25 over the distinct query terms.
func (x *index) bm25(terms []string, m *matcher, k int, s *scratch) []scored {
	if x.live == 0 || m.none {
		return nil
	}
	if cap(s.scores) < len(x.docs) {
		s.scores = make([]float32, len(x.docs))
	}
	scores := s.scores[:len(x.docs)]
	touched := s.touched[:0]
	n := float64(x.live)
	avgdl := x.totalLen / n
	if avgdl <= 0 {
		avgdl = 1
	}
	corpus, corpusOnly := m.corpusOnly()
	a := float32(bm25K1 * (1 - bm25B))
	c := float32(bm25K1 * bm25B / avgdl)
	for _, term := range terms {
		id, ok := x.terms[term]
		if !ok || x.df[id] <= 0 {
			continue
		}
		df := float64(x.df[id])
		idf := float32(math.Log(1 + (n-df+0.5)/(df+0.5)))
		w := idf * (bm25K1 + 1)
		for _, p := range x.postings[id] {
			if !x.alive[p.doc] || corpusOnly && x.corpusOf[p.doc] != corpus {
				// A document's score depends on nothing but its own
				// postings: those the filter drops need none.
				continue
			}
			tf := float32(p.tf)
			if scores[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			scores[p.doc] += w * tf / (tf + a + c*x.lens[p.doc])
		}
	}
	top := topK{x: x, k: k}
	for _, d := range touched {
		if corpusOnly || m.match(x, d) {
			top.push(scored{doc: d, score: float64(scores[d])})
		}
		scores[d] = 0
	}
	s.touched = touched[:0]
	return top.sorted()
}

// dense ranks documents matching m by cosine similarity to the unit vector
// q. Small stores are searched exactly. Larger ones go through three
// stages: a scan of all binary codes by Hamming distance to the query's
// code keeps the closest scanKeep; an asymmetric estimate (the full-precision
// query against each candidate's sign bits, weighted by the spread of each
// dimension) keeps the best rerank; exact cosine ranks those.
func (x *index) dense(q []float32, m *matcher, k int, s *scratch) []scored {
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
	if c, ok := m.corpusOnly(); ok {
		// The common filter (one corpus), without a call per document.
		corpusOf, alive, codes := x.corpusOf[:n], x.alive[:n], x.codes[:n*w]
		for d := range corpusOf {
			if !alive[d] || corpusOf[d] != c {
				dist[d] = excluded
				continue
			}
			h := hamming(codes[d*w:(d+1)*w], qc)
			dist[d] = uint16(h)
			hist[h]++
			eligible++
		}
	} else {
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
		i := 0
		for ; i+4 <= len(cands); i += 4 {
			c := cands[i : i+4 : i+4]
			c[0].est, c[1].est, c[2].est, c[3].est = estimate4(lut,
				x.code(c[0].doc), x.code(c[1].doc), x.code(c[2].doc), x.code(c[3].doc))
		}
		for ; i < len(cands); i++ {
			cands[i].est = estimate(lut, x.code(cands[i].doc))
		}
		selectTop(cands, rerank)
		cands = cands[:rerank]
	}
	// The kept set does not depend on the order of pushes (worse is a
	// total order), so the candidates are scored as selectTop left them;
	// four at a time, so that four vectors' loads overlap.
	top := topK{x: x, k: k}
	i := 0
	for ; i+4 <= len(cands); i += 4 {
		c := cands[i : i+4 : i+4]
		s0, s1, s2, s3 := dot4(q, x.vec(c[0].doc), x.vec(c[1].doc), x.vec(c[2].doc), x.vec(c[3].doc))
		top.push(scored{doc: c[0].doc, score: float64(s0)})
		top.push(scored{doc: c[1].doc, score: float64(s1)})
		top.push(scored{doc: c[2].doc, score: float64(s2)})
		top.push(scored{doc: c[3].doc, score: float64(s3)})
	}
	for ; i+2 <= len(cands); i += 2 {
		a, b := cands[i].doc, cands[i+1].doc
		sa, sb := dot2(q, x.vec(a), x.vec(b))
		top.push(scored{doc: a, score: float64(sa)})
		top.push(scored{doc: b, score: float64(sb)})
	}
	for ; i < len(cands); i++ {
		top.push(scored{doc: cands[i].doc, score: float64(dot(q, x.vec(cands[i].doc)))})
	}
	return top.sorted()
}

// cand is a dense candidate with its estimated similarity.
type cand struct {
	doc uint32
	est float32
}

// lut builds, for each byte of a code, the estimated similarity contributed
// by every value of that byte: the sum of the weighted query components
// whose sign bit is set.
func (x *index) lut(q []float32, s *scratch) [][256]float32 {
	nb := x.words * 8
	if cap(s.lut) < nb {
		s.lut = make([][256]float32, nb)
	}
	lut := s.lut[:nb]
	for j := range lut {
		var wt [8]float32
		for b := range 8 {
			if i := j*8 + b; i < x.dim {
				wt[b] = q[i] * x.spread[i]
			}
		}
		t := &lut[j]
		t[0] = 0
		for v := 1; v < 256; v++ {
			t[v] = t[v&(v-1)] + wt[bits.TrailingZeros8(uint8(v))]
		}
	}
	return lut
}

func estimate(lut [][256]float32, code []uint64) float32 {
	var sum float32
	for i, w := range code {
		t := lut[i*8 : i*8+8]
		sum += t[0][uint8(w)] + t[1][uint8(w>>8)] + t[2][uint8(w>>16)] + t[3][uint8(w>>24)] +
			t[4][uint8(w>>32)] + t[5][uint8(w>>40)] + t[6][uint8(w>>48)] + t[7][uint8(w>>56)]
	}
	return sum
}

// estimate4 is estimate of four codes at once: four independent chains of
// additions in the same order as estimate's, so each result is bit for bit
// estimate's, without waiting on one chain's latency.
func estimate4(lut [][256]float32, c0, c1, c2, c3 []uint64) (s0, s1, s2, s3 float32) {
	c1, c2, c3 = c1[:len(c0)], c2[:len(c0)], c3[:len(c0)]
	for i := range c0 {
		t := lut[i*8 : i*8+8 : i*8+8]
		w0, w1, w2, w3 := c0[i], c1[i], c2[i], c3[i]
		s0 += t[0][uint8(w0)] + t[1][uint8(w0>>8)] + t[2][uint8(w0>>16)] + t[3][uint8(w0>>24)] +
			t[4][uint8(w0>>32)] + t[5][uint8(w0>>40)] + t[6][uint8(w0>>48)] + t[7][uint8(w0>>56)]
		s1 += t[0][uint8(w1)] + t[1][uint8(w1>>8)] + t[2][uint8(w1>>16)] + t[3][uint8(w1>>24)] +
			t[4][uint8(w1>>32)] + t[5][uint8(w1>>40)] + t[6][uint8(w1>>48)] + t[7][uint8(w1>>56)]
		s2 += t[0][uint8(w2)] + t[1][uint8(w2>>8)] + t[2][uint8(w2>>16)] + t[3][uint8(w2>>24)] +
			t[4][uint8(w2>>32)] + t[5][uint8(w2>>40)] + t[6][uint8(w2>>48)] + t[7][uint8(w2>>56)]
		s3 += t[0][uint8(w3)] + t[1][uint8(w3>>8)] + t[2][uint8(w3>>16)] + t[3][uint8(w3>>24)] +
			t[4][uint8(w3>>32)] + t[5][uint8(w3>>40)] + t[6][uint8(w3>>48)] + t[7][uint8(w3>>56)]
	}
	return
}

// selectTop reorders c so that its first k elements are those with the
// highest estimates (ties by document number), in no particular order.
func selectTop(c []cand, k int) {
	better := func(a, b cand) bool {
		if a.est != b.est {
			return a.est > b.est
		}
		return a.doc < b.doc
	}
	lo, hi := 0, len(c)-1
	for lo < hi {
		p := c[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for better(c[i], p) {
				i++
			}
			for better(p, c[j]) {
				j--
			}
			if i <= j {
				c[i], c[j] = c[j], c[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

// denseExact ranks by exact cosine over every matching document; tests and
// benchmarks use it to measure the recall of dense.
func (x *index) denseExact(q []float32, m *matcher, k int) []scored {
	top := topK{x: x, k: k}
	for d := range x.docs {
		if x.alive[d] && m.match(x, uint32(d)) {
			top.push(scored{doc: uint32(d), score: float64(dot(q, x.vec(uint32(d))))})
		}
	}
	return top.sorted()
}

// fuse merges ranked lists by reciprocal rank fusion. Equal fused scores
// are common (a document ranked first in one list and second in another
// ties with one ranked the other way round); they are ordered by the
// best rank a document holds in any list, then by the list that ranks it
// there (the earlier first), so that the order follows from the lists and
// not from chunk IDs (which name a file by its path: the same folder
// ingested from another place would rank otherwise).
func (x *index) fuse(k int, lists ...[]scored) []scored {
	type fused struct {
		scored
		best, list int
	}
	at := map[uint32]int{}
	var all []fused
	for li, l := range lists {
		for rank, s := range l {
			i, ok := at[s.doc]
			if !ok {
				i = len(all)
				at[s.doc] = i
				all = append(all, fused{scored: scored{doc: s.doc}, best: rank, list: li})
			}
			all[i].score += 1 / float64(rrfK+rank+1)
			if rank < all[i].best {
				all[i].best, all[i].list = rank, li
			}
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		switch {
		case a.score != b.score:
			return a.score > b.score
		case a.best != b.best:
			return a.best < b.best
		case a.list != b.list:
			return a.list < b.list
		}
		return x.before(a.doc, b.doc)
	})
	out := make([]scored, 0, min(k, len(all)))
	for _, f := range all[:min(k, len(all))] {
		out = append(out, f.scored)
	}
	return out
}

// phraseBonus returns, for each BM25 candidate in list, its ordered-pair
// bonus and how many distinct pairs it holds: each pair of consecutive
// query terms (terms in query order, stop words left out) that the
// candidate holds as consecutive index terms in the same order adds
// proximityWeight times the smaller IDF of the two. The pairs are read
// from each candidate's term sequence (doc.seq), so the cost is a pass over
// the candidates' tokens, not a tokenization of their text.
func (x *index) phraseBonus(terms []string, list []scored) phraseScores {
	bonus := phraseScores{bonus: make([]float64, len(list)), pairs: make([]int, len(list))}
	if len(terms) < 2 || len(list) == 0 {
		return bonus
	}
	n := float64(x.live)
	idf := func(t string) float64 {
		id, ok := x.terms[t]
		if !ok || x.df[id] <= 0 {
			return 0
		}
		df := float64(x.df[id])
		return math.Log(1 + (n-df+0.5)/(df+0.5))
	}
	// Every term with a positive IDF is in the index, so each wanted pair
	// is a pair of term IDs. The query's terms are distinct, so its pairs
	// are too.
	type pair struct {
		a, b uint32
		w    float64
	}
	var want []pair
	for i := 0; i+1 < len(terms); i++ {
		if w := math.Min(idf(terms[i]), idf(terms[i+1])); w > 0 {
			want = append(want, pair{x.terms[terms[i]], x.terms[terms[i+1]], w})
		}
	}
	if len(want) == 0 {
		return bonus
	}
	bonus.wanted = len(want)
	asked := make(map[string]bool, len(terms))
	for _, t := range terms {
		asked[t] = true
	}
	seen := make([]bool, len(want))
	titles := map[string][]string{}
	for i, s := range list {
		c := x.chunk(s.doc)
		t, ok := titles[c.SourceTitle]
		if !ok {
			t = titleTerms(c.SourceTitle)
			titles[c.SourceTitle] = t
		}
		if len(t) >= 2 && containsRun(terms, t) {
			// The question names the document ("git merge" for the page
			// git-merge(1), "the Go memory model" for "The Go Memory
			// Model"): all its title's pairs are the question's phrasing.
			for j := 0; j+1 < len(t); j++ {
				bonus.bonus[i] += proximityWeight * math.Min(idf(t[j]), idf(t[j+1]))
			}
			bonus.pairs[i] += phraseMinPairs
		} else if w := x.namedBy(t, asked, idf); w > 0 {
			bonus.bonus[i] += proximityWeight * w
			bonus.pairs[i] += phraseMinPairs
		}
		clear(seen)
		seq := x.docs[s.doc].seq
		for j := 0; j+1 < len(seq); j++ {
			a, b := seq[j], seq[j+1]
			for k := range want {
				if want[k].a == a && want[k].b == b && !seen[k] {
					seen[k] = true
					bonus.bonus[i] += proximityWeight * want[k].w
					bonus.pairs[i]++
				}
			}
		}
	}
	return bonus
}

// proximity re-ranks the BM25 candidates in list (best first) by adding
// their phraseBonus, so "check out more than one branch at a time" ranks
// the passage that says it above passages that use "check", "branch" and
// "time" apart. Ties keep BM25 order.
func (x *index) proximity(list []scored, bonus phraseScores) []scored {
	out := make([]scored, len(list))
	copy(out, list)
	for i := range out {
		out[i].score += bonus.bonus[i]
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// titleTerms are the index terms of a document title less pure numbers
// (the section of "git-merge(1)").
func titleTerms(title string) []string {
	var out []string
	for _, t := range textproc.Tokenize(title) {
		if strings.IndexFunc(t, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 {
			out = append(out, t)
		}
	}
	return out
}

// containsRun reports whether run occurs in terms as consecutive elements.
func containsRun(terms, run []string) bool {
	for i := 0; i+len(run) <= len(terms); i++ {
		if slices.Equal(terms[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// phraseScores are the ordered-pair bonus of each candidate of a BM25
// list, the number of distinct query pairs each holds, and the number of
// pairs the query has.
type phraseScores struct {
	bonus  []float64
	pairs  []int
	wanted int
}

// phrases ranks the BM25 candidates in list that hold the question's
// phrasing, by their phraseBonus alone (ties in BM25 order): the
// ordered-window feature of the sequential dependence model as a ranking
// of its own. Hybrid search fuses it beside the term ranking and the
// dense one, so a passage that states the question's own words in order
// is not out-voted by passages that are middling in both of the other
// lists. Holding the phrasing means holding two of the question's ordered
// pairs (its only pair when it has one): one common pair alone ("Go
// program", "channel operations") is everywhere in a corpus about it.
func (x *index) phrases(list []scored, bonus phraseScores) []scored {
	need := min(phraseMinPairs, bonus.wanted)
	var out []scored
	for i, s := range list {
		if bonus.pairs[i] >= need && bonus.bonus[i] > 0 {
			out = append(out, scored{doc: s.doc, score: bonus.bonus[i]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// namedBy returns the weight (IDF) of a document title's rarest term when
// the question asks it and at most titleShare of the documents hold it, or
// 0: the question names what the page is about ("How do I stash new
// files?" and git-stash(1), where "git" is on every page) without writing
// its whole title. A title field matched on its most specific word, as
// field-weighted BM25 (BM25F) weighs a title above the body.
func (x *index) namedBy(title []string, asked map[string]bool, idf func(string) float64) float64 {
	best, bestW := "", 0.0
	for _, t := range title {
		if w := idf(t); w > bestW {
			best, bestW = t, w
		}
	}
	if best == "" || !asked[best] {
		return 0
	}
	id := x.terms[best]
	if float64(x.df[id]) > titleShare*float64(x.live) {
		return 0
	}
	return bestW
}
