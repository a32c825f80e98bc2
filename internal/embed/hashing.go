package embed

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/researchflow/researchflow/internal/textproc"
)

// Hashing is the offline embedder: signed feature hashing of the terms of a
// text (textproc.Tokenize: lower case, no stop words, light stemming) and of
// adjacent term pairs, so that "memory model" means more than "memory" and
// "model" apart.
//
// Each distinct feature f with count tf contributes ±(1+ln tf)·w(f) to
// dimension hash(f) mod Dim, the sign taken from another bit of the same
// 64-bit FNV-1a hash (so collisions cancel on average instead of piling up).
// The vector is then L2-normalized; a text without terms gives a zero vector.
//
// There is no corpus to learn document frequencies from, so w(f) is a prior
// that stands in for IDF (see termWeight): stop words are already gone;
// very short terms ("go", "os", "io") are frequent and ambiguous and weigh
// less; identifiers ("sync.mutex", "http_proxy") and words with digits
// ("utf8", "sha256") are rare and specific and weigh more; pure numbers weigh
// little. A pair weighs 0.7 of the mean of its two terms.
//
// The zero value is ready to use with 384 dimensions.
type Hashing struct {
	// Dimensions is the vector size (default 384).
	Dimensions int
}

// Model implements Embedder.
func (Hashing) Model() string { return hashingModelName }

// Dim implements Embedder.
func (h Hashing) Dim() int {
	if h.Dimensions <= 0 {
		return DefaultHashingDim
	}
	return h.Dimensions
}

// EmbedQuery implements Embedder; it never fails.
func (h Hashing) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return h.Vector(text), nil
}

// EmbedDocuments implements Embedder; it fails only when ctx is done.
func (h Hashing) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i] = h.Vector(t)
	}
	return out, nil
}

// feature is a hashed term or term pair and its prior weight.
type feature struct {
	hash   uint64
	weight float32
}

// bigramFactor scales the weight of a term pair relative to its terms.
const bigramFactor = 0.7

// Vector embeds one text.
func (h Hashing) Vector(text string) []float32 {
	dim := uint64(h.Dim())
	v := make([]float32, dim)
	// A shell's special parameters ("$?") are terms of the lexical index,
	// not of this embedding: vectors stay those of hashing-v3.
	terms := slices.DeleteFunc(textproc.Tokenize(text), textproc.IsSpecialParam)
	if len(terms) == 0 {
		return v
	}
	feats := make([]feature, 0, 2*len(terms))
	var prevHash uint64
	var prevWeight float32
	for i, t := range terms {
		th := fnv1a(fnvOffset, t)
		w := termWeight(t)
		feats = append(feats, feature{hash: th, weight: w})
		if i > 0 {
			// Pair hash: FNV-1a over "prev \x1f term", distinct from any
			// single term because terms never contain 0x1f.
			ph := fnv1a((prevHash^0x1f)*fnvPrime, t)
			feats = append(feats, feature{hash: ph, weight: bigramFactor * (w + prevWeight) / 2})
		}
		prevHash, prevWeight = th, w
	}
	slices.SortFunc(feats, func(a, b feature) int {
		switch {
		case a.hash < b.hash:
			return -1
		case a.hash > b.hash:
			return 1
		}
		return 0
	})
	for i := 0; i < len(feats); {
		j := i + 1
		for j < len(feats) && feats[j].hash == feats[i].hash {
			j++
		}
		tf := float64(j - i)
		x := mix(feats[i].hash)
		val := float32((1 + math.Log(tf)) * float64(feats[i].weight))
		if x>>63 == 1 {
			val = -val
		}
		v[x%dim] += val
		i = j
	}
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	if norm <= 0 {
		return v
	}
	inv := float32(1 / math.Sqrt(norm))
	for i := range v {
		v[i] *= inv
	}
	return v
}

// termWeight is the corpus-free stand-in for IDF described on Hashing.
func termWeight(t string) float32 {
	var letters, digits, joins int
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || c == '_':
			joins++
		default:
			letters++
		}
	}
	switch {
	case letters == 0:
		return 0.3 // numbers, versions: "1", "1.21"
	case joins > 0, digits > 0:
		return 1.5 // identifiers: "sync.mutex", "utf8"
	}
	switch n := len(t); {
	case n <= 2:
		return 0.4
	case n == 3:
		return 0.7
	case n <= 5:
		return 0.9
	}
	return 1
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv1a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// mix spreads the bits of an FNV hash (murmur3's finalizer), so that the
// index (low bits, mod Dim) and the sign (top bit) are independent.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// embedText is the text a chunk is embedded from: title, section and body.
func embedText(title, section, text string) string {
	parts := make([]string, 0, 3)
	for _, p := range []string{title, section, text} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "\n")
}
