package corpus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/memory"
)

// fakeStore is an in-memory Writer that counts calls.
type fakeStore struct {
	mu      sync.Mutex
	chunks  map[string]memory.Chunk
	upserts int
	deletes int
	maxSize int   // largest Upsert batch seen
	fail    error // returned by Upsert when set
}

var _ Writer = (*fakeStore)(nil)

func newFakeStore() *fakeStore { return &fakeStore{chunks: map[string]memory.Chunk{}} }

func matches(c memory.Chunk, f memory.Filter) bool {
	return (f.Corpus == "" || c.Corpus == f.Corpus) &&
		(f.SourceID == "" || c.SourceID == f.SourceID) &&
		(len(f.SourceIDs) == 0 || slices.Contains(f.SourceIDs, c.SourceID)) &&
		!slices.Contains(f.ExcludeSourceIDs, c.SourceID) &&
		(f.DocHash == "" || c.DocHash == f.DocHash)
}

func (s *fakeStore) Upsert(_ context.Context, chunks []memory.Chunk) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.upserts++
	s.maxSize = max(s.maxSize, len(chunks))
	for _, c := range chunks {
		s.chunks[c.ID] = c
	}
	return nil
}

func (s *fakeStore) Delete(_ context.Context, f memory.Filter) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deletes++
	for id, c := range s.chunks {
		if matches(c, f) {
			delete(s.chunks, id)
		}
	}
	return nil
}

func (s *fakeStore) Count(_ context.Context, f memory.Filter) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.chunks {
		if matches(c, f) {
			n++
		}
	}
	return n, nil
}

func (s *fakeStore) count(f memory.Filter) int { n, _ := s.Count(context.Background(), f); return n }

// Documents makes the fake a memory.DocumentLister, as the real stores are.
func (s *fakeStore) Documents(_ context.Context, f memory.Filter) ([]memory.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return memory.Documents(func(yield func(memory.Chunk) bool) {
		for _, c := range s.chunks {
			if matches(c, f) && !yield(c) {
				return
			}
		}
	}), nil
}

// writerOnly hides every method of a store but Writer's.
type writerOnly struct{ Writer }

// testFolder writes three Markdown files of a few chunks each.
func testFolder(t *testing.T) string {
	dir := t.TempDir()
	writeFile(t, dir, "a.md", "# Alpha\n\n"+paragraphs(4, 6))
	writeFile(t, dir, "b.md", "# Beta\n\n"+paragraphs(3, 6))
	writeFile(t, dir, "sub/c.txt", "Gamma\n\n"+paragraphs(2, 6))
	return dir
}

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newIngester(s *fakeStore) *Ingester {
	return &Ingester{Store: s, Split: SplitOptions{Size: 600, Overlap: 100}, Now: func() time.Time { return testNow },
		Logger: slog.New(slog.DiscardHandler)}
}

