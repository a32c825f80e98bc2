package qdrant

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/qdrant/go-client/qdrant"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/textproc"
)

// Payload field names.
const (
	fieldChunkID        = "chunk_id"
	fieldCorpus         = "corpus"
	fieldSourceID       = "source_id"
	fieldSourceTitle    = "source_title"
	fieldSourceLocation = "source_location"
	fieldSection        = "section"
	fieldText           = "text"
	fieldStart          = "start"
	fieldEnd            = "end"
	fieldContentHash    = "content_hash"
	fieldDocHash        = "doc_hash"
	fieldIngestedAt     = "ingested_at"
)

// pointNamespace maps chunk IDs that are not UUIDs to UUIDv5 point IDs.
var pointNamespace = uuid.MustParse("5d0c7a8e-3b1f-4c69-9e2a-7b4f1c2d8e90")

// pointID is the Qdrant point ID of a chunk ID: the ID itself when it is a
// UUID (memory.ChunkID always is), a UUIDv5 of it otherwise.
func pointID(id string) *qdrant.PointId {
	if u, err := uuid.Parse(id); err == nil {
		return qdrant.NewIDUUID(u.String())
	}
	return qdrant.NewIDUUID(uuid.NewSHA1(pointNamespace, []byte(id)).String())
}

// Sparse returns the lexical vector of text: one index per distinct term
// (FNV-1a 32 of the term), valued by the term's count. Qdrant weighs the
// terms by IDF at query time.
func Sparse(text string) (indices []uint32, values []float32) {
	counts := map[uint32]float32{}
	for _, t := range textproc.Tokenize(text) {
		h := fnv.New32a()
		h.Write([]byte(t))
		counts[h.Sum32()]++
	}
	indices = make([]uint32, 0, len(counts))
	for i := range counts {
		indices = append(indices, i)
	}
	slices.Sort(indices)
	values = make([]float32, len(indices))
	for k, i := range indices {
		values[k] = counts[i]
	}
	return indices, values
}

func lexicalText(c memory.Chunk) string {
	return c.SourceTitle + "\n" + c.Section + "\n" + c.Text
}

func (s *Store) dimError(what string, got int) error {
	return fault.Permanent("qdrant.dimension_mismatch", fmt.Errorf(
		"%s: %d-dimensional vector, collection %q holds %d (model %q)", what, got, s.cfg.Collection, s.cfg.Dim, s.cfg.EmbeddingModel))
}

func (s *Store) point(c memory.Chunk) (*qdrant.PointStruct, error) {
	if c.ID == "" {
		return nil, fault.Permanent("qdrant.invalid_chunk", errors.New("chunk without ID"))
	}
	vectors := map[string]*qdrant.Vector{}
	if len(c.Vector) > 0 {
		if len(c.Vector) != s.cfg.Dim {
			return nil, s.dimError("chunk "+c.ID, len(c.Vector))
		}
		vectors[DenseVector] = qdrant.NewVectorDense(c.Vector)
	}
	if idx, val := Sparse(lexicalText(c)); len(idx) > 0 {
		vectors[LexicalVector] = qdrant.NewVectorSparse(idx, val)
	}
	payload := map[string]*qdrant.Value{
		fieldChunkID:        qdrant.NewValueString(c.ID),
		fieldCorpus:         qdrant.NewValueString(c.Corpus),
		fieldSourceID:       qdrant.NewValueString(c.SourceID),
		fieldSourceTitle:    qdrant.NewValueString(c.SourceTitle),
		fieldSourceLocation: qdrant.NewValueString(c.SourceLocation),
		fieldSection:        qdrant.NewValueString(c.Section),
		fieldText:           qdrant.NewValueString(c.Text),
		fieldStart:          qdrant.NewValueInt(int64(c.Start)),
		fieldEnd:            qdrant.NewValueInt(int64(c.End)),
		fieldContentHash:    qdrant.NewValueString(c.ContentHash),
		fieldDocHash:        qdrant.NewValueString(c.DocHash),
	}
	if !c.IngestedAt.IsZero() {
		payload[fieldIngestedAt] = qdrant.NewValueString(c.IngestedAt.UTC().Format(time.RFC3339Nano))
	}
	return &qdrant.PointStruct{Id: pointID(c.ID), Payload: payload, Vectors: qdrant.NewVectorsMap(vectors)}, nil
}

