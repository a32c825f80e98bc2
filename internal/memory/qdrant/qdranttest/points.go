//lint:file-ignore SA1019 Qdrant servers before 1.12.2 read, and before 1.17 answer, only the deprecated vector fields: using them is the point (see version.go).

package qdranttest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// rrfK is the constant of reciprocal rank fusion: a point at 0-based rank r
// scores 1/(r+rrfK) (Qdrant lib/segment/src/common/reciprocal_rank_fusion.rs,
// DEFAULT_RRF_K = 2, position_score; the same formula since v1.10.0).
const rrfK = 2

func done() *qdrant.PointsOperationResponse {
	return &qdrant.PointsOperationResponse{Result: &qdrant.UpdateResult{Status: qdrant.UpdateStatus_Completed}}
}

// idString is the canonical key of a point ID; keys sort as Qdrant orders
// IDs (numbers first, by value, then UUIDs).
func idString(id *qdrant.PointId) (string, error) {
	switch v := id.GetPointIdOptions().(type) {
	case *qdrant.PointId_Uuid:
		return "u:" + strings.ToLower(v.Uuid), nil
	case *qdrant.PointId_Num:
		return fmt.Sprintf("n:%020d", v.Num), nil
	}
	return "", status.Error(codes.InvalidArgument, "point without ID")
}

// inputVector reads one input vector the way the reported version does:
// servers before 1.12.2 know only the deprecated data/indices fields
// (still accepted by every later version).
func (s *Server) inputVector(v *qdrant.Vector) (dense []float32, sparse *qdrant.SparseVector, err error) {
	if !s.version.less(versionVectorOneof) {
		switch o := v.GetVector().(type) {
		case *qdrant.Vector_Dense:
			return o.Dense.GetData(), nil, nil
		case *qdrant.Vector_Sparse:
			return nil, o.Sparse, nil
		case nil:
		default:
			return nil, nil, status.Errorf(codes.Unimplemented, "qdrant stand-in: vector of kind %T", o)
		}
	}
	if v.GetIndices() != nil { //nolint:staticcheck // deprecated field, still on the wire
		return nil, &qdrant.SparseVector{Indices: v.GetIndices().GetData(), Values: v.GetData()}, nil //nolint:staticcheck
	}
	return v.GetData(), nil, nil //nolint:staticcheck
}

func (s *Server) upsert(r *qdrant.UpsertPoints) (*qdrant.PointsOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if err := c.checkUpsert(len(r.GetPoints())); err != nil {
		return nil, err
	}
	staged := make([]*point, 0, len(r.GetPoints()))
	for _, ps := range r.GetPoints() {
		id, err := idString(ps.GetId())
		if err != nil {
			return nil, err
		}
		p := &point{id: id, pid: ps.GetId(), payload: ps.GetPayload(), dense: map[string][]float32{}, sparse: map[string]*qdrant.SparseVector{}}
		vs := ps.GetVectors()
		named := vs.GetVectors().GetVectors()
		if v := vs.GetVector(); v != nil {
			named = map[string]*qdrant.Vector{"": v}
		}
		for name, v := range named {
			d, sp, err := s.inputVector(v)
			if err != nil {
				return nil, err
			}
			if sp != nil {
				if _, ok := c.sparse[name]; !ok {
					return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
				}
				if len(sp.GetIndices()) != len(sp.GetValues()) {
					return nil, status.Error(codes.InvalidArgument, "Sparse indices does not match sparse vector conditions: indices and values differ in length")
				}
				seen := map[uint32]bool{}
				for _, i := range sp.GetIndices() {
					if seen[i] {
						return nil, status.Error(codes.InvalidArgument, "Sparse indices does not match sparse vector conditions: duplicate indices")
					}
					seen[i] = true
				}
				if err := c.checkSparse(name, sp); err != nil {
					return nil, err
				}
				p.sparse[name] = sp
				continue
			}
			size, ok := c.dense[name]
			if !ok {
				return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
			}
			if uint64(len(d)) != size {
				return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Vector dimension error: expected dim: %d, got %d", size, len(d))
			}
			p.dense[name] = normalize(d)
		}
		staged = append(staged, p)
	}
	for _, p := range staged {
		c.points[p.id] = p
	}
	return done(), nil
}