func TestIngestUnchangedAndChanged(t *testing.T) {
	dir := testFolder(t)
	store := newFakeStore()
	in := newIngester(store)
	ctx := context.Background()
	req := IngestRequest{Corpus: "notes", Path: dir}

	var progress []IngestProgress
	stats, err := in.Ingest(ctx, req, func(p IngestProgress) { progress = append(progress, p) })
	if err != nil {
		t.Fatalf("first Ingest: %v", err)
	}
	if stats.Files != 3 || stats.Unchanged != 0 || stats.Chunks == 0 || !stats.Done || len(stats.Skipped) != 0 {
		t.Fatalf("first Ingest stats = %+v, want 3 files written", stats)
	}
	if got, want := store.count(memory.Filter{Corpus: "notes"}), stats.Chunks; got != want {
		t.Errorf("store holds %d chunks, stats say %d written", got, want)
	}
	for _, c := range store.chunks {
		if !c.IngestedAt.Equal(testNow) {
			t.Fatalf("chunk IngestedAt = %v, want %v", c.IngestedAt, testNow)
		}
	}
	if len(progress) != 3 || progress[2].Cursor != filepath.Join(dir, "sub", "c.txt") || progress[0].Total != 3 {
		t.Errorf("progress = %+v, want one report per file ending at sub/c.txt", progress)
	}
	if stats.Cursor != filepath.Join(dir, "sub", "c.txt") {
		t.Errorf("Cursor = %q, want the last file", stats.Cursor)
	}

	// Second run: nothing changed, nothing written.
	upserts, deletes, total := store.upserts, store.deletes, len(store.chunks)
	stats, err = in.Ingest(ctx, req, nil)
	if err != nil {
		t.Fatalf("second Ingest: %v", err)
	}
	if stats.Files != 3 || stats.Unchanged != 3 || stats.Chunks != 0 {
		t.Errorf("second Ingest stats = %+v, want 3 unchanged, 0 chunks", stats)
	}
	if store.upserts != upserts || store.deletes != deletes || len(store.chunks) != total {
		t.Errorf("second Ingest wrote to the store: upserts %d→%d, deletes %d→%d", upserts, store.upserts, deletes, store.deletes)
	}

	// Change b.md: its old chunks go, new ones come, the others stay.
	bPath := filepath.Join(dir, "b.md")
	old, err := LoadFile(context.Background(), "notes", bPath)
	if err != nil {
		t.Fatal(err)
	}
	aBefore := store.count(memory.Filter{SourceID: memory.SourceID("notes", filepath.Join(dir, "a.md"))})
	writeFile(t, dir, "b.md", "# Beta, revised\n\n"+paragraphs(2, 5))
	stats, err = in.Ingest(ctx, req, nil)
	if err != nil {
		t.Fatalf("third Ingest: %v", err)
	}
	if stats.Unchanged != 2 || stats.Chunks == 0 {
		t.Errorf("third Ingest stats = %+v, want 2 unchanged and b.md rewritten", stats)
	}
	if n := store.count(memory.Filter{SourceID: old.SourceID, DocHash: old.DocHash}); n != 0 {
		t.Errorf("%d chunks of the old b.md remain", n)
	}
	revised, _ := LoadFile(context.Background(), "notes", bPath)
	if got, want := store.count(memory.Filter{SourceID: revised.SourceID, DocHash: revised.DocHash}), len(Split(revised, "notes", in.Split)); got != want || got != stats.Chunks {
		t.Errorf("store holds %d chunks of the new b.md, want %d (= stats.Chunks %d)", got, want, stats.Chunks)
	}
	if got := store.count(memory.Filter{SourceID: memory.SourceID("notes", filepath.Join(dir, "a.md"))}); got != aBefore {
		t.Errorf("a.md has %d chunks after b.md changed, want %d", got, aBefore)
	}
}

func TestIngestResumeAndBatches(t *testing.T) {
	dir := testFolder(t)
	store := newFakeStore()
	in := newIngester(store)
	in.BatchSize = 2
	aPath := filepath.Join(dir, "a.md")

	stats, err := in.Ingest(context.Background(), IngestRequest{Corpus: "notes", Path: dir, After: aPath}, nil)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	if stats.Files != 2 {
		t.Errorf("Files = %d, want 2 (a.md is before the cursor)", stats.Files)
	}
	if n := store.count(memory.Filter{SourceID: memory.SourceID("notes", aPath)}); n != 0 {
		t.Errorf("a.md was ingested (%d chunks) although the cursor is past it", n)
	}
	if n := store.count(memory.Filter{SourceID: memory.SourceID("notes", filepath.Join(dir, "b.md"))}); n == 0 {
		t.Error("b.md was not ingested")
	}
	if store.maxSize > 2 {
		t.Errorf("an Upsert carried %d chunks, more than BatchSize 2", store.maxSize)
	}

	// MaxFiles splits a run into calls that resume from the cursor.
	store2 := newFakeStore()
	in2 := newIngester(store2)
	first, err := in2.Ingest(context.Background(), IngestRequest{Corpus: "notes", Path: dir, MaxFiles: 2}, nil)
	if err != nil || first.Files != 2 || first.Done {
		t.Fatalf("first call = %+v, %v; want 2 files, not done", first, err)
	}
	second, err := in2.Ingest(context.Background(), IngestRequest{Corpus: "notes", Path: dir, MaxFiles: 2, After: first.Cursor}, nil)
	if err != nil || second.Files != 1 || !second.Done {
		t.Fatalf("second call = %+v, %v; want 1 file, done", second, err)
	}
	whole, _ := newIngester(newFakeStore()).Ingest(context.Background(), IngestRequest{Corpus: "notes", Path: dir}, nil)
	if got, want := first.Chunks+second.Chunks, whole.Chunks; got != want {
		t.Errorf("resumed calls wrote %d chunks, one call writes %d", got, want)
	}
}

