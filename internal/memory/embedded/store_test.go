package embedded

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/memorytest"
	"github.com/researchflow/researchflow/internal/textproc"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openT(t *testing.T, dir string, dim int) *Store {
	t.Helper()
	s, err := Open(dir, Options{EmbeddingModel: "test-model", Dim: dim, Logger: quiet()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	memorytest.Run(t, func(t *testing.T, dim int) memory.Store {
		return openT(t, t.TempDir(), dim)
	})
}

func TestContractLexicalOnly(t *testing.T) {
	s := openT(t, t.TempDir(), 0)
	defer s.Close()
	ctx := context.Background()
	c := testChunk("go", "a.md", "A channel lets goroutines communicate.", nil)
	if err := s.Upsert(ctx, []memory.Chunk{c}); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	hits, err := s.Search(ctx, memory.Query{Text: "goroutines communicate"})
	if err != nil || len(hits) != 1 {
		t.Fatalf("Search = %v, %v; want one hit", hits, err)
	}
	c.Vector = []float32{1, 0}
	if err := s.Upsert(ctx, []memory.Chunk{c}); !errors.Is(err, ErrEmbeddingMismatch) {
		t.Errorf("Upsert with a vector into a lexical store = %v, want ErrEmbeddingMismatch", err)
	}
	if _, err := s.Search(ctx, memory.Query{Vector: []float32{1, 0}}); !errors.Is(err, ErrEmbeddingMismatch) {
		t.Errorf("vector Search in a lexical store = %v, want ErrEmbeddingMismatch", err)
	}
}

func testChunk(corpus, loc, text string, vec []float32) memory.Chunk {
	h := memory.Hash(text)
	return memory.Chunk{
		ID: memory.ChunkID(corpus, loc, h), Corpus: corpus, SourceID: memory.SourceID(corpus, loc),
		SourceTitle: loc, SourceLocation: loc, Text: text, End: len(text), ContentHash: h, Vector: vec,
	}
}

// batches makes n batches of size chunks with distinct texts and vectors.
func batches(corpus string, n, size, dim int) [][]memory.Chunk {
	r := rand.New(rand.NewPCG(1, 2))
	var out [][]memory.Chunk
	for b := range n {
		var batch []memory.Chunk
		for i := range size {
			vec := make([]float32, dim)
			for j := range vec {
				vec[j] = float32(r.NormFloat64())
			}
			loc := fmt.Sprintf("doc%d.md", b)
			batch = append(batch, testChunk(corpus, loc, fmt.Sprintf("batch%d item%d about goroutines", b, i), vec))
		}
		out = append(out, batch)
	}
	return out
}

func ids(cs []memory.Chunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestPersistsAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openT(t, dir, 4)
	bs := batches("go", 3, 10, 4)
	for _, b := range bs {
		if err := s.Upsert(ctx, b); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
	}
	if err := s.Delete(ctx, memory.Filter{SourceID: bs[1][0].SourceID}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	before, _ := s.Search(ctx, memory.Query{Text: "batch2 goroutines", Vector: bs[2][3].Vector, TopK: 5})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openT(t, dir, 4)
	defer s.Close()
	n, err := s.Count(ctx, memory.Filter{Corpus: "go"})
	if err != nil || n != 20 {
		t.Fatalf("Count after reopen = %d, %v; want 20", n, err)
	}
	got, _ := s.Get(ctx, []string{bs[0][5].ID, bs[1][5].ID, bs[2][9].ID})
	if want := []string{bs[0][5].ID, bs[2][9].ID}; !slices.Equal(ids(got), want) {
		t.Errorf("Get after reopen = %v, want %v", ids(got), want)
	}
	if len(got) > 0 && got[0].Text != bs[0][5].Text {
		t.Errorf("text after reopen = %q, want %q", got[0].Text, bs[0][5].Text)
	}
	after, _ := s.Search(ctx, memory.Query{Text: "batch2 goroutines", Vector: bs[2][3].Vector, TopK: 5})
	if len(after) != len(before) {
		t.Fatalf("search after reopen has %d hits, before %d", len(after), len(before))
	}
	for i := range after {
		if after[i].Chunk.ID != before[i].Chunk.ID {
			t.Errorf("hit %d after reopen = %s, before %s", i, after[i].Chunk.ID, before[i].Chunk.ID)
		}
	}
}

func TestTornTailIsCut(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openT(t, dir, 4)
	bs := batches("go", 3, 10, 4)
	for _, b := range bs {
		if err := s.Upsert(ctx, b); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
	}
	seg := filepath.Join(dir, segmentName(s.segNum))
	s.Close()

	// A crash in the middle of the last write leaves part of it behind.
	st, err := os.Stat(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(seg, st.Size()-7); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, 4)
	n, _ := s.Count(ctx, memory.Filter{})
	if n != 20 {
		t.Errorf("Count after torn tail = %d, want the 20 chunks of the first two batches", n)
	}
	got, _ := s.Get(ctx, []string{bs[1][9].ID, bs[2][0].ID})
	if want := []string{bs[1][9].ID}; !slices.Equal(ids(got), want) {
		t.Errorf("Get after torn tail = %v, want %v", ids(got), want)
	}
	// The caller redoes the lost batch; the store must accept and keep it.
	if err := s.Upsert(ctx, bs[2]); err != nil {
		t.Fatalf("redo Upsert: %v", err)
	}
	s.Close()
	s = openT(t, dir, 4)
	defer s.Close()
	if n, _ := s.Count(ctx, memory.Filter{}); n != 30 {
		t.Errorf("Count after redo and reopen = %d, want 30", n)
	}
}

func TestCorruptTailIsCut(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openT(t, dir, 0)
	bs := batches("go", 2, 5, 0)
	for _, b := range bs {
		if err := s.Upsert(ctx, b); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
	}
	seg := filepath.Join(dir, segmentName(s.segNum))
	s.Close()
	// Flip a byte inside the last record: its checksum no longer matches.
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-3] ^= 0xff
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, 0)
	defer s.Close()
	if n, _ := s.Count(ctx, memory.Filter{}); n != 5 {
		t.Errorf("Count after corrupt tail = %d, want 5", n)
	}
}

func TestEmbeddingMismatchOnReopen(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, 4)
	s.Close()
	for _, opt := range []Options{
		{EmbeddingModel: "test-model", Dim: 8},
		{EmbeddingModel: "other-model", Dim: 4},
		{EmbeddingModel: "test-model", Dim: 0},
	} {
		opt.Logger = quiet()
		s, err := Open(dir, opt)
		if !errors.Is(err, ErrEmbeddingMismatch) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open(%q, %d) = %v, want ErrEmbeddingMismatch", opt.EmbeddingModel, opt.Dim, err)
		}
	}
	s = openT(t, dir, 4)
	s.Close()
}

