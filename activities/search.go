package activities

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
	"time"

	"github.com/researchflow/researchflow/internal/doctypes"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/activity"

	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/textproc"
)

// SearchStore is what the search pool needs of memory.
type SearchStore interface {
	Search(ctx context.Context, q memory.Query) ([]memory.Hit, error)
	Count(ctx context.Context, f memory.Filter) (int, error)
}

// Ingester loads documents into memory (corpus.Ingester).
type Ingester interface {
	Ingest(ctx context.Context, req corpus.IngestRequest, progress func(corpus.IngestProgress)) (corpus.IngestStats, error)
}

// Search serves the search pool: corpus preparation, ingestion and retrieval.
type Search struct {
	Store    SearchStore
	Ingester Ingester
	// Searchers are the search providers by source name (rf.SourceWeb,
	// rf.SourceArxiv, …); Fetcher reads their result pages and Pages
	// stores them. A source without a searcher is not configured.
	Searchers map[string]WebSearcher
	Fetcher   PageFetcher
	Pages     ChunkWriter
	// GoRoot is where the default corpus is read from ("" = `go env GOROOT`).
	GoRoot string
	Logger *slog.Logger

	mu sync.Mutex
	// goDocsReady is set once the Go docs were checked by this process: they
	// do not change while it runs.
	goDocsReady bool
}

// PrepareCorpus makes sure the corpus is in memory: the Go documentation is
// ingested on first use (and re-checked once per worker process, which
// costs a hash per file); a folder is ingested (unchanged files cost
// nothing); a named corpus must already hold chunks.
func (a *Search) PrepareCorpus(ctx context.Context, in workflows.PrepareCorpusInput) (workflows.PrepareCorpusResult, error) {
	res := workflows.PrepareCorpusResult{Corpus: in.Corpus}
	switch {
	case in.Path != "":
		if _, err := os.Stat(in.Path); err != nil {
			return res, invalid(workflows.ErrCorpusNotFound, fmt.Sprintf("corpus folder %s: %v", in.Path, err))
		}
		sum, err := a.ingest(ctx, corpus.IngestRequest{Corpus: in.Corpus, Path: in.Path, Prune: in.Prune, DropMissing: true})
		if err != nil {
			return res, err
		}
		res.Ingest = sum
	case in.Corpus == corpus.GoDocsCorpus:
		a.mu.Lock()
		ready := a.goDocsReady
		a.mu.Unlock()
		if !ready {
			goroot := a.GoRoot
			if goroot == "" {
				var err error
				if goroot, err = corpus.GoRoot(ctx); err != nil {
					return res, invalid(workflows.ErrCorpusNotFound, "the default corpus needs a Go installation: "+err.Error())
				}
			}
			sum, err := a.ingest(ctx, corpus.IngestRequest{Corpus: in.Corpus, GoDocs: true, GoRoot: goroot})
			if err != nil {
				return res, err
			}
			res.Ingest = sum
			a.mu.Lock()
			a.goDocsReady = true
			a.mu.Unlock()
		}
	}
	n, err := a.Store.Count(ctx, memory.Filter{Corpus: in.Corpus})
	if err != nil {
		return res, classify(fmt.Errorf("count corpus %s: %w", in.Corpus, err))
	}
	if n == 0 {
		if in.Path != "" {
			return res, invalid(workflows.ErrCorpusEmpty, fmt.Sprintf("corpus folder %s has no readable file (%s are read)", in.Path, doctypes.Text()))
		}
		return res, invalid(workflows.ErrCorpusNotFound, unknownCorpus(in.Corpus))
	}
	res.Chunks = n
	return res, nil
}

// CountCorpus counts the chunks corpus holds (0 for one nothing filled):
// CorpusCountWorkflow's answer to a client that holds no memory.
func (a *Search) CountCorpus(ctx context.Context, corpus string) (int, error) {
	n, err := a.Store.Count(ctx, memory.Filter{Corpus: corpus})
	if err != nil {
		return 0, classify(fmt.Errorf("count corpus %s: %w", corpus, err))
	}
	return n, nil
}

// unknownCorpus says how to fill corpus, in the words of both surfaces that
// can: an upload (web app or HTTP API) or the starter. A corpus the gateway
// stores for an API key's owner (OWNER--NAME, rf.ScopedCorpus) is named as
// its owner knows it, and the starter fills it with --owner.
func unknownCorpus(corpus string) string {
	if owner, name, ok := strings.Cut(corpus, rf.ScopeSeparator); ok {
		flag := " --owner " + owner
		if owner == rf.LocalOwner {
			flag = ""
		}
		return fmt.Sprintf("corpus %q of %s is empty or unknown: add its files first (upload them to the corpus %s, or run: starter ingest DIR --corpus %s%s)", name, owner, name, name, flag)
	}
	return fmt.Sprintf("corpus %q is empty or unknown: add its files first (upload them to the corpus %s, or run: starter ingest DIR --corpus %s)", corpus, corpus, corpus)
}