func TestIngestBadFileAndPartialWrite(t *testing.T) {
	dir := testFolder(t)
	bad := writeFile(t, dir, "bad.pdf", "%PDF-1.4 truncated garbage")
	store := newFakeStore()
	in := newIngester(store)

	stats, err := in.Ingest(context.Background(), IngestRequest{Corpus: "notes", Path: dir}, nil)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	if stats.Files != 4 || stats.SkippedTotal != 1 || len(stats.Skipped) != 1 || stats.Skipped[0].Path != bad || stats.Skipped[0].Reason == "" {
		t.Errorf("stats = %+v, want bad.pdf skipped with a reason and 4 files looked at", stats)
	}
	for _, name := range []string{"a.md", "b.md", "sub/c.txt"} {
		if store.count(memory.Filter{SourceID: memory.SourceID("notes", filepath.Join(dir, name))}) == 0 {
			t.Errorf("%s not ingested after the bad file", name)
		}
	}

	// A run killed halfway through a document leaves some of its chunks:
	// the next run must not take it for unchanged.
	aID := memory.SourceID("notes", filepath.Join(dir, "a.md"))
	var one string
	for id, c := range store.chunks {
		if c.SourceID == aID {
			one = id
			break
		}
	}
	delete(store.chunks, one)
	stats, err = in.Ingest(context.Background(), IngestRequest{Corpus: "notes", Path: dir}, nil)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	if stats.Unchanged != 2 || stats.Chunks == 0 {
		t.Errorf("stats = %+v, want a.md rewritten and the two others unchanged", stats)
	}
	if _, ok := store.chunks[one]; !ok {
		t.Error("the missing chunk of a.md was not written again")
	}
}

func TestIngestStopsOnCancelAndStoreError(t *testing.T) {
	dir := testFolder(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := newIngester(newFakeStore())
	stats, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir}, func(IngestProgress) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Ingest error = %v, want context.Canceled", err)
	}
	if stats.Files != 1 || stats.Cursor != filepath.Join(dir, "a.md") {
		t.Errorf("stats = %+v, want one file done and the cursor on it", stats)
	}

	failing := newFakeStore()
	failing.fail = errors.New("disk full")
	stats, err = newIngester(failing).Ingest(context.Background(), IngestRequest{Corpus: "notes", Path: dir}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "a.md") {
		t.Errorf("Ingest error = %v, want the store error naming a.md", err)
	}
	if stats.Cursor != "" {
		t.Errorf("Cursor = %q after a failed first file, want empty", stats.Cursor)
	}

	if _, err := in.Ingest(context.Background(), IngestRequest{Corpus: "notes"}, nil); err == nil {
		t.Error("Ingest without Path or GoDocs succeeded")
	}
}

func TestIngestGoDocs(t *testing.T) {
	root := goRootForTest(t)
	store := newFakeStore()
	in := newIngester(store)
	in.Split = SplitOptions{}
	stats, err := in.Ingest(context.Background(), IngestRequest{GoDocs: true, GoRoot: root}, nil)
	if err != nil {
		t.Fatalf("Ingest go docs: %v", err)
	}
	t.Logf("go docs ingest: %d files, %d chunks, %d skipped in %v", stats.Files, stats.Chunks, stats.SkippedTotal, stats.Duration)
	if stats.Duration <= 0 {
		t.Errorf("Duration = %v, want the time taken", stats.Duration)
	}
	if stats.Chunks == 0 || store.count(memory.Filter{Corpus: GoDocsCorpus}) != stats.Chunks {
		t.Fatalf("stats = %+v, store holds %d go-docs chunks", stats, store.count(memory.Filter{Corpus: GoDocsCorpus}))
	}
	found := false
	for _, c := range store.chunks {
		if c.SourceTitle == "The Go Memory Model" && strings.Contains(c.Text, "happens before") {
			found = true
			break
		}
	}
	if !found {
		t.Error("no chunk of The Go Memory Model mentions happens before")
	}
	again, err := in.Ingest(context.Background(), IngestRequest{GoDocs: true, GoRoot: root}, nil)
	if err != nil || again.Chunks != 0 || again.Unchanged != again.Files {
		t.Errorf("second go docs ingest = %+v, %v; want everything unchanged", again, err)
	}
}

