package gateway

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gin-gonic/gin"
	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/corpora"
	"github.com/researchflow/researchflow/internal/memory"
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
	// run on it.
	LastIngestion CorpusIngestion `json:"lastIngestion"`
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

// maxIngestionsListed bounds the ingestions GET /v1/corpora reads, and
// apart from them the research runs on a corpus it reads.
const maxIngestionsListed = 2000

// listCorpora answers GET /v1/corpora: the caller's corpora, made by any
// surface (upload, starter ingest, a research run on a folder), newest
// ingestion first, with their passage counts when the gateway shares the
// workers' memory.
//
// Uploads and `starter ingest` start an IngestWorkflow, which names its
// corpus; a research run on a folder (`starter --corpus ./notes`,
// ResearchInput.CorpusPath) ingests it itself. So the research runs on a
// corpus are read too: a corpus no ingestion names is listed when it has
// passages, with its newest research run as its last ingestion. Without
// memory to count in, whether such a corpus has documents is not known,
// and it is left out.
func (s *server) listCorpora(c *gin.Context) error {
	ctx := c.Request.Context()
	who := owner(c)
	latest, err := s.newestByCorpus(ctx, who, s.runs.Ingestions)
	if err != nil {
		return err
	}
	counter, canCount := s.chunks.(ChunkCounter)
	if canCount {
		researched, err := s.newestByCorpus(ctx, who, s.runs.CorpusRuns)
		if err != nil {
			return err
		}
		for name, ing := range researched {
			if _, ingested := latest[name]; !ingested {
				latest[name] = ing
			}
		}
	}
	out := CorporaResponse{Corpora: []Corpus{}}
	for name, ing := range latest {
		cp := Corpus{Name: name, LastIngestion: ing.CorpusIngestion}
		if canCount {
			n, err := counter.Count(ctx, memory.Filter{Corpus: rf.ScopedCorpus(who, name)})
			if err != nil {
				return fmt.Errorf("count corpus %s: %w", name, err)
			}
			if n == 0 && ing.researched {
				continue // a research run on a corpus nothing filled
			}
			cp.Chunks = &n
		}
		out.Corpora = append(out.Corpora, cp)
	}
	sort.Slice(out.Corpora, func(i, j int) bool {
		a, b := out.Corpora[i].LastIngestion.StartedAt, out.Corpora[j].LastIngestion.StartedAt
		if !a.Equal(b) {
			return a.After(b)
		}
		return out.Corpora[i].Name < out.Corpora[j].Name
	})
	c.JSON(200, out)
	return nil
}

// lastIngestion is a corpus's newest ingestion; researched marks one that
// is a research run (which read a folder, or only searched the corpus).
type lastIngestion struct {
	CorpusIngestion
	researched bool
}

// runLister lists runs a page at a time (client.Client's Ingestions and
// CorpusRuns).
type runLister func(ctx context.Context, pageToken []byte, pageSize int) ([]client.Info, []byte, error)

// newestByCorpus reads up to maxIngestionsListed runs of list and keeps,
// for each corpus of who's, the newest.
func (s *server) newestByCorpus(ctx context.Context, who string, list runLister) (map[string]lastIngestion, error) {
	latest := map[string]lastIngestion{}
	var token []byte
	for read := 0; read < maxIngestionsListed; {
		infos, next, err := list(ctx, token, 200)
		if err != nil {
			return nil, err
		}
		for _, info := range infos {
			read++
			name, ok := corpora.Owned(who, info.Corpus)
			if !ok {
				continue
			}
			ing := lastIngestion{CorpusIngestion: CorpusIngestion{ID: info.ID, Status: info.Status, StartedAt: info.Started},
				researched: info.Type == rf.ResearchWorkflowType}
			if !info.ClosedAt.IsZero() {
				t := info.ClosedAt
				ing.ClosedAt = &t
			}
			if prev, seen := latest[name]; !seen || ing.StartedAt.After(prev.StartedAt) {
				latest[name] = ing
			}
		}
		token = next
		if len(token) == 0 {
			break
		}
	}
	return latest, nil
}
