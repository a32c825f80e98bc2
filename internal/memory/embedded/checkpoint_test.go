package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/textproc"
)

// crash leaves s as a killed process would: files closed, lock released,
// no checkpoint at close.
func crash(t *testing.T, s *Store) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.seg.Close()
	if err := unlockDir(s.lock); err != nil {
		t.Fatal(err)
	}
}

// searches runs queries and returns their hits (ID and score) as lines.
func searches(t *testing.T, s *Store, queries []memory.Query) []string {
	t.Helper()
	var out []string
	for _, q := range queries {
		hits, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, h := range hits {
			fmt.Fprintf(&b, "%s:%v ", h.Chunk.ID, h.Score)
		}
		out = append(out, b.String())
	}
	return out
}

// checkpointStore writes a store whose log continues after a checkpoint:
// ingest (with replacements and a delete), a checkpoint, then more writes
// that double the store (so that replaying them recenters the codes).
func checkpointStore(t *testing.T, dir string) (*Store, []memory.Query) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(11, 12))
	s := openT(t, dir, 8)
	chunks := phraseCorpus(r, 900, 8)
	write := func(cs []memory.Chunk) {
		for b := range slices.Chunk(cs, 64) {
			if err := s.Upsert(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(chunks[:300])
	repl := phraseCorpus(r, 40, 8)
	for i := range repl {
		repl[i].ID = chunks[i*5].ID
	}
	write(repl)
	if err := s.Delete(ctx, memory.Filter{SourceID: chunks[9].SourceID}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	err := s.checkpoint()
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	write(chunks[300:])
	if err := s.Delete(ctx, memory.Filter{SourceID: chunks[400].SourceID}); err != nil {
		t.Fatal(err)
	}
	var queries []memory.Query
	for i, q := range phraseQueries(r, chunks, 60) {
		queries = append(queries,
			memory.Query{Text: q, TopK: 10},
			memory.Query{Text: q, Vector: gaussUnit(r, 8, nil, 0), TopK: 10, Filter: memory.Filter{Corpus: fmt.Sprintf("c%d", i%2)}},
			memory.Query{Vector: gaussUnit(r, 8, nil, 0), TopK: 5})
	}
	return s, queries
}

// A store reopened from a checkpoint and the log after it answers every
// query exactly as the process that wrote it did, scores included.
func TestCheckpointReopensIdentical(t *testing.T) {
	dir := t.TempDir()
	s, queries := checkpointStore(t, dir)
	want := searches(t, s, queries)
	live := s.idx.live
	crash(t, s)
	if _, err := os.Stat(filepath.Join(dir, checkpointFile)); err != nil {
		t.Fatalf("no checkpoint written: %v", err)
	}

	s = openT(t, dir, 8)
	if s.logSinceCkpt == 0 {
		t.Fatal("reopen replayed no log after the checkpoint; the test covers less than it says")
	}
	if s.idx.live != live {
		t.Errorf("live chunks after reopen = %d, want %d", s.idx.live, live)
	}
	if got := searches(t, s, queries); !slices.Equal(got, want) {
		t.Errorf("search after reopen from checkpoint differs:\n got %q\nwant %q", got[:3], want[:3])
	}
	// Close checkpoints the replayed log; the next open reads the
	// checkpoint alone.
	s.closeMinLog = 1
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, 8)
	defer s.Close()
	if s.logSinceCkpt != 0 {
		t.Errorf("after a checkpoint at close, open replayed %d bytes of log", s.logSinceCkpt)
	}
	if got := searches(t, s, queries); !slices.Equal(got, want) {
		t.Errorf("search after reopen from the close checkpoint differs")
	}
}

// Checkpoints written by earlier builds still open to the same answers:
// format 1 (vectors inside the document records, no postings) and format 3
// (term sequences inside the document records, arrays unaligned, read
// through copies where they are not aligned). Open writes a checkpoint of
// the current format at once, which opens the same too.
func TestCheckpointFormatsStillRead(t *testing.T) {
	for _, format := range []int{ckptFormatV1, ckptFormatV3} {
		t.Run(fmt.Sprint("format ", format), func(t *testing.T) {
			dir := t.TempDir()
			s, queries := checkpointStore(t, dir)
			want := searches(t, s, queries)
			s.idx.writeFormat = format
			s.mu.Lock()
			err := s.checkpoint()
			s.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			crash(t, s)
			if f := checkpointFormat(t, dir); f != uint64(format) {
				t.Fatalf("checkpoint format = %d, want %d", f, format)
			}
			s = openT(t, dir, 8)
			if got := searches(t, s, queries); !slices.Equal(got, want) {
				t.Errorf("search after reopen from a format %d checkpoint differs", format)
			}
			crash(t, s)
			if f := checkpointFormat(t, dir); f != ckptFormat {
				t.Fatalf("checkpoint format after opening one of format %d = %d, want %d", format, f, ckptFormat)
			}
			s = openT(t, dir, 8)
			defer s.Close()
			if s.logSinceCkpt != 0 {
				t.Errorf("after the checkpoint in the current format, open replayed %d bytes of log", s.logSinceCkpt)
			}
			if got := searches(t, s, queries); !slices.Equal(got, want) {
				t.Errorf("search after reopen from the rewritten checkpoint differs")
			}
		})
	}
}

// inMapping reports whether p points into the store's mapped checkpoint.
func inMapping(s *Store, p unsafe.Pointer) bool {
	if s.mapped == nil || len(s.mapped.b) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(s.mapped.b)))
	return uintptr(p) >= lo && uintptr(p) < lo+uintptr(len(s.mapped.b))
}

