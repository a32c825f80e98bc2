package corpora

import (
	"context"
	"fmt"
	"sort"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/memory"
)

// Listed is one corpus of an owner's, as GET /v1/corpora and `starter
// corpora` list it.
type Listed struct {
	// Name is the corpus as its owner names it.
	Name string
	// Chunks is how many passages it holds; nil when not counted.
	Chunks *int
	// Last is its newest ingestion (upload, starter ingest); for a corpus
	// only research runs on a folder filled, its newest research run.
	Last client.Info
	// Researched is true when Last is a research run.
	Researched bool
	// BuiltIn is true for the Go documentation (rf.DefaultCorpus): read
	// from the Go installation by the first research run on it, not by an
	// ingestion, and shared by every owner. Last is zero.
	BuiltIn bool
}

// RunLister lists runs a page at a time (client.Client's Ingestions and
// CorpusRuns).
type RunLister func(ctx context.Context, pageToken []byte, pageSize int) ([]client.Info, []byte, error)

// MaxRunsListed bounds the ingestions List reads, and apart from them the
// research runs on a corpus it reads.
const MaxRunsListed = 2000

// List lists owner's corpora, whatever made them, newest ingestion first
// (then by name), with their passage counts when c is not nil, and last
// the Go documentation (rf.DefaultCorpus, BuiltIn), which every owner
// researches: it is listed always, with the passages it holds (none until
// the first research run on it reads it from the Go installation), since
// --corpus go-docs researches it either way (a count of it that fails
// leaves it uncounted). GET /v1/corpora, the web app's picker and
// `starter corpora` therefore list one set.
//
// Uploads and `starter ingest` start an IngestWorkflow, which names its
// corpus (ingestions); a research run on a folder (`starter --corpus
// ./notes`, ResearchInput.CorpusPath) ingests it itself, so the research
// runs on a corpus (researched) are read too: a corpus no ingestion names
// is listed when it has passages, with its newest research run as Last.
// Without a counter, whether such a corpus has documents is not known,
// and it is left out. An error of a count is returned: callers that can
// do without counts list again with c nil.
//
// With a counter, a corpus is listed when it has passages, or while its
// newest ingestion still runs (an upload being read: its passages are on
// their way). A corpus with none once its ingestions have closed is not
// one (CheckResearchable refuses it): deleted (DELETE /v1/corpora/NAME),
// emptied document by document, or filled by files none of which could
// be read. Its ingestions stay in Temporal, and the research runs that
// cited it keep their sources.
func List(ctx context.Context, owner string, ingestions, researched RunLister, c Counter) ([]Listed, error) {
	latest, err := newestByCorpus(ctx, owner, ingestions)
	if err != nil {
		return nil, err
	}
	if c != nil {
		byRuns, err := newestByCorpus(ctx, owner, researched)
		if err != nil {
			return nil, err
		}
		for name, l := range byRuns {
			if _, ingested := latest[name]; !ingested {
				latest[name] = l
			}
		}
	}
	out := []Listed{}
	for name, l := range latest {
		if c != nil {
			n, err := c.Count(ctx, memory.Filter{Corpus: rf.ScopedCorpus(owner, name)})
			if err != nil {
				return nil, fmt.Errorf("count corpus %s: %w", name, err)
			}
			if n == 0 && (l.Researched || l.Last.Closed) {
				continue // deleted or emptied, or a research run on a corpus nothing filled
			}
			l.Chunks = &n
		}
		out = append(out, l)
	}
	builtIn := Listed{Name: rf.DefaultCorpus, BuiltIn: true}
	if c != nil {
		// Listed whatever its count: search workers of earlier versions
		// refuse to count it (workflows.CorpusCountWorkflow), and the
		// owner's own corpora keep theirs.
		if n, err := c.Count(ctx, memory.Filter{Corpus: rf.DefaultCorpus}); err == nil {
			builtIn.Chunks = &n
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	out = append(out, builtIn)
	sort.Slice(out, func(i, j int) bool {
		if out[i].BuiltIn != out[j].BuiltIn {
			return out[j].BuiltIn
		}
		a, b := out[i].Last.Started, out[j].Last.Started
		if !a.Equal(b) {
			return a.After(b)
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// newestByCorpus reads up to MaxRunsListed runs of list and keeps, for
// each corpus of owner's, the newest.
func newestByCorpus(ctx context.Context, owner string, list RunLister) (map[string]Listed, error) {
	latest := map[string]Listed{}
	var token []byte
	for read := 0; read < MaxRunsListed; {
		infos, next, err := list(ctx, token, 200)
		if err != nil {
			return nil, err
		}
		for _, info := range infos {
			read++
			name, ok := Owned(owner, info.Corpus)
			if !ok {
				continue
			}
			if prev, seen := latest[name]; !seen || info.Started.After(prev.Last.Started) {
				latest[name] = Listed{Name: name, Last: info, Researched: info.Type == rf.ResearchWorkflowType}
			}
		}
		token = next
		if len(token) == 0 {
			break
		}
	}
	return latest, nil
}
