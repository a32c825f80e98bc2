// Package qdranttest runs an in-process gRPC server that speaks the part of
// Qdrant's protocol Researchflow uses, for tests: collections (create, get,
// exists, delete), payload indexes, and points (upsert, get, delete, count,
// query with prefetch and RRF fusion). It keeps everything in memory with
// plain semantics: exact cosine for dense vectors, dot product with Qdrant's
// IDF modifier for sparse ones, reciprocal rank fusion, payload filters with
// must/should/must_not and keyword matches. It is a test double, not a
// database: no persistence, no HNSW, no pagination.
package qdranttest

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// rrfK is the constant of reciprocal rank fusion, Qdrant's default.
const rrfK = 2

// Server is a fake Qdrant served on a loopback port.
type Server struct {
	// URL is where the server listens, as "http://127.0.0.1:port".
	URL string

	mu          sync.Mutex
	collections map[string]*collection
	failures    map[string][]codes.Code
	calls       map[string]int
}

type collection struct {
	dense    map[string]uint64 // vector name → size
	sparse   map[string]bool   // vector name → IDF modifier
	metadata map[string]*qdrant.Value
	indexes  map[string]qdrant.FieldType
	points   map[string]*point
}

type point struct {
	id      string
	payload map[string]*qdrant.Value
	dense   map[string][]float32
	sparse  map[string]*qdrant.SparseVector
}

// Start serves a fresh fake Qdrant until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &Server{
		URL:         "http://" + lis.Addr().String(),
		collections: map[string]*collection{},
		failures:    map[string][]codes.Code{},
		calls:       map[string]int{},
	}
	gs := grpc.NewServer(grpc.UnaryInterceptor(s.intercept))
	qdrant.RegisterCollectionsServer(gs, collectionsService{s: s})
	qdrant.RegisterPointsServer(gs, pointsService{s: s})
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	return s
}

// FailNext makes the next calls of method ("Upsert", "Query", "Count",
// "Create", ...) fail with the given codes, one per call, in order.
func (s *Server) FailNext(method string, cs ...codes.Code) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], cs...)
}

// Calls is how many times method was called, failures included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Metadata returns a collection's metadata (nil if there is no such collection).
func (s *Server) Metadata(name string) map[string]*qdrant.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.collections[name]; c != nil {
		return c.metadata
	}
	return nil
}