func TestLockRefusesSecondOpen(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, 4)
	if _, err := Open(dir, Options{EmbeddingModel: "test-model", Dim: 4, Logger: quiet()}); !errors.Is(err, ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openT(t, dir, 4)
	s.Close()
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if _, err := s.Count(context.Background(), memory.Filter{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Count on a closed store = %v, want ErrClosed", err)
	}
}

func TestCompactionKeepsLiveChunks(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openT(t, dir, 4)
	bs := batches("go", 6, 20, 4)
	for _, b := range bs {
		if err := s.Upsert(ctx, b); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
	}
	// Replace batch 0 (same IDs, new text) and delete batches 1 and 2.
	replaced := slices.Clone(bs[0])
	for i := range replaced {
		replaced[i].Text = fmt.Sprintf("replaced item %d", i)
	}
	if err := s.Upsert(ctx, replaced); err != nil {
		t.Fatal(err)
	}
	for _, b := range bs[1:3] {
		if err := s.Delete(ctx, memory.Filter{SourceID: b[0].SourceID}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Compact(ctx); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	nums, _ := listSegments(dir)
	if len(nums) != 1 {
		t.Errorf("segments after compaction = %v, want one", nums)
	}
	check := func(s *Store, when string) {
		t.Helper()
		if n, _ := s.Count(ctx, memory.Filter{}); n != 80 {
			t.Errorf("%s: Count = %d, want 80", when, n)
		}
		got, _ := s.Get(ctx, []string{replaced[3].ID, bs[1][0].ID, bs[5][19].ID})
		if want := []string{replaced[3].ID, bs[5][19].ID}; !slices.Equal(ids(got), want) {
			t.Errorf("%s: Get = %v, want %v", when, ids(got), want)
		} else if got[0].Text != "replaced item 3" {
			t.Errorf("%s: replaced text = %q", when, got[0].Text)
		}
		hits, err := s.Search(ctx, memory.Query{Vector: bs[4][7].Vector, TopK: 1})
		if err != nil || len(hits) != 1 || hits[0].Chunk.ID != bs[4][7].ID {
			t.Errorf("%s: vector search for a stored vector = %v, %v", when, hits, err)
		}
		hits, _ = s.Search(ctx, memory.Query{Text: "batch1"})
		if len(hits) != 0 {
			t.Errorf("%s: deleted chunks found: %d", when, len(hits))
		}
	}
	check(s, "after compaction")
	// Writes after compaction go to the snapshot segment and survive reopen.
	extra := testChunk("go", "extra.md", "an extra chunk about select", []float32{1, 2, 3, 4})
	if err := s.Upsert(ctx, []memory.Chunk{extra}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, memory.Filter{SourceID: extra.SourceID}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openT(t, dir, 4)
	defer s.Close()
	check(s, "after reopen")
}

func TestAutoCompaction(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openT(t, dir, 0)
	defer s.Close()
	bs := batches("go", 1, compactMinDead/2+1, 0)
	for range 3 {
		if err := s.Upsert(ctx, bs[0]); err != nil {
			t.Fatal(err)
		}
	}
	// Two rewrites of every chunk leave more dead records than live chunks.
	if s.dead != 0 || s.segNum == 1 {
		t.Errorf("after rewrites: dead records %d in segment %d, want a compacted log", s.dead, s.segNum)
	}
	if n, _ := s.Count(ctx, memory.Filter{}); n != len(bs[0]) {
		t.Errorf("Count = %d, want %d", n, len(bs[0]))
	}
}

func TestLeftoverSegmentsBeforeSnapshotAreIgnored(t *testing.T) {
	// A crash after a snapshot is renamed into place but before the old
	// segments are removed leaves both; Open must use the snapshot only.
	dir := t.TempDir()
	ctx := context.Background()
	s := openT(t, dir, 0)
	bs := batches("go", 2, 5, 0)
	s.Upsert(ctx, bs[0])
	old := filepath.Join(dir, segmentName(s.segNum))
	saved, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	s.Upsert(ctx, bs[1])
	s.Delete(ctx, memory.Filter{SourceID: bs[0][0].SourceID})
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.WriteFile(old, saved, 0o644); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, 0)
	defer s.Close()
	if n, _ := s.Count(ctx, memory.Filter{}); n != 5 {
		t.Errorf("Count = %d, want the 5 live chunks of the snapshot", n)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("superseded segment still there: %v", err)
	}
}

// TestDenseRecall checks the binary-code scan with exact re-ranking against
// exact search on clustered vectors, with and without a filter.
func TestDenseRecall(t *testing.T) {
	const n, dim, k = 6000, 64, 10
	dir := t.TempDir()
	s := openT(t, dir, dim)
	defer s.Close()
	fx := newFixture(n, dim, 60, 3)
	if err := fx.load(context.Background(), s, 500); err != nil {
		t.Fatal(err)
	}
	// Shrink the candidate sets so that each stage (Hamming scan, estimate,
	// exact re-rank) cuts on this small store.
	s.idx.minKeep, s.idx.minRerank = 1500, 200
	r := rand.New(rand.NewPCG(7, 7))
	var found, total int
	for i := range 50 {
		q := fx.query(r)
		f := memory.Filter{}
		if i%2 == 1 {
			f.Corpus = "c1"
		}
		m := s.idx.compile(f)
		sc := new(scratch)
		exact := s.idx.denseExact(normalized(q), m, k)
		approx := s.idx.dense(normalized(q), m, k, sc)
		found += overlap(exact, approx)
		total += len(exact)
	}
	if recall := float64(found) / float64(total); recall < 0.95 {
		t.Errorf("recall@%d = %.3f, want ≥ 0.95", k, recall)
	}
}

func TestSelectTop(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 2, 10, 1000} {
		c := make([]cand, n)
		for i := range c {
			c[i] = cand{doc: uint32(i), est: float32(r.IntN(50))}
		}
		want := slices.Clone(c)
		slices.SortFunc(want, func(a, b cand) int {
			if a.est != b.est {
				return cmp.Compare(b.est, a.est)
			}
			return cmp.Compare(a.doc, b.doc)
		})
		k := (n + 2) / 3
		selectTop(c, k)
		got := slices.Clone(c[:k])
		slices.SortFunc(got, func(a, b cand) int { return cmp.Compare(a.doc, b.doc) })
		wantTop := slices.Clone(want[:k])
		slices.SortFunc(wantTop, func(a, b cand) int { return cmp.Compare(a.doc, b.doc) })
		if !slices.Equal(got, wantTop) {
			t.Errorf("n=%d: selectTop kept %v, want %v", n, got, wantTop)
		}
	}
}

func overlap(a, b []scored) int {
	in := map[uint32]bool{}
	for _, s := range a {
		in[s.doc] = true
	}
	n := 0
	for _, s := range b {
		if in[s.doc] {
			n++
		}
	}
	return n
}

// A passage holding the query's words next to each other, in order, ranks
// above an equally scored one holding the same words apart.
func TestProximityPrefersQueryTermsInOrder(t *testing.T) {
	s := openT(t, t.TempDir(), 0)
	defer s.Close()
	apart := testChunk("git", "manual.md", "Check every tracked remote branch in due time.", nil)
	together := testChunk("git", "worktree.md", "Working trees let you check out more than one branch at a time.", nil)
	if err := s.Upsert(context.Background(), []memory.Chunk{apart, together}); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	x := s.idx
	doc := map[string]uint32{}
	for i := range x.docs {
		doc[x.id(uint32(i))] = uint32(i)
	}
	terms := distinct(textproc.Tokenize("How can I check out more than one branch at a time?"))
	list := []scored{{doc: doc[apart.ID], score: 1}, {doc: doc[together.ID], score: 1}}
	got := x.proximity(list, x.phraseBonus(terms, list))
	if got[0].doc != doc[together.ID] || got[0].score <= got[1].score {
		t.Errorf("proximity = %+v, want %s (doc %d) first with a higher score", got, together.SourceLocation, doc[together.ID])
	}
	// One term has no pairs: the order stays.
	got = x.proximity(list, x.phraseBonus(terms[:1], list))
	if got[0].doc != doc[apart.ID] || got[0].score != 1 {
		t.Errorf("proximity of one term = %+v, want the list unchanged", got)
	}
}

// In hybrid search, a passage that states the question's phrase ranks
// first even when the dense ranking puts it last, above passages that are
// middling in both the term and the dense rankings.
func TestHybridKeepsPhraseMatch(t *testing.T) {
	s := openT(t, t.TempDir(), 2)
	defer s.Close()
	near := []float32{1, 0}
	chunks := []memory.Chunk{
		testChunk("git", "worktree.md", "Working trees let you check out more than one branch at a time.", []float32{0, 1}),
		testChunk("git", "checkout.md", "Check which branch you are on; the checkout takes some time.", near),
		testChunk("git", "branch.md", "A branch can be checked against its upstream from time to time, one by one.", near),
		testChunk("git", "remote.md", "Time to check the remote branch list.", near),
	}
	if err := s.Upsert(context.Background(), chunks); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	hits, err := s.Search(context.Background(), memory.Query{
		Text: "How can I check out more than one branch at a time?", Vector: near, TopK: 4,
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(hits) == 0 || hits[0].Chunk.SourceLocation != "worktree.md" {
		var got []string
		for _, h := range hits {
			got = append(got, h.Chunk.SourceLocation)
		}
		t.Errorf("hybrid search ranks %q, want worktree.md first", got)
	}
}

// A question that names a document by its title's words in order ("dpkg
// divert" for the page "dpkg-divert(8)") ranks that document first in the
// phrase ranking, above pages whose longer titles merely contain the words.
func TestPhrasesPreferDocumentNamedByQuestion(t *testing.T) {
	s := openT(t, t.TempDir(), 0)
	defer s.Close()
	chunk := func(title, text string) memory.Chunk {
		c := testChunk("man", title+".txt", text, nil)
		c.SourceTitle = title
		return c
	}
	named := chunk("dpkg-divert(8)", "Diversions tell the package manager to install a file elsewhere.")
	longer := chunk("dpkg-divert-list(8)", "Lists every diversion that dpkg divert recorded, with the package that owns it.")
	other := chunk("dpkg(1)", "The package manager installs, removes and lists packages; see divert for diversions.")
	if err := s.Upsert(context.Background(), []memory.Chunk{longer, other, named}); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	x := s.idx
	doc := map[uint32]string{}
	var list []scored
	for i := range x.docs {
		doc[uint32(i)] = x.chunk(uint32(i)).SourceTitle
		list = append(list, scored{doc: uint32(i), score: 1})
	}
	terms := distinct(textproc.Tokenize("When should I use dpkg divert instead of editing the package?"))
	got := x.phrases(list, x.phraseBonus(terms, list))
	if len(got) == 0 || doc[got[0].doc] != "dpkg-divert(8)" {
		var titles []string
		for _, g := range got {
			titles = append(titles, doc[g.doc])
		}
		t.Errorf("phrase ranking = %q, want dpkg-divert(8) first", titles)
	}
	// A one-word title is too common a name to count as named.
	if tt := titleTerms("dpkg(1)"); len(tt) != 1 {
		t.Errorf("titleTerms(dpkg(1)) = %q, want one term without the section", tt)
	}
}

// Equal fused scores are ordered by the lists, not by chunk IDs: a chunk's
// ID names its file by path, so the same folder ingested from two places
// (two data dirs) must rank alike. A and B tie (ranks 0 and 1 in two
// lists); A holds its best rank in the first list and ranks first under
// both orders of the IDs.
func TestFuseTiesFollowTheLists(t *testing.T) {
	b := testChunk("c", "/srv/m/docs/b.md", "Beta text.", nil)
	// Two places of A's file: one whose chunk ID sorts before B's, one after.
	var before, after string
	for i := 0; before == "" || after == ""; i++ {
		p := fmt.Sprintf("/data%d/docs", i)
		if id := testChunk("c", p+"/a.md", "Alpha text.", nil).ID; id < b.ID && before == "" {
			before = p
		} else if id > b.ID && after == "" {
			after = p
		}
	}
	for _, prefix := range []string{before, after} {
		s := openT(t, t.TempDir(), 0)
		a := testChunk("c", prefix+"/a.md", "Alpha text.", nil)
		if err := s.Upsert(context.Background(), []memory.Chunk{a, b}); err != nil {
			t.Fatal(err)
		}
		x := s.idx
		doc := map[string]uint32{}
		for i := range x.docs {
			doc[x.id(uint32(i))] = uint32(i)
		}
		got := x.fuse(2, []scored{{doc: doc[a.ID]}, {doc: doc[b.ID]}}, []scored{{doc: doc[b.ID]}, {doc: doc[a.ID]}})
		if len(got) != 2 || got[0].doc != doc[a.ID] || got[0].score != got[1].score {
			t.Errorf("IDs %s, %s: fused %+v, want A (doc %d) first, tied with B", a.ID, b.ID, got, doc[a.ID])
		}
		s.Close()
	}
}

// Chunks of equal score rank by what they hold, not by where their files
// were read from: the same paragraph in two files of a folder ingested
// from two places ranks the same way in both, whether or not the chunk IDs
// (which name a file by its path) sort the other way round.
func TestEqualScoresRankByContentNotPath(t *testing.T) {
	const text = "The nullglob option removes a word that matches no file."
	// Two places of the folder: in one, the man page's chunk ID sorts
	// before the manual's; in the other, after.
	var places []string
	var flips []bool
	for i := 0; len(places) < 2; i++ {
		p := fmt.Sprintf("/data%d/docs", i)
		flip := testChunk("c", p+"/man.html", text, nil).ID < testChunk("c", p+"/manual.html", text, nil).ID
		if len(flips) == 0 || flips[0] != flip {
			places, flips = append(places, p), append(flips, flip)
		}
	}
	var orders [][]string
	for _, p := range places {
		s := openT(t, t.TempDir(), 2)
		man, manual := testChunk("c", p+"/man.html", text, []float32{1, 0}), testChunk("c", p+"/manual.html", text, []float32{1, 0})
		man.DocHash, manual.DocHash = memory.Hash("the man page"), memory.Hash("the manual")
		if err := s.Upsert(context.Background(), []memory.Chunk{man, manual}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []memory.Query{{Text: "nullglob word"}, {Vector: []float32{1, 0}}, {Text: "nullglob word", Vector: []float32{1, 0}}} {
			q.TopK = 2
			hits, err := s.Search(context.Background(), q)
			if err != nil || len(hits) != 2 {
				t.Fatalf("search %+v: %d hits, %v", q, len(hits), err)
			}
			orders = append(orders, []string{filepath.Base(hits[0].Chunk.SourceLocation), filepath.Base(hits[1].Chunk.SourceLocation)})
		}
		s.Close()
	}
	for i := 3; i < 6; i++ {
		if !slices.Equal(orders[i], orders[i-3]) {
			t.Errorf("query %d: %v from %s, %v from %s", i-3, orders[i-3], places[0], orders[i], places[1])
		}
	}
}

// A question names a page by its title's most specific word ("stash" for
// git-stash(1), whose title's "git" is on every page): the page ranks
// above one that shares more of the question's common words. A title word
// many pages hold names none of them.
func TestQuestionNamesThePageByItsTitleWord(t *testing.T) {
	s := openT(t, t.TempDir(), 2)
	defer s.Close()
	v := []float32{1, 0} // the dense ranking tells no page from another
	chunk := func(title, text string) memory.Chunk {
		c := testChunk("man", title+".txt", text, v)
		c.SourceTitle = title
		return c
	}
	cs := []memory.Chunk{
		chunk("tool-stash(1)", "Saves your local modifications away and reverts the working directory; with -u untracked files are saved too."),
		chunk("tool-tutorial(7)", "Record the rest of your work together, in one place."),
	}
	for i := range 60 {
		cs = append(cs, chunk(fmt.Sprintf("tool-part%d(1)", i), fmt.Sprintf("Part %d of the tool reads files and writes changes.", i)))
	}
	if err := s.Upsert(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	first := func(q string) string {
		t.Helper()
		hits, err := s.Search(context.Background(), memory.Query{Text: q, Vector: v, TopK: 3})
		if err != nil || len(hits) == 0 {
			t.Fatalf("search %q: %v, %v", q, hits, err)
		}
		return hits[0].Chunk.SourceTitle
	}
	if got := first("How do I stash brand-new files I haven't added yet together with the rest of my changes?"); got != "tool-stash(1)" {
		t.Errorf("first hit %s, want tool-stash(1)", got)
	}
	// "tool" is in every title: asking about the tool names no page.
	x := s.idx
	idf := func(t string) float64 {
		id, ok := x.terms[t]
		if !ok {
			return 0
		}
		df := float64(x.df[id])
		return math.Log(1 + (float64(x.live)-df+0.5)/(df+0.5))
	}
	if w := x.namedBy(titleTerms("tool-part7(1)"), map[string]bool{"tool": true, "part7": false}, idf); w != 0 {
		t.Errorf("namedBy(tool-part7(1)) for a question asking about the tool = %g, want 0", w)
	}
}
