package corpus

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/researchflow/researchflow/internal/memory"
)

// Writer is what ingestion needs of a memory.Store.
type Writer interface {
	Upsert(ctx context.Context, chunks []memory.Chunk) error
	Delete(ctx context.Context, f memory.Filter) error
	Count(ctx context.Context, f memory.Filter) (int, error)
}

// DefaultBatchSize is how many chunks go to the store in one Upsert.
const DefaultBatchSize = 256

// MaxReportedSkips bounds IngestStats.Skipped, unless the request sets
// MaxSkipsListed, so that the stats stay a small Temporal payload;
// SkippedTotal counts them all (the files a batch passed: each skipped file
// counts in one call of a batched ingestion).
const MaxReportedSkips = 100

// Ingester writes documents into memory, one document at a time, skipping
// documents whose chunks are already there.
type Ingester struct {
	Store Writer
	Split SplitOptions
	// BatchSize is the most chunks per Upsert (default DefaultBatchSize).
	BatchSize int
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now stamps IngestedAt; it defaults to time.Now.
	Now func() time.Time
}

// IngestRequest says what to ingest: the folder or file at Path, or the Go
// documentation (GoDocs) of the installation at GoRoot (default: GoRoot(ctx)).
type IngestRequest struct {
	// Corpus names the corpus; with GoDocs it defaults to GoDocsCorpus.
	Corpus string `json:"corpus"`
	Path   string `json:"path,omitempty"`
	GoDocs bool   `json:"goDocs,omitempty"`
	GoRoot string `json:"goRoot,omitempty"`
	// After resumes after this source (a file path, sorted order): sources
	// whose path is <= After are not looked at. Empty starts at the beginning.
	After string `json:"after,omitempty"`
	// Resumed says After is a checkpoint inside a call that began at From
	// (empty: at the beginning), as a retried attempt of an activity resumes
	// after its last heartbeat: the files the walk left out after From
	// count in this call, not only those after After.
	Resumed bool   `json:"resumed,omitempty"`
	From    string `json:"from,omitempty"`
	// MaxFiles bounds the sources handled by one call (0 = all); Done in the
	// stats says whether any are left.
	MaxFiles int `json:"maxFiles,omitempty"`
	// Prune makes the corpus mirror Path: once the last batch is done, the
	// chunks of documents that are not (any more) under Path are dropped.
	// Without it a corpus accumulates what is ingested into it. The Go docs
	// corpus is always pruned: it belongs to the Go installation.
	Prune bool `json:"prune,omitempty"`
	// DropMissing drops, once the last batch is done, the documents of the
	// corpus located under Path that are not (any more) there: a file
	// deleted or renamed since it was read, or one now left out. Unlike
	// Prune it leaves what the corpus holds from elsewhere (another folder
	// of the same name, an upload). A research run on a folder asks for
	// it: it researches the folder as it is.
	DropMissing bool `json:"dropMissing,omitempty"`
	// MaxSkipsListed bounds the skipped files the stats list (0:
	// MaxReportedSkips). A batched ingestion sets the bound of its whole
	// list: its calls must not each stop at MaxReportedSkips before it.
	MaxSkipsListed int `json:"maxSkipsListed,omitempty"`
}

// SkipsListed is how many skipped files the stats of r list:
// MaxSkipsListed, or MaxReportedSkips when it is not set.
func (r IngestRequest) SkipsListed() int {
	if r.MaxSkipsListed > 0 {
		return r.MaxSkipsListed
	}
	return MaxReportedSkips
}

// IngestProgress is reported after each source.
type IngestProgress struct {
	// Total is the number of files found after the resume cursor: the
	// sources to read and the files the walk left out (skipped).
	Total     int `json:"total"`
	Files     int `json:"files"`
	Unchanged int `json:"unchanged"`
	Chunks    int `json:"chunks"`
	Skipped   int `json:"skipped"`
	// Skip is the source just handled when it was skipped, with why (nil
	// otherwise): a caller that checkpoints can list it after a restart.
	Skip *Skipped `json:"skip,omitempty"`
	// Cursor is the last source handled: pass it as After to resume.
	Cursor string `json:"cursor"`
}