// Indexes returns the payload fields a collection indexes.
func (s *Server) Indexes(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if c := s.collections[name]; c != nil {
		for f := range c.indexes {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Server) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	method := info.FullMethod[strings.LastIndex(info.FullMethod, "/")+1:]
	s.mu.Lock()
	s.calls[method]++
	var fail codes.Code
	if q := s.failures[method]; len(q) > 0 {
		fail, s.failures[method] = q[0], q[1:]
	}
	s.mu.Unlock()
	if fail != codes.OK {
		return nil, status.Errorf(fail, "injected failure of %s", method)
	}
	return h(ctx, req)
}

func (s *Server) collection(name string) (*collection, error) {
	c := s.collections[name]
	if c == nil {
		return nil, status.Errorf(codes.NotFound, "Not found: Collection `%s` doesn't exist!", name)
	}
	return c, nil
}

// Collections service.

func (s *Server) createCollection(r *qdrant.CreateCollection) (*qdrant.CollectionOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.collections[r.GetCollectionName()]; ok {
		return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Collection `%s` already exists!", r.GetCollectionName())
	}
	c := &collection{
		dense: map[string]uint64{}, sparse: map[string]bool{},
		metadata: r.GetMetadata(), indexes: map[string]qdrant.FieldType{}, points: map[string]*point{},
	}
	vc := r.GetVectorsConfig()
	if p := vc.GetParams(); p != nil {
		c.dense[""] = p.GetSize()
	}
	for name, p := range vc.GetParamsMap().GetMap() {
		if p.GetSize() == 0 {
			return nil, status.Errorf(codes.InvalidArgument, "vector %q: size must be positive", name)
		}
		c.dense[name] = p.GetSize()
	}
	for name, p := range r.GetSparseVectorsConfig().GetMap() {
		c.sparse[name] = p.GetModifier() == qdrant.Modifier_Idf
	}
	s.collections[r.GetCollectionName()] = c
	return &qdrant.CollectionOperationResponse{Result: true}, nil
}

func (s *Server) getCollection(r *qdrant.GetCollectionInfoRequest) (*qdrant.GetCollectionInfoResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	params := map[string]*qdrant.VectorParams{}
	for name, size := range c.dense {
		params[name] = &qdrant.VectorParams{Size: size, Distance: qdrant.Distance_Cosine}
	}
	sparse := map[string]*qdrant.SparseVectorParams{}
	for name, idf := range c.sparse {
		p := &qdrant.SparseVectorParams{}
		if idf {
			p.Modifier = qdrant.Modifier_Idf.Enum()
		}
		sparse[name] = p
	}
	n := uint64(len(c.points))
	return &qdrant.GetCollectionInfoResponse{Result: &qdrant.CollectionInfo{
		Status:      qdrant.CollectionStatus_Green,
		PointsCount: &n,
		Config: &qdrant.CollectionConfig{
			Params: &qdrant.CollectionParams{
				VectorsConfig:       qdrant.NewVectorsConfigMap(params),
				SparseVectorsConfig: qdrant.NewSparseVectorsConfig(sparse),
			},
			Metadata: c.metadata,
		},
	}}, nil
}

func (s *Server) collectionExists(r *qdrant.CollectionExistsRequest) (*qdrant.CollectionExistsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.collections[r.GetCollectionName()]
	return &qdrant.CollectionExistsResponse{Result: &qdrant.CollectionExists{Exists: ok}}, nil
}

func (s *Server) deleteCollection(r *qdrant.DeleteCollection) (*qdrant.CollectionOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.collections[r.GetCollectionName()]
	delete(s.collections, r.GetCollectionName())
	return &qdrant.CollectionOperationResponse{Result: ok}, nil
}

// Points service.

func done() *qdrant.PointsOperationResponse {
	return &qdrant.PointsOperationResponse{Result: &qdrant.UpdateResult{Status: qdrant.UpdateStatus_Completed}}
}

func (s *Server) createFieldIndex(r *qdrant.CreateFieldIndexCollection) (*qdrant.PointsOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	c.indexes[r.GetFieldName()] = r.GetFieldType()
	return done(), nil
}

func idString(id *qdrant.PointId) (string, error) {
	switch v := id.GetPointIdOptions().(type) {
	case *qdrant.PointId_Uuid:
		return strings.ToLower(v.Uuid), nil
	case *qdrant.PointId_Num:
		return fmt.Sprint(v.Num), nil
	}
	return "", status.Error(codes.InvalidArgument, "point without ID")
}

func (s *Server) upsert(r *qdrant.UpsertPoints) (*qdrant.PointsOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	staged := make([]*point, 0, len(r.GetPoints()))
	for _, ps := range r.GetPoints() {
		id, err := idString(ps.GetId())
		if err != nil {
			return nil, err
		}
		p := &point{id: id, payload: ps.GetPayload(), dense: map[string][]float32{}, sparse: map[string]*qdrant.SparseVector{}}
		vs := ps.GetVectors()
		named := vs.GetVectors().GetVectors()
		if v := vs.GetVector(); v != nil {
			named = map[string]*qdrant.Vector{"": v}
		}
		for name, v := range named {
			if d := v.GetDense(); d != nil {
				size, ok := c.dense[name]
				if !ok {
					return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
				}
				if uint64(len(d.GetData())) != size {
					return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Vector dimension error: expected dim: %d, got %d", size, len(d.GetData()))
				}
				p.dense[name] = d.GetData()
			} else if sp := v.GetSparse(); sp != nil {
				if _, ok := c.sparse[name]; !ok {
					return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
				}
				if len(sp.GetIndices()) != len(sp.GetValues()) {
					return nil, status.Error(codes.InvalidArgument, "Wrong input: sparse indices and values differ in length")
				}
				seen := map[uint32]bool{}
				for _, i := range sp.GetIndices() {
					if seen[i] {
						return nil, status.Error(codes.InvalidArgument, "Wrong input: sparse vector has duplicate indices")
					}
					seen[i] = true
				}
				p.sparse[name] = sp
			} else {
				return nil, status.Errorf(codes.Unimplemented, "fake qdrant: vector %q of unsupported kind", name)
			}
		}
		staged = append(staged, p)
	}
	for _, p := range staged {
		c.points[p.id] = p
	}
	return done(), nil
}

func (s *Server) sortedPoints(c *collection) []*point {
	ps := make([]*point, 0, len(c.points))
	for _, p := range c.points {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *point) int { return cmp.Compare(a.id, b.id) })
	return ps
}