// Ingest ingests up to MaxFiles files after the cursor. It heartbeats the
// cursor after every file; a retried attempt resumes from the last one.
func (a *Search) Ingest(ctx context.Context, in workflows.IngestBatchInput) (rf.IngestSummary, error) {
	if in.Corpus == "" || in.Path == "" {
		return rf.IngestSummary{}, invalid(workflows.ErrInvalidInput, "ingest needs a corpus and a path")
	}
	// A relative path would be read from this worker's working directory,
	// which whoever started the ingestion neither sees nor chose. Refused
	// here rather than in IngestInput.Normalize, so that the histories of
	// ingestions started before replay as they ran.
	if !filepath.IsAbs(in.Path) {
		return rf.IngestSummary{}, invalid(workflows.ErrInvalidInput, fmt.Sprintf(
			"path must be absolute: %q would be read from the search worker's working directory; give the folder's absolute path (starter ingest makes a relative one absolute)", in.Path))
	}
	if _, err := os.Stat(in.Path); err != nil {
		return rf.IngestSummary{}, invalid(workflows.ErrCorpusNotFound, fmt.Sprintf("%s: %v", in.Path, err))
	}
	// Each call lists as many skipped files as the workflow's whole list
	// holds: a batch that stopped at corpus.MaxReportedSkips (100) left the
	// files it passed unlisted, though the list had room for them. A call
	// lists each skipped file of its batch once, so the bound keeps one
	// summary as small as the workflow's result.
	return a.ingest(ctx, corpus.IngestRequest{Corpus: in.Corpus, Path: in.Path, After: in.After, MaxFiles: in.MaxFiles, Prune: in.Prune,
		MaxSkipsListed: workflows.MaxReportedSkips})
}

// ingestCheckpoint is the heartbeat detail of an ingestion: the last file
// done and what the attempt counted up to it, so that a retried attempt
// resumes after that file and still reports the whole call's counts.
type ingestCheckpoint struct {
	// After is the cursor the call started from; a checkpoint of another
	// call is ignored.
	After     string `json:"after"`
	Cursor    string `json:"cursor"`
	Total     int    `json:"total"`
	Files     int    `json:"files"`
	Unchanged int    `json:"unchanged"`
	Chunks    int    `json:"chunks"`
	// SkippedTotal counts the files skipped so far; Skipped lists them (up
	// to the call's bound), so that a retried attempt reports the files an
	// earlier attempt skipped before its checkpoint.
	SkippedTotal int              `json:"skippedTotal,omitempty"`
	Skipped      []rf.SkippedFile `json:"skipped,omitempty"`
}

func (a *Search) ingest(ctx context.Context, req corpus.IngestRequest) (rf.IngestSummary, error) {
	isActivity := activity.IsActivity(ctx)
	cp := ingestCheckpoint{After: req.After, Cursor: req.After}
	if isActivity && activity.HasHeartbeatDetails(ctx) {
		var last ingestCheckpoint
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil && last.After == req.After && last.Cursor > req.After {
			activity.GetLogger(ctx).Info("resuming ingestion", "after", last.Cursor, "files", last.Files)
			cp = last
		}
	}
	// The files of this call after the resume point are counted on top of
	// the checkpoint; MaxFiles bounds the whole call, not each attempt.
	base := cp
	resumed := req
	resumed.After = base.Cursor
	// The walk's skips count from where the call began.
	resumed.Resumed, resumed.From = base.Cursor != req.After, req.After
	if req.MaxFiles > 0 {
		resumed.MaxFiles = req.MaxFiles - base.Files
		if resumed.MaxFiles <= 0 {
			resumed.MaxFiles = 1 // a checkpoint at the batch's end: check Done
		}
	}
	listed := req.SkipsListed()
	// The checkpoint's list grows from the resumed one's: a copy, so that
	// base keeps what the earlier attempts listed.
	cp.Skipped = slices.Clone(base.Skipped)
	var mu sync.Mutex
	// Heartbeats always carry the latest checkpoint: the server keeps only the
	// details of the last heartbeat, so a bare keep-alive would erase it.
	hb := newBeats(ctx, func() any {
		mu.Lock()
		defer mu.Unlock()
		return cp
	})
	defer hb.keepAlive()()
	stats, err := a.Ingester.Ingest(ctx, resumed, func(p corpus.IngestProgress) {
		mu.Lock()
		if base.Total == 0 && cp.Total == 0 {
			cp.Total = p.Total
		}
		cp.Cursor = p.Cursor
		cp.Files = base.Files + p.Files
		cp.Unchanged = base.Unchanged + p.Unchanged
		cp.Chunks = base.Chunks + p.Chunks
		cp.SkippedTotal = base.SkippedTotal + p.Skipped
		if p.Skip != nil && len(cp.Skipped) < listed {
			cp.Skipped = append(cp.Skipped, rf.SkippedFile{Path: p.Skip.Path, Reason: p.Skip.Reason})
		}
		mu.Unlock()
		hb.beat()
	})
	if errors.Is(err, corpus.ErrGoDocsReadOnly) {
		return rf.IngestSummary{}, invalid(workflows.ErrInvalidInput, fmt.Sprintf("ingest %s: %v", req.Path, err))
	}
	if err != nil {
		mu.Lock()
		cursor := cp.Cursor
		mu.Unlock()
		from := req.Path
		if req.GoDocs {
			from = "the Go documentation under " + req.GoRoot
		}
		return rf.IngestSummary{}, classify(fmt.Errorf("ingest %s into %s (after %q): %w", from, req.Corpus, cursor, err))
	}
	mu.Lock()
	total := cp.Total
	mu.Unlock()
	if total == 0 {
		// No file to read, only files the walk left out: no progress told
		// the files found.
		total = stats.Total
	}
	sum := rf.IngestSummary{
		Total: total, Files: base.Files + stats.Files, Unchanged: base.Unchanged + stats.Unchanged,
		Chunks: base.Chunks + stats.Chunks, Cursor: stats.Cursor, Done: stats.Done, Removed: stats.Removed,
		SkippedTotal: base.SkippedTotal + stats.SkippedTotal, DurationMs: stats.Duration.Milliseconds(),
		Skipped: slices.Clone(base.Skipped),
	}
	for _, s := range stats.Skipped {
		if len(sum.Skipped) >= listed {
			break
		}
		sum.Skipped = append(sum.Skipped, rf.SkippedFile{Path: s.Path, Reason: s.Reason})
	}
	return sum, nil
}

