package qdrant

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/qdrant/qdranttest"
)

// TestOpenRefusesOldServer: a server below MinVersion is refused at Open
// with a permanent error naming its version and the one needed.
func TestOpenRefusesOldServer(t *testing.T) {
	for _, v := range []string{"1.9.0", "1.9.7", "1.7.4", "0.11.1"} {
		t.Run(v, func(t *testing.T) {
			tg := standIn(t, qdranttest.Options{Version: v})
			cfg := tg.config(t, 8)
			s, err := Open(context.Background(), cfg)
			if err == nil {
				s.Close()
				t.Fatalf("Open against Qdrant %s succeeded, want it refused", v)
			}
			fe, ok := fault.Classify(err)
			if !ok || !fe.Permanent || fe.Kind != egress.KindConfig {
				t.Errorf("err = %v, want a permanent %s", err, egress.KindConfig)
			}
			if !strings.Contains(err.Error(), "version "+v) || !strings.Contains(err.Error(), MinVersion) {
				t.Errorf("err = %q, want it to name the server version %s and the minimum %s", err, v, MinVersion)
			}
			if tg.fake.Calls("Create") != 0 {
				t.Errorf("a collection was created on an unsupported server")
			}
		})
	}
}

// TestOpenAcceptsVersions: every supported release opens, unreadable
// versions count as current.
func TestOpenAcceptsVersions(t *testing.T) {
	for _, v := range []string{"1.10.0", "1.12.1", "1.12.2", "1.15.3", "1.15.4", "1.17.1", "1.19.0-dev", "2.0.0"} {
		t.Run(v, func(t *testing.T) {
			tg := standIn(t, qdranttest.Options{Version: v})
			s := tg.open(t, tg.config(t, 8))
			defer s.Close()
			want, _ := parseVersion(v)
			if s.server != want {
				t.Errorf("server version = %v, want %v", s.server, want)
			}
			if got, wantLegacy := s.legacyVectors, want.less(versionVectorOneof); got != wantLegacy {
				t.Errorf("legacy vectors = %v, want %v", got, wantLegacy)
			}
			meta := tg.fake.Metadata(s.cfg.Collection)[metaModel].GetStringValue()
			aliases := tg.fake.Aliases(s.cfg.Collection)
			if want.less(versionMetadata) {
				if meta != "" || len(aliases) != 1 || aliases[0] != metaAlias(s.cfg.Collection, "test-model", 8) {
					t.Errorf("without metadata: metadata %q, aliases %v; want the model in an alias", meta, aliases)
				}
			} else if meta != "test-model" || len(aliases) != 0 {
				t.Errorf("with metadata: metadata %q, aliases %v; want the model in the metadata only", meta, aliases)
			}
		})
	}
}

// TestIndexesOnEveryOpen: an index whose creation failed, or that was
// dropped, is created by the next Open.
func TestIndexesOnEveryOpen(t *testing.T) {
	ctx := context.Background()
	tg := fakeTarget(t)
	cfg := tg.config(t, 8)
	tg.fake.FailNext("CreateFieldIndex", codes.Internal)
	if s, err := Open(ctx, cfg); err == nil {
		s.Close()
		t.Fatalf("Open with a failing index creation succeeded")
	}
	if got := strings.Join(tg.fake.Indexes(cfg.Collection), ","); got != "doc_hash,source_id" {
		t.Fatalf("indexes after the failed Open = %s, want doc_hash,source_id (corpus failed)", got)
	}
	s := tg.open(t, cfg)
	s.Close()
	if got := strings.Join(tg.fake.Indexes(cfg.Collection), ","); got != "corpus,doc_hash,source_id" {
		t.Errorf("indexes after the next Open = %s, want corpus,doc_hash,source_id", got)
	}
	tg.fake.DropIndex(cfg.Collection, fieldSourceID)
	before := tg.fake.Calls("CreateFieldIndex")
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := tg.fake.Calls("CreateFieldIndex") - before; got != 1 {
		t.Errorf("Open after dropping one index made %d indexes, want 1", got)
	}
	if got := strings.Join(tg.fake.Indexes(cfg.Collection), ","); got != "corpus,doc_hash,source_id" {
		t.Errorf("indexes = %s, want corpus,doc_hash,source_id", got)
	}
	// A read-only key cannot create indexes: Open warns and goes on.
	tg.fake.DropIndex(cfg.Collection, fieldDocHash)
	tg.fake.FailNext("CreateFieldIndex", codes.PermissionDenied)
	s, err = Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open without the right to create an index: %v", err)
	}
	s.Close()
}