// With Prune, a file deleted from the folder stops being cited: its chunks
// go once the last batch of the next ingestion is done, and only then.
func TestIngestPrunesRemovedFiles(t *testing.T) {
	dir := testFolder(t)
	store := newFakeStore()
	in := newIngester(store)
	ctx := context.Background()
	req := IngestRequest{Corpus: "notes", Path: dir, Prune: true}
	if _, err := in.Ingest(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "b.md")
	goneID := memory.SourceID("notes", gone)
	if store.count(memory.Filter{SourceID: goneID}) == 0 {
		t.Fatal("b.md was not ingested")
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	before := store.count(memory.Filter{Corpus: "notes"}) - store.count(memory.Filter{SourceID: goneID})

	// Without Prune, the corpus accumulates: nothing is dropped.
	if st, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir}, nil); err != nil || st.Removed != 0 || store.count(memory.Filter{SourceID: goneID}) == 0 {
		t.Fatalf("an ingestion without Prune dropped documents: %+v, %v", st, err)
	}
	// In batches of one file: the first batch must not prune anything.
	first, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, MaxFiles: 1, Prune: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Done || first.Removed != 0 || store.count(memory.Filter{SourceID: goneID}) == 0 {
		t.Fatalf("a partial batch pruned: %+v", first)
	}
	last, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, After: first.Cursor, Prune: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !last.Done || last.Removed == 0 {
		t.Fatalf("last batch = %+v, want the removed file's chunks dropped", last)
	}
	if n := store.count(memory.Filter{SourceID: goneID}); n != 0 {
		t.Errorf("%d chunks of the deleted b.md remain", n)
	}
	if got := store.count(memory.Filter{Corpus: "notes"}); got != before {
		t.Errorf("corpus holds %d chunks, want %d (the files still there)", got, before)
	}
}

// With DropMissing (a research run on a folder), a file deleted or renamed
// since the folder was read stops being cited, while what the corpus holds
// from elsewhere (another folder ingested into the same name, a sibling
// folder whose name starts with this one's) stays; only the last batch
// drops, and a store that cannot list documents drops nothing.
func TestIngestDropsDocumentsMissingFromTheFolder(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "notes")
	writeFile(t, dir, "a.md", "# Alpha\n\n"+paragraphs(4, 6))
	writeFile(t, dir, "b.md", "# Beta\n\n"+paragraphs(3, 6))
	writeFile(t, dir, "sub/c.txt", "Gamma\n\n"+paragraphs(2, 6))
	sibling := filepath.Join(parent, "notes-old")
	writeFile(t, sibling, "d.md", "# Delta\n\n"+paragraphs(2, 6))
	store := newFakeStore()
	in := newIngester(store)
	ctx := context.Background()
	for _, p := range []string{sibling, dir} {
		if _, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: p, DropMissing: true}, nil); err != nil {
			t.Fatal(err)
		}
	}
	id := func(p string) string { return memory.SourceID("notes", filepath.Join(dir, p)) }
	siblingID := memory.SourceID("notes", filepath.Join(sibling, "d.md"))
	if err := os.Rename(filepath.Join(dir, "a.md"), filepath.Join(dir, "a2.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "sub/c.txt")); err != nil {
		t.Fatal(err)
	}
	gone := store.count(memory.Filter{SourceID: id("a.md")}) + store.count(memory.Filter{SourceID: id("sub/c.txt")})

	// Without DropMissing, or with a store that cannot list its
	// documents, nothing is dropped.
	if st, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir}, nil); err != nil || st.Removed != 0 || store.count(memory.Filter{SourceID: id("a.md")}) == 0 {
		t.Fatalf("an ingestion without DropMissing dropped documents: %+v, %v", st, err)
	}
	blind := &Ingester{Store: writerOnly{store}, Split: in.Split, Now: in.Now, Logger: in.Logger}
	if st, err := blind.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, DropMissing: true}, nil); err != nil || st.Removed != 0 {
		t.Fatalf("a store without a document list: %+v, %v; want nothing dropped and no error", st, err)
	}
	// In batches of one file: only the last batch drops.
	first, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, MaxFiles: 1, DropMissing: true}, nil)
	if err != nil || first.Done || first.Removed != 0 || store.count(memory.Filter{SourceID: id("a.md")}) == 0 {
		t.Fatalf("a partial batch dropped: %+v, %v", first, err)
	}
	last, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, After: first.Cursor, DropMissing: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !last.Done || last.Removed != gone {
		t.Errorf("last batch = %+v, want Removed %d (a.md and sub/c.txt)", last, gone)
	}
	for _, p := range []string{"a.md", "sub/c.txt"} {
		if n := store.count(memory.Filter{SourceID: id(p)}); n != 0 {
			t.Errorf("%d chunks of %s remain", n, p)
		}
	}
	for _, src := range []string{id("a2.md"), id("b.md"), siblingID} {
		if store.count(memory.Filter{SourceID: src}) == 0 {
			t.Errorf("source %s was dropped", src)
		}
	}
}

