// Package embedded is the in-process memory backend: a persistent store of
// chunks under a data directory with lexical (BM25), dense (cosine) and
// hybrid (reciprocal rank fusion) retrieval. It needs no server.
//
// Every Upsert and Delete call is appended as one checksummed record to a
// log of segment files and fsynced before it returns. The index is
// checkpointed (see checkpoint.go): an image of it, written beside the log
// and renamed into place, after which the segments it covers are removed.
// Open maps the checkpoint into memory, using its largest arrays and the
// chunks' text in place, and replays only the log after it; a torn
// record at the end (the process died mid-write) is cut off, so at worst
// the last call is lost and must be redone by its caller. A checkpoint is
// written when the log since the last one has grown to twice its size, at
// Close when there is log to cover, and at compaction, which first drops
// the dead documents when dead records dominate. A lock file keeps a
// second process from opening the same directory; the checkpoint file is
// only ever replaced by a rename, never changed in place, so the mapping
// stays valid (the space of a replaced checkpoint comes back at Close).
//
// Dense search is exact for small stores. Larger ones are scanned by the
// Hamming distance between sign bits of the centered vectors; the closest
// candidates are narrowed by an asymmetric estimate (full-precision query
// against the sign bits) and the best of those re-ranked by exact cosine.
// The codes need no training: the center is recomputed whenever the store
// doubles in size.
package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/textproc"
)

var (
	_ memory.Store          = (*Store)(nil)
	_ memory.DocumentLister = (*Store)(nil)
)

var (
	// ErrEmbeddingMismatch means a store, vector or query disagrees with the
	// embedding model or dimension the store was created with.
	ErrEmbeddingMismatch = errors.New("embedding mismatch")
	// ErrEmptyFilter refuses a Delete that would remove everything.
	ErrEmptyFilter = errors.New("empty filter")
	// ErrLocked means another process (or another Store) has the directory open.
	ErrLocked = errors.New("store is locked by another process")
	// ErrClosed is returned by calls on a closed store.
	ErrClosed = errors.New("store is closed")
)

const (
	defaultTopK = 10
	// maxSegmentSize is the size after which a new segment is started.
	maxSegmentSize = 64 << 20
	// Compaction runs after a write when dead records are at least
	// compactMinDead and outnumber the live chunks.
	compactMinDead = 1024

	// storeFormat is the format in meta.json: 2 is a log that may start
	// after a checkpoint; 1 (logFormat) is a log from its beginning, which
	// this build reads and upgrades at its first checkpoint.
	storeFormat = 2

	metaFile = "meta.json"
	lockFile = "LOCK"
)

// Options configure a store.
type Options struct {
	// EmbeddingModel names the model that made the vectors; it is recorded
	// on first use and must match on every later Open.
	EmbeddingModel string
	// Dim is the vector dimension; 0 means no dense vectors (lexical only).
	Dim int
	// Logger receives warnings (a cut torn record, a failed compaction).
	// Nil means slog.Default().
	Logger *slog.Logger
}

// meta is what the store records about itself in meta.json.
type meta struct {
	Format         int    `json:"format"`
	EmbeddingModel string `json:"embeddingModel"`
	Dim            int    `json:"dim"`
}