func chunkFrom(id *qdrant.PointId, payload map[string]*qdrant.Value, vectors *qdrant.VectorsOutput) memory.Chunk {
	str := func(k string) string { return payload[k].GetStringValue() }
	c := memory.Chunk{
		ID:             str(fieldChunkID),
		Corpus:         str(fieldCorpus),
		SourceID:       str(fieldSourceID),
		SourceTitle:    str(fieldSourceTitle),
		SourceLocation: str(fieldSourceLocation),
		Section:        str(fieldSection),
		Text:           str(fieldText),
		Start:          int(payload[fieldStart].GetIntegerValue()),
		End:            int(payload[fieldEnd].GetIntegerValue()),
		ContentHash:    str(fieldContentHash),
		DocHash:        str(fieldDocHash),
	}
	if c.ID == "" {
		c.ID = id.GetUuid()
	}
	if t, err := time.Parse(time.RFC3339Nano, str(fieldIngestedAt)); err == nil {
		c.IngestedAt = t
	}
	if d := vectors.GetVectors().GetVectors()[DenseVector].GetDense(); d != nil {
		c.Vector = d.GetData()
	}
	return c
}

// Upsert implements memory.Store: points go in batches of 256, each applied
// (Wait) before Upsert returns. The same chunk ID twice is one point.
func (s *Store) Upsert(ctx context.Context, chunks []memory.Chunk) error {
	points := make([]*qdrant.PointStruct, 0, min(len(chunks), upsertBatch))
	flush := func() error {
		if len(points) == 0 {
			return nil
		}
		req := &qdrant.UpsertPoints{CollectionName: s.cfg.Collection, Wait: qdrant.PtrOf(true), Points: points}
		err := s.call(ctx, fmt.Sprintf("upsert %d points", len(points)), func(ctx context.Context) error {
			_, err := s.client.Upsert(ctx, req)
			return err
		})
		points = make([]*qdrant.PointStruct, 0, upsertBatch)
		return err
	}
	for _, c := range chunks {
		p, err := s.point(c)
		if err != nil {
			return err
		}
		points = append(points, p)
		if len(points) == upsertBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// filter is the Qdrant filter of f, nil when f is empty.
func filter(f memory.Filter) *qdrant.Filter {
	var must []*qdrant.Condition
	if f.Corpus != "" {
		must = append(must, qdrant.NewMatchKeyword(fieldCorpus, f.Corpus))
	}
	if f.SourceID != "" {
		must = append(must, qdrant.NewMatchKeyword(fieldSourceID, f.SourceID))
	}
	if len(f.SourceIDs) > 0 {
		must = append(must, qdrant.NewMatchKeywords(fieldSourceID, f.SourceIDs...))
	}
	if f.DocHash != "" {
		must = append(must, qdrant.NewMatchKeyword(fieldDocHash, f.DocHash))
	}
	var mustNot []*qdrant.Condition
	if len(f.ExcludeSourceIDs) > 0 {
		mustNot = append(mustNot, qdrant.NewMatchKeywords(fieldSourceID, f.ExcludeSourceIDs...))
	}
	if len(must) == 0 && len(mustNot) == 0 {
		return nil
	}
	return &qdrant.Filter{Must: must, MustNot: mustNot}
}

// Search implements memory.Store. With text and a vector it fuses a dense
// and a lexical search by reciprocal rank fusion (Hit.Score is then the RRF
// score); with only a vector it is a cosine search, with only text a lexical
// one. TopK defaults to 10.
func (s *Store) Search(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	topK := q.TopK
	if topK <= 0 {
		topK = 10
	}
	if len(q.Vector) > 0 && len(q.Vector) != s.cfg.Dim {
		return nil, s.dimError("query", len(q.Vector))
	}
	var sparse *qdrant.Query
	if q.Text != "" {
		if idx, val := Sparse(q.Text); len(idx) > 0 {
			sparse = qdrant.NewQuerySparse(idx, val)
		}
	}
	f := filter(q.Filter)
	req := &qdrant.QueryPoints{
		CollectionName: s.cfg.Collection,
		Filter:         f,
		Limit:          qdrant.PtrOf(uint64(topK)),
		WithPayload:    qdrant.NewWithPayload(true),
	}
	switch {
	case len(q.Vector) > 0 && sparse != nil:
		// Each side brings more candidates than asked, so that fusion can
		// promote a chunk that ranks well on both.
		limit := qdrant.PtrOf(uint64(max(4*topK, 40)))
		req.Prefetch = []*qdrant.PrefetchQuery{
			{Query: qdrant.NewQueryDense(q.Vector), Using: qdrant.PtrOf(DenseVector), Filter: f, Limit: limit},
			{Query: sparse, Using: qdrant.PtrOf(LexicalVector), Filter: f, Limit: limit},
		}
		req.Query = qdrant.NewQueryFusion(qdrant.Fusion_RRF)
	case len(q.Vector) > 0:
		req.Query, req.Using = qdrant.NewQueryDense(q.Vector), qdrant.PtrOf(DenseVector)
	case sparse != nil:
		req.Query, req.Using = sparse, qdrant.PtrOf(LexicalVector)
	case q.Text != "":
		return nil, nil // only stop words: nothing to match
	default:
		return nil, fault.Permanent("qdrant.invalid_query", errors.New("search needs text or a vector"))
	}
	var points []*qdrant.ScoredPoint
	if err := s.call(ctx, "query", func(ctx context.Context) error {
		var err error
		points, err = s.client.Query(ctx, req)
		return err
	}); err != nil {
		return nil, err
	}
	hits := make([]memory.Hit, 0, len(points))
	for _, p := range points {
		hits = append(hits, memory.Hit{Chunk: chunkFrom(p.GetId(), p.GetPayload(), nil), Score: float64(p.GetScore())})
	}
	return hits, nil
}

// Get implements memory.Store: chunks in the order asked, unknown IDs left
// out, with their dense vectors.
func (s *Store) Get(ctx context.Context, ids []string) ([]memory.Chunk, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pids := make([]*qdrant.PointId, len(ids))
	for i, id := range ids {
		pids[i] = pointID(id)
	}
	var points []*qdrant.RetrievedPoint
	if err := s.call(ctx, fmt.Sprintf("get %d points", len(ids)), func(ctx context.Context) error {
		var err error
		points, err = s.client.Get(ctx, &qdrant.GetPoints{
			CollectionName: s.cfg.Collection,
			Ids:            pids,
			WithPayload:    qdrant.NewWithPayload(true),
			WithVectors:    qdrant.NewWithVectorsInclude(DenseVector),
		})
		return err
	}); err != nil {
		return nil, err
	}
	byID := make(map[string]memory.Chunk, len(points))
	for _, p := range points {
		byID[p.GetId().GetUuid()] = chunkFrom(p.GetId(), p.GetPayload(), p.GetVectors())
	}
	out := make([]memory.Chunk, 0, len(points))
	for i := range ids {
		if c, ok := byID[pids[i].GetUuid()]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// Delete implements memory.Store. An empty filter is refused: it would
// delete everything.
func (s *Store) Delete(ctx context.Context, f memory.Filter) error {
	qf := filter(f)
	if qf == nil {
		return fault.Permanent("qdrant.invalid_filter", errors.New("delete with an empty filter: refusing to delete every chunk"))
	}
	return s.call(ctx, "delete", func(ctx context.Context) error {
		_, err := s.client.Delete(ctx, &qdrant.DeletePoints{
			CollectionName: s.cfg.Collection,
			Wait:           qdrant.PtrOf(true),
			Points:         qdrant.NewPointsSelectorFilter(qf),
		})
		return err
	})
}

// Count implements memory.Store with an exact count.
func (s *Store) Count(ctx context.Context, f memory.Filter) (int, error) {
	var n uint64
	err := s.call(ctx, "count", func(ctx context.Context) error {
		var err error
		n, err = s.client.Count(ctx, &qdrant.CountPoints{
			CollectionName: s.cfg.Collection,
			Filter:         filter(f),
			Exact:          qdrant.PtrOf(true),
		})
		return err
	})
	return int(n), err
}