// A file whose chunks were written by an older extraction (version 1
// hashed the raw bytes alone) is read again and its chunks rewritten,
// though its bytes did not change: its stored text is what the older
// extraction made of it (an ordered list without its numbers).
func TestIngestRereadsFilesOfAnOlderExtraction(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "steps.html", "<html><body><h1>Steps</h1><ol><li>Open the valve.</li><li>Wait a minute.</li></ol></body></html>")
	path := filepath.Join(dir, "steps.html")
	doc, err := LoadFile(context.Background(), "notes", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Text, "2. Wait a minute.") {
		t.Fatalf("text %q, want the list's numbers", doc.Text)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	store := newFakeStore()
	old := doc
	old.Text = "Steps\n\nOpen the valve.\nWait a minute."
	old.DocHash = memory.Hash(string(raw)) // as version 1 stored it
	if err := store.Upsert(context.Background(), Split(old, "notes", SplitOptions{})); err != nil {
		t.Fatal(err)
	}
	stats, err := newIngester(store).Ingest(context.Background(), IngestRequest{Corpus: "notes", Path: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Unchanged != 0 || stats.Chunks == 0 {
		t.Fatalf("stats %+v, want the file written again", stats)
	}
	for _, c := range store.chunks {
		if c.DocHash != doc.DocHash || !strings.Contains(c.Text, "2. Wait a minute.") {
			t.Errorf("chunk %q (hash %s), want the current extraction's text and hash %s", c.Text, c.DocHash, doc.DocHash)
		}
	}
}

// A Markdown file that extraction version 5 stored with an empty ATX heading
// ("#" alone on a line) as the passage "#" is read again, unchanged as it
// is, and its passages lose the "#": the fix of empty headings changed the
// text of documents already read, so it came with a new extraction version.
func TestIngestRereadsMarkdownWithAnEmptyHeading(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "backups.md", "# Backups\n\n#\n\nNightly at two, kept thirty days.\n")
	path := filepath.Join(dir, "backups.md")
	doc, err := LoadFile(context.Background(), "notes", path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	store := newFakeStore()
	old := doc
	old.Text = "Backups\n\n#\n\nNightly at two, kept thirty days."
	old.DocHash = memory.Hash("extraction 5\n" + string(raw)) // as version 5 stored it
	if err := store.Upsert(context.Background(), Split(old, "notes", SplitOptions{})); err != nil {
		t.Fatal(err)
	}
	stats, err := newIngester(store).Ingest(context.Background(), IngestRequest{Corpus: "notes", Path: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Unchanged != 0 || stats.Chunks == 0 {
		t.Fatalf("stats %+v, want the file written again", stats)
	}
	for _, c := range store.chunks {
		if strings.Contains("\n"+c.Text+"\n", "\n#\n") || c.DocHash != doc.DocHash {
			t.Errorf("chunk %q (hash %s), want the current extraction's text, without the empty heading, and hash %s", c.Text, c.DocHash, doc.DocHash)
		}
	}
}

// writeTwins writes n documents to dir in two formats each (pageNNN.html
// and pageNNN.txt): ingestion reads the HTML and skips the text.
func writeTwins(t *testing.T, dir string, n int) {
	t.Helper()
	for i := range n {
		name := fmt.Sprintf("page%03d", i)
		writeFile(t, dir, name+".html", "<html><body><p>Page "+name+" says something.</p></body></html>")
		writeFile(t, dir, name+".txt", "Page "+name+" says something.")
	}
}

// Every skipped file counts once in SkippedTotal, however many there are
// and however the ingestion is batched: a documentation tree's 163 files
// read in another format were "100 skipped" in a folder run (the list's
// bound taken for the count), and batched calls each counted the walk's
// skips after their cursor.
func TestIngestCountsEverySkippedFileOnce(t *testing.T) {
	dir := t.TempDir()
	const twins = MaxReportedSkips + 30
	writeTwins(t, dir, twins)
	writeFile(t, dir, "empty.md", "")
	ctx := context.Background()

	whole, err := newIngester(newFakeStore()).Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if whole.SkippedTotal != twins+1 || len(whole.Skipped) != MaxReportedSkips {
		t.Errorf("one call: SkippedTotal %d, %d listed; want %d, %d listed", whole.SkippedTotal, len(whole.Skipped), twins+1, MaxReportedSkips)
	}

	in := newIngester(newFakeStore())
	total, after := 0, ""
	for calls := 0; ; calls++ {
		if calls > twins {
			t.Fatal("batched ingestion does not finish")
		}
		st, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, After: after, MaxFiles: 7}, nil)
		if err != nil {
			t.Fatal(err)
		}
		total += st.SkippedTotal
		after = st.Cursor
		if st.Done {
			break
		}
	}
	if total != twins+1 {
		t.Errorf("batches of 7 files: skipped files counted %d times in all, want %d", total, twins+1)
	}
}

// A request's MaxSkipsListed bounds the list in place of MaxReportedSkips
// (a batched ingestion's calls each list up to its whole list's bound);
// the count is every skipped file either way.
func TestIngestListsSkipsUpToTheRequestsBound(t *testing.T) {
	dir := t.TempDir()
	const twins = MaxReportedSkips + 30
	writeTwins(t, dir, twins)
	ctx := context.Background()
	for _, tc := range []struct{ bound, listed int }{
		{0, MaxReportedSkips},
		{twins - 10, twins - 10},
		{500, twins},
	} {
		st, err := newIngester(newFakeStore()).Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, MaxSkipsListed: tc.bound}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Skipped) != tc.listed || st.SkippedTotal != twins {
			t.Errorf("MaxSkipsListed %d: %d listed of %d; want %d listed of %d", tc.bound, len(st.Skipped), st.SkippedTotal, tc.listed, twins)
		}
	}
}