// normalize returns v scaled to unit length, as Qdrant stores cosine
// vectors (segment Distance::Cosine preprocess; a zero vector stays zero).
func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if n < 1e-30 {
		copy(out, v)
		return out
	}
	n = math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(float64(x) / n)
	}
	return out
}

func (c *collection) sortedPoints() []*point {
	ps := make([]*point, 0, len(c.points))
	for _, p := range c.points {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *point) int { return cmp.Compare(a.id, b.id) })
	return ps
}

// vectorOutput answers one vector in the shape of the reported version.
func (s *Server) vectorOutput(dense []float32, sparse *qdrant.SparseVector) *qdrant.VectorOutput {
	if s.version.less(versionOutputOneof) {
		if sparse != nil {
			return &qdrant.VectorOutput{Data: sparse.GetValues(), Indices: &qdrant.SparseIndices{Data: sparse.GetIndices()}} //nolint:staticcheck
		}
		return &qdrant.VectorOutput{Data: dense} //nolint:staticcheck
	}
	if sparse != nil {
		return &qdrant.VectorOutput{Vector: &qdrant.VectorOutput_Sparse{Sparse: sparse}}
	}
	return &qdrant.VectorOutput{Vector: &qdrant.VectorOutput_Dense{Dense: &qdrant.DenseVector{Data: dense}}}
}

