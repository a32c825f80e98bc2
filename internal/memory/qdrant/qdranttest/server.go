// Package qdranttest runs a stand-in for Qdrant: an in-process gRPC server
// that speaks the part of Qdrant's protocol Researchflow uses — health check
// (with a configurable server version), collections (create, get, exists,
// delete, aliases), payload indexes, and points (upsert, get, scroll,
// delete, count, query with prefetch and RRF fusion). It is a stand-in, not
// Qdrant: everything is kept in memory with exact (brute-force) search, no
// persistence, no HNSW, no sharding.
//
// Where it matters to a client, it behaves like the real server (each rule
// cites the Qdrant source it follows, github.com/qdrant/qdrant):
//   - cosine vectors are normalized on upload, so Get returns unit vectors
//     (segment: Distance::Cosine preprocess);
//   - RRF scores a point at 0-based rank r of each prefetch 1/(r+2)
//     (lib/segment/src/common/reciprocal_rank_fusion.rs, DEFAULT_RRF_K = 2);
//   - creating an existing collection fails with AlreadyExists;
//   - the reported Version changes the wire shapes the way releases did
//     (see Options.Version);
//   - Options.Strict enables strict mode with the server's limits and error
//     messages (lib/collection/src/operations/verification).
package qdranttest

import (
	"context"
	"fmt"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// DefaultVersion is the Qdrant version the stand-in reports by default.
const DefaultVersion = "1.17.1"

// Versions at which Qdrant changed behaviour the stand-in reproduces, from
// the tags of github.com/qdrant/qdrant.
var (
	// v1.10.0 added the Query RPC (prefetch, fusion) and the sparse IDF modifier.
	versionQuery = version{1, 10, 0}
	// v1.12.2 added the `vector` oneof to the input Vector message
	// (lib/api/src/grpc/proto/points.proto); older servers read only the
	// deprecated data/indices fields.
	versionVectorOneof = version{1, 12, 2}
	// v1.13.0 added strict mode.
	versionStrict = version{1, 13, 0}
	// v1.15.4 added collection metadata (collections.proto `metadata`).
	versionMetadata = version{1, 15, 4}
	// v1.17.0 answers vectors in the VectorOutput oneof instead of the
	// deprecated data/indices fields (lib/api/src/conversions/vectors.rs).
	versionOutputOneof = version{1, 17, 0}
)

// Options choose which Qdrant server the stand-in behaves like.
type Options struct {
	// Version is what HealthCheck reports, "1.17.1" by default. It also
	// selects version-dependent behaviour:
	//   - below 1.10.0 there is no Query RPC (Unimplemented);
	//   - below 1.12.2 input vectors are read from the deprecated data and
	//     indices fields only, as those servers did not know the oneof: a
	//     vector sent only in the oneof arrives with 0 dimensions;
	//   - below 1.13.0 strict mode does not exist (Strict is refused);
	//   - below 1.15.4 collection metadata is dropped;
	//   - below 1.17.0 output vectors use the deprecated data and indices
	//     fields (the "pre-1.17 shape").
	Version string
	// Strict, when not nil, is the strict-mode configuration every
	// collection gets on creation, as an operator would set it; with
	// Enabled true its limits are enforced.
	Strict *qdrant.StrictModeConfig
}

// Server is a Qdrant stand-in served on a loopback port.
type Server struct {
	// URL is where the server listens, as "http://127.0.0.1:port".
	URL string

	opts    Options
	version version

	mu          sync.Mutex
	collections map[string]*collection
	aliases     map[string]string // alias → collection
	failures    map[string][]codes.Code
	calls       map[string]int
}

type collection struct {
	dense    map[string]uint64 // vector name → size
	sparse   map[string]bool   // vector name → IDF modifier
	metadata map[string]*qdrant.Value
	strict   *qdrant.StrictModeConfig
	indexes  map[string]qdrant.FieldType
	points   map[string]*point
}

type point struct {
	id      string          // canonical form, the map key
	pid     *qdrant.PointId // as given
	payload map[string]*qdrant.Value
	dense   map[string][]float32
	sparse  map[string]*qdrant.SparseVector
}

// Start serves a fresh stand-in with default options until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith serves a fresh stand-in with opts until the test ends.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s, stop, err := Serve(lis, opts)
	if err != nil {
		lis.Close()
		t.Fatalf("qdrant stand-in: %v", err)
	}
	t.Cleanup(stop)
	return s
}

