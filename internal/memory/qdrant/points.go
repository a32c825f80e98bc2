//lint:file-ignore SA1019 Qdrant servers before 1.12.2 read, and before 1.17 answer, only the deprecated vector fields: using them is the point (see version.go).

package qdrant

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/qdrant/go-client/qdrant"

	"github.com/researchflow/researchflow/internal/egress"
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
	return egress.Fail(egress.KindConfig, fmt.Errorf(
		"%s: %d-dimensional vector, collection %q holds %d (model %q)", what, got, s.cfg.Collection, s.cfg.Dim, s.cfg.EmbeddingModel))
}

// truncateLexical keeps the n most frequent terms of a lexical vector
// (ties: the lower index), for a collection whose strict mode limits the
// length of sparse vectors; n = 0 keeps all.
func truncateLexical(indices []uint32, values []float32, n int) ([]uint32, []float32) {
	if n <= 0 || len(indices) <= n {
		return indices, values
	}
	order := make([]int, len(indices))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(values[b], values[a]) })
	order = order[:n]
	slices.Sort(order)
	idx, val := make([]uint32, n), make([]float32, n)
	for k, i := range order {
		idx[k], val[k] = indices[i], values[i]
	}
	return idx, val
}

// vector builds an input vector in the fields the server reads: servers
// before 1.12.2 know only the deprecated data/indices fields, which every
// later one still accepts (lib/api/src/conversions/vectors.rs,
// TryFrom<grpc::Vector>).
func (s *Store) vector(dense []float32, indices []uint32, values []float32) *qdrant.Vector {
	if !s.legacyVectors {
		if dense != nil {
			return qdrant.NewVectorDense(dense)
		}
		return qdrant.NewVectorSparse(indices, values)
	}
	if dense != nil {
		return &qdrant.Vector{Data: dense} //nolint:staticcheck // the field 1.10–1.12.1 read
	}
	return &qdrant.Vector{Data: values, Indices: &qdrant.SparseIndices{Data: indices}} //nolint:staticcheck
}

