package gateway

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/uploads"
)

// ChunkDeleter deletes stored chunks (a memory.Store does).
type ChunkDeleter interface {
	Delete(ctx context.Context, f memory.Filter) error
}

var _ ChunkDeleter = memory.Store(nil)

// CorpusDeleted answers DELETE /v1/corpora/{name}.
type CorpusDeleted struct {
	Name string `json:"name"`
	// Chunks is how many passages were dropped from memory.
	Chunks int `json:"chunks"`
}

// deleteCorpus answers DELETE /v1/corpora/{name}: the caller's corpus is
// dropped from memory (under its name and, for the local owner, the
// local--NAME of earlier releases) and its kept uploads are removed. Runs
// already finished keep their reports. A corpus with nothing in it is 404.
func (s *server) deleteCorpus(c *gin.Context) error {
	ctx := c.Request.Context()
	who, name := owner(c), c.Param("name")
	if name == rf.DefaultCorpus {
		return newAPIError(http.StatusForbidden, "read_only_corpus", name+" is the public corpus; it cannot be deleted")
	}
	if err := rf.ValidateCorpusName(name); err != nil {
		return err
	}
	store, ok := s.chunks.(interface {
		ChunkCounter
		ChunkDeleter
	})
	if !ok {
		return newAPIError(http.StatusNotImplemented, "no_memory", "this gateway does not share the workers' memory (set QDRANT_URL, or run the gateway with the workers), so it cannot delete corpora")
	}
	stored := []string{rf.ScopedCorpus(who, name)}
	if who == rf.LocalOwner {
		stored = append(stored, legacyLocalCorpus(name))
	}
	total := 0
	for _, corpus := range stored {
		n, err := store.Count(ctx, memory.Filter{Corpus: corpus})
		if err != nil {
			return fmt.Errorf("count corpus %s: %w", name, err)
		}
		if n == 0 {
			continue
		}
		if err := store.Delete(ctx, memory.Filter{Corpus: corpus}); err != nil {
			return fmt.Errorf("delete corpus %s: %w", name, err)
		}
		total += n
	}
	dir := s.uploadDir(who, name)
	kept := uploads.HasFiles(dir)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("delete the uploads of corpus %s: %w", name, err)
	}
	if total == 0 && !kept {
		return newAPIError(http.StatusNotFound, "corpus_not_found", fmt.Sprintf("there is no corpus named %q", name))
	}
	s.log.InfoContext(ctx, "gateway: corpus deleted", "owner", who, "corpus", name, "chunks", total)
	c.JSON(http.StatusOK, CorpusDeleted{Name: name, Chunks: total})
	return nil
}

// legacyLocalCorpus is the name under which releases before the single
// corpus namespace stored rf.LocalOwner's corpus name (local--NAME).
func legacyLocalCorpus(name string) string {
	return rf.LocalOwner + rf.ScopeSeparator + name
}
