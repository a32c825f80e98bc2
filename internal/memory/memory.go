// Package memory defines how Researchflow keeps research material and finds
// it again. A Store holds chunks of source documents with their provenance;
// implementations live in sub-packages named after what they wrap
// (memory/embedded for the in-process default, memory/qdrant for a Qdrant
// cluster).
package memory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Chunk is one piece of a source document together with its provenance.
type Chunk struct {
	// ID is deterministic (see ChunkID): the same text from the same source in
	// the same corpus always has the same ID, so re-ingesting changes nothing.
	ID     string `json:"id"`
	Corpus string `json:"corpus"`
	// SourceID identifies the document the chunk came from (see SourceID).
	SourceID string `json:"sourceId"`
	// SourceTitle is a human title ("The Go Memory Model", "Package net/http").
	SourceTitle string `json:"sourceTitle"`
	// SourceLocation is where a reader finds the source: a file path or URL.
	SourceLocation string `json:"sourceLocation"`
	// Section is the heading path inside the document, if known.
	Section string `json:"section,omitempty"`
	Text    string `json:"text"`
	// Start and End are byte offsets of Text in the extracted document text.
	Start int `json:"start"`
	End   int `json:"end"`
	// ContentHash is the hex SHA-256 of Text.
	ContentHash string `json:"contentHash"`
	// DocHash is the hex SHA-256 of the whole source file; ingestion uses it to
	// skip unchanged files.
	DocHash    string    `json:"docHash,omitempty"`
	IngestedAt time.Time `json:"ingestedAt"`
	// Vector is the dense embedding, if the store uses one.
	Vector []float32 `json:"vector,omitempty"`
}

// Filter restricts Search, Delete and Count. Empty fields match everything.
type Filter struct {
	Corpus    string   `json:"corpus,omitempty"`
	SourceID  string   `json:"sourceId,omitempty"`
	SourceIDs []string `json:"sourceIds,omitempty"`
	DocHash   string   `json:"docHash,omitempty"`
	// ExcludeSourceIDs matches chunks whose source is none of these
	// (ingestion prunes documents gone from a folder with it).
	ExcludeSourceIDs []string `json:"excludeSourceIds,omitempty"`
}

// Query asks a Store for the chunks nearest in meaning to Text and/or Vector.
type Query struct {
	Text   string
	Vector []float32
	TopK   int
	Filter Filter
}

// Hit is one search result; a higher Score is a better match.
type Hit struct {
	Chunk Chunk   `json:"chunk"`
	Score float64 `json:"score"`
}

// Store keeps research material and finds it again by meaning.
// Implementations must make Upsert idempotent: the same chunk ID twice is one chunk.
type Store interface {
	Upsert(ctx context.Context, chunks []Chunk) error
	Search(ctx context.Context, q Query) ([]Hit, error)
	// Get returns the chunks with the given IDs in the order asked; unknown IDs
	// are left out.
	Get(ctx context.Context, ids []string) ([]Chunk, error)
	Delete(ctx context.Context, f Filter) error
	Count(ctx context.Context, f Filter) (int, error)
	Close() error
}

// namespace for UUIDv5 IDs of Researchflow points.
var idNamespace = uuid.MustParse("8a7f3c52-2f0e-4d4b-9a41-6f1de3b0c9a1")

// Hash returns the hex SHA-256 of s.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// SourceID is the stable ID of a document: a UUIDv5 of corpus and location.
func SourceID(corpus, location string) string {
	return uuid.NewSHA1(idNamespace, []byte("source\x00"+corpus+"\x00"+location)).String()
}

// ChunkID is the deterministic point ID of a chunk: a UUIDv5 of corpus,
// source location and content hash. Qdrant accepts it as a point ID.
func ChunkID(corpus, location, contentHash string) string {
	return uuid.NewSHA1(idNamespace, []byte("chunk\x00"+corpus+"\x00"+location+"\x00"+contentHash)).String()
}

// Document is one source document of a corpus, as its chunks describe it.
type Document struct {
	// SourceID identifies it (see SourceID); DELETE by Filter.SourceID drops it.
	SourceID string `json:"sourceId"`
	Title    string `json:"title"`
	// Location is where it was read from: a file path or a URL.
	Location string `json:"location"`
	Chunks   int    `json:"chunks"`
	// IngestedAt is the newest ingestion time of its chunks.
	IngestedAt time.Time `json:"ingestedAt"`
	// DocHashes are the DocHash values of its chunks, sorted: one for a
	// document written whole, more while a new version replaces an old.
	DocHashes []string `json:"docHashes,omitempty"`
}

// Documents groups chunks by source document, in the order of their
// locations. Stores use it to answer a DocumentLister's Documents.
func Documents(chunks func(yield func(Chunk) bool)) []Document {
	bySource := map[string]*Document{}
	var order []*Document
	for c := range chunks {
		d, ok := bySource[c.SourceID]
		if !ok {
			d = &Document{SourceID: c.SourceID, Title: c.SourceTitle, Location: c.SourceLocation}
			bySource[c.SourceID] = d
			order = append(order, d)
		}
		d.Chunks++
		if !slices.Contains(d.DocHashes, c.DocHash) {
			d.DocHashes = append(d.DocHashes, c.DocHash)
		}
		if c.IngestedAt.After(d.IngestedAt) {
			d.IngestedAt = c.IngestedAt
		}
	}
	out := make([]Document, len(order))
	for i, d := range order {
		slices.Sort(d.DocHashes)
		out[i] = *d
	}
	slices.SortFunc(out, func(a, b Document) int {
		if c := strings.Compare(a.Location, b.Location); c != 0 {
			return c
		}
		return strings.Compare(a.SourceID, b.SourceID)
	})
	return out
}

// DocumentLister lists the documents of the chunks matching a filter (the
// embedded and Qdrant stores do).
type DocumentLister interface {
	Documents(ctx context.Context, f Filter) ([]Document, error)
}