// IngestStats summarizes an ingestion.
type IngestStats struct {
	// Total is the number of files found after the cursor (as
	// IngestProgress.Total). Files counts those this call handled: the
	// sources read, then the files the walk left out that it passed (a
	// type not read, another format of a document read, too large). Files
	// = ingested + Unchanged + SkippedTotal: Unchanged of them were already
	// in memory with the same content and cost nothing.
	Total     int `json:"total"`
	Files     int `json:"files"`
	Unchanged int `json:"unchanged"`
	// Chunks counts the chunks written.
	Chunks int `json:"chunks"`
	// Skipped lists (up to IngestRequest.MaxSkipsListed, by default
	// MaxReportedSkips) files that could not be used.
	Skipped      []Skipped `json:"skipped,omitempty"`
	SkippedTotal int       `json:"skippedTotal"`
	// Cursor is the last source handled; Done is true when none is left.
	Cursor string `json:"cursor,omitempty"`
	Done   bool   `json:"done"`
	// Removed counts the chunks of documents no longer at the path, dropped
	// once the last batch is done.
	Removed  int           `json:"removed,omitempty"`
	Duration time.Duration `json:"duration"`
}

// skip counts a skipped file and lists it while fewer than limit are.
func (s *IngestStats) skip(path, reason string, limit int) {
	s.SkippedTotal++
	if len(s.Skipped) < limit {
		s.Skipped = append(s.Skipped, Skipped{Path: path, Reason: reason})
	}
}

// Ingest brings the request's documents into memory. For each source in
// sorted order after req.After: a document whose chunks are all in memory
// with the same DocHash is left alone; otherwise the chunks of its older
// version are deleted and the new ones upserted in batches. A file that
// cannot be read is recorded in Skipped and the rest go on. progress (may be
// nil) is called after each source, so that an activity can heartbeat the
// cursor. A store error stops the run; the stats returned with it hold the
// cursor of the last source done. When ctx ends, Ingest stops promptly with
// ctx.Err().
func (in *Ingester) Ingest(ctx context.Context, req IngestRequest, progress func(IngestProgress)) (stats IngestStats, err error) {
	began := time.Now()
	defer func() { stats.Duration = time.Since(began) }()
	if in.Store == nil {
		return stats, errors.New("ingest: no store")
	}
	log := in.Logger
	if log == nil {
		log = slog.Default()
	}
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	corpus := req.Corpus
	if corpus == "" && req.GoDocs {
		corpus = GoDocsCorpus
	}
	if corpus == "" {
		return stats, errors.New("ingest: no corpus named")
	}
	if corpus == GoDocsCorpus && !req.GoDocs {
		return stats, ErrGoDocsReadOnly
	}

	srcs, skips, err := in.sources(ctx, req, corpus)
	if err != nil {
		return stats, err
	}
	all := srcs
	if req.After != "" {
		i := 0
		for i < len(srcs) && srcs[i].Key <= req.After {
			i++
		}
		srcs = srcs[i:]
	}
	stats.Cursor = req.After
	// The files found after the cursor: those to read and those the walk
	// left out, which count as found (and skipped) too.
	stats.Total = len(srcs)
	for _, s := range skips {
		if req.After == "" || s.Path > req.After {
			stats.Total++
		}
	}
	listed := req.SkipsListed()
	ingestedAt := now().UTC()
	batch := in.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}

	for i, src := range srcs {
		if req.MaxFiles > 0 && i == req.MaxFiles {
			break
		}
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		stats.Files++
		var skip *Skipped
		doc, err := src.load(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			// Cut short by the cancellation (a pdftotext run stops with
			// ctx): not a file that cannot be read. The cursor stays
			// before it, so that a resumed ingestion reads it again.
			stats.Files--
			return stats, ctx.Err()
		case err != nil:
			log.Warn("skip source", "corpus", corpus, "path", src.Key, "err", err)
			skip = &Skipped{Path: src.Key, Reason: err.Error()}
		default:
			written, unchanged, err := in.ingestDoc(ctx, corpus, doc, ingestedAt, batch)
			if err != nil {
				return stats, err
			}
			if unchanged {
				stats.Unchanged++
			}
			if written == 0 && !unchanged {
				skip = &Skipped{Path: src.Key, Reason: ErrNoText.Error()}
			}
			stats.Chunks += written
		}
		if skip != nil {
			stats.skip(skip.Path, skip.Reason, listed)
		}
		stats.Cursor = src.Key
		if progress != nil {
			progress(IngestProgress{Total: stats.Total, Files: stats.Files, Unchanged: stats.Unchanged,
				Chunks: stats.Chunks, Skipped: stats.SkippedTotal, Skip: skip, Cursor: stats.Cursor})
		}
	}
	stats.Done = req.MaxFiles <= 0 || len(srcs) <= req.MaxFiles
	// Files the walk left out (another format of a document read, too
	// large, link loops) count in the call that passes them, so that the
	// calls of a batched ingestion count each once.
	from := req.After
	if req.Resumed {
		from = req.From
	}
	for _, s := range skips {
		if (from == "" || s.Path > from) && (stats.Done || s.Path <= stats.Cursor) {
			stats.Files++
			stats.skip(s.Path, s.Reason, listed)
		}
	}
	switch {
	case stats.Done && (req.Prune || req.GoDocs):
		if stats.Removed, err = in.prune(ctx, corpus, all); err != nil {
			return stats, err
		}
	case stats.Done && req.DropMissing && req.Path != "":
		if stats.Removed, err = in.dropMissing(ctx, corpus, req.Path, skips); err != nil {
			return stats, err
		}
	}
	log.Info("ingested", "corpus", corpus, "files", stats.Files, "unchanged", stats.Unchanged,
		"chunks", stats.Chunks, "skipped", stats.SkippedTotal, "done", stats.Done)
	return stats, nil
}