// Store is the embedded memory backend. It is safe for concurrent use.
// Chunks returned by Search and Get carry no Vector.
type Store struct {
	dir  string
	opt  Options
	log  *slog.Logger
	lock *os.File
	pool sync.Pool // *scratch

	mu      sync.RWMutex
	closed  bool
	broken  error // a failed write left the log in an unknown state
	idx     *index
	seg     *os.File
	segNum  int
	segSize int64
	dead    int // records in the log that no longer describe a live chunk

	metaFormat int   // format recorded in meta.json
	ckptSize   int64 // size of the last checkpoint
	// mapped is the checkpoint the store opened with, mapped into memory
	// with parts of the index in it (see readCheckpoint); Close releases
	// it.
	mapped       *mapped
	logSinceCkpt int64 // bytes of log after the last checkpoint
	ckptMinLog   int64 // checkpointMinLog; tests set -n to checkpoint after every n bytes of log
	closeMinLog  int64 // closeCheckpointMinLog; tests lower it
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, opt Options) (*Store, error) {
	if opt.Dim < 0 || opt.Dim >= 1<<16-1 {
		return nil, fmt.Errorf("open embedded store %s: dimension %d out of range", dir, opt.Dim)
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	lock, err := lockDir(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, fmt.Errorf("open embedded store %s: %w", dir, err)
	}
	s := &Store{dir: dir, opt: opt, log: opt.Logger.With("store", dir), lock: lock, idx: newIndex(opt.Dim), ckptMinLog: checkpointMinLog, closeMinLog: closeCheckpointMinLog}
	s.pool.New = func() any { return new(scratch) }
	if err := s.load(); err != nil {
		// A load that failed after mapping the checkpoint or opening a
		// segment leaves them to give back.
		s.mapped.release()
		if s.seg != nil {
			s.seg.Close()
		}
		unlockDir(lock)
		return nil, fmt.Errorf("open embedded store %s: %w", dir, err)
	}
	return s, nil
}

func (s *Store) load() error {
	if err := s.checkMeta(); err != nil {
		return err
	}
	tmps, _ := filepath.Glob(filepath.Join(s.dir, "*.tmp"))
	for _, t := range tmps {
		if err := os.Remove(t); err != nil {
			return fmt.Errorf("remove leftover %s: %w", t, err)
		}
	}
	nums, err := listSegments(s.dir)
	if err != nil {
		return err
	}
	// A snapshot segment (written by compaction before checkpoints) holds
	// every live chunk: everything before the last one is superseded.
	first, snapshot := 0, false
	for i, n := range nums {
		kind, err := segmentKind(filepath.Join(s.dir, segmentName(n)))
		if err != nil {
			return err
		}
		if kind == segSnapshot {
			first, snapshot = i, true
		}
	}

	c, err := readCheckpoint(s.dir, s.opt.Dim)
	switch {
	case err == nil && (!snapshot || c.pos.seg >= nums[first]):
		return s.loadFrom(c, nums)
	case err == nil:
		// Older than the snapshot segment: not used.
		if err := c.m.release(); err != nil {
			return fmt.Errorf("release checkpoint: %w", err)
		}
	case errors.Is(err, fs.ErrNotExist):
	case errors.Is(err, errBadCheckpoint):
		// Only a damaged disk leaves a checkpoint that does not check out
		// (it is renamed into place whole). The log alone is enough when it
		// still starts at its beginning or at a snapshot.
		if len(nums) == 0 || (nums[0] != 1 && !(snapshot && first == 0)) {
			return fmt.Errorf("%w; the log segments it covers are gone: restore the directory or ingest again", err)
		}
		s.log.Warn("ignoring a damaged checkpoint; the whole log is replayed", "err", err)
		if err := os.Remove(filepath.Join(s.dir, checkpointFile)); err != nil {
			return fmt.Errorf("remove damaged checkpoint: %w", err)
		}
	default:
		return err
	}

	for _, n := range nums[:first] {
		if err := os.Remove(filepath.Join(s.dir, segmentName(n))); err != nil {
			return fmt.Errorf("remove superseded segment: %w", err)
		}
	}
	nums = nums[first:]
	s.idx.deferCodes = true
	if err := s.replaySegments(nums, 0); err != nil {
		return err
	}
	s.idx.deferCodes = false
	s.idx.recenter()
	return s.openActive(nums)
}

// loadFrom takes x, loaded from a checkpoint of the log up to pos, as the
// index and replays the log after pos as the writes did (codes computed as
// chunks are added, the center recomputed when the store has doubled), so
// the index is the one the last process had.
func (s *Store) loadFrom(c *loadedCheckpoint, nums []int) error {
	x, pos := c.x, c.pos
	s.ckptSize = int64(len(c.m.b))
	s.idx, s.dead, s.mapped = x, c.dead, c.m
	// The checkpoint's terms were made by the analysis of the build that
	// wrote it; its chunks' text is tokenized again before the log after it
	// is replayed (with this build's analysis) so that every term is of one
	// version and meets the queries' terms.
	reanalysed := x.analysis != textproc.AnalysisVersion
	if reanalysed {
		start, was := time.Now(), x.analysis
		x.reanalyse()
		s.log.Info("checkpoint was indexed by another text analysis; analysed its chunks again and writing a new checkpoint",
			"checkpointAnalysis", was, "analysis", textproc.AnalysisVersion, "chunks", x.live, "took", time.Since(start))
	}
	var tail []int
	for _, n := range nums {
		covered := n < pos.seg
		if n == pos.seg {
			// Writes after a checkpoint go to a new segment, so this one
			// only holds more records if starting that segment failed.
			st, err := os.Stat(filepath.Join(s.dir, segmentName(n)))
			if err != nil {
				return fmt.Errorf("stat segment: %w", err)
			}
			covered = st.Size() <= pos.offset
		}
		if covered {
			// Left by a crash before their removal.
			if err := os.Remove(filepath.Join(s.dir, segmentName(n))); err != nil {
				return fmt.Errorf("remove covered segment: %w", err)
			}
			continue
		}
		tail = append(tail, n)
	}
	from := int64(0)
	if len(tail) > 0 && tail[0] == pos.seg {
		from = pos.offset
	}
	if err := s.replaySegments(tail, from); err != nil {
		return err
	}
	s.segNum = pos.seg // with no segment left, the next one follows the checkpoint's
	if err := s.openActive(tail); err != nil {
		return err
	}
	switch {
	case reanalysed:
		// The checkpoint's terms are no longer the index's: write one of
		// the new terms now. The store is whole without it (the next open
		// analyses the old one again), so a failed write (a full disk) is
		// no reason to refuse the open.
		if err := s.checkpoint(); err != nil {
			s.log.Warn("could not write the checkpoint of the new analysis; the next open analyses the chunks again", "err", err)
		}
	case c.format < ckptFormat:
		// An earlier format opens through copies; the next open maps the
		// current one in place. The store is whole without it, so a failed
		// write (a full disk) is no reason to refuse the open: the next
		// open tries again.
		start := time.Now()
		if err := s.checkpoint(); err != nil {
			s.log.Warn("could not write the checkpoint in the current format; opening from the earlier one", "format", c.format, "err", err)
			return nil
		}
		s.log.Info("wrote the checkpoint in the current format", "was", c.format, "format", ckptFormat, "chunks", x.live, "took", time.Since(start))
	}
	return nil
}

// replaySegments replays the segments nums in order, the first from byte
// offset from, cutting a torn tail off the last one.
func (s *Store) replaySegments(nums []int, from int64) error {
	for i, n := range nums {
		path := filepath.Join(s.dir, segmentName(n))
		start := int64(0)
		if i == 0 {
			start = from
		}
		good, intact, err := readSegmentFrom(path, start, func(r record) error {
			if err := s.replay(r); err != nil {
				return err
			}
			if r.op == opUpsert {
				s.idx.maybeRecenter()
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("replay %s: %w", segmentName(n), err)
		}
		if st, err := os.Stat(path); err == nil {
			// Records only: a segment's header is no log to checkpoint.
			s.logSinceCkpt += max(0, min(good, st.Size())-max(start, int64(len(encodeHeader(segContinue)))))
		}
		if intact {
			continue
		}
		if i != len(nums)-1 {
			return fmt.Errorf("replay %s: corrupt record at offset %d in a sealed segment", segmentName(n), good)
		}
		s.log.Warn("cutting torn tail of the log; the last write before a crash is lost", "segment", segmentName(n), "offset", good)
		if err := os.Truncate(path, good); err != nil {
			return fmt.Errorf("cut torn tail of %s: %w", segmentName(n), err)
		}
	}
	return nil
}

// openActive opens the last of the segments nums for appending (or starts
// one after n when there are none) and compacts if dead records dominate.
func (s *Store) openActive(nums []int) error {
	if len(nums) == 0 {
		return s.startSegment(s.segNum + 1)
	}
	s.segNum = nums[len(nums)-1]
	path := filepath.Join(s.dir, segmentName(s.segNum))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open segment: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("stat segment: %w", err)
	}
	s.seg, s.segSize = f, st.Size()
	if s.segSize == 0 {
		if err := s.write(encodeHeader(segContinue)); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync segment: %w", err)
	}
	if s.dead >= compactMinDead && s.dead > s.idx.live {
		return s.compact()
	}
	return nil
}

func (s *Store) checkMeta() error {
	path := filepath.Join(s.dir, metaFile)
	want := meta{Format: storeFormat, EmbeddingModel: s.opt.EmbeddingModel, Dim: s.opt.Dim}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b, err := json.MarshalIndent(want, "", "  ")
		if err != nil {
			return err
		}
		s.metaFormat = storeFormat
		return writeFileAtomic(path, append(b, '\n'))
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", metaFile, err)
	}
	var got meta
	if err := json.Unmarshal(b, &got); err != nil {
		return fmt.Errorf("read %s: %w", metaFile, err)
	}
	if got.Format != logFormat && got.Format != storeFormat {
		return fmt.Errorf("store format %d, this build reads %d and %d", got.Format, logFormat, storeFormat)
	}
	if got.EmbeddingModel != want.EmbeddingModel || got.Dim != want.Dim {
		return fmt.Errorf("store was made with model %q dim %d, opened with model %q dim %d: %w",
			got.EmbeddingModel, got.Dim, want.EmbeddingModel, want.Dim, ErrEmbeddingMismatch)
	}
	s.metaFormat = got.Format
	return nil
}

// upgradeMeta records storeFormat in meta.json before the first checkpoint:
// a build that reads only the log must refuse a store whose log no longer
// starts at the beginning.
func (s *Store) upgradeMeta() error {
	if s.metaFormat == storeFormat {
		return nil
	}
	b, err := json.MarshalIndent(meta{Format: storeFormat, EmbeddingModel: s.opt.EmbeddingModel, Dim: s.opt.Dim}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(s.dir, metaFile), append(b, '\n')); err != nil {
		return err
	}
	s.metaFormat = storeFormat
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// replay applies one log record to the index.
func (s *Store) replay(r record) error {
	switch r.op {
	case opUpsert:
		for _, c := range r.chunks {
			if s.idx.dim != len(c.Vector) {
				return fmt.Errorf("chunk %s has a %d-dim vector in a %d-dim store: %w", c.ID, len(c.Vector), s.idx.dim, ErrEmbeddingMismatch)
			}
		}
		ps := prepareAll(r.chunks)
		s.idx.reserve(len(ps))
		for i := range ps {
			if s.idx.add(&ps[i]) {
				s.dead++
			}
		}
	case opDeleteIDs:
		s.dead++
		for _, id := range r.ids {
			if d, ok := s.idx.byID[id]; ok {
				s.idx.kill(d)
				s.dead++
			}
		}
	case opDelete:
		s.dead++
		if legacyDeleteAmbiguous(r.filter) {
			// Written before deletes were logged by ID: the record cannot say
			// whether the call was a prune that kept some sources (their IDs
			// were not logged) or a delete of the whole corpus. Replaying it
			// could delete documents the call kept, so it is skipped: at
			// worst chunks of removed files come back until the next prune.
			s.log.Warn("skipping a delete record of an older store format that may have been a prune; run the ingestion with --prune again to drop removed files",
				"corpus", r.filter.Corpus)
			return nil
		}
		for _, d := range s.idx.matching(s.idx.compile(r.filter)) {
			s.idx.kill(d)
			s.dead++
		}
	}
	return nil
}

// legacyDeleteAmbiguous reports whether an opDelete record may have been
// executed with a narrower filter than it holds: its only narrowing field
// lost on the way to the log was ExcludeSourceIDs, which only ever
// accompanied a corpus-wide filter.
func legacyDeleteAmbiguous(f memory.Filter) bool {
	return f.SourceID == "" && f.DocHash == "" && len(f.SourceIDs) == 0
}

// startSegment creates segment n with a continuation header and makes it
// the active one.
func (s *Store) startSegment(n int) error {
	path := filepath.Join(s.dir, segmentName(n))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	if _, err := f.Write(encodeHeader(segContinue)); err != nil {
		f.Close()
		return fmt.Errorf("write segment header: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync segment: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		f.Close()
		return err
	}
	if s.seg != nil {
		s.seg.Close()
	}
	s.seg, s.segNum, s.segSize = f, n, int64(len(encodeHeader(segContinue)))
	return nil
}

// write appends b to the active segment and fsyncs it. On failure it cuts
// the segment back so that later records do not follow a torn one.
func (s *Store) write(b []byte) error {
	if s.broken != nil {
		return fmt.Errorf("log unusable after an earlier failure: %w", s.broken)
	}
	_, err := s.seg.Write(b)
	if err == nil {
		err = s.seg.Sync()
	}
	if err != nil {
		if terr := s.seg.Truncate(s.segSize); terr != nil {
			s.broken = err
		}
		return fmt.Errorf("append to %s: %w", segmentName(s.segNum), err)
	}
	s.segSize += int64(len(b))
	s.logSinceCkpt += int64(len(b))
	return nil
}

// Upsert stores chunks, replacing any with the same ID. The call is one
// durable batch: when it returns nil, every chunk survives a crash.
func (s *Store) Upsert(ctx context.Context, chunks []memory.Chunk) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("upsert: %w", err)
	}
	if len(chunks) == 0 {
		return nil
	}
	norm := make([]memory.Chunk, len(chunks))
	for i, c := range chunks {
		if c.ID == "" {
			return fmt.Errorf("upsert: chunk %d has no ID", i)
		}
		if len(c.Vector) != s.opt.Dim {
			return fmt.Errorf("upsert chunk %s: vector has %d dimensions, store has %d: %w", c.ID, len(c.Vector), s.opt.Dim, ErrEmbeddingMismatch)
		}
		if c.Vector != nil {
			c.Vector = normalized(c.Vector)
		}
		norm[i] = c
	}
	ps := prepareAll(norm)
	rec := appendUpsert(nil, norm)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("upsert: %w", ErrClosed)
	}
	if err := s.write(rec); err != nil {
		return fmt.Errorf("upsert %d chunks: %w", len(chunks), err)
	}
	s.idx.reserve(len(ps))
	for i := range ps {
		if s.idx.add(&ps[i]) {
			s.dead++
		}
	}
	s.idx.maybeRecenter()
	s.maintain()
	return nil
}

