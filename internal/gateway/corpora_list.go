package gateway

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
)

// Corpus is one corpus of the caller in GET /v1/corpora.
type Corpus struct {
	// Name is the corpus as its owner names it (in requests and the starter's --corpus).
	Name string `json:"name"`
	// Chunks is how many passages it holds; absent when the gateway has no
	// memory to count in.
	Chunks *int `json:"chunks,omitempty"`
	// LastIngestion is its newest ingestion (upload or starter ingest).
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

// maxIngestionsListed bounds the ingestions GET /v1/corpora reads.
const maxIngestionsListed = 2000

// listCorpora answers GET /v1/corpora: the caller's corpora, made by any
// surface (upload, starter ingest), newest ingestion first, with their
// passage counts when the gateway shares the workers' memory.
func (s *server) listCorpora(c *gin.Context) error {
	ctx := c.Request.Context()
	who := owner(c)
	latest := map[string]CorpusIngestion{}
	var token []byte
	for read := 0; read < maxIngestionsListed; {
		infos, next, err := s.runs.Ingestions(ctx, token, 200)
		if err != nil {
			return err
		}
		for _, info := range infos {
			read++
			name, ok := ownedCorpus(who, info.Corpus)
			if !ok {
				continue
			}
			ing := CorpusIngestion{ID: info.ID, Status: info.Status, StartedAt: info.Started}
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
	out := CorporaResponse{Corpora: []Corpus{}}
	counter, canCount := s.chunks.(ChunkCounter)
	for name, ing := range latest {
		cp := Corpus{Name: name, LastIngestion: ing}
		if canCount {
			n, err := counter.Count(ctx, memory.Filter{Corpus: rf.ScopedCorpus(who, name)})
			if err != nil {
				return fmt.Errorf("count corpus %s: %w", name, err)
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

// ownedCorpus is the name owner knows stored corpus by, if it is owner's:
// OWNER--NAME for an API key's owner, NAME for the local owner (and the
// local--NAME of earlier releases is not listed: it was moved to NAME).
func ownedCorpus(owner, stored string) (string, bool) {
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