func (s *Store) point(c memory.Chunk, lim limits) (*qdrant.PointStruct, error) {
	if c.ID == "" {
		return nil, egress.Fail(egress.KindInvalid, errors.New("chunk without ID"))
	}
	vectors := map[string]*qdrant.Vector{}
	if len(c.Vector) > 0 {
		if len(c.Vector) != s.cfg.Dim {
			return nil, s.dimError("chunk "+c.ID, len(c.Vector))
		}
		vectors[DenseVector] = s.vector(c.Vector, nil, nil)
	}
	if idx, val := Sparse(lexicalText(c)); len(idx) > 0 {
		idx, val = truncateLexical(idx, val, lim.lexicalMaxLen)
		vectors[LexicalVector] = s.vector(nil, idx, val)
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

// chunkFrom rebuilds a chunk from a point. Its Vector is the dense vector
// as Qdrant stores it: normalized to unit length (cosine collections are
// normalized on upload), so it points the way the ingested one did.
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
	// GetDenseVector reads both shapes: the deprecated data field servers
	// fill before 1.17 and the dense oneof from 1.17 on.
	if v := vectors.GetVectors().GetVectors()[DenseVector]; v.GetIndices() == nil { //nolint:staticcheck // a sparse answer in the old shape
		if d := v.GetDenseVector(); d != nil {
			c.Vector = d.GetData()
		}
	}
	return c
}

// Upsert implements memory.Store: points go in batches of 256 (fewer if
// strict mode's upsert_max_batchsize says so), each applied (Wait) before
// the next. The same chunk ID twice is one point.
func (s *Store) Upsert(ctx context.Context, chunks []memory.Chunk) error {
	return s.withLimits(ctx, func(lim limits) error { return s.upsert(ctx, chunks, lim) })
}

func (s *Store) upsert(ctx context.Context, chunks []memory.Chunk, lim limits) error {
	batch := capped(upsertBatch, lim.upsertBatch)
	points := make([]*qdrant.PointStruct, 0, min(len(chunks), batch))
	flush := func() error {
		if len(points) == 0 {
			return nil
		}
		req := &qdrant.UpsertPoints{CollectionName: s.cfg.Collection, Wait: qdrant.PtrOf(true), Points: points}
		err := s.call(ctx, fmt.Sprintf("upsert %d points", len(points)), func(ctx context.Context) error {
			_, err := s.client.Upsert(ctx, req)
			return err
		})
		points = make([]*qdrant.PointStruct, 0, batch)
		return err
	}
	for _, c := range chunks {
		p, err := s.point(c, lim)
		if err != nil {
			return err
		}
		points = append(points, p)
		if len(points) == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// filterTooLarge is the error of a search whose filter cannot be sent
// within strict mode's filter limits.
func (s *Store) filterTooLarge(f memory.Filter, lim limits) error {
	return egress.Fail(egress.KindTooLarge, fmt.Errorf(
		"search in %q: a filter of %d source IDs and %d excluded ones needs more than the %d conditions of %d values the collection's strict mode allows "+
			"(filter_max_conditions, condition_max_size): raise them or narrow the filter",
		s.cfg.Collection, len(f.SourceIDs), len(f.ExcludeSourceIDs), lim.maxConditions, lim.maxListSize))
}

// Search implements memory.Store. With text and a vector it fuses a dense
// and a lexical search by reciprocal rank fusion (Hit.Score is then the RRF
// score); with only a vector it is a cosine search, with only text a lexical
// one. TopK defaults to 10 and is capped by strict mode's max_query_limit.
func (s *Store) Search(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	var hits []memory.Hit
	err := s.withLimits(ctx, func(lim limits) error {
		var err error
		hits, err = s.search(ctx, q, lim)
		return err
	})
	return hits, err
}

func (s *Store) search(ctx context.Context, q memory.Query, lim limits) ([]memory.Hit, error) {
	topK := q.TopK
	if topK <= 0 {
		topK = 10
	}
	if c := capped(topK, lim.queryLimit); c < topK {
		s.log.Warn("search asks for more hits than the collection's strict mode allows; returning fewer", "topK", topK, "max_query_limit", c)
		topK = c
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
	f, ok := lim.filter(q.Filter)
	if !ok {
		return nil, s.filterTooLarge(q.Filter, lim)
	}
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
		limit := qdrant.PtrOf(uint64(capped(max(4*topK, 40), lim.queryLimit)))
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
		return nil, egress.Fail(egress.KindInvalid, errors.New("search needs text or a vector"))
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
// out, with their dense vectors (normalized, see chunkFrom). IDs go 128 to
// a request; a batch whose answer is still over MaxResponseBytes is halved.
func (s *Store) Get(ctx context.Context, ids []string) ([]memory.Chunk, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pids := make([]*qdrant.PointId, len(ids))
	for i, id := range ids {
		pids[i] = pointID(id)
	}
	byID := make(map[string]memory.Chunk, len(ids))
	for start := 0; start < len(pids); start += getBatch {
		if err := s.get(ctx, pids[start:min(start+getBatch, len(pids))], byID); err != nil {
			return nil, err
		}
	}
	out := make([]memory.Chunk, 0, len(byID))
	for i := range ids {
		if c, ok := byID[pids[i].GetUuid()]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *Store) get(ctx context.Context, pids []*qdrant.PointId, into map[string]memory.Chunk) error {
	var points []*qdrant.RetrievedPoint
	err := s.call(ctx, fmt.Sprintf("get %d points", len(pids)), func(ctx context.Context) error {
		var err error
		points, err = s.client.Get(ctx, &qdrant.GetPoints{
			CollectionName: s.cfg.Collection,
			Ids:            pids,
			WithPayload:    qdrant.NewWithPayload(true),
			WithVectors:    qdrant.NewWithVectorsInclude(DenseVector),
		})
		return err
	})
	if tooLarge(err) && len(pids) > 1 {
		half := len(pids) / 2
		s.log.Info("qdrant answer too large; asking for fewer points at a time", "points", len(pids), "max_bytes", s.cfg.MaxResponseBytes)
		if err := s.get(ctx, pids[:half], into); err != nil {
			return err
		}
		return s.get(ctx, pids[half:], into)
	}
	if err != nil {
		return err
	}
	for _, p := range points {
		into[p.GetId().GetUuid()] = chunkFrom(p.GetId(), p.GetPayload(), p.GetVectors())
	}
	return nil
}

// Delete implements memory.Store. An empty filter is refused: it would
// delete everything. A filter that strict mode's limits do not let through
// in one request (pruning a corpus of thousands of documents) is resolved
// by a scan, and the points found are deleted by ID.
func (s *Store) Delete(ctx context.Context, f memory.Filter) error {
	return s.withLimits(ctx, func(lim limits) error { return s.delete(ctx, f, lim) })
}

func (s *Store) delete(ctx context.Context, f memory.Filter, lim limits) error {
	qf, ok := lim.filter(f)
	if qf == nil {
		return egress.Fail(egress.KindInvalid, errors.New("delete with an empty filter: refusing to delete every chunk"))
	}
	if ok {
		return s.deletePoints(ctx, "delete", qdrant.NewPointsSelectorFilter(qf))
	}
	var ids []*qdrant.PointId
	if err := s.scan(ctx, f, lim, func(id *qdrant.PointId) { ids = append(ids, id) }); err != nil {
		return err
	}
	for start := 0; start < len(ids); start += upsertBatch {
		part := ids[start:min(start+upsertBatch, len(ids))]
		if err := s.deletePoints(ctx, fmt.Sprintf("delete %d points", len(part)), qdrant.NewPointsSelectorIDs(part)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) deletePoints(ctx context.Context, op string, sel *qdrant.PointsSelector) error {
	return s.call(ctx, op, func(ctx context.Context) error {
		_, err := s.client.Delete(ctx, &qdrant.DeletePoints{CollectionName: s.cfg.Collection, Wait: qdrant.PtrOf(true), Points: sel})
		return err
	})
}

// Count implements memory.Store with an exact count: Qdrant's exact Count,
// or, when strict mode forbids exact counts (search_allow_exact = false) or
// the filter does not fit its limits, a scan.
func (s *Store) Count(ctx context.Context, f memory.Filter) (int, error) {
	var n int
	err := s.withLimits(ctx, func(lim limits) error {
		var err error
		n, err = s.count(ctx, f, lim)
		return err
	})
	return n, err
}

func (s *Store) count(ctx context.Context, f memory.Filter, lim limits) (int, error) {
	qf, ok := lim.filter(f)
	if !ok || lim.noExact {
		n := 0
		err := s.scan(ctx, f, lim, func(*qdrant.PointId) { n++ })
		return n, err
	}
	var n uint64
	err := s.call(ctx, "count", func(ctx context.Context) error {
		var err error
		n, err = s.client.Count(ctx, &qdrant.CountPoints{
			CollectionName: s.cfg.Collection,
			Filter:         qf,
			Exact:          qdrant.PtrOf(true),
		})
		return err
	})
	return int(n), err
}

// scan pages through the points that match f (Qdrant's scroll, in ID
// order, pages of at most 1024 points or max_query_limit) and calls fn for
// each. Only the fields a filter reads travel; what the server-side filter
// (scanFilter) leaves out is checked here.
func (s *Store) scan(ctx context.Context, f memory.Filter, lim limits, fn func(id *qdrant.PointId)) error {
	return s.scanPoints(ctx, f, lim, nil, func(p *qdrant.RetrievedPoint) { fn(p.GetId()) })
}

// scanPoints is scan with the payload fields extra sent along, fn given
// each point.
func (s *Store) scanPoints(ctx context.Context, f memory.Filter, lim limits, extra []string, fn func(p *qdrant.RetrievedPoint)) error {
	page := capped(scanPage, lim.queryLimit)
	fields := append([]string{fieldCorpus, fieldSourceID, fieldDocHash}, extra...)
	server, match := lim.scanFilter(f), payloadMatcher(f)
	var offset *qdrant.PointId
	for {
		var points []*qdrant.RetrievedPoint
		var next *qdrant.PointId
		err := s.call(ctx, "scroll", func(ctx context.Context) error {
			var err error
			points, next, err = s.client.ScrollAndOffset(ctx, &qdrant.ScrollPoints{
				CollectionName: s.cfg.Collection,
				Filter:         server,
				Offset:         offset,
				Limit:          qdrant.PtrOf(uint32(page)),
				WithPayload:    qdrant.NewWithPayloadInclude(fields...),
				WithVectors:    qdrant.NewWithVectors(false),
			})
			return err
		})
		if tooLarge(err) && page > 1 {
			page /= 2
			continue
		}
		if err != nil {
			return err
		}
		for _, p := range points {
			if match(p.GetPayload()) {
				fn(p)
			}
		}
		if next == nil {
			return nil
		}
		offset = next
	}
}

// Documents implements memory.DocumentLister with a scan of the matching
// points' provenance fields (never their text or vectors).
func (s *Store) Documents(ctx context.Context, f memory.Filter) ([]memory.Document, error) {
	var chunks []memory.Chunk
	err := s.withLimits(ctx, func(lim limits) error {
		chunks = chunks[:0]
		return s.scanPoints(ctx, f, lim, []string{fieldChunkID, fieldSourceTitle, fieldSourceLocation, fieldIngestedAt},
			func(p *qdrant.RetrievedPoint) { chunks = append(chunks, chunkFrom(p.GetId(), p.GetPayload(), nil)) })
	})
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	return memory.Documents(slices.Values(chunks)), nil
}