// Delete removes the chunks matching f. An empty filter is refused.
func (s *Store) Delete(ctx context.Context, f memory.Filter) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if filterEmpty(f) {
		return fmt.Errorf("delete: %w: refusing to delete everything", ErrEmptyFilter)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("delete: %w", ErrClosed)
	}
	docs := s.idx.matching(s.idx.compile(f))
	if len(docs) == 0 {
		return nil
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = s.idx.id(d)
	}
	if err := s.write(appendDeleteIDs(nil, ids)); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	for _, d := range docs {
		s.idx.kill(d)
	}
	s.dead += len(docs) + 1
	s.maintain()
	return nil
}

// maintain compacts the log when dead records dominate, checkpoints the
// index when the log since the last checkpoint is twice as large, or starts
// a new segment when the active one is full. The write that triggered it is
// already durable, so a failure here is logged, not returned.
func (s *Store) maintain() {
	var err error
	switch {
	case s.dead >= compactMinDead && s.dead > s.idx.live:
		err = s.compact()
	case s.checkpointDue():
		err = s.checkpoint()
	case s.segSize >= maxSegmentSize:
		err = s.startSegment(s.segNum + 1)
	}
	if err != nil {
		s.log.Warn("log maintenance failed; will retry after the next write", "err", err)
	}
}

