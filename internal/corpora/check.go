// Package corpora holds what every surface that starts research checks of
// its corpus before a run starts: the HTTP gateway (runs and schedules) and
// the starter (with a stack of its own or attached to a running one) refuse
// a run on a corpus with no documents by one rule, CheckResearchable. It
// links no document reader (package corpus does), so the gateway can use it.
package corpora

import (
	"context"
	"fmt"
	"slices"
	"strings"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/uploads"
)

// Counter counts stored chunks: a memory.Store, or, in a process that
// holds no memory (the starter attached to a running stack), the search
// workers' count.
type Counter interface {
	Count(ctx context.Context, f memory.Filter) (int, error)
}

// NotFoundError refuses a research run on a corpus that is unknown or has
// no documents: the run would only fail.
type NotFoundError struct {
	// Name is the corpus as its owner names it (rf.PublicCorpus).
	Name string
	// Suggestion is the corpus with documents that Name is a typo of, or
	// Name in other case (Suggest); "" for none.
	Suggestion string
}

// Error says what is wrong and how to fix it, with the suggestion first
// when there is one: the starter, the HTTP API and the web app say the
// same.
func (e *NotFoundError) Error() string {
	if e.Suggestion != "" {
		return fmt.Sprintf("no corpus %q; did you mean %q? (corpus names are case-sensitive; to fill %q itself, upload files to it or run: starter ingest FOLDER --corpus %s)",
			e.Name, e.Suggestion, e.Name, e.Name)
	}
	return fmt.Sprintf("there is no corpus named %q yet, or it has no documents: add documents to it first (upload files to the corpus %s, or run: starter ingest FOLDER --corpus %s), or pick another corpus",
		e.Name, e.Name, e.Name)
}

// CheckResearchable refuses a run of in on a corpus that is empty or
// unknown, before it starts: a *NotFoundError naming the corpus as name
// (its owner's name for it). The HTTP gateway (runs and schedules) and the
// starter (embedded or attached to a stack) check with it, so that a run
// one of them refuses is refused by all. The Go documentation (built on
// demand), runs on a folder, runs that do not search the corpus and a
// corpus with files in uploadDir (uploaded, their ingestion may still be
// running; "" for none) pass. Any other error is the count's: memory that
// cannot answer now must not block research, so callers let the run
// through.
func CheckResearchable(ctx context.Context, c Counter, in rf.ResearchInput, name, uploadDir string) error {
	if in.Corpus == rf.DefaultCorpus || in.CorpusPath != "" {
		return nil
	}
	if len(in.Sources) > 0 && !slices.Contains(in.Sources, rf.SourceCorpus) {
		return nil
	}
	n, err := c.Count(ctx, memory.Filter{Corpus: in.Corpus})
	if err != nil {
		return fmt.Errorf("count corpus %s: %w", in.Corpus, err)
	}
	if n > 0 || (uploadDir != "" && uploads.HasFiles(uploadDir)) {
		return nil
	}
	return &NotFoundError{Name: name}
}

// Owned is the name owner knows stored corpus by, if it is owner's:
// OWNER--NAME for an API key's owner, NAME for the local owner (and the
// local--NAME of earlier releases is not listed: it was moved to NAME).
// GET /v1/corpora lists these (and the Go documentation, which is no
// one's: List adds it), and the starter suggests from them.
func Owned(owner, stored string) (string, bool) {
	if stored == "" || stored == rf.DefaultCorpus || strings.Contains(stored, ":") {
		return "", false
	}
	o, name, scoped := strings.Cut(stored, rf.ScopeSeparator)
	switch {
	case !scoped && owner == rf.LocalOwner:
		return stored, true
	case scoped && o == owner && owner != rf.LocalOwner:
		return name, true
	}
	return "", false
}