func (s *Server) vectorsOutput(p *point, sel *qdrant.WithVectorsSelector) *qdrant.VectorsOutput {
	if sel == nil {
		return nil
	}
	include := map[string]bool{}
	all := sel.GetEnable()
	for _, n := range sel.GetInclude().GetNames() {
		include[n] = true
	}
	out := map[string]*qdrant.VectorOutput{}
	for name, d := range p.dense {
		if all || include[name] {
			out[name] = s.vectorOutput(d, nil)
		}
	}
	for name, sp := range p.sparse {
		if all || include[name] {
			out[name] = s.vectorOutput(nil, sp)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &qdrant.VectorsOutput{VectorsOptions: &qdrant.VectorsOutput_Vectors{Vectors: &qdrant.NamedVectorsOutput{Vectors: out}}}
}

func payloadOutput(p *point, sel *qdrant.WithPayloadSelector) map[string]*qdrant.Value {
	if sel.GetEnable() {
		return p.payload
	}
	if fields := sel.GetInclude().GetFields(); len(fields) > 0 {
		out := map[string]*qdrant.Value{}
		for _, f := range fields {
			if v, ok := p.payload[f]; ok {
				out[f] = v
			}
		}
		return out
	}
	return nil
}

func (s *Server) getPoints(r *qdrant.GetPoints) (*qdrant.GetResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range r.GetIds() {
		sid, err := idString(id)
		if err != nil {
			return nil, err
		}
		want[sid] = true
	}
	// Like Qdrant, answer in the collection's order, not the order asked.
	var out []*qdrant.RetrievedPoint
	for _, p := range c.sortedPoints() {
		if want[p.id] {
			out = append(out, &qdrant.RetrievedPoint{
				Id: p.pid, Payload: payloadOutput(p, r.GetWithPayload()), Vectors: s.vectorsOutput(p, r.GetWithVectors()),
			})
		}
	}
	return &qdrant.GetResponse{Result: out}, nil
}

// scroll pages through the points matching a filter in ID order; the
// offset is the first ID of the page (inclusive), as in Qdrant.
func (s *Server) scroll(r *qdrant.ScrollPoints) (*qdrant.ScrollResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	limit := uint64(10)
	if r.Limit != nil {
		limit = uint64(r.GetLimit())
	}
	if err := c.checkRead(limit, r.GetFilter(), false); err != nil {
		return nil, err
	}
	from := ""
	if r.GetOffset() != nil {
		if from, err = idString(r.GetOffset()); err != nil {
			return nil, err
		}
	}
	resp := &qdrant.ScrollResponse{}
	for _, p := range c.sortedPoints() {
		if p.id < from {
			continue
		}
		ok, err := matches(p, r.GetFilter())
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if uint64(len(resp.Result)) == limit {
			resp.NextPageOffset = p.pid
			break
		}
		resp.Result = append(resp.Result, &qdrant.RetrievedPoint{
			Id: p.pid, Payload: payloadOutput(p, r.GetWithPayload()), Vectors: s.vectorsOutput(p, r.GetWithVectors()),
		})
	}
	return resp, nil
}

func (s *Server) deletePoints(r *qdrant.DeletePoints) (*qdrant.PointsOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	switch sel := r.GetPoints().GetPointsSelectorOneOf().(type) {
	case *qdrant.PointsSelector_Filter:
		if err := c.checkWrite(sel.Filter); err != nil {
			return nil, err
		}
		for id, p := range c.points {
			ok, err := matches(p, sel.Filter)
			if err != nil {
				return nil, err
			}
			if ok {
				delete(c.points, id)
			}
		}
	case *qdrant.PointsSelector_Points:
		for _, pid := range sel.Points.GetIds() {
			id, err := idString(pid)
			if err != nil {
				return nil, err
			}
			delete(c.points, id)
		}
	default:
		return nil, status.Error(codes.InvalidArgument, "delete without a points selector")
	}
	return done(), nil
}

func (s *Server) count(r *qdrant.CountPoints) (*qdrant.CountResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if err := c.checkRead(0, r.GetFilter(), r.GetExact()); err != nil {
		return nil, err
	}
	var n uint64
	for _, p := range c.points {
		ok, err := matches(p, r.GetFilter())
		if err != nil {
			return nil, err
		}
		if ok {
			n++
		}
	}
	return &qdrant.CountResponse{Result: &qdrant.CountResult{Count: n}}, nil
}

type scored struct {
	p     *point
	score float64
}

func (s *Server) query(r *qdrant.QueryPoints) (*qdrant.QueryResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	res, err := s.run(c, r.GetPrefetch(), r.GetQuery(), r.GetUsing(), r.GetFilter(), r.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]*qdrant.ScoredPoint, 0, len(res))
	for _, x := range res {
		out = append(out, &qdrant.ScoredPoint{
			Id: x.p.pid, Score: float32(x.score),
			Payload: payloadOutput(x.p, r.GetWithPayload()), Vectors: s.vectorsOutput(x.p, r.GetWithVectors()),
		})
	}
	return &qdrant.QueryResponse{Result: out}, nil
}

// run evaluates one (possibly nested) query; limit defaults to 10.
func (s *Server) run(c *collection, prefetch []*qdrant.PrefetchQuery, q *qdrant.Query, using string, f *qdrant.Filter, limitp *uint64) ([]scored, error) {
	limit := uint64(10)
	if limitp != nil {
		limit = *limitp
	}
	if err := c.checkRead(limit, f, false); err != nil {
		return nil, err
	}
	var res []scored
	switch v := q.GetVariant().(type) {
	case *qdrant.Query_Fusion:
		if v.Fusion != qdrant.Fusion_RRF {
			return nil, status.Errorf(codes.Unimplemented, "qdrant stand-in: fusion %v", v.Fusion)
		}
		if len(prefetch) == 0 {
			return nil, status.Error(codes.InvalidArgument, "fusion needs prefetches")
		}
		fused := map[string]*scored{}
		for _, pf := range prefetch {
			sub, err := s.run(c, pf.GetPrefetch(), pf.GetQuery(), pf.GetUsing(), pf.GetFilter(), pf.Limit)
			if err != nil {
				return nil, err
			}
			for rank, x := range sub {
				if fused[x.p.id] == nil {
					fused[x.p.id] = &scored{p: x.p}
				}
				fused[x.p.id].score += 1 / float64(rank+rrfK)
			}
		}
		for _, x := range fused {
			ok, err := matches(x.p, f)
			if err != nil {
				return nil, err
			}
			if ok {
				res = append(res, *x)
			}
		}
	case *qdrant.Query_Nearest:
		if len(prefetch) > 0 {
			return nil, status.Error(codes.Unimplemented, "qdrant stand-in: nearest over prefetch results")
		}
		var err error
		if res, err = s.nearest(c, v.Nearest, using, f); err != nil {
			return nil, err
		}
	default:
		return nil, status.Errorf(codes.Unimplemented, "qdrant stand-in: query %T", v)
	}
	slices.SortFunc(res, func(a, b scored) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return cmp.Compare(a.p.id, b.p.id)
	})
	if uint64(len(res)) > limit {
		res = res[:limit]
	}
	return res, nil
}

