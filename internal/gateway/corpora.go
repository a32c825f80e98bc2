package gateway

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/corpora"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/uploads"
)

// ChunkCounter counts stored chunks (a memory.Store does). With it the
// gateway refuses, at submit, a run on a corpus that has nothing in it.
type ChunkCounter = corpora.Counter

var _ ChunkCounter = memory.Store(nil)

// uploadDir is the folder that keeps owner's uploads to corpus name.
func (s *server) uploadDir(owner, name string) string {
	return uploads.Dir(s.cfg.DataDir, owner, name)
}

// checkCorpus refuses a run on a corpus that is empty or unknown, before it
// starts, with the fix in words a person can act on (corpora.CheckResearchable,
// the starter's rule too) and the corpus it may be a typo of
// (corpora.Suggest, the starter's suggestion too); everything is let
// through when the gateway has no memory to count in, or the count fails.
func (s *server) checkCorpus(ctx context.Context, who, name string, in rf.ResearchInput) error {
	counter, ok := s.chunks.(ChunkCounter)
	if !ok {
		return nil
	}
	err := corpora.CheckResearchable(ctx, counter, in, name, s.uploadDir(who, name))
	var unknown *corpora.NotFoundError
	switch {
	case errors.As(err, &unknown):
		unknown.Suggestion = corpora.Suggest(ctx, counter, s.runs.Ingestions, s.runs.CorpusRuns, who, name)
		return &corpusNotFound{unknown}
	case err != nil:
		// Memory that cannot answer now must not block research: the run
		// itself says what it finds.
		s.log.WarnContext(ctx, "gateway: corpus not counted", "corpus", in.Corpus, "err", err)
	}
	return nil
}

// corpusNotFound answers 404 corpus_not_found for a run on a corpus with
// no documents: the message (where the corpora are listed added), and the
// corpus and suggestion apart, for the web app to say in its own words.
type corpusNotFound struct{ *corpora.NotFoundError }

func (e *corpusNotFound) body() errorDetail {
	return errorDetail{Code: "corpus_not_found", Message: e.Error() + " (GET /v1/corpora lists the corpora you have)", Corpus: e.Name, Suggestion: e.Suggestion}
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
		if uploads.HasFiles(filepath.Join(root, name)) {
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