// ingestDoc writes one document unless memory already holds exactly its
// chunks (same source, same DocHash, same count: a run killed halfway
// through a document does not pass for done).
//
// A new version of a document replaces the old one without a moment where
// memory holds neither: when the store lists documents, the new chunks are
// upserted first and the chunks of the old version's DocHashes deleted
// after (a passage both versions have keeps its chunk ID, now with the new
// DocHash, and stays). Searching meanwhile may find both versions, never
// none. The old chunks are deleted first when the store cannot list them,
// when an older chunk has no DocHash to delete it by, when memory holds
// only chunks of this same version (a write cut short, or split otherwise
// before: chunks of another split would stay), or when the document has no
// text any more.
func (in *Ingester) ingestDoc(ctx context.Context, corpus string, doc Document, at time.Time, batch int) (written int, unchanged bool, err error) {
	chunks := Split(doc, corpus, in.Split)
	if len(chunks) > 0 {
		n, err := in.Store.Count(ctx, memory.Filter{Corpus: corpus, SourceID: doc.SourceID, DocHash: doc.DocHash})
		if err != nil {
			return 0, false, fmt.Errorf("ingest %s: count: %w", doc.Location, err)
		}
		if n == len(chunks) {
			return 0, true, nil
		}
	}
	source := memory.Filter{Corpus: corpus, SourceID: doc.SourceID}
	old, swap, err := in.olderVersions(ctx, source, doc.DocHash)
	if err != nil {
		return 0, false, fmt.Errorf("ingest %s: list old chunks: %w", doc.Location, err)
	}
	if !swap || len(old) == 0 || len(chunks) == 0 {
		if err := in.Store.Delete(ctx, source); err != nil {
			return 0, false, fmt.Errorf("ingest %s: delete old chunks: %w", doc.Location, err)
		}
		old = nil
	}
	for i := range chunks {
		chunks[i].IngestedAt = at
	}
	for start := 0; start < len(chunks); start += batch {
		if err := ctx.Err(); err != nil {
			return written, false, err
		}
		end := min(start+batch, len(chunks))
		if err := in.Store.Upsert(ctx, chunks[start:end]); err != nil {
			return written, false, fmt.Errorf("ingest %s: upsert: %w", doc.Location, err)
		}
		written += end - start
	}
	for _, h := range old {
		f := source
		f.DocHash = h
		if err := in.Store.Delete(ctx, f); err != nil {
			return written, false, fmt.Errorf("ingest %s: delete the old version's chunks: %w", doc.Location, err)
		}
	}
	return written, false, nil
}

// olderVersions lists the DocHashes other than hash that the source's
// chunks carry. swap is true when the old version can be deleted after the
// new one is written: the store lists documents, and every old chunk has a
// DocHash (an empty one would match the whole source).
func (in *Ingester) olderVersions(ctx context.Context, source memory.Filter, hash string) (old []string, swap bool, err error) {
	lister, ok := in.Store.(memory.DocumentLister)
	if !ok {
		return nil, false, nil
	}
	docs, err := lister.Documents(ctx, source)
	if err != nil {
		return nil, false, err
	}
	for _, d := range docs {
		for _, h := range d.DocHashes {
			if h == "" {
				return nil, false, nil
			}
			if h != hash && !slices.Contains(old, h) {
				old = append(old, h)
			}
		}
	}
	return old, true, nil
}

