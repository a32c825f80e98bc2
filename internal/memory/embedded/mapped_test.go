package embedded

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/researchflow/researchflow/internal/memory"
)

// contents lists every chunk of s (ID, text, source) in ID order.
func contents(t *testing.T, s *Store, all []string) []string {
	t.Helper()
	got, err := s.Get(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range got {
		out = append(out, c.ID+"|"+c.SourceID+"|"+c.Text)
	}
	slices.Sort(out)
	return out
}

// A store opened from its mapped checkpoint at the edges of its shape (no
// documents, no vectors, exactly one or two full blocks of vectors, its
// only document deleted) takes writes on the documents in the file
// (replacing, deleting, adding across a block edge, compacting), a second
// checkpoint and a crash, and two reopens in a row, answering at every
// step as a twin store that never left memory.
func TestMappedCheckpointEdges(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		dim, n int
		// deleteAll deletes every first document before the checkpoint.
		deleteAll bool
	}{
		{name: "empty", dim: 8, n: 0},
		{name: "no vectors", dim: 0, n: 1500},
		{name: "one full block", dim: 8, n: vecBlock},
		{name: "two full blocks", dim: 8, n: 2 * vecBlock},
		{name: "one block and one", dim: 8, n: vecBlock + 1},
		{name: "only document deleted", dim: 8, n: 1, deleteAll: true},
		{name: "only document deleted, no vectors", dim: 0, n: 1, deleteAll: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(41, uint64(tt.n)))
			chunks := phraseCorpus(r, tt.n+150, tt.dim)
			first, more := chunks[:tt.n], chunks[tt.n:]
			repl := phraseCorpus(r, min(tt.n, 50), tt.dim)
			for i := range repl {
				repl[i].ID = first[i*max(1, tt.n/50)].ID
			}
			var all []string
			for _, c := range chunks {
				all = append(all, c.ID)
			}
			var queries []memory.Query
			for _, q := range phraseQueries(r, chunks, 8) {
				queries = append(queries, memory.Query{Text: q, TopK: 10})
				if tt.dim > 0 {
					queries = append(queries,
						memory.Query{Text: q, Vector: gaussUnit(r, tt.dim, nil, 0), TopK: 10},
						memory.Query{Vector: gaussUnit(r, tt.dim, nil, 0), TopK: 5})
				}
			}
			write := func(s *Store, cs []memory.Chunk) {
				for b := range slices.Chunk(cs, 128) {
					if err := s.Upsert(ctx, b); err != nil {
						t.Fatal(err)
					}
				}
			}
			before := func(s *Store) {
				write(s, first)
				if tt.deleteAll {
					for _, c := range first {
						if err := s.Delete(ctx, memory.Filter{SourceID: c.SourceID}); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			// steps are the writes after the checkpoint, each followed by
			// a comparison.
			steps := []struct {
				name string
				do   func(s *Store)
			}{
				{"replace", func(s *Store) { write(s, repl) }},
				{"delete", func(s *Store) {
					if tt.n > 2 {
						if err := s.Delete(ctx, memory.Filter{SourceID: first[2].SourceID}); err != nil {
							t.Fatal(err)
						}
					}
				}},
				{"add", func(s *Store) { write(s, more) }},
				{"compact", func(s *Store) {
					if err := s.Compact(ctx); err != nil {
						t.Fatal(err)
					}
				}},
				{"add again", func(s *Store) { write(s, first[:min(len(first), 3)]) }},
			}

			twin := openT(t, t.TempDir(), tt.dim)
			defer twin.Close()
			before(twin)

			dir := t.TempDir()
			s := openT(t, dir, tt.dim)
			before(s)
			s.mu.Lock()
			err := s.checkpoint()
			s.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openT(t, dir, tt.dim)
			check := func(when string) {
				t.Helper()
				if got, want := contents(t, s, all), contents(t, twin, all); !slices.Equal(got, want) {
					t.Fatalf("%s: %d chunks, want %d (or their contents differ)", when, len(got), len(want))
				}
				if got, want := searches(t, s, queries), searches(t, twin, queries); !slices.Equal(got, want) {
					t.Fatalf("%s: search differs from a store that never left memory", when)
				}
			}
			check("open")
			for _, st := range steps {
				st.do(twin)
				st.do(s)
				check("after " + st.name)
			}
			// A second checkpoint, more writes (a delete whose IDs are
			// read from the mapped file into the log), a crash.
			s.mu.Lock()
			err = s.checkpoint()
			s.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []*Store{twin, s} {
				write(st, repl)
				if tt.n > 1 {
					if err := st.Delete(ctx, memory.Filter{SourceID: first[1].SourceID}); err != nil {
						t.Fatal(err)
					}
				}
			}
			crash(t, s)
			s.mapped.release()
			for i := range 2 {
				s = openT(t, dir, tt.dim)
				check(fmt.Sprintf("reopen %d after a crash", i+1))
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// Searches, Gets and Documents calls running beside upserts (replacing
// chunks that live in the mapped checkpoint), deletes and compactions,
// and then Close, neither fault nor race, and what they returned stays
// whole after Close gives the mapping back.
func TestMappedConcurrentUse(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(51, 52))
	chunks := phraseCorpus(r, 1500, 8)
	dir := t.TempDir()
	s := openT(t, dir, 8)
	for b := range slices.Chunk(chunks, 256) {
		if err := s.Upsert(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	s.closeMinLog = 1
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, 8)
	if s.mapped == nil || len(s.mapped.b) == 0 {
		t.Fatal("the store did not open from a mapped checkpoint; the test covers less than it says")
	}
	texts := map[string][]string{} // every text each ID ever had
	for _, c := range chunks {
		texts[c.ID] = append(texts[c.ID], c.Text)
	}
	var repls [][]memory.Chunk
	for i := range 6 {
		repl := phraseCorpus(r, 100, 8)
		for j := range repl {
			repl[j].ID = chunks[(i*100+j*7)%len(chunks)].ID
			texts[repl[j].ID] = append(texts[repl[j].ID], repl[j].Text)
		}
		repls = append(repls, repl)
	}
	queries := phraseQueries(r, chunks, 30)
	ids := make([]string, 0, 50)
	for i := range 50 {
		ids = append(ids, chunks[i*30].ID)
	}

	var (
		mu   sync.Mutex
		kept []memory.Chunk // everything the readers got, read again after Close
	)
	var readers sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		readers.Go(func() {
			var mine []memory.Chunk
			defer func() {
				mu.Lock()
				kept = append(kept, mine...)
				mu.Unlock()
			}()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				switch (g + i) % 3 {
				case 0:
					var hits []memory.Hit
					hits, err = s.Search(ctx, memory.Query{Text: queries[i%len(queries)], Vector: chunks[i%len(chunks)].Vector, TopK: 5})
					for _, h := range hits {
						mine = append(mine, h.Chunk)
					}
				case 1:
					var got []memory.Chunk
					got, err = s.Get(ctx, ids)
					mine = append(mine, got...)
				default:
					var docs []memory.Document
					docs, err = s.Documents(ctx, memory.Filter{Corpus: "c1"})
					for _, d := range docs {
						mine = append(mine, memory.Chunk{SourceID: d.SourceID, SourceTitle: d.Title, SourceLocation: d.Location})
					}
				}
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i, repl := range repls {
		if err := s.Upsert(ctx, repl); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, memory.Filter{SourceID: chunks[i*47].SourceID}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			if err := s.Compact(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	readers.Wait()
	if len(kept) == 0 {
		t.Fatal("the readers got nothing; the test covers less than it says")
	}
	// The mapping is gone: reading a string that pointed there would fault.
	n := 0
	for _, c := range kept {
		if c.ID == "" {
			n += len(strings.Clone(c.SourceID + c.SourceTitle + c.SourceLocation))
			continue
		}
		if !slices.Contains(texts[c.ID], c.Text) {
			t.Fatalf("chunk %s came back with a text it never had", c.ID)
		}
		n += len(strings.Clone(c.Corpus + c.SourceID + c.SourceTitle + c.SourceLocation + c.Section + c.ContentHash + c.DocHash))
	}
	if n == 0 {
		t.Error("every returned chunk was empty")
	}
}

// mappings counts this process's mappings of the file at path.
func mappings(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skipf("no /proc/self/maps to count mappings: %v", err)
	}
	return strings.Count(string(b), path)
}

// An Open that fails after mapping the checkpoint (here on a damaged record
// in a sealed segment after it) gives the mapping back: a caller retrying
// Open does not pile up mappings of the file.
func TestFailedOpenReleasesCheckpoint(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openT(t, dir, 4)
	bs := batches("go", 3, 10, 4)
	sealed := func() error { s.mu.Lock(); defer s.mu.Unlock(); return s.checkpoint() }
	for i, step := range []func() error{
		func() error { return s.Upsert(ctx, bs[0]) },
		sealed,
		func() error { return s.Upsert(ctx, bs[1]) },
		func() error { s.mu.Lock(); defer s.mu.Unlock(); return s.startSegment(s.segNum + 1) },
		func() error { return s.Upsert(ctx, bs[2]) },
	} {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	seg := filepath.Join(dir, segmentName(s.segNum-1))
	crash(t, s)
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, checkpointFile)
	for range 3 {
		s, err := Open(dir, Options{EmbeddingModel: "test-model", Dim: 4, Logger: quiet()})
		if err == nil {
			s.Close()
			t.Fatal("Open with a damaged sealed segment succeeded; the test covers less than it says")
		}
	}
	if n := mappings(t, path); n != 0 {
		t.Errorf("after three failed opens, %d mappings of %s are left", n, checkpointFile)
	}
}