// DropMissing drops only documents whose files are gone: not uploads kept
// in a hidden data dir inside the researched folder, not what was read
// through a link to a drive that is not mounted now, not a readable twin
// whose preferred format fails to load; and a folder at the filesystem's
// root has files under it too (a reviewer's cases: each lost a document
// or kept a gone one).
func TestDropMissingKeepsWhatTheWalkCouldNotRead(t *testing.T) {
	ctx := context.Background()
	t.Run("uploads in a hidden data dir", func(t *testing.T) {
		cwd := filepath.Join(t.TempDir(), "papers")
		writeFile(t, cwd, "a.md", "# Alpha\n\n"+paragraphs(2, 6))
		up := filepath.Join(cwd, ".researchflow", "uploads", "abc", "papers")
		writeFile(t, up, "upl.md", "# Uploaded\n\n"+paragraphs(2, 6))
		store := newFakeStore()
		in := newIngester(store)
		if _, err := in.Ingest(ctx, IngestRequest{Corpus: "papers", Path: up}, nil); err != nil {
			t.Fatal(err)
		}
		st, err := in.Ingest(ctx, IngestRequest{Corpus: "papers", Path: cwd, DropMissing: true}, nil)
		if err != nil || st.Removed != 0 || store.count(memory.Filter{SourceID: memory.SourceID("papers", filepath.Join(up, "upl.md"))}) == 0 {
			t.Errorf("the upload was dropped: %+v, %v", st, err)
		}
	})
	t.Run("a link to an unmounted drive", func(t *testing.T) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "notes")
		drive := filepath.Join(parent, "usb", "archive")
		writeFile(t, dir, "a.md", "# Alpha\n\n"+paragraphs(2, 6))
		writeFile(t, drive, "old.md", "# Old\n\n"+paragraphs(2, 6))
		if err := os.Symlink(drive, filepath.Join(dir, "archive")); err != nil {
			t.Skip("no symlinks here:", err)
		}
		store := newFakeStore()
		in := newIngester(store)
		if _, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, DropMissing: true}, nil); err != nil {
			t.Fatal(err)
		}
		id := memory.SourceID("notes", filepath.Join(dir, "archive", "old.md"))
		if store.count(memory.Filter{SourceID: id}) == 0 {
			t.Fatal("the linked folder was not read")
		}
		if err := os.Rename(filepath.Join(parent, "usb"), filepath.Join(parent, "usb-unmounted")); err != nil {
			t.Fatal(err)
		}
		st, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, DropMissing: true}, nil)
		if err != nil || st.Removed != 0 || store.count(memory.Filter{SourceID: id}) == 0 {
			t.Errorf("what the link gave was dropped: %+v, %v", st, err)
		}
	})
	t.Run("a twin whose preferred format fails", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "notes")
		writeFile(t, dir, "guide.txt", "Guide\n\n"+paragraphs(2, 6))
		store := newFakeStore()
		in := newIngester(store)
		if _, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, DropMissing: true}, nil); err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, "guide.docx", "not a zip")
		st, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, DropMissing: true}, nil)
		if err != nil || st.Removed != 0 || store.count(memory.Filter{Corpus: "notes"}) == 0 {
			t.Errorf("the readable twin was dropped: %+v, %v", st, err)
		}
	})
	t.Run("the filesystem root", func(t *testing.T) {
		gone := filepath.Join(t.TempDir(), "gone.md")
		if !missingUnder(string(filepath.Separator), gone, nil) {
			t.Errorf("%s, deleted, is not missing under the root", gone)
		}
		here := writeFile(t, t.TempDir(), "here.md", "# Here")
		if missingUnder(string(filepath.Separator), here, nil) {
			t.Errorf("%s, still there, is missing under the root", here)
		}
	})
}