// Compact drops the dead documents from the index and checkpoints it,
// removing the log segments. Writes call it on their own when dead records dominate.
func (s *Store) Compact(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("compact: %w", ErrClosed)
	}
	return s.compact()
}

func (s *Store) compact() error {
	dead := s.dead
	s.idx.rebuild()
	s.dead = 0
	if err := s.checkpoint(); err != nil {
		s.dead = dead // the log still holds them
		return fmt.Errorf("compact: %w", err)
	}
	return nil
}

// checkpoint writes the index as of the end of the active segment, starts
// a new segment and removes the ones the checkpoint covers. Once the
// checkpoint is renamed into place it is the base of the log: a failure
// after that leaves covered segments that Open ignores.
func (s *Store) checkpoint() error {
	if err := s.upgradeMeta(); err != nil {
		return err
	}
	pos := ckptPos{seg: s.segNum, offset: s.segSize}
	size, err := s.idx.writeCheckpoint(s.dir, pos, s.dead)
	if err != nil {
		return err
	}
	s.ckptSize, s.logSinceCkpt = size, 0
	if err := s.startSegment(pos.seg + 1); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	s.broken = nil
	return s.removeSegmentsThrough(pos.seg)
}

// checkpointDue reports whether the log since the last checkpoint is long
// enough for a write to checkpoint: twice as long as the checkpoint, so
// that checkpoints cost at most about half the bytes the writes log.
func (s *Store) checkpointDue() bool {
	if s.ckptMinLog < 0 {
		return s.logSinceCkpt >= -s.ckptMinLog
	}
	return s.logSinceCkpt >= max(s.ckptMinLog, 2*s.ckptSize)
}