// prune deletes the chunks of documents that are no longer among the
// sources (a file deleted from the folder must not be cited any more).
func (in *Ingester) prune(ctx context.Context, corpus string, all []source) (int, error) {
	keep := make([]string, 0, len(all))
	for _, s := range all {
		loc, err := filepath.Abs(s.Key)
		if err != nil {
			return 0, fmt.Errorf("prune %s: %w", corpus, err)
		}
		keep = append(keep, memory.SourceID(corpus, loc))
	}
	gone := memory.Filter{Corpus: corpus, ExcludeSourceIDs: keep}
	n, err := in.Store.Count(ctx, gone)
	if err != nil || n == 0 {
		return 0, err
	}
	if err := in.Store.Delete(ctx, gone); err != nil {
		return 0, fmt.Errorf("prune %d chunks of removed documents from %s: %w", n, corpus, err)
	}
	return n, nil
}

// dropMissing deletes the chunks of the corpus's documents whose files
// are gone from under root (a folder or a file): deleted or renamed since
// they were read. A document whose file is still there is kept whether or
// not the walk read it (a twin whose chosen format failed to load, a file
// ingested by another run meanwhile), as is one the walk could not have
// read (under a hidden folder, such as a data dir holding uploads) or one
// under a path the walk skipped with an error (a link to a drive that is
// not mounted). It needs a store that lists documents
// (memory.DocumentLister: the embedded and Qdrant stores); with another it
// drops nothing.
func (in *Ingester) dropMissing(ctx context.Context, corpus, root string, skips []Skipped) (int, error) {
	lister, ok := in.Store.(memory.DocumentLister)
	if !ok {
		return 0, nil
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return 0, fmt.Errorf("drop missing documents of %s: %w", corpus, err)
	}
	docs, err := lister.Documents(ctx, memory.Filter{Corpus: corpus})
	if err != nil {
		return 0, fmt.Errorf("drop missing documents of %s: list: %w", corpus, err)
	}
	var gone []string
	for _, d := range docs {
		if missingUnder(root, d.Location, skips) {
			gone = append(gone, d.SourceID)
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	f := memory.Filter{Corpus: corpus, SourceIDs: gone}
	n, err := in.Store.Count(ctx, f)
	if err != nil || n == 0 {
		return 0, err
	}
	if err := in.Store.Delete(ctx, f); err != nil {
		return 0, fmt.Errorf("drop %d chunks of %d documents missing from %s: %w", n, len(gone), root, err)
	}
	return n, nil
}

// missingUnder reports whether the file at loc was under root, where the
// walk reads, and is gone (see dropMissing).
func missingUnder(root, loc string, skips []Skipped) bool {
	if !filepath.IsAbs(loc) {
		return false // a URL, or no file path
	}
	rel, err := filepath.Rel(root, loc)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false
	}
	if rel != "." {
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			if strings.HasPrefix(part, ".") {
				return false // the walk passes hidden files and folders over
			}
		}
	}
	for _, s := range skips {
		p, err := filepath.Abs(s.Path)
		if err != nil || loc == p || strings.HasPrefix(loc, strings.TrimSuffix(p, string(filepath.Separator))+string(filepath.Separator)) {
			return false // under a path the walk could not read
		}
	}
	_, err = os.Lstat(loc)
	return errors.Is(err, fs.ErrNotExist)
}

// ErrGoDocsReadOnly refuses a folder ingested into the default corpus,
// which every owner researches and which is read from the Go installation
// only: a prune of a folder there (`starter ingest DIR --corpus go-docs
// --prune`) dropped the Go documentation itself, and without prune the
// folder's files were mixed into it for everyone.
var ErrGoDocsReadOnly = fmt.Errorf("%q is the public corpus, read from the Go installation only: ingest the folder into a corpus of its own (another name, or rename the folder)", GoDocsCorpus)

// sources lists what the request names, sorted by key.
func (in *Ingester) sources(ctx context.Context, req IngestRequest, corpus string) ([]source, []Skipped, error) {
	switch {
	case req.GoDocs && req.Path != "":
		return nil, nil, errors.New("ingest: give Path or GoDocs, not both")
	case req.GoDocs:
		root := req.GoRoot
		if root == "" {
			var err error
			if root, err = GoRoot(ctx); err != nil {
				return nil, nil, fmt.Errorf("ingest go docs: %w", err)
			}
		}
		return goDocSources(ctx, root, corpus)
	case req.Path != "":
		files, skipped, err := Walk(ctx, req.Path)
		if err != nil {
			return nil, nil, fmt.Errorf("ingest: %w", err)
		}
		srcs := make([]source, len(files))
		for i, f := range files {
			srcs[i] = source{Key: f, load: func(ctx context.Context) (Document, error) { return LoadFile(ctx, corpus, f) }}
		}
		return srcs, skipped, nil
	}
	return nil, nil, errors.New("ingest: no Path and no GoDocs")
}
