package qdrant

import (
	"context"
	"fmt"
	"strings"

	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// limits are the strict-mode limits of the collection that shape the
// adapter's requests; 0 means no limit. Qdrant checks them per request
// (github.com/qdrant/qdrant lib/collection/src/operations/verification:
// mod.rs check_filter_limits, check_request_query_limit,
// check_request_exact; update.rs upsert and sparse limits) and refuses an
// offending request with InvalidArgument ("Bad request: Limit exceeded
// ..."; PermissionDenied "Forbidden: ..." in 1.13), so the adapter splits
// its requests to fit instead. Open reads them from the collection's
// strict_mode_config; a request refused by strict mode re-reads them (an
// operator may have changed them since) and, if they changed or a missing
// payload index could be made, runs once more.
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

func (s *Store) limits() limits {
	if l := s.lim.Load(); l != nil {
		return *l
	}
	return limits{}
}

func (s *Store) setLimits(l limits) {
	old := s.lim.Swap(&l)
	if (old == nil && l != limits{}) || (old != nil && *old != l) {
		s.log.Info("qdrant strict mode: requests are split to fit its limits", "limits", l.String())
	}
}

// strictPhrases are the messages of Qdrant's strict-mode refusals
// (lib/collection/src/operations/verification, v1.13 to v1.19).
var strictPhrases = []string{"Limit exceeded", "limit reached (", " disabled!", "Index required but not found", "has a limit of"}

// strictRefusal reports whether err is strict mode refusing a request.
func strictRefusal(err error) bool {
	if c := status.Code(err); err == nil || (c != codes.InvalidArgument && c != codes.PermissionDenied) {
		return false
	}
	for _, p := range strictPhrases {
		if strings.Contains(err.Error(), p) {
			return true
		}
	}
	return false
}

// withLimits runs op with the current limits; if strict mode refuses it,
// it re-reads the collection (limits, payload indexes) and runs op once
// more when something changed. Operations are idempotent, so a retry after
// a partial success (some upsert batches applied) is safe.
func (s *Store) withLimits(ctx context.Context, op func(limits) error) error {
	err := op(s.limits())
	if !strictRefusal(err) {
		return err
	}
	before := s.limits()
	var info *qdrant.CollectionInfo
	if ierr := s.call(ctx, "get collection", func(ctx context.Context) error {
		var err error
		info, err = s.client.GetCollectionInfo(ctx, s.cfg.Collection)
		return err
	}); ierr != nil {
		return err
	}
	created, _ := s.ensureIndexes(ctx, info)
	after := limitsOf(info.GetConfig().GetStrictModeConfig())
	s.setLimits(after)
	if after == before && created == 0 {
		return err
	}
	s.log.Info("qdrant strict mode refused a request; retrying with the collection's current settings", "err", err)
	return op(after)
}