// Serve serves a stand-in on lis until stop is called; it is how a
// long-running process (not a test) hosts one. Bad options are an error.
func Serve(lis net.Listener, opts Options) (s *Server, stop func(), err error) {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	v, err := parseVersion(opts.Version)
	if err != nil {
		return nil, nil, err
	}
	if opts.Strict != nil && v.less(versionStrict) {
		return nil, nil, fmt.Errorf("strict mode needs Qdrant 1.13.0 or newer, the stand-in reports %s", opts.Version)
	}
	s = &Server{
		URL:         "http://" + lis.Addr().String(),
		opts:        opts,
		version:     v,
		collections: map[string]*collection{},
		aliases:     map[string]string{},
		failures:    map[string][]codes.Code{},
		calls:       map[string]int{},
	}
	// Qdrant accepts requests of any size (src/tonic/mod.rs:
	// max_decoding_message_size(usize::MAX)); grpc-go's server default
	// would refuse anything over 4 MiB.
	// Qdrant's server (tonic) accepts the client's keepalive pings, which
	// qdrant/go-client sends every 10 s; grpc-go's default enforcement
	// (one per 5 minutes) would answer them with GOAWAY too_many_pings.
	gs := grpc.NewServer(grpc.UnaryInterceptor(s.intercept), grpc.MaxRecvMsgSize(math.MaxInt32),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}))
	qdrant.RegisterQdrantServer(gs, qdrantService{s: s})
	qdrant.RegisterCollectionsServer(gs, collectionsService{s: s})
	qdrant.RegisterPointsServer(gs, pointsService{s: s})
	go func() { _ = gs.Serve(lis) }()
	return s, gs.Stop, nil
}

// FailNext makes the next calls of method ("Upsert", "Query", "Count",
// "Create", "CreateFieldIndex", ...) fail with the given codes, one per
// call, in order.
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

// Metadata returns a collection's metadata (nil if there is no such
// collection, or the version keeps none).
func (s *Server) Metadata(name string) map[string]*qdrant.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.collections[name]; c != nil {
		return c.metadata
	}
	return nil
}

// Indexes returns the payload fields a collection indexes, sorted.
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

// DropIndex removes a payload index, as an operator might.
func (s *Server) DropIndex(name, field string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.collections[name]; c != nil {
		delete(c.indexes, field)
	}
}

// SetStrict replaces a collection's strict-mode configuration, as an
// operator's collection update would.
func (s *Server) SetStrict(name string, cfg *qdrant.StrictModeConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.collections[name]; c != nil {
		c.strict = proto.Clone(cfg).(*qdrant.StrictModeConfig)
	}
}

// Aliases returns the aliases of a collection, sorted.
func (s *Server) Aliases(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for a, c := range s.aliases {
		if c == name {
			out = append(out, a)
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
		if target, ok := s.aliases[name]; ok {
			c = s.collections[target]
		}
	}
	if c == nil {
		return nil, status.Errorf(codes.NotFound, "Not found: Collection `%s` doesn't exist!", name)
	}
	return c, nil
}

// version is a Qdrant release number.
type version struct{ major, minor, patch int }

func parseVersion(v string) (version, error) {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) != 3 {
		return version{}, fmt.Errorf("version %q: want major.minor.patch", v)
	}
	var out [3]int
	for i, p := range parts {
		if j := strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 && i == 2 {
			p = p[:j] // "0-rc1"
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return version{}, fmt.Errorf("version %q: want major.minor.patch", v)
		}
		out[i] = n
	}
	return version{out[0], out[1], out[2]}, nil
}

func (v version) less(w version) bool {
	if v.major != w.major {
		return v.major < w.major
	}
	if v.minor != w.minor {
		return v.minor < w.minor
	}
	return v.patch < w.patch
}

// qdrantService, collectionsService and pointsService register the
// Server's operations under Qdrant's three services (their Get and Delete
// methods would clash on one type).
type qdrantService struct {
	qdrant.UnimplementedQdrantServer
	s *Server
}

func (q qdrantService) HealthCheck(context.Context, *qdrant.HealthCheckRequest) (*qdrant.HealthCheckReply, error) {
	return &qdrant.HealthCheckReply{Title: "qdrant - vector search engine (Researchflow stand-in)", Version: q.s.opts.Version}, nil
}

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

func (c collectionsService) UpdateAliases(_ context.Context, r *qdrant.ChangeAliases) (*qdrant.CollectionOperationResponse, error) {
	return c.s.updateAliases(r)
}

func (c collectionsService) ListCollectionAliases(_ context.Context, r *qdrant.ListCollectionAliasesRequest) (*qdrant.ListAliasesResponse, error) {
	return c.s.listCollectionAliases(r)
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

func (p pointsService) Scroll(_ context.Context, r *qdrant.ScrollPoints) (*qdrant.ScrollResponse, error) {
	return p.s.scroll(r)
}

func (p pointsService) Delete(_ context.Context, r *qdrant.DeletePoints) (*qdrant.PointsOperationResponse, error) {
	return p.s.deletePoints(r)
}

func (p pointsService) Count(_ context.Context, r *qdrant.CountPoints) (*qdrant.CountResponse, error) {
	return p.s.count(r)
}

func (p pointsService) Query(_ context.Context, r *qdrant.QueryPoints) (*qdrant.QueryResponse, error) {
	if p.s.version.less(versionQuery) {
		return nil, status.Errorf(codes.Unimplemented, "unknown method Query for service qdrant.Points (Qdrant %s)", p.s.opts.Version)
	}
	return p.s.query(r)
}
