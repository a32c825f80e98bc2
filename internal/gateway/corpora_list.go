package gateway

import (
	"time"

	"github.com/gin-gonic/gin"
	"github.com/researchflow/researchflow/internal/corpora"
)

// Corpus is one corpus of the caller in GET /v1/corpora.
type Corpus struct {
	// Name is the corpus as its owner names it (in requests and the starter's --corpus).
	Name string `json:"name"`
	// Chunks is how many passages it holds; absent when the gateway has no
	// memory to count in.
	Chunks *int `json:"chunks,omitempty"`
	// LastIngestion is its newest ingestion (upload or starter ingest); for
	// a corpus only research runs on a folder filled, the newest research
	// run on it; absent for the built-in corpus.
	LastIngestion CorpusIngestion `json:"lastIngestion,omitzero"`
	// BuiltIn is true for the Go documentation (go-docs): no one's upload
	// or ingestion, read from the Go installation by the first research
	// run on it, and listed for every caller (with no passages before).
	BuiltIn bool `json:"builtIn,omitempty"`
}

// CorpusIngestion is one ingestion of a corpus.
type CorpusIngestion struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	StartedAt time.Time  `json:"startedAt"`
	ClosedAt  *time.Time `json:"closedAt,omitempty"`
}

// CorporaResponse answers GET /v1/corpora.
type CorporaResponse struct {
	Corpora []Corpus `json:"corpora"`
}

// listCorpora answers GET /v1/corpora: the caller's corpora, made by any
// surface (upload, starter ingest, a research run on a folder), newest
// ingestion first, then the built-in Go documentation (the web app's
// picker lists exactly these), with their passage counts when the gateway shares the
// workers' memory (corpora.List, which `starter corpora` lists too).
func (s *server) listCorpora(c *gin.Context) error {
	counter, _ := s.chunks.(ChunkCounter)
	listed, err := corpora.List(c.Request.Context(), owner(c), s.runs.Ingestions, s.runs.CorpusRuns, counter)
	if err != nil {
		return err
	}
	c.JSON(200, CorporaJSON(listed))
	return nil
}

// CorporaJSON is the answer of GET /v1/corpora listing listed, in its
// order: the JSON `starter corpora --json` prints too.
func CorporaJSON(listed []corpora.Listed) CorporaResponse {
	out := CorporaResponse{Corpora: make([]Corpus, len(listed))}
	for i, l := range listed {
		var ing CorpusIngestion
		if l.Last.ID != "" {
			ing = CorpusIngestion{ID: l.Last.ID, Status: l.Last.Status, StartedAt: l.Last.Started}
		}
		if !l.Last.ClosedAt.IsZero() {
			t := l.Last.ClosedAt
			ing.ClosedAt = &t
		}
		out.Corpora[i] = Corpus{Name: l.Name, Chunks: l.Chunks, LastIngestion: ing, BuiltIn: l.BuiltIn}
	}
	return out
}