// A store opened from a checkpoint of the current format uses its arrays
// in place (the vectors of full blocks, the postings, the term sequences
// and the chunks' text stay in the mapped file), takes every kind of write
// after that (replacing chunks that live in the file, deleting, doubling,
// so the codes are computed again, compacting, so the postings are
// renumbered) and answers as a store that never left memory; what it hands
// out stays valid after Close gives the mapping back.
func TestMappedCheckpointTakesWrites(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(21, 22))
	chunks := phraseCorpus(r, 4000, 8)
	repl := phraseCorpus(r, 300, 8)
	for i := range repl {
		repl[i].ID = chunks[i*7].ID
	}
	var queries []memory.Query
	for i, q := range phraseQueries(r, chunks, 40) {
		queries = append(queries,
			memory.Query{Text: q, TopK: 10},
			memory.Query{Text: q, Vector: gaussUnit(r, 8, nil, 0), TopK: 10, Filter: memory.Filter{Corpus: fmt.Sprintf("c%d", i%2)}},
			memory.Query{Vector: gaussUnit(r, 8, nil, 0), TopK: 5})
	}
	write := func(s *Store, cs []memory.Chunk) {
		for b := range slices.Chunk(cs, 256) {
			if err := s.Upsert(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	// later is what both stores go through after the first 1,500 chunks.
	later := func(s *Store) {
		write(s, repl)
		if err := s.Delete(ctx, memory.Filter{SourceID: chunks[3].SourceID}); err != nil {
			t.Fatal(err)
		}
		write(s, chunks[1500:])
		if err := s.Compact(ctx); err != nil {
			t.Fatal(err)
		}
	}

	twin := openT(t, t.TempDir(), 8)
	defer twin.Close()
	write(twin, chunks[:1500])
	later(twin)
	want := searches(t, twin, queries)

	dir := t.TempDir()
	s := openT(t, dir, 8)
	write(s, chunks[:1500])
	s.closeMinLog = 1
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, 8)
	x := s.idx
	if !inMapping(s, unsafe.Pointer(&x.vecs[0][0])) {
		t.Error("the first block of vectors was copied out of the checkpoint")
	}
	if inMapping(s, unsafe.Pointer(&x.vecs[1][0])) {
		t.Error("the last block of vectors, which grows, is in the checkpoint")
	}
	inPlace := func(what string, p unsafe.Pointer) {
		if !inMapping(s, p) {
			t.Errorf("%s copied out of the checkpoint", what)
		}
	}
	for d := range x.docs {
		if x.alive[d] {
			inPlace("a term sequence", unsafe.Pointer(&x.docs[d].seq[0]))
			inPlace("a chunk's text", unsafe.Pointer(unsafe.StringData(x.chunk(uint32(d)).Text)))
			break
		}
	}
	for _, ps := range x.postings {
		if len(ps) > 0 {
			inPlace("the postings", unsafe.Pointer(&ps[0]))
			break
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	later(s)
	if got := searches(t, s, queries); !slices.Equal(got, want) {
		t.Errorf("after writes on a mapped checkpoint, search differs from a store that never left memory:\n got %q\nwant %q", got[:2], want[:2])
	}
	hits, err := s.Search(ctx, queries[0])
	if err != nil || len(hits) == 0 {
		t.Fatalf("Search = %d hits, %v", len(hits), err)
	}
	texts := make([]string, len(hits))
	for i, h := range hits {
		texts[i] = strings.Clone(h.Chunk.Text)
	}
	got, err := s.Get(ctx, []string{chunks[2000].ID, chunks[10].ID})
	if err != nil || len(got) != 2 {
		t.Fatalf("Get = %d chunks, %v", len(got), err)
	}
	docs, err := s.Documents(ctx, memory.Filter{})
	if err != nil || len(docs) == 0 {
		t.Fatalf("Documents = %d, %v", len(docs), err)
	}
	title := strings.Clone(docs[0].Title)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The mapping is gone: reading what the store handed out would fault
	// if it pointed there.
	for i, h := range hits {
		if h.Chunk.Text != texts[i] {
			t.Errorf("hit %d's text changed after Close", i)
		}
	}
	if got[1].ID != chunks[10].ID || got[1].Text != chunks[10].Text || docs[0].Title != title {
		t.Error("a chunk or document from Get or Documents changed after Close")
	}
	s = openT(t, dir, 8)
	defer s.Close()
	if got := searches(t, s, queries); !slices.Equal(got, want) {
		t.Error("search after reopening the written store differs")
	}
}

// Every bulk record of a current checkpoint has its array at a multiple of
// bulkAlign bytes in the file, so open can use it in place.
func TestBulkArraysAligned(t *testing.T) {
	dir := t.TempDir()
	s, _ := checkpointStore(t, dir)
	s.closeMinLog = 1
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, checkpointFile))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[byte]int{}
	for off := 0; ; {
		p, _, next, err := frame(b, off)
		if err != nil {
			t.Fatal(err)
		}
		kinds[p[0]]++
		switch p[0] {
		case ckptVecs, ckptCodes, ckptPostings, ckptSeqs:
			if at := off + recordHeaderSize + bulkPrefix; at%bulkAlign != 0 {
				t.Errorf("bulk record %d at %d: array at %d, not a multiple of %d", p[0], off, at, bulkAlign)
			}
		}
		if p[0] == ckptEnd {
			break
		}
		off = next
	}
	for _, op := range []byte{ckptVecs, ckptCodes, ckptPostings, ckptSeqs} {
		if kinds[op] == 0 {
			t.Errorf("no bulk record %d in the checkpoint; the test covers less than it says", op)
		}
	}
}

// A checkpoint with any one of its records damaged (its length, its
// checksum or its payload, whether open decodes that record or uses it in
// place) fails to open with errBadCheckpoint: never a panic, never a store
// with wrong contents.
func TestDamagedCheckpointEveryRecord(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	s := openT(t, src, 4)
	for _, b := range batches("go", 3, 10, 4) {
		if err := s.Upsert(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Compact(ctx); err != nil { // a checkpoint, the log it covers removed
		t.Fatal(err)
	}
	s.Close()
	good, err := os.ReadFile(filepath.Join(src, checkpointFile))
	if err != nil {
		t.Fatal(err)
	}
	var offsets []int
	for off := 0; ; {
		p, _, next, err := frame(good, off)
		if err != nil {
			t.Fatal(err)
		}
		offsets = append(offsets, off)
		if p[0] == ckptEnd {
			break
		}
		off = next
	}
	if len(offsets) < 8 {
		t.Fatalf("only %d records; the test covers less than it says", len(offsets))
	}
	for i, off := range offsets {
		end := len(good)
		if i+1 < len(offsets) {
			end = offsets[i+1]
		}
		for _, at := range []int{off, off + 5, (off + recordHeaderSize + end) / 2, end - 1} {
			t.Run(fmt.Sprintf("record %d byte %d", i, at), func(t *testing.T) {
				dir := t.TempDir()
				for _, name := range []string{metaFile, checkpointFile} {
					b, err := os.ReadFile(filepath.Join(src, name))
					if err != nil {
						t.Fatal(err)
					}
					if name == checkpointFile {
						b[at] ^= 0x5a
					}
					if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				s, err := Open(dir, Options{EmbeddingModel: "test-model", Dim: 4, Logger: quiet()})
				if err == nil {
					s.Close()
					t.Fatal("Open with a damaged checkpoint and no log before it succeeded")
				}
				if !errors.Is(err, errBadCheckpoint) {
					t.Errorf("Open = %v, want errBadCheckpoint", err)
				}
			})
		}
	}
}

// checkpointFormat returns the format in the header of dir's checkpoint.
func checkpointFormat(t *testing.T, dir string) uint64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, checkpointFile))
	if err != nil {
		t.Fatal(err)
	}
	d := &decoder{b: b[recordHeaderSize:]}
	if op := d.byte(); op != ckptHeader {
		t.Fatalf("first checkpoint record is %d, want the header", op)
	}
	return d.uvarint()
}

// A crash while a checkpoint is being written leaves a partial .tmp file:
// open removes it and uses the previous checkpoint and the whole log after
// it.
func TestTornCheckpointIsIgnored(t *testing.T) {
	dir := t.TempDir()
	s, queries := checkpointStore(t, dir)
	want := searches(t, s, queries)
	tmp := filepath.Join(dir, checkpointFile+".tmp")
	size, err := s.idx.writeCheckpointFile(tmp, ckptPos{seg: s.segNum, offset: s.segSize}, s.dead)
	if err != nil {
		t.Fatal(err)
	}
	crash(t, s)
	for _, cut := range []int64{size / 2, size - 3, 5} {
		if err := os.Truncate(tmp, cut); err != nil {
			t.Fatal(err)
		}
		s = openT(t, dir, 8)
		if got := searches(t, s, queries); !slices.Equal(got, want) {
			t.Errorf("torn checkpoint cut at %d of %d: search differs from the last committed state", cut, size)
		}
		if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("torn checkpoint left in place: %v", err)
		}
		crash(t, s)
		// Leave another torn one for the next round.
		if _, err := s.idx.writeCheckpointFile(tmp, ckptPos{seg: s.segNum, offset: s.segSize}, s.dead); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(tmp)
}

// A checkpoint that does not check out at its final name (a damaged disk)
// is never used: the whole log is replayed while it still exists, and
// otherwise open fails naming the checkpoint instead of opening a store
// with chunks missing.
func TestDamagedCheckpoint(t *testing.T) {
	ctx := context.Background()
	t.Run("log complete", func(t *testing.T) {
		dir := t.TempDir()
		s := openT(t, dir, 4)
		bs := batches("go", 3, 10, 4)
		for _, b := range bs {
			if err := s.Upsert(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		// A checkpoint file without removing the log it covers.
		if _, err := s.idx.writeCheckpoint(dir, ckptPos{seg: s.segNum, offset: s.segSize}, s.dead); err != nil {
			t.Fatal(err)
		}
		crash(t, s)
		damage(t, filepath.Join(dir, checkpointFile))
		s = openT(t, dir, 4)
		defer s.Close()
		if n, _ := s.Count(ctx, memory.Filter{}); n != 30 {
			t.Errorf("Count after a damaged checkpoint with the whole log = %d, want 30", n)
		}
	})
	t.Run("log covered", func(t *testing.T) {
		dir := t.TempDir()
		s := openT(t, dir, 4)
		for _, b := range batches("go", 3, 10, 4) {
			if err := s.Upsert(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Compact(ctx); err != nil {
			t.Fatal(err)
		}
		s.Close()
		damage(t, filepath.Join(dir, checkpointFile))
		s, err := Open(dir, Options{EmbeddingModel: "test-model", Dim: 4, Logger: quiet()})
		if err == nil {
			s.Close()
			t.Fatal("Open with a damaged checkpoint and no log before it succeeded")
		}
		if !errors.Is(err, errBadCheckpoint) || !strings.Contains(err.Error(), checkpointFile) {
			t.Errorf("Open = %v, want an error naming %s", err, checkpointFile)
		}
	})
}

func damage(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A crash after the checkpoint is renamed into place but before the
// segments it covers are removed (and before the next segment is started)
// opens to the same state; those segments are removed, and writes after
// the reopen survive the next one.
func TestCrashBetweenCheckpointAndLogRemoval(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, queries := checkpointStore(t, dir)
	want := searches(t, s, queries)
	nums, _ := listSegments(dir)
	saved := map[int][]byte{}
	for _, n := range nums {
		b, err := os.ReadFile(filepath.Join(dir, segmentName(n)))
		if err != nil {
			t.Fatal(err)
		}
		saved[n] = b
	}
	s.mu.Lock()
	err := s.checkpoint()
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	crash(t, s)
	// Undo the log removal and the start of the next segment.
	after, _ := listSegments(dir)
	for _, n := range after {
		os.Remove(filepath.Join(dir, segmentName(n)))
	}
	for n, b := range saved {
		if err := os.WriteFile(filepath.Join(dir, segmentName(n)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s = openT(t, dir, 8)
	if got := searches(t, s, queries); !slices.Equal(got, want) {
		t.Errorf("search after reopen differs from the state at the checkpoint")
	}
	if s.logSinceCkpt != 0 {
		t.Errorf("replayed %d bytes the checkpoint covers", s.logSinceCkpt)
	}
	left, _ := listSegments(dir)
	for _, n := range left {
		if _, ok := saved[n]; ok {
			t.Errorf("covered segment %d still there after open (segments %v)", n, left)
		}
	}
	extra := testChunk("go", "extra.md", "written after the reopen", []float32{1, 2, 3, 4, 5, 6, 7, 8})
	if err := s.Upsert(ctx, []memory.Chunk{extra}); err != nil {
		t.Fatal(err)
	}
	crash(t, s)
	s = openT(t, dir, 8)
	defer s.Close()
	if got, _ := s.Get(ctx, []string{extra.ID}); len(got) != 1 {
		t.Errorf("a write after the reopen is lost on the next one")
	}
}

// A store of the first format (log only) opens, and its first checkpoint
// records format 2 so that an older build refuses it.
func TestFormatOneUpgradesAtCheckpoint(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openT(t, dir, 4)
	if err := s.Upsert(ctx, batches("go", 1, 10, 4)[0]); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.WriteFile(filepath.Join(dir, metaFile), []byte(`{"format":1,"embeddingModel":"test-model","dim":4}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, 4)
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	b, _ := os.ReadFile(filepath.Join(dir, metaFile))
	if !strings.Contains(string(b), `"format": 2`) {
		t.Errorf("meta after the first checkpoint = %s, want format 2", b)
	}
	s = openT(t, dir, 4)
	defer s.Close()
	if n, _ := s.Count(ctx, memory.Filter{}); n != 10 {
		t.Errorf("Count = %d, want 10", n)
	}
}

const (
	ingestChildEnv  = "RESEARCHFLOW_TEST_INGEST_DIR"
	ingestStartEnv  = "RESEARCHFLOW_TEST_INGEST_START"
	killHot         = 16 // chunks every batch rewrites
	killBatchChunks = 32 // new chunks per batch, one source
)

// killOps are the writes of batch i in the kill test: an upsert of its own
// chunks and of the hot chunks (replacing the previous batch's), then for
// every fifth batch a delete of batch i-2's source, and for every seventh
// a compaction.
func killUpsert(i int) []memory.Chunk {
	var b []memory.Chunk
	for j := range killBatchChunks + killHot {
		loc := fmt.Sprintf("b%d.md", i)
		id := fmt.Sprintf("b%d-%d", i, j)
		if j >= killBatchChunks {
			loc, id = "hot.md", fmt.Sprintf("hot-%d", j)
		}
		c := testChunk("kill", loc, fmt.Sprintf("batch %d chunk %d about select and channels", i, j),
			[]float32{float32(i), float32(j), 1, 2, 3, 4, 5, float32(i * j)})
		c.ID = id
		b = append(b, c)
	}
	return b
}

func killDeletes(i int) bool { return i%5 == 4 && i >= 2 }

func killSource(i int) string { return memory.SourceID("kill", fmt.Sprintf("b%d.md", i)) }

// ingestChild writes batches from the number in ingestStartEnv on,
// checkpointing after about every second one, and prints each batch's number once all
// its writes have returned. The parent kills it.
func ingestChild(dir string) int {
	start, _ := strconv.Atoi(os.Getenv(ingestStartEnv))
	s, err := Open(dir, Options{EmbeddingModel: "test-model", Dim: 8, Logger: quiet()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s.ckptMinLog = -20 << 10 // about every second batch, so kills also land between checkpoints
	ctx := context.Background()
	for i := start; ; i++ {
		if err := s.Upsert(ctx, killUpsert(i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if killDeletes(i) {
			if err := s.Delete(ctx, memory.Filter{SourceID: killSource(i - 2)}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		if i%7 == 6 {
			if err := s.Compact(ctx); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		fmt.Println(i)
	}
}

// killModel is the store's content after the writes of batches 0..n-1 and,
// when upserted, the upsert of batch n: chunk ID to text.
func killModel(n int, upserted bool) map[string]string {
	m := map[string]string{}
	apply := func(i int) {
		for _, c := range killUpsert(i) {
			m[c.ID] = c.Text
		}
	}
	for i := range n {
		apply(i)
		if killDeletes(i) {
			for j := range killBatchChunks {
				delete(m, fmt.Sprintf("b%d-%d", i-2, j))
			}
		}
	}
	if upserted {
		apply(n)
	}
	return m
}

// A process killed at any moment of writing, checkpointing or compacting
// leaves a store that opens with every acknowledged write and the writes
// of the batch in flight applied in order up to some point: the state
// after some prefix of the calls, never a mix.
func TestKilledWriterReopens(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills writer processes")
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(13, 14))
	next := 0 // first batch not acknowledged
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), ingestChildEnv+"="+dir, ingestStartEnv+"="+strconv.Itoa(next))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of acknowledged batches and a random
		// delay, so that the kill lands anywhere in a write, a checkpoint
		// or a compaction.
		target := 1 + r.IntN(8)
		sc := bufio.NewScanner(stdout)
		for n := 0; n < target && sc.Scan(); n++ {
			i, _ := strconv.Atoi(sc.Text())
			next = i + 1
		}
		time.Sleep(time.Duration(r.IntN(20000)) * time.Microsecond)
		cmd.Process.Kill()
		for sc.Scan() { // acknowledged before the kill took effect
			i, _ := strconv.Atoi(sc.Text())
			next = i + 1
		}
		cmd.Wait()
		if next == 0 {
			t.Fatalf("round %d: the writer acknowledged nothing: %s", round, stderr.String())
		}

		s := openT(t, dir, 8)
		got := map[string]string{}
		for i := 0; i <= next; i++ {
			for _, c := range killUpsert(i) {
				got[c.ID] = ""
			}
		}
		all := slices.Sorted(func(yield func(string) bool) {
			for id := range got {
				if !yield(id) {
					return
				}
			}
		})
		clear(got)
		present, err := s.Get(context.Background(), all)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range present {
			got[c.ID] = c.Text
		}
		if n, _ := s.Count(context.Background(), memory.Filter{}); n != len(got) {
			t.Errorf("round %d: Count = %d, but %d known chunks are present", round, n, len(got))
		}
		s.Close()
		ok := false
		for _, want := range []map[string]string{killModel(next, false), killModel(next, true), killModel(next+1, false)} {
			if maps.Equal(got, want) {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("round %d: after a kill with batches below %d acknowledged, the store holds %d chunks, not the state after any prefix of the writes", round, next, len(got))
		}
	}
}

// A store of format 1 whose log holds a snapshot segment (compaction
// before checkpoints) opens to the snapshot and the segments after it.
func TestFormatOneSnapshotSegment(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bs := batches("go", 3, 5, 4)
	norm := func(cs []memory.Chunk) []memory.Chunk {
		out := slices.Clone(cs)
		for i := range out {
			out[i].Vector = normalized(out[i].Vector)
		}
		return out
	}
	files := map[int][]byte{
		1: append(encodeHeader(segContinue), appendUpsert(nil, norm(bs[0]))...),
		2: append(encodeHeader(segSnapshot), appendUpsert(nil, norm(bs[1]))...),
		3: append(encodeHeader(segContinue), appendUpsert(nil, norm(bs[2]))...),
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, segmentName(n)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, metaFile), []byte(`{"format":1,"embeddingModel":"test-model","dim":4}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := openT(t, dir, 4)
	defer s.Close()
	got, _ := s.Get(ctx, []string{bs[0][0].ID, bs[1][0].ID, bs[2][4].ID})
	if want := []string{bs[1][0].ID, bs[2][4].ID}; !slices.Equal(ids(got), want) {
		t.Errorf("Get = %v, want %v (the snapshot and what follows it)", ids(got), want)
	}
	if n, _ := s.Count(ctx, memory.Filter{}); n != 10 {
		t.Errorf("Count = %d, want 10", n)
	}
}

// A checkpoint whose terms were made by another text analysis (an older
// build's stemmer: "related" → "relat", now "rel") is analysed again on
// open: a query stemmed by this build finds the document, and a fresh
// checkpoint of the current analysis replaces the old one.
func TestCheckpointOfAnotherAnalysisIsReanalysed(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	s := openT(t, dir, 8)
	chunks := phraseCorpus(r, 200, 8)
	chunks[17].Text = "Scheduler fields related to preemption."
	if err := s.Upsert(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	want := searches(t, s, []memory.Query{{Text: "related preemption", TopK: 10}})
	if !strings.HasPrefix(want[0], chunks[17].ID+":") {
		t.Fatalf("before: query misses the document: %q", want[0])
	}
	// Make the index what the older build wrote: its stem for the term,
	// and its analysis version.
	s.mu.Lock()
	id, ok := s.idx.terms["rel"]
	if !ok {
		s.mu.Unlock()
		t.Fatal(`no term "rel" in the index`)
	}
	delete(s.idx.terms, "rel")
	s.idx.terms["relat"] = id
	s.idx.analysis = textproc.AnalysisVersion - 1
	err := s.checkpoint()
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	stale := searches(t, s, []memory.Query{{Text: "related", TopK: 10}})
	if stale[0] != "" {
		t.Fatalf("the stale index still finds %q; the test covers less than it says", stale[0])
	}
	crash(t, s)
	if segs, _ := listSegments(dir); len(segs) != 1 {
		t.Fatalf("segments after the checkpoint = %v, want only the new empty one", segs)
	}

	s = openT(t, dir, 8)
	if got := searches(t, s, []memory.Query{{Text: "related preemption", TopK: 10}}); !slices.Equal(got, want) {
		t.Errorf("after reopen:\n got %q\nwant %q", got, want)
	}
	if _, ok := s.idx.terms["relat"]; ok {
		t.Error(`the old stem "relat" is still a term`)
	}
	crash(t, s)
	if f := checkpointFormat(t, dir); f != ckptFormat {
		t.Fatalf("checkpoint format after reanalysis = %d, want %d", f, ckptFormat)
	}
	// The new checkpoint is of this analysis: the next open reads it as
	// it is.
	s = openT(t, dir, 8)
	defer s.Close()
	if s.idx.analysis != textproc.AnalysisVersion {
		t.Errorf("analysis after reopen = %d, want %d", s.idx.analysis, textproc.AnalysisVersion)
	}
	if _, ok := s.idx.terms["relat"]; ok {
		t.Error(`the rewritten checkpoint still has the old stem "relat"`)
	}
	if got := searches(t, s, []memory.Query{{Text: "related preemption", TopK: 10}}); !slices.Equal(got, want) {
		t.Errorf("after the second reopen:\n got %q\nwant %q", got, want)
	}
}