// TestDuplicateCreate: two workers opening a new collection at once; the
// second create gets AlreadyExists and Open goes on.
func TestDuplicateCreate(t *testing.T) {
	ctx := context.Background()
	tg := fakeTarget(t)
	cfg := tg.config(t, 8)
	a := tg.open(t, cfg)
	defer a.Close()
	b := &Store{cfg: withDefaults(cfg), client: a.client, log: a.log, server: a.server}
	if err := b.createCollection(ctx); code(err) != codes.AlreadyExists {
		t.Fatalf("second create: %v, want AlreadyExists", err)
	}
	created, err := b.ensureCollection(ctx)
	if err != nil || created {
		t.Errorf("ensureCollection of an existing collection = %v, %v; want false, nil", created, err)
	}
}

// TestResponseTooLarge: answers over the gRPC receive limit are not
// retried; Get pages itself under the limit, a search fails clearly.
func TestResponseTooLarge(t *testing.T) {
	ctx := context.Background()
	tg := fakeTarget(t)
	cfg := tg.config(t, 4)
	cfg.MaxResponseBytes = 1 << 20
	s := tg.open(t, cfg)
	defer s.Close()
	big := strings.Repeat("sediment travels downstream with the water ", 2500) // ~110 KB
	var chunks []memory.Chunk
	var ids []string
	for i := range 40 {
		c := memory.Chunk{ID: fmt.Sprintf("big-%02d", i), Corpus: "c", SourceID: fmt.Sprint(i), Text: big, Vector: []float32{1, float32(i), 0, 1}}
		chunks = append(chunks, c)
		ids = append(ids, c.ID)
	}
	if err := s.Upsert(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	before := tg.fake.Calls("Get")
	got, err := s.Get(ctx, ids)
	if err != nil {
		t.Fatalf("Get of 4 MB with a 1 MiB limit: %v", err)
	}
	if n := tg.fake.Calls("Get") - before; n < 8 {
		t.Errorf("Get RPCs = %d, want the batch halved until each answer fits (at least 8)", n)
	}
	if len(got) != 40 || got[39].ID != "big-39" || got[0].Text != big {
		t.Errorf("Get = %d chunks, want all 40 in order", len(got))
	}
	before = tg.fake.Calls("Query")
	_, err = s.Search(ctx, memory.Query{Text: "sediment", TopK: 40})
	fe, ok := fault.Classify(err)
	if !ok || !fe.Permanent || fe.Kind != egress.KindTooLarge || !strings.Contains(err.Error(), "larger than max") {
		t.Errorf("Search answered with 4 MB: err = %v, want a permanent %s naming gRPC's limit", err, egress.KindTooLarge)
	}
	if n := tg.fake.Calls("Query") - before; n != 1 {
		t.Errorf("Query RPCs = %d, want 1 (not retried)", n)
	}
	if n, err := s.Count(ctx, memory.Filter{Corpus: "c"}); err != nil || n != 40 {
		t.Errorf("Count = %d, %v; want 40", n, err)
	}
}

// TestStrictMode: the limits are read at Open and requests split to fit;
// what cannot be split fails clearly.
func TestStrictMode(t *testing.T) {
	ctx := context.Background()
	tg := standIn(t, qdranttest.Options{Strict: strictConfig()})
	s := tg.open(t, tg.config(t, 4))
	defer s.Close()
	want := limits{upsertBatch: 2, queryLimit: 20, maxConditions: 2, maxListSize: 2, noExact: true, lexicalMaxLen: 64}
	if s.limits() != want {
		t.Fatalf("limits = %+v, want %+v", s.limits(), want)
	}
	var words []string
	for i := range 100 {
		words = append(words, fmt.Sprintf("term%03d", i))
	}
	long := memory.Chunk{ID: "long", Corpus: "c", SourceID: "s1", Text: strings.Join(words, " "), Vector: []float32{1, 0, 0, 0}}
	if err := s.Upsert(ctx, []memory.Chunk{long}); err != nil {
		t.Fatalf("Upsert of a 100-term chunk under a 64-term limit: %v", err)
	}
	if hits, err := s.Search(ctx, memory.Query{Text: "term000", TopK: 50}); err != nil || len(hits) != 1 {
		t.Errorf("Search with TopK over max_query_limit = %d hits, %v; want 1, nil", len(hits), err)
	}
	_, err := s.Search(ctx, memory.Query{Text: "term000", Filter: memory.Filter{Corpus: "c", SourceIDs: []string{"a", "b", "c"}, ExcludeSourceIDs: []string{"d"}}})
	if fe, ok := fault.Classify(err); !ok || !fe.Permanent || fe.Kind != egress.KindTooLarge || !strings.Contains(err.Error(), "filter_max_conditions") {
		t.Errorf("Search with a filter over the limits: err = %v, want a permanent %s naming the strict-mode limits", err, egress.KindTooLarge)
	}
	// Without the adapter's splitting the server refuses, as Qdrant does.
	_, err = s.client.Upsert(ctx, &qdrant.UpsertPoints{CollectionName: s.cfg.Collection, Points: []*qdrant.PointStruct{
		{Id: pointID("x1"), Vectors: qdrant.NewVectorsMap(nil)}, {Id: pointID("x2"), Vectors: qdrant.NewVectorsMap(nil)}, {Id: pointID("x3"), Vectors: qdrant.NewVectorsMap(nil)},
	}})
	if code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), `Limit exceeded 3 > 2 for "upsert limit"`) {
		t.Errorf("stand-in upsert of 3 points under a limit of 2: %v", err)
	}
}

