package qdrant

import (
	"fmt"
	"strings"

	"github.com/qdrant/go-client/qdrant"
)

// limits are the strict-mode limits of the collection that shape the
// adapter's requests; 0 means no limit. Qdrant checks them per request
// (github.com/qdrant/qdrant lib/collection/src/operations/verification:
// mod.rs check_filter_limits, check_request_query_limit,
// check_request_exact; update.rs upsert and sparse limits) and refuses an
// offending request with InvalidArgument ("Bad request: Limit exceeded
// ..."), so the adapter splits its requests to fit instead. Open reads them
// from the collection's strict_mode_config; a change of limits takes effect
// at the next Open.
type limits struct {
	// upsertBatch is upsert_max_batchsize: points per upsert.
	upsertBatch int
	// queryLimit is max_query_limit: the largest limit of a query, a
	// prefetch or a scroll page.
	queryLimit int
	// maxConditions is filter_max_conditions: conditions in one filter,
	// nested ones included.
	maxConditions int
	// maxListSize is condition_max_size: values in one match-any list.
	maxListSize int
	// noExact is search_allow_exact = false, which also refuses exact
	// counts (verification/count.rs).
	noExact bool
	// lexicalMaxLen is sparse_config["lexical"].max_length: terms in a
	// stored lexical vector.
	lexicalMaxLen int
}

// limitsOf reads the limits of an enabled strict-mode configuration.
func limitsOf(c *qdrant.StrictModeConfig) limits {
	if !c.GetEnabled() {
		return limits{}
	}
	clamp := func(v uint64) int { return int(min(v, 1<<31-1)) }
	return limits{
		upsertBatch:   clamp(c.GetUpsertMaxBatchsize()),
		queryLimit:    clamp(uint64(c.GetMaxQueryLimit())),
		maxConditions: clamp(c.GetFilterMaxConditions()),
		maxListSize:   clamp(c.GetConditionMaxSize()),
		noExact:       c.SearchAllowExact != nil && !c.GetSearchAllowExact(),
		lexicalMaxLen: clamp(c.GetSparseConfig().GetSparseConfig()[LexicalVector].GetMaxLength()),
	}
}

func (l limits) String() string {
	var b strings.Builder
	add := func(name string, v int) {
		if v > 0 {
			fmt.Fprintf(&b, "%s=%d ", name, v)
		}
	}
	add("upsert_max_batchsize", l.upsertBatch)
	add("max_query_limit", l.queryLimit)
	add("filter_max_conditions", l.maxConditions)
	add("condition_max_size", l.maxListSize)
	add("sparse.lexical.max_length", l.lexicalMaxLen)
	if l.noExact {
		b.WriteString("search_allow_exact=false")
	}
	return strings.TrimSpace(b.String())
}

// capped is n, or the limit when one is set and smaller.
func capped(n, limit int) int {
	if limit > 0 && n > limit {
		return limit
	}
	return n
}