// removeSegmentsThrough removes the segments numbered n or less.
func (s *Store) removeSegmentsThrough(n int) error {
	nums, err := listSegments(s.dir)
	if err != nil {
		return err
	}
	for _, m := range nums {
		if m <= n {
			if err := os.Remove(filepath.Join(s.dir, segmentName(m))); err != nil {
				return fmt.Errorf("remove covered segment: %w", err)
			}
		}
	}
	return syncDir(s.dir)
}

// Search returns the chunks best matching q: BM25 (with the ordered-pair
// proximity bonus) for a text query, cosine for a vector query, and, when q
// has both, reciprocal rank fusion of three rankings: BM25 with proximity,
// the ordered pairs alone (see phrases) and cosine. Scores are comparable
// only within one result list.
func (s *Store) Search(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	k := q.TopK
	if k <= 0 {
		k = defaultTopK
	}
	if strings.TrimSpace(q.Text) == "" && len(q.Vector) == 0 {
		return nil, fmt.Errorf("search: query has neither text nor vector")
	}
	var vec []float32
	if len(q.Vector) > 0 {
		if len(q.Vector) != s.opt.Dim {
			return nil, fmt.Errorf("search: query vector has %d dimensions, store has %d: %w", len(q.Vector), s.opt.Dim, ErrEmbeddingMismatch)
		}
		vec = normalized(q.Vector)
	}
	terms := distinct(textproc.Tokenize(q.Text))

	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, fmt.Errorf("search: %w", ErrClosed)
	}
	x := s.idx
	m := x.compile(q.Filter)
	var res []scored
	switch {
	case vec != nil && len(terms) > 0:
		// The term and dense rankings read the index (under the read lock)
		// and disjoint scratch buffers, so they run side by side.
		depth := fuseDepth * k
		denseDone := make(chan []scored, 1)
		go func() { denseDone <- x.dense(vec, m, depth, sc) }()
		lex := x.bm25(terms, m, depth, sc)
		bonus := x.phraseBonus(terms, lex)
		res = x.fuse(k, x.proximity(lex, bonus), x.phrases(lex, bonus), <-denseDone)
	case vec != nil:
		res = x.dense(vec, m, k, sc)
	default:
		lex := x.bm25(terms, m, max(k, fuseDepth*k), sc)
		res = x.proximity(lex, x.phraseBonus(terms, lex))
		if len(res) > k {
			res = res[:k]
		}
	}
	hits := make([]memory.Hit, len(res))
	for i, r := range res {
		hits[i] = memory.Hit{Chunk: detached(x.chunk(r.doc)), Score: r.score}
	}
	return hits, nil
}