// TestStrictModeChangedLater: an operator enables strict mode (and drops an
// index) while workers run; the first refused request re-reads the
// collection and the work goes through.
func TestStrictModeChangedLater(t *testing.T) {
	ctx := context.Background()
	tg := fakeTarget(t)
	s := tg.open(t, tg.config(t, 4))
	defer s.Close()
	if s.limits() != (limits{}) {
		t.Fatalf("limits without strict mode = %+v", s.limits())
	}
	strict := strictConfig()
	tg.fake.SetStrict(s.cfg.Collection, strict)
	tg.fake.DropIndex(s.cfg.Collection, fieldCorpus)
	var chunks []memory.Chunk
	for i := range 5 {
		chunks = append(chunks, memory.Chunk{ID: fmt.Sprintf("c%d", i), Corpus: "c", SourceID: fmt.Sprint(i), Text: "a note", Vector: []float32{1, 0, 0, float32(i)}})
	}
	if err := s.Upsert(ctx, chunks); err != nil {
		t.Fatalf("Upsert after strict mode was enabled: %v", err)
	}
	if s.limits().upsertBatch != 2 {
		t.Errorf("limits after the refusal = %+v, want the new ones", s.limits())
	}
	if n, err := s.Count(ctx, memory.Filter{Corpus: "c", ExcludeSourceIDs: []string{"0", "1", "2"}}); err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
	if got := strings.Join(tg.fake.Indexes(s.cfg.Collection), ","); got != "corpus,doc_hash,source_id" {
		t.Errorf("indexes = %s, want the dropped one made again", got)
	}
	// Tightened again: one refused RPC, then batches of one.
	strict.UpsertMaxBatchsize = qdrant.PtrOf(uint64(1))
	tg.fake.SetStrict(s.cfg.Collection, strict)
	before := tg.fake.Calls("Upsert")
	if err := s.Upsert(ctx, chunks); err != nil {
		t.Fatalf("Upsert after the limit was tightened: %v", err)
	}
	if got := tg.fake.Calls("Upsert") - before; got != 1+5 {
		t.Errorf("Upsert RPCs = %d, want 1 refused + 5 of one point", got)
	}
}

func TestTruncateLexical(t *testing.T) {
	idx := []uint32{1, 2, 3, 4, 5}
	val := []float32{1, 3, 1, 2, 3}
	gi, gv := truncateLexical(idx, val, 3)
	if fmt.Sprint(gi, gv) != "[2 4 5] [3 2 3]" {
		t.Errorf("truncateLexical = %v %v, want the three most frequent terms in index order: [2 4 5] [3 2 3]", gi, gv)
	}
	if gi, _ := truncateLexical(idx, val, 0); len(gi) != 5 {
		t.Errorf("no limit dropped terms")
	}
}

func TestMetaAlias(t *testing.T) {
	for _, model := range []string{"nomic-embed-text:v1.5", "BAAI/bge-small-en-v1.5", strings.Repeat("very-long-model-name/", 20)} {
		a := metaAlias("docs", model, 768)
		if len(a) > 255 {
			t.Errorf("alias of %d bytes", len(a))
		}
		if strings.ContainsAny(a, `<>:"/\|?*`) {
			t.Errorf("alias %q has characters Qdrant refuses in names", a)
		}
		rec, ok := parseMetaAlias("docs", a)
		if !ok || rec.dim != 768 || !rec.matches(model) || rec.matches(model+"x") {
			t.Errorf("parseMetaAlias(%q) = %+v, %v", a, rec, ok)
		}
		if _, ok := parseMetaAlias("doc", a); ok {
			t.Errorf("alias of collection docs read as one of collection doc")
		}
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]version{"1.17.1": {1, 17, 1}, "v1.10.0": {1, 10, 0}, "1.19.0-dev": {1, 19, 0}, " 2.0.3 ": {2, 0, 3}} {
		if got, err := parseVersion(in); err != nil || got != want {
			t.Errorf("parseVersion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1.17", "dev", "1.x.0"} {
		if _, err := parseVersion(bad); err == nil {
			t.Errorf("parseVersion(%q) accepted", bad)
		}
	}
	if !mustVersion("1.12.1").less(versionVectorOneof) || mustVersion("1.12.2").less(versionVectorOneof) {
		t.Errorf("1.12.1 < 1.12.2 <= 1.12.2 does not hold")
	}
}
