package corpora

import (
	"context"
	"maps"
	"slices"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/typo"
)

// SuggestWait bounds the listing of corpora for a suggestion: a
// suggestion that does not come back in time is not made.
const SuggestWait = 5 * time.Second

// Suggest is the corpus of owner's meant by name, which has no documents:
// one with documents whose name is name in other case or a typo of it
// (typo.Nearest), among the corpora that ingestions and research runs
// named (the newest 200 of each, as List reads them); "" for none. The
// starter, the HTTP API (runs and schedules) and so the web app suggest by
// it, in NotFoundError.Suggestion.
func Suggest(ctx context.Context, c Counter, ingestions, researched RunLister, owner, name string) string {
	ctx, cancel := context.WithTimeout(ctx, SuggestWait)
	defer cancel()
	seen := map[string]bool{}
	for _, list := range []RunLister{ingestions, researched} {
		if list == nil {
			continue
		}
		infos, _, err := list(ctx, nil, 200)
		if err != nil {
			continue
		}
		for _, info := range infos {
			if n, ok := Owned(owner, info.Corpus); ok && n != name {
				seen[n] = true
			}
		}
	}
	best := typo.Nearest(name, slices.Sorted(maps.Keys(seen)))
	if best == "" {
		return ""
	}
	if n, err := c.Count(ctx, memory.Filter{Corpus: rf.ScopedCorpus(owner, best)}); err != nil || n == 0 {
		return "" // empty too, or not known: no better a guess
	}
	return best
}