func distinct(terms []string) []string {
	seen := make(map[string]bool, len(terms))
	out := terms[:0]
	for _, t := range terms {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// Get returns the chunks with the given IDs in the order asked; unknown IDs
// are left out.
func (s *Store) Get(ctx context.Context, ids []string) ([]memory.Chunk, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, fmt.Errorf("get: %w", ErrClosed)
	}
	out := make([]memory.Chunk, 0, len(ids))
	for _, id := range ids {
		if d, ok := s.idx.byID[id]; ok {
			out = append(out, detached(s.idx.chunk(d)))
		}
	}
	return out, nil
}

// Count returns the number of chunks matching f.
func (s *Store) Count(ctx context.Context, f memory.Filter) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, fmt.Errorf("count: %w", ErrClosed)
	}
	return s.idx.count(s.idx.compile(f)), nil
}

// Close releases the store and its lock. Calling it twice is harmless.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	if s.broken == nil && s.logSinceCkpt >= max(s.closeMinLog, s.ckptSize/32) {
		// The next Open then reads the index instead of replaying the log.
		if err := s.checkpoint(); err != nil {
			s.log.Warn("checkpoint at close failed; the next open replays the log", "err", err)
		}
	}
	s.closed = true
	err := s.seg.Close()
	s.idx = nil // parts of it live in the mapping
	if uerr := s.mapped.release(); err == nil {
		err = uerr
	}
	if uerr := unlockDir(s.lock); err == nil {
		err = uerr
	}
	if err != nil {
		return fmt.Errorf("close embedded store %s: %w", s.dir, err)
	}
	return nil
}