// Retrieve finds the passages for one sub-question with hybrid search,
// restricted to the corpus, and drops near-identical chunks so analysis sees
// each statement once. Only IDs go back through history.
func (a *Search) Retrieve(ctx context.Context, in workflows.RetrieveInput) (workflows.RetrieveResult, error) {
	if strings.TrimSpace(in.SubQuestion.Text) == "" || in.Corpus == "" {
		return workflows.RetrieveResult{}, invalid(workflows.ErrInvalidInput, "retrieve needs a sub-question and a corpus")
	}
	if in.TopK <= 0 {
		in.TopK = rf.DefaultMaxSources
	}
	defer keepAlive(ctx)()
	began := time.Now()
	hits, err := a.Store.Search(ctx, memory.Query{
		Text:   in.SubQuestion.Text,
		TopK:   in.TopK * 3,
		Filter: memory.Filter{Corpus: in.Corpus},
	})
	if err != nil {
		return workflows.RetrieveResult{}, classify(fmt.Errorf("search %q in %s: %w", in.SubQuestion.Text, in.Corpus, err))
	}
	kept, dropped := dedupe(hits, in.TopK)
	res := workflows.RetrieveResult{Duplicates: dropped}
	seen := map[string]bool{}
	for _, h := range kept {
		res.ChunkIDs = append(res.ChunkIDs, h.Chunk.ID)
		res.Scores = append(res.Scores, h.Score)
		if !seen[h.Chunk.SourceID] {
			seen[h.Chunk.SourceID] = true
			res.SourceIDs = append(res.SourceIDs, h.Chunk.SourceID)
		}
	}
	if activity.IsActivity(ctx) {
		activity.GetLogger(ctx).Info("retrieved", "subQuestion", in.SubQuestion.ID, "passages", len(res.ChunkIDs),
			"sources", len(res.SourceIDs), "duplicates", dropped, "took", time.Since(began))
	}
	return res, nil
}

// nearDuplicate is the term-vector cosine above which two chunks say the
// same thing (overlapping windows, copied paragraphs).
const nearDuplicate = 0.9

// dedupe keeps hits in rank order, skipping any that nearly repeat a kept
// one, until k are kept.
func dedupe(hits []memory.Hit, k int) ([]memory.Hit, int) {
	var kept []memory.Hit
	var vecs []textproc.Vector
	dropped := 0
	for _, h := range hits {
		if len(kept) == k {
			break
		}
		v := textproc.TermVector(h.Chunk.Text)
		dup := false
		for i, kv := range vecs {
			if kept[i].Chunk.ContentHash == h.Chunk.ContentHash || textproc.Cosine(v, kv) >= nearDuplicate {
				dup = true
				break
			}
		}
		if dup {
			dropped++
			continue
		}
		kept = append(kept, h)
		vecs = append(vecs, v)
	}
	return kept, dropped
}
