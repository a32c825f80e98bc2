package embed

import (
	"context"
	"fmt"
	"slices"

	"github.com/researchflow/researchflow/internal/memory"
)

// WithEmbeddings returns s with e filling in vectors: Upsert embeds (in one
// EmbedDocuments call, which batches) the chunks that have no Vector, from
// their title, section and text; Search embeds the query Text when the query
// has no Vector. Other methods go straight to s.
//
// The store returned offers the optional interfaces that s offers
// (memory.DocumentLister: the embedded and Qdrant stores list documents),
// and only those, so that callers asserting them on the wrapped store find
// what the backend can do.
func WithEmbeddings(s memory.Store, e Embedder) memory.Store {
	es := &embeddingStore{Store: s, e: e}
	if l, ok := s.(memory.DocumentLister); ok {
		return &listingEmbeddingStore{embeddingStore: es, lister: l}
	}
	return es
}

// listingEmbeddingStore is an embeddingStore over a store that lists its
// documents.
type listingEmbeddingStore struct {
	*embeddingStore
	lister memory.DocumentLister
}

var _ interface {
	memory.Store
	memory.DocumentLister
} = (*listingEmbeddingStore)(nil)

// Documents lists the wrapped store's documents; listing needs no vectors.
func (s *listingEmbeddingStore) Documents(ctx context.Context, f memory.Filter) ([]memory.Document, error) {
	return s.lister.Documents(ctx, f)
}

type embeddingStore struct {
	memory.Store
	e Embedder
}

var _ memory.Store = (*embeddingStore)(nil)

func (s *embeddingStore) Upsert(ctx context.Context, chunks []memory.Chunk) error {
	var idx []int
	var texts []string
	for i, c := range chunks {
		if len(c.Vector) == 0 {
			idx = append(idx, i)
			texts = append(texts, embedText(c.SourceTitle, c.Section, c.Text))
		}
	}
	if len(idx) == 0 {
		return s.Store.Upsert(ctx, chunks)
	}
	vecs, err := s.e.EmbedDocuments(ctx, texts)
	if err != nil {
		return fmt.Errorf("embed %d chunks with %s: %w", len(texts), s.e.Model(), err)
	}
	if len(vecs) != len(texts) {
		return fmt.Errorf("embed %d chunks with %s: got %d vectors", len(texts), s.e.Model(), len(vecs))
	}
	out := slices.Clone(chunks) // leave the caller's chunks as they were
	for j, i := range idx {
		out[i].Vector = vecs[j]
	}
	return s.Store.Upsert(ctx, out)
}

func (s *embeddingStore) Search(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	if q.Text != "" && len(q.Vector) == 0 {
		v, err := s.e.EmbedQuery(ctx, q.Text)
		if err != nil {
			return nil, fmt.Errorf("embed query %q with %s: %w", q.Text, s.e.Model(), err)
		}
		q.Vector = v
	}
	return s.Store.Search(ctx, q)
}
