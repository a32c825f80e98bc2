package embedded

import (
	"math"
	"sort"
	"sync"
)

// Term associations: the corpus's own paraphrase table. Two terms are
// associated when they occur near each other (within assocWindow positions
// of a chunk's term sequence) more often than chance, by positive
// pointwise mutual information over those windows (Church & Hanks, "Word
// association norms, mutual information, and lexicography", 1990):
//
//	PMI(a, b) = log( n(a,b) · N / (n(a) · n(b) · 2·assocWindow) )
//
// with n(a,b) the window co-occurrences, n(a) and n(b) the occurrences and
// N the tokens of the corpus's live chunks. A term's associates are its
// assocTopK best with PMI ≥ assocMinPMI and n(a,b) ≥ assocMinCount; hybrid
// search adds them to the term ranking at assocWeight, so "parse options"
// also meets the passage that names getopts, the corpus's word for it.
//
// The table is a function of the stored chunks alone: it is computed per
// corpus and term when a search first asks for it and kept until the next
// write changes the index, so a restart (which reloads the same chunks)
// gives the same associates and the same rankings.
const (
	assocWindow   = 5
	assocTopK     = 3
	assocMinCount = 3
	assocMinPMI   = 1.0
	assocWeight   = 0.3
	// assocMaxShare: a term in more than this share of a corpus's chunks
	// is too common to expand (or to be an associate): it says little
	// about any passage.
	assocMaxShare = 0.15
	// assocMaxCache bounds the cached entries; past it the cache starts
	// over.
	assocMaxCache = 1 << 16
)

// associate is one associated term with its PMI.
type associate struct {
	id         uint32
	pmi, score float64
}

// assocCache keeps computed associates and per-corpus term counts until the
// index changes (gen).
type assocCache struct {
	mu     sync.Mutex
	gen    uint64
	assoc  map[assocKey][]associate
	counts map[assocKey]float64 // term occurrences per corpus; term ^uint32(0): the corpus's tokens
	docs   map[uint32]int       // live chunks per corpus
}

type assocKey struct{ corpus, term uint32 }

const totalTerm = ^uint32(0)

// corpusKey returns the corpus a matcher restricts to, and whether
// associations apply: only to a search of one whole corpus (or of the
// whole store, corpus 0).
func (m *matcher) corpusKey() (uint32, bool) {
	if m.none {
		return 0, false
	}
	if m.all {
		return 0, true
	}
	if m.source != 0 || m.hash != 0 || m.inSet != nil || m.outSet != nil {
		return 0, false
	}
	return m.corpus, true
}

// expand returns the associates of the query terms that are not query terms
// themselves, each once (for the best-scoring query term that brings it),
// in a fixed order.
func (x *index) expand(terms []string, m *matcher) []string {
	corpus, ok := m.corpusKey()
	if !ok || len(terms) == 0 {
		return nil
	}
	in := map[string]bool{}
	for _, t := range terms {
		in[t] = true
	}
	seen := map[uint32]bool{}
	var out []string
	names := x.termNames()
	for _, t := range terms {
		id, ok := x.terms[t]
		if !ok {
			continue
		}
		for _, a := range x.associates(corpus, id, m) {
			if name := names[a.id]; !seen[a.id] && !in[name] {
				seen[a.id] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// termNames returns the terms by ID (built once per index generation).
func (x *index) termNames() []string {
	c := x.cache()
	c.mu.Lock()
	defer c.mu.Unlock()
	return x.namesLocked()
}

// namesLocked is termNames with the cache's lock held.
func (x *index) namesLocked() []string {
	if len(x.names) != len(x.postings) {
		x.names = make([]string, len(x.postings))
		for t, id := range x.terms {
			x.names[id] = t
		}
	}
	return x.names
}

func (x *index) cache() *assocCache {
	x.assocOnce.Do(func() { x.assocC = &assocCache{} })
	c := x.assocC
	c.mu.Lock()
	if c.assoc == nil || c.gen != x.gen || len(c.assoc) > assocMaxCache {
		c.gen = x.gen
		c.assoc = map[assocKey][]associate{}
		c.counts = map[assocKey]float64{}
		c.docs = map[uint32]int{}
	}
	c.mu.Unlock()
	return c
}

// associates returns the associates of term a in the corpus (0: the whole
// store), best first, computing them on first use.
func (x *index) associates(corpus, a uint32, m *matcher) []associate {
	c := x.cache()
	c.mu.Lock()
	defer c.mu.Unlock()
	key := assocKey{corpus, a}
	if got, ok := c.assoc[key]; ok {
		return got
	}
	docs, ok := c.docs[corpus]
	if !ok {
		var tokens float64
		for d := range x.docs {
			if x.alive[d] && m.match(x, uint32(d)) {
				docs++
				tokens += float64(x.lens[d])
			}
		}
		c.docs[corpus] = docs
		c.counts[assocKey{corpus, totalTerm}] = tokens
	}
	maxDF := assocMaxShare * float64(docs)
	// n(a) and the window co-occurrences, over the corpus's live chunks.
	var na float64
	co := map[uint32]float64{}
	chunksWithA := 0
	for _, p := range x.postings[a] {
		if !x.alive[p.doc] || !m.match(x, p.doc) {
			continue
		}
		chunksWithA++
		seq := x.docs[p.doc].seq
		for i, t := range seq {
			if t != a {
				continue
			}
			na++
			for j := max(0, i-assocWindow); j <= min(len(seq)-1, i+assocWindow); j++ {
				if b := seq[j]; j != i && b != a {
					co[b]++
				}
			}
		}
	}
	var out []associate
	if chunksWithA < assocMinCount || float64(chunksWithA) > maxDF {
		c.assoc[key] = out
		return out
	}
	n := c.counts[assocKey{corpus, totalTerm}]
	for b, nab := range co {
		if nab < assocMinCount {
			continue
		}
		nb, ok := c.counts[assocKey{corpus, b}]
		if !ok {
			chunks := 0
			for _, p := range x.postings[b] {
				if x.alive[p.doc] && m.match(x, p.doc) {
					nb += float64(p.tf)
					chunks++
				}
			}
			if float64(chunks) > maxDF {
				nb = -1 // too common to be an associate
			}
			c.counts[assocKey{corpus, b}] = nb
		}
		if nb <= 0 {
			continue
		}
		if pmi := math.Log(nab * n / (na * nb * 2 * assocWindow)); pmi >= assocMinPMI {
			out = append(out, associate{id: b, pmi: pmi, score: nab * pmi})
		}
	}
	names := x.namesLocked()
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return names[out[i].id] < names[out[j].id]
	})
	if len(out) > assocTopK {
		out = out[:assocTopK]
	}
	c.assoc[key] = out
	return out
}
