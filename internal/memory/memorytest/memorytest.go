// Package memorytest is the contract every memory.Store backend must pass.
// A backend's test calls Run with a function that opens a fresh, empty
// store; the suite asserts behaviour a user relies on (what is found, what
// is filtered out, what is counted), never scores or internals, so that the
// embedded store, a Qdrant adapter and a fake Qdrant server are held to the
// same rules.
package memorytest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/memory"
)

// Dim is the vector dimension the suite asks open for.
const Dim = 8

// Corpora used by the fixtures.
const (
	CorpusGo     = "go-docs"
	CorpusRivers = "rivers"
)

// Options say which optional behaviour a backend promises.
type Options struct {
	// VectorsFromGet: Get returns each chunk's dense vector. The suite then
	// checks it points the way the stored one did; its length may differ
	// (Qdrant normalizes cosine vectors on upload).
	VectorsFromGet bool
}

// Run runs the contract suite with no optional behaviour. open must return
// a fresh, empty store for vectors of dim dimensions; Run closes it when
// the sub-test ends.
func Run(t *testing.T, open func(t *testing.T, dim int) memory.Store) {
	t.Helper()
	RunWith(t, Options{}, open)
}

// RunWith runs the contract suite, holding the backend to opts as well.
func RunWith(t *testing.T, opts Options, open func(t *testing.T, dim int) memory.Store) {
	t.Helper()
	newStore := func(t *testing.T) memory.Store {
		t.Helper()
		s := open(t, Dim)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	loaded := func(t *testing.T) (memory.Store, fixture) {
		t.Helper()
		s := newStore(t)
		f := newFixture()
		if err := s.Upsert(context.Background(), f.all()); err != nil {
			t.Fatalf("Upsert fixture: %v", err)
		}
		return s, f
	}

	t.Run("IdempotentUpsert", func(t *testing.T) {
		s, f := loaded(t)
		ctx := context.Background()
		if err := s.Upsert(ctx, f.all()); err != nil {
			t.Fatalf("second Upsert: %v", err)
		}
		wantCount(t, s, memory.Filter{}, len(f.all()))
		changed := f.channels
		changed.Text = "Channels were rewritten: a select statement waits on several channel operations."
		changed.ContentHash = memory.Hash(changed.Text)
		if err := s.Upsert(ctx, []memory.Chunk{changed}); err != nil {
			t.Fatalf("Upsert changed chunk: %v", err)
		}
		wantCount(t, s, memory.Filter{}, len(f.all()))
		got, err := s.Get(ctx, []string{changed.ID})
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if len(got) != 1 || got[0].Text != changed.Text {
			t.Fatalf("Get after replace = %v, want the new text %q", texts(got), changed.Text)
		}
		// The old text is no longer findable; the new one is.
		hits := search(t, s, memory.Query{Text: "select statement waits", TopK: 3})
		if len(hits) == 0 || hits[0].Chunk.ID != changed.ID {
			t.Errorf("search for the new text = %v, want %s first", ids(hits), changed.ID)
		}
		hits = search(t, s, memory.Query{Text: "unbuffered", TopK: 3})
		if len(hits) != 0 {
			t.Errorf("search for replaced text found %v, want nothing", ids(hits))
		}
	})

	t.Run("Documents", func(t *testing.T) {
		s, f := loaded(t)
		lister, ok := s.(memory.DocumentLister)
		if !ok {
			t.Skip("the store does not list documents")
		}
		ctx := context.Background()
		// A second chunk of the same document: one document, two chunks.
		more := chunk(CorpusGo, f.mutex.SourceLocation, f.mutex.SourceTitle, "RWMutex lets many readers hold the lock at once.", axis(3, 0.1))
		more.IngestedAt = f.mutex.IngestedAt.Add(time.Hour)
		if err := s.Upsert(ctx, []memory.Chunk{more}); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
		docs, err := lister.Documents(ctx, memory.Filter{Corpus: CorpusGo})
		if err != nil {
			t.Fatalf("Documents: %v", err)
		}
		got := map[string]memory.Document{}
		for _, d := range docs {
			got[d.Location] = d
		}
		if len(docs) != 3 || len(got) != 3 {
			t.Fatalf("Documents of %s = %+v, want 3 documents", CorpusGo, docs)
		}
		m := got[f.mutex.SourceLocation]
		if m.Chunks != 2 || m.SourceID != f.mutex.SourceID || m.Title != f.mutex.SourceTitle || !m.IngestedAt.Equal(more.IngestedAt) {
			t.Errorf("document %s = %+v, want 2 chunks, its source ID and title, ingested at %v", f.mutex.SourceLocation, m, more.IngestedAt)
		}
		// Ingestion replaces a changed document by its DocHash: upsert the
		// new version, then delete the old version's hashes.
		if !slices.Equal(m.DocHashes, []string{f.mutex.DocHash}) {
			t.Errorf("document %s has DocHashes %q, want [%s]", f.mutex.SourceLocation, m.DocHashes, f.mutex.DocHash)
		}
		if err := s.Delete(ctx, memory.Filter{Corpus: CorpusGo, SourceID: f.mutex.SourceID}); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		docs, err = lister.Documents(ctx, memory.Filter{Corpus: CorpusGo})
		if err != nil {
			t.Fatalf("Documents after Delete: %v", err)
		}
		if len(docs) != 2 {
			t.Errorf("Documents after deleting one = %+v, want 2", docs)
		}
	})

	t.Run("TextSearch", func(t *testing.T) {
		s, f := loaded(t)
		for _, tc := range []struct {
			query string
			want  memory.Chunk
		}{
			{"How do goroutines communicate over unbuffered channels?", f.channels},
			{"mutual exclusion with Lock and Unlock", f.mutex},
			{"hash table of key value pairs", f.maps},
			{"sediment carried by a river", f.river},
		} {
			hits := search(t, s, memory.Query{Text: tc.query, TopK: 3})
			if len(hits) == 0 || hits[0].Chunk.ID != tc.want.ID {
				t.Errorf("Search(%q) = %v, want %s (%s) first", tc.query, titles(hits), tc.want.ID, tc.want.SourceTitle)
			}
			wantSorted(t, hits)
			wantProvenance(t, hits, f)
		}
		if hits := search(t, s, memory.Query{Text: "zebra xylophone", TopK: 3}); len(hits) != 0 {
			t.Errorf("Search for absent words = %v, want nothing", titles(hits))
		}
	})

	t.Run("VectorSearch", func(t *testing.T) {
		s, f := loaded(t)
		for _, want := range []memory.Chunk{f.channels, f.mutex, f.maps, f.mills} {
			q := nudge(want.Vector)
			hits := search(t, s, memory.Query{Vector: q, TopK: 2})
			if len(hits) == 0 || hits[0].Chunk.ID != want.ID {
				t.Errorf("vector search near %s = %v, want it first", want.SourceTitle, titles(hits))
			}
			if len(hits) > 2 {
				t.Errorf("TopK 2 returned %d hits", len(hits))
			}
			wantSorted(t, hits)
		}
	})

	t.Run("HybridSearch", func(t *testing.T) {
		s, f := loaded(t)
		// The text matches only the river chunk, the vector points at the
		// mutex chunk: a hybrid query must bring both to the top.
		hits := search(t, s, memory.Query{Text: "sediment downstream", Vector: f.mutex.Vector, TopK: 2})
		if got := titles(hits); len(got) != 2 || !slices.Contains(got, f.river.SourceTitle) || !slices.Contains(got, f.mutex.SourceTitle) {
			t.Errorf("hybrid search = %v, want the text match %q and the vector match %q", got, f.river.SourceTitle, f.mutex.SourceTitle)
		}
		wantSorted(t, hits)
		// When both signals agree, their chunk is first.
		hits = search(t, s, memory.Query{Text: "hash table", Vector: nudge(f.maps.Vector), TopK: 3})
		if len(hits) == 0 || hits[0].Chunk.ID != f.maps.ID {
			t.Errorf("hybrid search toward maps = %v, want maps first", titles(hits))
		}
		// Text that matches nothing still returns dense results.
		hits = search(t, s, memory.Query{Text: "zebra", Vector: f.mutex.Vector, TopK: 1})
		if len(hits) != 1 || hits[0].Chunk.ID != f.mutex.ID {
			t.Errorf("hybrid search with unmatched text = %v, want the mutex chunk", titles(hits))
		}
	})

	t.Run("FilterNeverLeaks", func(t *testing.T) {
		s, f := loaded(t)
		// "channel" is in both corpora and the river chunk's vector is close
		// to the channel chunk's, so only the filter keeps them apart.
		for _, q := range []memory.Query{
			{Text: "channel"},
			{Vector: f.channels.Vector},
			{Text: "channel", Vector: f.channels.Vector},
		} {
			all := search(t, s, withTopK(q, 10, memory.Filter{}))
			if !containsCorpus(all, CorpusGo) || !containsCorpus(all, CorpusRivers) {
				t.Errorf("unfiltered %s = %v, want both corpora", describe(q), corpora(all))
			}
			for _, corpus := range []string{CorpusGo, CorpusRivers} {
				hits := search(t, s, withTopK(q, 10, memory.Filter{Corpus: corpus}))
				if len(hits) == 0 {
					t.Errorf("%s in corpus %s found nothing", describe(q), corpus)
				}
				for _, h := range hits {
					if h.Chunk.Corpus != corpus {
						t.Errorf("%s with corpus %s returned %s from corpus %s", describe(q), corpus, h.Chunk.ID, h.Chunk.Corpus)
					}
				}
			}
			if hits := search(t, s, withTopK(q, 10, memory.Filter{Corpus: "no-such-corpus"})); len(hits) != 0 {
				t.Errorf("%s in an unknown corpus = %v, want nothing", describe(q), titles(hits))
			}
			hits := search(t, s, withTopK(q, 10, memory.Filter{SourceID: f.channels.SourceID}))
			if len(hits) != 1 || hits[0].Chunk.ID != f.channels.ID {
				t.Errorf("%s with SourceID = %v, want only the channel chunk", describe(q), titles(hits))
			}
			hits = search(t, s, withTopK(q, 10, memory.Filter{SourceIDs: []string{f.river.SourceID, f.mills.SourceID}}))
			for _, h := range hits {
				if h.Chunk.SourceID != f.river.SourceID && h.Chunk.SourceID != f.mills.SourceID {
					t.Errorf("%s with SourceIDs returned %s", describe(q), h.Chunk.SourceTitle)
				}
			}
			if len(hits) == 0 {
				t.Errorf("%s with SourceIDs found nothing", describe(q))
			}
			hits = search(t, s, withTopK(q, 10, memory.Filter{DocHash: f.river.DocHash}))
			if len(hits) != 1 || hits[0].Chunk.ID != f.river.ID {
				t.Errorf("%s with DocHash = %v, want only the river chunk", describe(q), titles(hits))
			}
		}
	})

	t.Run("Get", func(t *testing.T) {
		s, f := loaded(t)
		got, err := s.Get(context.Background(), []string{f.maps.ID, memory.ChunkID("x", "y", "z"), f.channels.ID, f.river.ID})
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if want := []string{f.maps.ID, f.channels.ID, f.river.ID}; !slices.Equal(chunkIDs(got), want) {
			t.Fatalf("Get IDs = %v, want %v (order asked, unknown left out)", chunkIDs(got), want)
		}
		c := got[0]
		w := f.maps
		if c.Corpus != w.Corpus || c.SourceID != w.SourceID || c.SourceTitle != w.SourceTitle || c.SourceLocation != w.SourceLocation ||
			c.Section != w.Section || c.Text != w.Text || c.Start != w.Start || c.End != w.End || c.ContentHash != w.ContentHash ||
			c.DocHash != w.DocHash || !c.IngestedAt.Equal(w.IngestedAt) {
			t.Errorf("Get returned %+v, want the fields of %+v", withoutVector(c), withoutVector(w))
		}
		if got, err := s.Get(context.Background(), nil); err != nil || len(got) != 0 {
			t.Errorf("Get(nil) = %v, %v; want nothing", got, err)
		}
		if opts.VectorsFromGet {
			for i, want := range []memory.Chunk{f.maps, f.channels, f.river} {
				if len(got[i].Vector) != Dim {
					t.Errorf("Get(%s).Vector has %d dimensions, want %d", want.SourceTitle, len(got[i].Vector), Dim)
				} else if c := cosine(got[i].Vector, want.Vector); c < 0.9999 {
					t.Errorf("Get(%s).Vector points elsewhere than the stored one: cosine %.5f", want.SourceTitle, c)
				}
			}
		}
	})

	t.Run("LongSourceLists", func(t *testing.T) {
		// Pruning a folder of many documents filters by long lists of
		// source IDs; a backend with limits on filters (Qdrant's strict
		// mode) must still answer exactly.
		s := newStore(t)
		ctx := context.Background()
		const n = 30
		var chunks []memory.Chunk
		var sources []string
		for i := range n {
			c := chunk(CorpusGo, fmt.Sprintf("pkg/p%02d/doc.go", i), fmt.Sprintf("Package p%02d", i),
				fmt.Sprintf("Package p%02d documents goroutine pool number %d.", i, i), axis(i%Dim, 0.2))
			chunks = append(chunks, c)
			sources = append(sources, c.SourceID)
		}
		other := chunk(CorpusRivers, "rivers/delta.md", "Deltas", "A delta forms where a river deposits sediment.", axis(3, 0.3))
		if err := s.Upsert(ctx, append(chunks, other)); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
		keep := append(slices.Clone(sources[:20]), "unknown-1", "unknown-2", "unknown-3")
		wantCount(t, s, memory.Filter{Corpus: CorpusGo, ExcludeSourceIDs: keep}, 10)
		wantCount(t, s, memory.Filter{SourceIDs: keep}, 20)
		wantCount(t, s, memory.Filter{Corpus: CorpusGo, SourceIDs: sources[5:25]}, 20)
		wantCount(t, s, memory.Filter{ExcludeSourceIDs: keep}, 11)
		if err := s.Delete(ctx, memory.Filter{Corpus: CorpusGo, ExcludeSourceIDs: keep}); err != nil {
			t.Fatalf("Delete except %d sources: %v", len(keep), err)
		}
		wantCount(t, s, memory.Filter{Corpus: CorpusGo}, 20)
		wantCount(t, s, memory.Filter{Corpus: CorpusRivers}, 1)
		if got, _ := s.Get(ctx, []string{chunks[25].ID, chunks[3].ID}); len(got) != 1 || got[0].ID != chunks[3].ID {
			t.Errorf("after pruning, Get = %v, want only the kept chunk", chunkIDs(got))
		}
		if err := s.Delete(ctx, memory.Filter{SourceIDs: sources[:12]}); err != nil {
			t.Fatalf("Delete of 12 sources: %v", err)
		}
		wantCount(t, s, memory.Filter{}, 9)
	})

	t.Run("Delete", func(t *testing.T) {
		s, f := loaded(t)
		ctx := context.Background()
		if err := s.Delete(ctx, memory.Filter{SourceID: f.mutex.SourceID}); err != nil {
			t.Fatalf("Delete by source: %v", err)
		}
		wantCount(t, s, memory.Filter{Corpus: CorpusGo}, 2)
		if got, _ := s.Get(ctx, []string{f.mutex.ID}); len(got) != 0 {
			t.Errorf("deleted chunk still returned by Get")
		}
		for _, q := range []memory.Query{{Text: "mutual exclusion Lock Unlock"}, {Vector: f.mutex.Vector}} {
			for _, h := range search(t, s, withTopK(q, 10, memory.Filter{})) {
				if h.Chunk.ID == f.mutex.ID {
					t.Errorf("%s found the deleted chunk", describe(q))
				}
			}
		}
		if err := s.Delete(ctx, memory.Filter{Corpus: CorpusRivers}); err != nil {
			t.Fatalf("Delete by corpus: %v", err)
		}
		wantCount(t, s, memory.Filter{Corpus: CorpusRivers}, 0)
		wantCount(t, s, memory.Filter{Corpus: CorpusGo}, 2)
		if hits := search(t, s, memory.Query{Text: "river sediment", TopK: 10}); len(hits) != 0 {
			t.Errorf("search found deleted corpus: %v", titles(hits))
		}
		if err := s.Delete(ctx, memory.Filter{Corpus: "no-such-corpus"}); err != nil {
			t.Errorf("Delete of nothing: %v", err)
		}
		wantCount(t, s, memory.Filter{}, 2)
	})

	t.Run("DeleteExcept", func(t *testing.T) {
		// What ingestion does when documents left a folder: delete every
		// chunk of the corpus whose source is not among those still there.
		s, f := loaded(t)
		ctx := context.Background()
		if err := s.Delete(ctx, memory.Filter{Corpus: CorpusGo, ExcludeSourceIDs: []string{f.channels.SourceID, f.maps.SourceID}}); err != nil {
			t.Fatalf("Delete except: %v", err)
		}
		wantCount(t, s, memory.Filter{Corpus: CorpusGo}, 2)
		wantCount(t, s, memory.Filter{SourceID: f.mutex.SourceID}, 0)
		wantCount(t, s, memory.Filter{Corpus: CorpusRivers}, 2)
	})

	t.Run("EmptyDeleteRefused", func(t *testing.T) {
		s, f := loaded(t)
		for _, filter := range []memory.Filter{{}, {SourceIDs: []string{}}} {
			if err := s.Delete(context.Background(), filter); err == nil {
				t.Errorf("Delete(%+v) = nil, want an error", filter)
			}
		}
		wantCount(t, s, memory.Filter{}, len(f.all()))
	})

	t.Run("Count", func(t *testing.T) {
		s, f := loaded(t)
		for _, tc := range []struct {
			filter memory.Filter
			want   int
		}{
			{memory.Filter{}, 5},
			{memory.Filter{Corpus: CorpusGo}, 3},
			{memory.Filter{Corpus: CorpusRivers}, 2},
			{memory.Filter{Corpus: "no-such-corpus"}, 0},
			{memory.Filter{SourceID: f.maps.SourceID}, 1},
			{memory.Filter{SourceIDs: []string{f.maps.SourceID, f.mutex.SourceID, f.river.SourceID}}, 3},
			{memory.Filter{Corpus: CorpusGo, SourceIDs: []string{f.maps.SourceID, f.river.SourceID}}, 1},
			{memory.Filter{DocHash: f.mills.DocHash}, 1},
			{memory.Filter{Corpus: CorpusGo, DocHash: f.mills.DocHash}, 0},
			{memory.Filter{Corpus: CorpusGo, ExcludeSourceIDs: []string{f.maps.SourceID}}, 2},
			{memory.Filter{Corpus: CorpusGo, ExcludeSourceIDs: []string{f.maps.SourceID, f.river.SourceID, "unknown"}}, 2},
			{memory.Filter{ExcludeSourceIDs: []string{"unknown"}}, 5},
		} {
			wantCount(t, s, tc.filter, tc.want)
		}
	})

	t.Run("WrongDimension", func(t *testing.T) {
		s, f := loaded(t)
		ctx := context.Background()
		bad := f.channels
		bad.ID = memory.ChunkID(CorpusGo, "bad.md", memory.Hash("bad"))
		bad.Vector = make([]float32, Dim+1)
		bad.Vector[0] = 1
		if err := s.Upsert(ctx, []memory.Chunk{bad}); err == nil {
			t.Errorf("Upsert of a %d-dim vector into a %d-dim store = nil, want an error", Dim+1, Dim)
		}
		if got, _ := s.Get(ctx, []string{bad.ID}); len(got) != 0 {
			t.Errorf("the chunk with the wrong dimension was stored")
		}
		if _, err := s.Search(ctx, memory.Query{Vector: bad.Vector, TopK: 3}); err == nil {
			t.Errorf("Search with a %d-dim vector = nil error, want an error", Dim+1)
		}
		wantCount(t, s, memory.Filter{}, len(f.all()))
	})

	t.Run("Concurrent", func(t *testing.T) {
		s, f := loaded(t)
		ctx := context.Background()
		const writers, perWriter = 4, 25
		var wg sync.WaitGroup
		errs := make(chan error, 2*writers)
		for w := range writers {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := range perWriter {
					text := fmt.Sprintf("Note %d from writer %d about goroutine scheduling.", i, w)
					loc := fmt.Sprintf("notes/%d/%d.md", w, i)
					c := chunk(CorpusGo, loc, "Note", text, axis(i%Dim, 0.5))
					if err := s.Upsert(ctx, []memory.Chunk{c}); err != nil {
						errs <- fmt.Errorf("writer %d: %w", w, err)
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for i := range perWriter {
					q := memory.Query{Text: "goroutine scheduling channels", TopK: 5}
					if i%2 == 1 {
						q.Vector = f.channels.Vector
					}
					if _, err := s.Search(ctx, q); err != nil {
						errs <- fmt.Errorf("searcher %d: %w", w, err)
						return
					}
					if _, err := s.Count(ctx, memory.Filter{Corpus: CorpusGo}); err != nil {
						errs <- fmt.Errorf("counter %d: %w", w, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		wantCount(t, s, memory.Filter{}, len(f.all())+writers*perWriter)
	})

}

// fixture holds five chunks: three Go documentation chunks and two from
// another corpus, one of which shares the word "channel" and nearly the
// vector of the Go channel chunk.
type fixture struct {
	channels, mutex, maps memory.Chunk
	river, mills          memory.Chunk
}

func newFixture() fixture {
	return fixture{
		channels: chunk(CorpusGo, "doc/effective_go.html#channels", "Channels",
			"A channel lets goroutines communicate by sending and receiving values. An unbuffered channel send blocks until a receiver is ready.", axis(0, 0.1)),
		mutex: chunk(CorpusGo, "pkg/sync/mutex.go", "Package sync: Mutex",
			"sync.Mutex provides mutual exclusion: Lock and Unlock guard shared state from concurrent access.", axis(1, 0.1)),
		maps: chunk(CorpusGo, "doc/effective_go.html#maps", "Maps",
			"A map is an unordered hash table of key value pairs. Maps are not safe for concurrent access without a lock.", axis(2, 0.1)),
		river: chunk(CorpusRivers, "rivers/channels.md", "River channels",
			"A river channel is shaped by the sediment the water carries and deposits downstream.", mix(0, 5, 0.4)),
		mills: chunk(CorpusRivers, "rivers/mills.md", "Water mills",
			"Water mills turned grindstones with the force of the stream.", axis(4, 0.1)),
	}
}

func (f fixture) all() []memory.Chunk {
	return []memory.Chunk{f.channels, f.mutex, f.maps, f.river, f.mills}
}

func chunk(corpus, location, title, text string, vec []float32) memory.Chunk {
	hash := memory.Hash(text)
	return memory.Chunk{
		ID:             memory.ChunkID(corpus, location, hash),
		Corpus:         corpus,
		SourceID:       memory.SourceID(corpus, location),
		SourceTitle:    title,
		SourceLocation: location,
		Section:        title,
		Text:           text,
		Start:          0,
		End:            len(text),
		ContentHash:    hash,
		DocHash:        memory.Hash("doc:" + location),
		IngestedAt:     time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Vector:         vec,
	}
}

// axis is a unit vector along dimension i with a small deterministic
// component on every other dimension.
func axis(i int, rest float32) []float32 {
	v := make([]float32, Dim)
	for j := range v {
		v[j] = rest * float32(j%3) / 2
	}
	v[i] = 1
	return unit(v)
}

// mix is a unit vector mostly along dimension i and partly along j.
func mix(i, j int, w float32) []float32 {
	v := axis(i, 0.1)
	v[j] += w
	return unit(v)
}

// nudge moves v a little, so that a query is near but not equal to a chunk.
func nudge(v []float32) []float32 {
	out := slices.Clone(v)
	for i := range out {
		out[i] += 0.05 * float32((i*7)%5-2) / 2
	}
	return unit(out)
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

func unit(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	n := float32(math.Sqrt(s))
	for i := range v {
		v[i] /= n
	}
	return v
}

func withTopK(q memory.Query, k int, f memory.Filter) memory.Query {
	q.TopK = k
	q.Filter = f
	return q
}

func describe(q memory.Query) string {
	switch {
	case q.Text != "" && q.Vector != nil:
		return fmt.Sprintf("hybrid search %q", q.Text)
	case q.Vector != nil:
		return "vector search"
	}
	return fmt.Sprintf("text search %q", q.Text)
}

func search(t *testing.T, s memory.Store, q memory.Query) []memory.Hit {
	t.Helper()
	hits, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", describe(q), err)
	}
	if q.TopK > 0 && len(hits) > q.TopK {
		t.Errorf("%s returned %d hits, TopK is %d", describe(q), len(hits), q.TopK)
	}
	seen := map[string]bool{}
	for _, h := range hits {
		if seen[h.Chunk.ID] {
			t.Errorf("%s returned %s twice", describe(q), h.Chunk.ID)
		}
		seen[h.Chunk.ID] = true
	}
	return hits
}

func wantCount(t *testing.T, s memory.Store, f memory.Filter, want int) {
	t.Helper()
	got, err := s.Count(context.Background(), f)
	if err != nil {
		t.Fatalf("Count(%+v): %v", f, err)
	}
	if got != want {
		t.Errorf("Count(%+v) = %d, want %d", f, got, want)
	}
}

func wantSorted(t *testing.T, hits []memory.Hit) {
	t.Helper()
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("hits not sorted by score: %v then %v", hits[i-1].Score, hits[i].Score)
		}
	}
}

// wantProvenance checks that hits carry the provenance they were stored with.
func wantProvenance(t *testing.T, hits []memory.Hit, f fixture) {
	t.Helper()
	byID := map[string]memory.Chunk{}
	for _, c := range f.all() {
		byID[c.ID] = c
	}
	for _, h := range hits {
		w, ok := byID[h.Chunk.ID]
		if !ok {
			t.Errorf("hit %s is not a stored chunk", h.Chunk.ID)
			continue
		}
		if h.Chunk.SourceLocation != w.SourceLocation || h.Chunk.SourceTitle != w.SourceTitle || h.Chunk.Text != w.Text || h.Chunk.Corpus != w.Corpus {
			t.Errorf("hit %s lost its provenance: %+v", h.Chunk.ID, withoutVector(h.Chunk))
		}
	}
}

func withoutVector(c memory.Chunk) memory.Chunk {
	c.Vector = nil
	return c
}

func containsCorpus(hits []memory.Hit, corpus string) bool {
	for _, h := range hits {
		if h.Chunk.Corpus == corpus {
			return true
		}
	}
	return false
}

func corpora(hits []memory.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Chunk.Corpus)
	}
	return out
}

func ids(hits []memory.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Chunk.ID)
	}
	return out
}

func titles(hits []memory.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Chunk.SourceTitle)
	}
	return out
}

func chunkIDs(cs []memory.Chunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func texts(cs []memory.Chunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Text)
	}
	return out
}
