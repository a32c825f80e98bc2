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
func WithEmbeddings(s memory.Store, e Embedder) memory.Store {
	return &embeddingStore{Store: s, e: e}
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
