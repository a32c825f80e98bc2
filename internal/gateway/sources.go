package gateway

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
)

// SourceInfo is one source name of GET /v1/sources.
type SourceInfo struct {
	Name string `json:"name"`
	// Configured says whether runs can use it (its provider's URL or key is
	// set); a run naming an unconfigured source gets a dead letter for it.
	Configured bool `json:"configured"`
	// Available says whether the provider could be reached from this
	// machine when last probed (absent when it was not probed: the corpus,
	// a source not configured, a gateway without a prober); Reason says
	// why not, in plain words.
	Available *bool  `json:"available,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// SourcesResponse answers GET /v1/sources: every known source name, in
// the contract's order.
type SourcesResponse struct {
	Sources []SourceInfo `json:"sources"`
}

// Prober tells whether a search source can be reached from here
// (search.Probe on the deployment's search settings); its error says why
// not, in words a person reads.
type Prober func(ctx context.Context, source string) error

// probeTTL is how long a probe's answer is reused.
const probeTTL = time.Minute

// probes keeps the last answer of each source's probe.
type probes struct {
	probe Prober
	now   func() time.Time
	mu    sync.Mutex
	last  map[string]probeResult
}

type probeResult struct {
	at  time.Time
	err error
}

// check probes the sources (at once, reusing answers younger than
// probeTTL) and returns each one's error.
func (p *probes) check(ctx context.Context, sources []string) map[string]error {
	out := make(map[string]error, len(sources))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, name := range sources {
		p.mu.Lock()
		r, ok := p.last[name]
		p.mu.Unlock()
		if ok && p.now().Sub(r.at) < probeTTL {
			out[name] = r.err
			continue
		}
		wg.Go(func() {
			err := p.probe(ctx, name)
			if ctx.Err() != nil {
				return // the caller left: the answer says nothing of the source
			}
			p.mu.Lock()
			p.last[name] = probeResult{at: p.now(), err: err}
			p.mu.Unlock()
			mu.Lock()
			out[name] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func (s *server) sources(c *gin.Context) error {
	out := SourcesResponse{}
	var probed map[string]error
	if s.probes != nil {
		var names []string
		for _, name := range rf.KnownSources {
			if name != rf.SourceCorpus && slices.Contains(s.cfg.Sources, name) {
				names = append(names, name)
			}
		}
		probed = s.probes.check(c.Request.Context(), names)
	}
	for _, name := range rf.KnownSources {
		on := name == rf.SourceCorpus || slices.Contains(s.cfg.Sources, name)
		info := SourceInfo{Name: name, Configured: on}
		if err, ok := probed[name]; ok {
			up := err == nil
			info.Available = &up
			if err != nil {
				info.Reason = err.Error()
			}
		}
		out.Sources = append(out.Sources, info)
	}
	c.JSON(http.StatusOK, out)
	return nil
}
