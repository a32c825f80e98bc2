//lint:file-ignore SA1019 Qdrant servers before 1.12.2 read, and before 1.17 answer, only the deprecated vector fields: using them is the point (see version.go).

package qdranttest

import (
	"context"
	"math"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func client(t *testing.T, s *Server) *qdrant.Client {
	t.Helper()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
	p, _ := strconv.Atoi(port)
	c, err := qdrant.NewClient(&qdrant.Config{Host: host, Port: p, SkipCompatibilityCheck: true, PoolSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func create(t *testing.T, c *qdrant.Client, name string) {
	t.Helper()
	err := c.CreateCollection(context.Background(), &qdrant.CreateCollection{
		CollectionName: name,
		VectorsConfig: qdrant.NewVectorsConfigMap(map[string]*qdrant.VectorParams{
			"dense": {Size: 2, Distance: qdrant.Distance_Cosine},
		}),
		SparseVectorsConfig: qdrant.NewSparseVectorsConfig(map[string]*qdrant.SparseVectorParams{"lexical": {}}),
		Metadata:            qdrant.NewValueMap(map[string]any{"k": "v"}),
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
}

func upsert(c *qdrant.Client, name string, id uint64, dense *qdrant.Vector, sparse *qdrant.Vector) error {
	_, err := c.Upsert(context.Background(), &qdrant.UpsertPoints{CollectionName: name, Points: []*qdrant.PointStruct{{
		Id: qdrant.NewIDNum(id), Vectors: qdrant.NewVectorsMap(map[string]*qdrant.Vector{"dense": dense, "lexical": sparse}),
	}}})
	return err
}

func TestHealthCheckVersion(t *testing.T) {
	for _, v := range []string{"", "1.9.0", "1.16.3"} {
		s := StartWith(t, Options{Version: v})
		reply, err := client(t, s).HealthCheck(context.Background())
		want := v
		if v == "" {
			want = DefaultVersion
		}
		if err != nil || reply.GetVersion() != want {
			t.Errorf("HealthCheck = %v, %v; want version %s", reply, err, want)
		}
	}
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	defer lis.Close()
	if _, _, err := Serve(lis, Options{Version: "1.12.0", Strict: &qdrant.StrictModeConfig{}}); err == nil {
		t.Errorf("strict mode accepted for a version before 1.13")
	}
}

// TestCosineNormalized: vectors come back with unit length, as Qdrant
// stores cosine vectors.
func TestCosineNormalized(t *testing.T) {
	s := Start(t)
	c := client(t, s)
	create(t, c, "n")
	if err := upsert(c, "n", 1, qdrant.NewVectorDense([]float32{3, 4}), qdrant.NewVectorSparse([]uint32{1}, []float32{1})); err != nil {
		t.Fatal(err)
	}
	pts, err := c.Get(context.Background(), &qdrant.GetPoints{CollectionName: "n", Ids: []*qdrant.PointId{qdrant.NewIDNum(1)}, WithVectors: qdrant.NewWithVectors(true)})
	if err != nil || len(pts) != 1 {
		t.Fatalf("Get = %v, %v", pts, err)
	}
	got := pts[0].GetVectors().GetVectors().GetVectors()["dense"].GetDenseVector().GetData()
	if len(got) != 2 || math.Abs(float64(got[0])-0.6) > 1e-6 || math.Abs(float64(got[1])-0.8) > 1e-6 {
		t.Errorf("stored vector = %v, want [0.6 0.8]", got)
	}
}

func TestAlreadyExists(t *testing.T) {
	s := Start(t)
	c := client(t, s)
	create(t, c, "dup")
	err := c.CreateCollection(context.Background(), &qdrant.CreateCollection{CollectionName: "dup"})
	if status.Code(err) != codes.AlreadyExists {
		t.Errorf("second create: %v, want AlreadyExists", err)
	}
}

// TestRRF: a point at 0-based rank r of a prefetch scores 1/(r+2).
func TestRRF(t *testing.T) {
	s := Start(t)
	c := client(t, s)
	create(t, c, "r")
	// Point 1 is first by vector and second by text; point 2 the reverse
	// plus absent from nothing; point 3 only second by vector.
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(upsert(c, "r", 1, qdrant.NewVectorDense([]float32{1, 0}), qdrant.NewVectorSparse([]uint32{7}, []float32{1})))
	must(upsert(c, "r", 2, qdrant.NewVectorDense([]float32{0, 1}), qdrant.NewVectorSparse([]uint32{7}, []float32{5})))
	must(upsert(c, "r", 3, qdrant.NewVectorDense([]float32{1, 0.5}), qdrant.NewVectorSparse([]uint32{9}, []float32{1})))
	res, err := c.Query(context.Background(), &qdrant.QueryPoints{
		CollectionName: "r",
		Prefetch: []*qdrant.PrefetchQuery{
			{Query: qdrant.NewQueryDense([]float32{1, 0}), Using: qdrant.PtrOf("dense")},
			{Query: qdrant.NewQuerySparse([]uint32{7}, []float32{1}), Using: qdrant.PtrOf("lexical")},
		},
		Query: qdrant.NewQueryFusion(qdrant.Fusion_RRF),
	})
	if err != nil {
		t.Fatal(err)
	}
	// dense ranks: 1, 3, 2; lexical ranks: 2, 1.
	want := map[uint64]float64{1: 1.0/2 + 1.0/3, 2: 1.0/4 + 1.0/2, 3: 1.0 / 3}
	if len(res) != 3 {
		t.Fatalf("fused %d points, want 3", len(res))
	}
	for _, p := range res {
		if w := want[p.GetId().GetNum()]; math.Abs(float64(p.GetScore())-w) > 1e-6 {
			t.Errorf("point %d RRF score = %v, want %v", p.GetId().GetNum(), p.GetScore(), w)
		}
	}
}

// TestOldVersions: the wire shapes of servers before 1.12.2, 1.15.4, 1.17.
func TestOldVersions(t *testing.T) {
	ctx := context.Background()
	s := StartWith(t, Options{Version: "1.12.1"})
	c := client(t, s)
	create(t, c, "old")
	if m := s.Metadata("old"); m != nil {
		t.Errorf("1.12.1 kept metadata %v", m)
	}
	// The oneof is unknown to 1.12.1: the vector arrives empty.
	err := upsert(c, "old", 1, qdrant.NewVectorDense([]float32{1, 0}), &qdrant.Vector{Data: []float32{1}, Indices: &qdrant.SparseIndices{Data: []uint32{3}}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "expected dim: 2, got 0") {
		t.Errorf("1.12.1 upsert of a vector in the oneof: %v, want the dimension error of those servers", err)
	}
	if err := upsert(c, "old", 1, &qdrant.Vector{Data: []float32{1, 0}}, &qdrant.Vector{Data: []float32{1}, Indices: &qdrant.SparseIndices{Data: []uint32{3}}}); err != nil {
		t.Fatalf("1.12.1 upsert in the deprecated fields: %v", err)
	}
	pts, err := c.Get(ctx, &qdrant.GetPoints{CollectionName: "old", Ids: []*qdrant.PointId{qdrant.NewIDNum(1)}, WithVectors: qdrant.NewWithVectors(true)})
	if err != nil || len(pts) != 1 {
		t.Fatalf("Get = %v, %v", pts, err)
	}
	vs := pts[0].GetVectors().GetVectors().GetVectors()
	if d := vs["dense"]; d.GetVector() != nil || len(d.GetData()) != 2 {
		t.Errorf("pre-1.17 dense answer = %v, want the data field only", d)
	}
	if sp := vs["lexical"]; sp.GetVector() != nil || sp.GetIndices() == nil || sp.GetSparseVector().GetIndices()[0] != 3 {
		t.Errorf("pre-1.17 sparse answer = %v, want data and indices", sp)
	}

	s9 := StartWith(t, Options{Version: "1.9.0"})
	c9 := client(t, s9)
	create(t, c9, "q")
	if _, err := c9.Query(ctx, &qdrant.QueryPoints{CollectionName: "q", Query: qdrant.NewQueryDense([]float32{1, 0}), Using: qdrant.PtrOf("dense")}); status.Code(err) != codes.Unimplemented {
		t.Errorf("Query on 1.9.0: %v, want Unimplemented", err)
	}
}

func TestStrictLimits(t *testing.T) {
	ctx := context.Background()
	s := StartWith(t, Options{Strict: &qdrant.StrictModeConfig{
		Enabled: qdrant.PtrOf(true), FilterMaxConditions: qdrant.PtrOf(uint64(1)), ConditionMaxSize: qdrant.PtrOf(uint64(2)),
		SearchAllowExact: qdrant.PtrOf(false), UnindexedFilteringRetrieve: qdrant.PtrOf(false), MaxQueryLimit: qdrant.PtrOf(uint32(5)),
	}})
	c := client(t, s)
	create(t, c, "s")
	info, err := c.GetCollectionInfo(ctx, "s")
	if err != nil || info.GetConfig().GetStrictModeConfig().GetFilterMaxConditions() != 1 {
		t.Fatalf("collection info strict mode = %v, %v", info.GetConfig().GetStrictModeConfig(), err)
	}
	if _, err := c.CreateFieldIndex(ctx, &qdrant.CreateFieldIndexCollection{CollectionName: "s", FieldName: "k", FieldType: qdrant.FieldType_FieldTypeKeyword.Enum()}); err != nil {
		t.Fatal(err)
	}
	count := func(f *qdrant.Filter, exact bool) error {
		_, err := c.Count(ctx, &qdrant.CountPoints{CollectionName: "s", Filter: f, Exact: qdrant.PtrOf(exact)})
		return err
	}
	for _, tc := range []struct {
		name   string
		filter *qdrant.Filter
		exact  bool
		want   string
	}{
		{"ok", &qdrant.Filter{Must: []*qdrant.Condition{qdrant.NewMatchKeywords("k", "a", "b")}}, false, ""},
		{"exact", nil, true, "Exact search disabled"},
		{"conditions", &qdrant.Filter{Must: []*qdrant.Condition{qdrant.NewMatchKeyword("k", "a"), qdrant.NewMatchKeyword("k", "b")}}, false, "Filter condition limit reached (2 > 1)"},
		{"nested", &qdrant.Filter{Must: []*qdrant.Condition{qdrant.NewFilterAsCondition(&qdrant.Filter{Should: []*qdrant.Condition{qdrant.NewMatchKeyword("k", "a"), qdrant.NewMatchKeyword("k", "b")}})}}, false, "Filter condition limit reached (2 > 1)"},
		{"size", &qdrant.Filter{MustNot: []*qdrant.Condition{qdrant.NewMatchKeywords("k", "a", "b", "c")}}, false, "Condition size limit reached (3 > 2)"},
		{"unindexed", &qdrant.Filter{Must: []*qdrant.Condition{qdrant.NewMatchKeyword("other", "a")}}, false, `Index required but not found for "other"`},
	} {
		err := count(tc.filter, tc.exact)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want InvalidArgument %q", tc.name, err, tc.want)
		}
	}
	if _, err := c.Scroll(ctx, &qdrant.ScrollPoints{CollectionName: "s", Limit: qdrant.PtrOf(uint32(6))}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("scroll over max_query_limit: %v", err)
	}
	// Qdrant's own test_scroll_query_limit: the default limit 10 counts.
	if _, err := c.Scroll(ctx, &qdrant.ScrollPoints{CollectionName: "s"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("scroll with the default limit 10 over a max_query_limit of 5: %v, want it refused", err)
	}
}