// No folder goes into the default corpus: `starter ingest DIR --corpus
// go-docs --prune` (or IngestWorkflow with that input from the Temporal
// CLI) dropped the Go documentation itself (920 chunks), and every run on
// go-docs then found nothing; without prune the folder was mixed into the
// corpus every owner researches. The Go documentation stays as it was.
func TestNoFolderGoesIntoTheGoDocs(t *testing.T) {
	store := newFakeStore()
	in := newIngester(store)
	ctx := context.Background()
	// What the Go documentation left in the store (a stand-in: one document).
	docs := testFolder(t)
	if _, err := in.Ingest(ctx, IngestRequest{Corpus: "notes", Path: docs}, nil); err != nil {
		t.Fatal(err)
	}
	for i, c := range store.chunks {
		c.Corpus = GoDocsCorpus
		store.chunks[i] = c
	}
	before := store.count(memory.Filter{Corpus: GoDocsCorpus})
	if before == 0 {
		t.Fatal("no stand-in go-docs chunks")
	}
	notes := t.TempDir()
	if err := os.WriteFile(filepath.Join(notes, "n.md"), []byte("# Notes\n\nThe offsite budget is 9000 euros.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, req := range []IngestRequest{
		{Corpus: GoDocsCorpus, Path: notes},
		{Corpus: GoDocsCorpus, Path: notes, Prune: true},
		{Corpus: GoDocsCorpus, Path: notes, DropMissing: true},
	} {
		if _, err := in.Ingest(ctx, req, nil); !errors.Is(err, ErrGoDocsReadOnly) {
			t.Errorf("Ingest(%+v) = %v, want ErrGoDocsReadOnly", req, err)
		}
	}
	if got := store.count(memory.Filter{Corpus: GoDocsCorpus}); got != before {
		t.Errorf("go-docs holds %d chunks after the refused ingestions, want %d", got, before)
	}
}

// watchedStore is a fakeStore that records, after every write, how many
// chunks of one source memory holds: what a search at that moment finds.
type watchedStore struct {
	*fakeStore
	source string
	seen   []int
}

func (s *watchedStore) Upsert(ctx context.Context, chunks []memory.Chunk) error {
	err := s.fakeStore.Upsert(ctx, chunks)
	s.seen = append(s.seen, s.count(memory.Filter{SourceID: s.source}))
	return err
}

func (s *watchedStore) Delete(ctx context.Context, f memory.Filter) error {
	err := s.fakeStore.Delete(ctx, f)
	s.seen = append(s.seen, s.count(memory.Filter{SourceID: s.source}))
	return err
}

// TestIngestReplacesAChangedDocumentWithoutAGap: a new version of a
// document (an upload with ?replace=true, an edited file of a folder) is
// written before the old version's chunks go, so a search meanwhile finds
// one version or both, never neither; afterwards memory holds the new
// version's chunks only, once each.
func TestIngestReplacesAChangedDocumentWithoutAGap(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "backups.md", "# Backups\n\n"+paragraphs(4, 6))
	shared := "Backups run nightly at 02:00 and are kept for thirty days."
	writeFile(t, dir, "backups.md", "# Backups\n\n"+shared+"\n\n"+paragraphs(4, 6))
	id := memory.SourceID("notes", path)
	store := &watchedStore{fakeStore: newFakeStore(), source: id}
	in := newIngester(store.fakeStore)
	in.Store = store
	in.BatchSize = 1 // one upsert per chunk: a gap between writes would show
	ctx := context.Background()
	req := IngestRequest{Corpus: "notes", Path: dir}
	if _, err := in.Ingest(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	old, err := LoadFile(ctx, "notes", path)
	if err != nil {
		t.Fatal(err)
	}

	writeFile(t, dir, "backups.md", "# Backups, revised\n\n"+shared+"\n\nSnapshots are copied to a second region every week.\n\n"+paragraphs(2, 5))
	store.seen = nil
	stats, err := in.Ingest(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(store.seen) < 2 {
		t.Fatalf("the new version took %d writes, want several", len(store.seen))
	}
	for i, n := range store.seen {
		if n == 0 {
			t.Fatalf("after write %d of %d memory held no chunk of backups.md (%v): a search then finds neither version", i+1, len(store.seen), store.seen)
		}
	}
	revised, err := LoadFile(ctx, "notes", path)
	if err != nil {
		t.Fatal(err)
	}
	want := Split(revised, "notes", in.Split)
	if got := store.count(memory.Filter{SourceID: id}); got != len(want) || got != stats.Chunks {
		t.Errorf("memory holds %d chunks of backups.md, want the new version's %d (stats: %d written)", got, len(want), stats.Chunks)
	}
	if n := store.count(memory.Filter{SourceID: id, DocHash: old.DocHash}); n != 0 {
		t.Errorf("%d chunks of the old version remain", n)
	}
	for _, c := range want {
		if got, ok := store.chunks[c.ID]; !ok || got.DocHash != revised.DocHash {
			t.Errorf("chunk %q of the new version: stored %v with DocHash %q", c.Text, ok, got.DocHash)
		}
	}

	// A store that cannot list documents gets the old order, and the same
	// end state.
	plain := newFakeStore()
	in.Store = writerOnly{plain}
	writeFile(t, dir, "backups.md", "# Backups\n\n"+paragraphs(4, 6))
	if _, err := in.Ingest(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "backups.md", "# Backups, revised\n\n"+paragraphs(2, 5))
	if _, err := in.Ingest(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	revised, _ = LoadFile(ctx, "notes", path)
	if got, want := plain.count(memory.Filter{SourceID: id}), len(Split(revised, "notes", in.Split)); got != want {
		t.Errorf("without a lister memory holds %d chunks of backups.md, want %d", got, want)
	}
}

// The files an ingestion found are the ones it ingested, found unchanged
// or skipped, a file of a type it does not read (sheet.csv) too: a new
// user's folder of 6 files read as "5 files (0 unchanged), … 3 skipped".
// Total says as much before the files are read, batched or not.
func TestIngestCountsEveryFileFound(t *testing.T) {
	dir := testFolder(t) // 3 files with text
	writeFile(t, dir, "bad.pdf", "%PDF-1.4 truncated garbage")
	writeFile(t, dir, "empty.md", "")
	writeFile(t, dir, "sheet.csv", "a,b\n1,2\n")
	ctx := context.Background()
	var first IngestProgress
	st, err := newIngester(newFakeStore()).Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir}, func(p IngestProgress) {
		if first.Cursor == "" {
			first = p
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 6 || st.SkippedTotal != 3 || st.Files-st.Unchanged-st.SkippedTotal != 3 {
		t.Errorf("one call: %d files, %d skipped; want 6 files found, 3 of them skipped", st.Files, st.SkippedTotal)
	}
	if first.Total != 6 {
		t.Errorf("progress Total = %d, want the 6 files found", first.Total)
	}

	files, skipped, after := 0, 0, ""
	for calls := 0; ; calls++ {
		if calls > 6 {
			t.Fatal("batched ingestion does not finish")
		}
		var total int
		st, err := newIngester(newFakeStore()).Ingest(ctx, IngestRequest{Corpus: "notes", Path: dir, After: after, MaxFiles: 2}, func(p IngestProgress) {
			if total == 0 {
				total = p.Total
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if calls == 0 && total != 6 {
			t.Errorf("batches of 2: first progress Total = %d, want 6", total)
		}
		if total != 0 && total != 6-files {
			t.Errorf("batch %d: Total %d after %d files counted, want %d", calls, total, files, 6-files)
		}
		files += st.Files
		skipped += st.SkippedTotal
		after = st.Cursor
		if st.Done {
			break
		}
	}
	if files != 6 || skipped != 3 {
		t.Errorf("batches of 2: %d files, %d skipped; want 6, 3", files, skipped)
	}
}