// Documents implements memory.DocumentLister: the documents whose chunks
// match f, each with its chunk count.
func (s *Store) Documents(ctx context.Context, f memory.Filter) ([]memory.Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, fmt.Errorf("documents: %w", ErrClosed)
	}
	ds := s.idx.matching(s.idx.compile(f))
	docs := memory.Documents(func(yield func(memory.Chunk) bool) {
		for _, d := range ds {
			if !yield(s.idx.chunk(d)) {
				return
			}
		}
	})
	for i := range docs {
		d := &docs[i]
		d.SourceID, d.Title, d.Location = strings.Clone(d.SourceID), strings.Clone(d.Title), strings.Clone(d.Location)
		for j, h := range d.DocHashes {
			d.DocHashes[j] = strings.Clone(h)
		}
	}
	return docs, nil
}

// detached returns c with its strings copied (in one allocation): a
// chunk's strings may point into the mapped checkpoint, which Close
// releases, and what the store hands out must outlive it.
func detached(c memory.Chunk) memory.Chunk {
	fields := [...]*string{&c.ID, &c.Corpus, &c.SourceID, &c.SourceTitle, &c.SourceLocation, &c.Section, &c.Text, &c.ContentHash, &c.DocHash}
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	all := b.String()
	for _, f := range fields {
		k := len(*f)
		*f, all = all[:k], all[k:]
	}
	return c
}