func (s *Server) nearest(c *collection, in *qdrant.VectorInput, using string, f *qdrant.Filter) ([]scored, error) {
	var res []scored
	if d := in.GetDense(); d != nil {
		size, ok := c.dense[using]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", using)
		}
		if uint64(len(d.GetData())) != size {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Vector dimension error: expected dim: %d, got %d", size, len(d.GetData()))
		}
		// The query is normalized too; cosine is then a dot product.
		qv := normalize(d.GetData())
		for _, p := range c.sortedPoints() {
			v, ok := p.dense[using]
			if !ok {
				continue
			}
			if ok, err := matches(p, f); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue
			}
			res = append(res, scored{p: p, score: dot(qv, v)})
		}
		return res, nil
	}
	if sp := in.GetSparse(); sp != nil {
		idf, ok := c.sparse[using]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", using)
		}
		// Document frequencies over the whole collection, as Qdrant does.
		df := map[uint32]int{}
		n := 0
		for _, p := range c.points {
			if v, ok := p.sparse[using]; ok {
				n++
				for _, i := range v.GetIndices() {
					df[i]++
				}
			}
		}
		for _, p := range c.sortedPoints() {
			v, ok := p.sparse[using]
			if !ok {
				continue
			}
			if ok, err := matches(p, f); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue
			}
			var score float64
			overlap := false
			for k, i := range sp.GetIndices() {
				j := slices.Index(v.GetIndices(), i)
				if j < 0 {
					continue
				}
				overlap = true
				w := float64(sp.GetValues()[k]) * float64(v.GetValues()[j])
				if idf {
					w *= math.Log((float64(n-df[i])+0.5)/(float64(df[i])+0.5) + 1)
				}
				score += w
			}
			if overlap {
				res = append(res, scored{p: p, score: score})
			}
		}
		return res, nil
	}
	return nil, status.Error(codes.Unimplemented, "qdrant stand-in: nearest needs a dense or sparse vector")
}

func dot(a, b []float32) float64 {
	var d float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
	}
	return d
}

// matches evaluates a payload filter; nil matches everything.
func matches(p *point, f *qdrant.Filter) (bool, error) {
	if f == nil {
		return true, nil
	}
	for _, c := range f.GetMust() {
		ok, err := condition(p, c)
		if err != nil || !ok {
			return false, err
		}
	}
	for _, c := range f.GetMustNot() {
		ok, err := condition(p, c)
		if err != nil || ok {
			return false, err
		}
	}
	if len(f.GetShould()) > 0 {
		matched := false
		for _, c := range f.GetShould() {
			ok, err := condition(p, c)
			if err != nil {
				return false, err
			}
			matched = matched || ok
		}
		if !matched {
			return false, nil
		}
	}
	return true, nil
}

func condition(p *point, c *qdrant.Condition) (bool, error) {
	switch v := c.GetConditionOneOf().(type) {
	case *qdrant.Condition_Filter:
		return matches(p, v.Filter)
	case *qdrant.Condition_HasId:
		for _, id := range v.HasId.GetHasId() {
			if sid, _ := idString(id); sid == p.id {
				return true, nil
			}
		}
		return false, nil
	case *qdrant.Condition_Field:
		return field(p, v.Field)
	}
	return false, status.Errorf(codes.Unimplemented, "qdrant stand-in: condition %T", c.GetConditionOneOf())
}

func field(p *point, fc *qdrant.FieldCondition) (bool, error) {
	val := p.payload[fc.GetKey()]
	values := []*qdrant.Value{val}
	if l := val.GetListValue(); l != nil {
		values = l.GetValues()
	}
	switch m := fc.GetMatch().GetMatchValue().(type) {
	case *qdrant.Match_Keyword:
		for _, x := range values {
			if x != nil && x.GetStringValue() == m.Keyword {
				return true, nil
			}
		}
		return false, nil
	case *qdrant.Match_Keywords:
		for _, x := range values {
			if x != nil && slices.Contains(m.Keywords.GetStrings(), x.GetStringValue()) {
				return true, nil
			}
		}
		return false, nil
	case *qdrant.Match_Integer:
		for _, x := range values {
			if x != nil && x.GetIntegerValue() == m.Integer {
				return true, nil
			}
		}
		return false, nil
	}
	return false, status.Errorf(codes.Unimplemented, "qdrant stand-in: field condition on %q", fc.GetKey())
}