func vectorsOutput(p *point, sel *qdrant.WithVectorsSelector) *qdrant.VectorsOutput {
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
			out[name] = &qdrant.VectorOutput{Vector: &qdrant.VectorOutput_Dense{Dense: &qdrant.DenseVector{Data: d}}}
		}
	}
	for name, sp := range p.sparse {
		if all || include[name] {
			out[name] = &qdrant.VectorOutput{Vector: &qdrant.VectorOutput_Sparse{Sparse: sp}}
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
	for _, p := range s.sortedPoints(c) {
		if want[p.id] {
			out = append(out, &qdrant.RetrievedPoint{
				Id: qdrant.NewIDUUID(p.id), Payload: payloadOutput(p, r.GetWithPayload()), Vectors: vectorsOutput(p, r.GetWithVectors()),
			})
		}
	}
	return &qdrant.GetResponse{Result: out}, nil
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
	res, err := s.run(c, r.GetPrefetch(), r.GetQuery(), r.GetUsing(), r.GetFilter(), r.GetLimit())
	if err != nil {
		return nil, err
	}
	out := make([]*qdrant.ScoredPoint, 0, len(res))
	for _, x := range res {
		out = append(out, &qdrant.ScoredPoint{
			Id: qdrant.NewIDUUID(x.p.id), Score: float32(x.score),
			Payload: payloadOutput(x.p, r.GetWithPayload()), Vectors: vectorsOutput(x.p, r.GetWithVectors()),
		})
	}
	return &qdrant.QueryResponse{Result: out}, nil
}

// run evaluates one (possibly nested) query.
func (s *Server) run(c *collection, prefetch []*qdrant.PrefetchQuery, q *qdrant.Query, using string, f *qdrant.Filter, limit uint64) ([]scored, error) {
	if limit == 0 {
		limit = 10
	}
	var res []scored
	switch v := q.GetVariant().(type) {
	case *qdrant.Query_Fusion:
		if v.Fusion != qdrant.Fusion_RRF {
			return nil, status.Errorf(codes.Unimplemented, "fake qdrant: fusion %v", v.Fusion)
		}
		if len(prefetch) == 0 {
			return nil, status.Error(codes.InvalidArgument, "fusion needs prefetches")
		}
		fused := map[string]*scored{}
		for _, pf := range prefetch {
			sub, err := s.run(c, pf.GetPrefetch(), pf.GetQuery(), pf.GetUsing(), pf.GetFilter(), pf.GetLimit())
			if err != nil {
				return nil, err
			}
			for rank, x := range sub {
				if fused[x.p.id] == nil {
					fused[x.p.id] = &scored{p: x.p}
				}
				fused[x.p.id].score += 1 / float64(rrfK+rank+1)
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
			return nil, status.Error(codes.Unimplemented, "fake qdrant: nearest over prefetch results")
		}
		var err error
		if res, err = s.nearest(c, v.Nearest, using, f); err != nil {
			return nil, err
		}
	default:
		return nil, status.Errorf(codes.Unimplemented, "fake qdrant: query %T", v)
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
		for _, p := range s.sortedPoints(c) {
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
			res = append(res, scored{p: p, score: cosine(d.GetData(), v)})
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
		for _, p := range s.sortedPoints(c) {
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
	return nil, status.Error(codes.Unimplemented, "fake qdrant: nearest needs a dense or sparse vector")
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
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
	return false, status.Errorf(codes.Unimplemented, "fake qdrant: condition %T", c.GetConditionOneOf())
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
	return false, status.Errorf(codes.Unimplemented, "fake qdrant: field condition on %q", fc.GetKey())
}

// collectionsService and pointsService register the Server's operations
// under Qdrant's two services (their Get and Delete methods would clash on
// one type).
type collectionsService struct {
	qdrant.UnimplementedCollectionsServer
	s *Server
}

func (c collectionsService) Create(_ context.Context, r *qdrant.CreateCollection) (*qdrant.CollectionOperationResponse, error) {
	return c.s.createCollection(r)
}

func (c collectionsService) Get(_ context.Context, r *qdrant.GetCollectionInfoRequest) (*qdrant.GetCollectionInfoResponse, error) {
	return c.s.getCollection(r)
}

func (c collectionsService) CollectionExists(_ context.Context, r *qdrant.CollectionExistsRequest) (*qdrant.CollectionExistsResponse, error) {
	return c.s.collectionExists(r)
}

func (c collectionsService) Delete(_ context.Context, r *qdrant.DeleteCollection) (*qdrant.CollectionOperationResponse, error) {
	return c.s.deleteCollection(r)
}

type pointsService struct {
	qdrant.UnimplementedPointsServer
	s *Server
}

func (p pointsService) CreateFieldIndex(_ context.Context, r *qdrant.CreateFieldIndexCollection) (*qdrant.PointsOperationResponse, error) {
	return p.s.createFieldIndex(r)
}

func (p pointsService) Upsert(_ context.Context, r *qdrant.UpsertPoints) (*qdrant.PointsOperationResponse, error) {
	return p.s.upsert(r)
}

func (p pointsService) Get(_ context.Context, r *qdrant.GetPoints) (*qdrant.GetResponse, error) {
	return p.s.getPoints(r)
}

func (p pointsService) Delete(_ context.Context, r *qdrant.DeletePoints) (*qdrant.PointsOperationResponse, error) {
	return p.s.deletePoints(r)
}

func (p pointsService) Count(_ context.Context, r *qdrant.CountPoints) (*qdrant.CountResponse, error) {
	return p.s.count(r)
}

func (p pointsService) Query(_ context.Context, r *qdrant.QueryPoints) (*qdrant.QueryResponse, error) {
	return p.s.query(r)
}
