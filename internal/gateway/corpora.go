package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
)

// ChunkCounter counts stored chunks (a memory.Store does). With it the
// gateway refuses, at submit, a run on a corpus that has nothing in it.
type ChunkCounter interface {
	Count(ctx context.Context, f memory.Filter) (int, error)
}

var _ ChunkCounter = memory.Store(nil)

// uploadDir is the folder that keeps owner's uploads to corpus name.
func (s *server) uploadDir(owner, name string) string {
	return filepath.Join(s.cfg.DataDir, "uploads", ownerHash(owner), name)
}

// checkCorpus refuses a run on a corpus that is empty or unknown, before it
// starts, with the fix in words a person can act on. The Go documentation
// (built on demand), runs that do not search the corpus, and corpora whose
// uploads are still being ingested are let through; so is everything when
// the gateway has no memory to count in.
func (s *server) checkCorpus(ctx context.Context, who, name string, in rf.ResearchInput) error {
	counter, ok := s.chunks.(ChunkCounter)
	if !ok || in.Corpus == rf.DefaultCorpus || in.CorpusPath != "" {
		return nil
	}
	if len(in.Sources) > 0 && !slices.Contains(in.Sources, rf.SourceCorpus) {
		return nil
	}
	n, err := counter.Count(ctx, memory.Filter{Corpus: in.Corpus})
	if err != nil {
		// Memory that cannot answer now must not block research: the run
		// itself says what it finds.
		s.log.WarnContext(ctx, "gateway: corpus not counted", "corpus", in.Corpus, "err", err)
		return nil
	}
	if n > 0 {
		return nil
	}
	if hasFiles(s.uploadDir(who, name)) {
		return nil // uploaded, its ingestion may still be running
	}
	return newAPIError(http.StatusNotFound, "corpus_not_found", fmt.Sprintf(
		"there is no corpus named %q yet, or it has no documents: add documents to it first (upload files to the corpus %s, or run: starter ingest FOLDER --corpus %s), or pick another corpus",
		name, name, name))
}

// hasFiles reports whether dir holds at least one entry that is not hidden.
func hasFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Name() != "" && e.Name()[0] != '.' {
			return true
		}
	}
	return false
}

// migrateLocalCorpora moves the corpora that earlier gateways stored for the
// local owner as local--NAME to NAME, the one namespace the starter uses
// too: every upload folder of the local owner is ingested again into NAME
// (the files were kept; unchanged chunks cost nothing to write again). A
// marker file under DataDir/migrations records each corpus moved, so a
// restart does not start it again. The chunks left under local--NAME are
// no longer searched; DELETE of the corpus drops them.
func (s *server) migrateLocalCorpora(ctx context.Context) error {
	return s.moveLocalCorpora(ctx, s.pendingLocalCorpora())
}

// pendingLocalCorpora lists the local owner's upload folders (with files)
// not moved yet.
func (s *server) pendingLocalCorpora() []string {
	root := filepath.Join(s.cfg.DataDir, "uploads", ownerHash(rf.LocalOwner))
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || rf.ValidateCorpusName(name) != nil {
			continue
		}
		if _, err := os.Stat(s.migrationMark(name)); err == nil {
			continue
		}
		if hasFiles(filepath.Join(root, name)) {
			names = append(names, name)
		}
	}
	return names
}

func (s *server) migrationMark(name string) string {
	return filepath.Join(s.cfg.DataDir, "migrations", "local-corpora", name)
}

func (s *server) moveLocalCorpora(ctx context.Context, names []string) error {
	var errs []error
	for _, name := range names {
		dir := s.uploadDir(rf.LocalOwner, name)
		id := "ingest-migrate-" + ownerHash(rf.LocalOwner) + "-" + name
		if _, err := s.runs.StartIngest(ctx, id, rf.IngestInput{Corpus: rf.ScopedCorpus(rf.LocalOwner, name), Path: dir}); err != nil {
			errs = append(errs, fmt.Errorf("corpus %s: %w", name, err))
			continue
		}
		mark := s.migrationMark(name)
		if err := os.MkdirAll(filepath.Dir(mark), 0o700); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.WriteFile(mark, []byte("moved from "+legacyLocalCorpus(name)+" by "+id+"\n"), 0o600); err != nil {
			errs = append(errs, err)
			continue
		}
		s.log.InfoContext(ctx, "gateway: local corpus moved to the shared namespace", "corpus", name, "from", legacyLocalCorpus(name), "ingestion", id)
	}
	if len(errs) > 0 {
		return fmt.Errorf("migrate local corpora: %w", errors.Join(errs...))
	}
	return nil
}

// startMigrations finds the local corpora to move now, and moves them in
// the background: the gateway serves at once, and a Temporal server that is
// not up yet only delays the move to the next start.
func (s *server) startMigrations() {
	names := s.pendingLocalCorpora()
	if len(names) == 0 {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.moveLocalCorpora(ctx, names); err != nil {
			s.log.Warn("gateway: corpora of the local owner not moved yet; they are moved at the next start", "err", err)
		}
	}()
}
