package qdranttest

import (
	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Strict mode, as Qdrant checks it (lib/collection/src/operations/
// verification/mod.rs, update.rs): a refused request is a
// CollectionError::StrictMode, answered as StorageError::BadRequest, which
// is gRPC InvalidArgument "Bad request: <what>. Help: <how>".

func strictError(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, "Bad request: "+format, args...)
}

func limitError(value, limit uint64, name string) error {
	return strictError("Limit exceeded %d > %d for %q. Help: Reduce the %q parameter to or below %d.", value, limit, name, name, limit)
}

// checkUpsert enforces upsert_max_batchsize ("upsert limit").
func (c *collection) checkUpsert(n int) error {
	if !c.strict.GetEnabled() || c.strict.UpsertMaxBatchsize == nil {
		return nil
	}
	if lim := c.strict.GetUpsertMaxBatchsize(); uint64(n) > lim {
		return limitError(uint64(n), lim, "upsert limit")
	}
	return nil
}

// checkSparse enforces sparse_config.<name>.max_length.
func (c *collection) checkSparse(name string, v *qdrant.SparseVector) error {
	if !c.strict.GetEnabled() {
		return nil
	}
	cfg := c.strict.GetSparseConfig().GetSparseConfig()[name]
	if cfg == nil || cfg.MaxLength == nil {
		return nil
	}
	if n := len(v.GetIndices()); uint64(n) > cfg.GetMaxLength() {
		return strictError("Sparse vector '%s' has a limit of %d indices, but %d were provided!", name, cfg.GetMaxLength(), n)
	}
	return nil
}

// checkRead enforces max_query_limit (limit 0: the request has none),
// search_allow_exact and the filter limits of a read.
func (c *collection) checkRead(limit uint64, f *qdrant.Filter, exact bool) error {
	if !c.strict.GetEnabled() {
		return nil
	}
	if c.strict.MaxQueryLimit != nil && limit > uint64(c.strict.GetMaxQueryLimit()) {
		return limitError(limit, uint64(c.strict.GetMaxQueryLimit()), "limit")
	}
	if exact && c.strict.SearchAllowExact != nil && !c.strict.GetSearchAllowExact() {
		return strictError("Exact search disabled!. Help: Set exact=false.")
	}
	return c.checkFilter(f, c.strict.UnindexedFilteringRetrieve)
}

// checkWrite enforces the filter limits of a filtered update (delete by filter).
func (c *collection) checkWrite(f *qdrant.Filter) error {
	if !c.strict.GetEnabled() {
		return nil
	}
	return c.checkFilter(f, c.strict.UnindexedFilteringUpdate)
}

// checkFilter enforces filter_max_conditions, condition_max_size and, when
// allowUnindexed is false, that every filtered key has a payload index.
func (c *collection) checkFilter(f *qdrant.Filter, allowUnindexed *bool) error {
	if !c.strict.GetEnabled() || f == nil {
		return nil
	}
	if c.strict.FilterMaxConditions != nil {
		if n, lim := conditionsCount(f), c.strict.GetFilterMaxConditions(); n > lim {
			return strictError("Filter condition limit reached (%d > %d). Help: Reduce the amount of conditions of your filter.", n, lim)
		}
	}
	if c.strict.ConditionMaxSize != nil {
		if n, lim := maxConditionSize(f), c.strict.GetConditionMaxSize(); n > lim {
			return strictError("Condition size limit reached (%d > %d). Help: Reduce the size of your condition.", n, lim)
		}
	}
	if allowUnindexed != nil && !*allowUnindexed {
		if key, ok := c.unindexedKey(f); ok {
			return strictError("Index required but not found for %q of one of the following types: [keyword]. Help: Create an index for this key or use a different filter.", key)
		}
	}
	return nil
}

func conditions(f *qdrant.Filter) []*qdrant.Condition {
	out := append([]*qdrant.Condition{}, f.GetMust()...)
	out = append(out, f.GetMustNot()...)
	out = append(out, f.GetShould()...)
	return append(out, f.GetMinShould().GetConditions()...)
}

// conditionsCount is Filter::total_conditions_count: nested filters count
// their conditions, every other condition counts one.
func conditionsCount(f *qdrant.Filter) uint64 {
	var n uint64
	for _, c := range conditions(f) {
		if sub := c.GetFilter(); sub != nil {
			n += conditionsCount(sub)
		} else {
			n++
		}
	}
	return n
}

// maxConditionSize is Filter::max_condition_input_size: the longest list
// of a match-any, match-except or has-id condition.
func maxConditionSize(f *qdrant.Filter) uint64 {
	var m uint64
	for _, c := range conditions(f) {
		var n uint64
		switch v := c.GetConditionOneOf().(type) {
		case *qdrant.Condition_Filter:
			n = maxConditionSize(v.Filter)
		case *qdrant.Condition_HasId:
			n = uint64(len(v.HasId.GetHasId()))
		case *qdrant.Condition_Field:
			switch mv := v.Field.GetMatch().GetMatchValue().(type) {
			case *qdrant.Match_Keywords:
				n = uint64(len(mv.Keywords.GetStrings()))
			case *qdrant.Match_ExceptKeywords:
				n = uint64(len(mv.ExceptKeywords.GetStrings()))
			case *qdrant.Match_Integers:
				n = uint64(len(mv.Integers.GetIntegers()))
			case *qdrant.Match_ExceptIntegers:
				n = uint64(len(mv.ExceptIntegers.GetIntegers()))
			}
		}
		m = max(m, n)
	}
	return m
}

func (c *collection) unindexedKey(f *qdrant.Filter) (string, bool) {
	for _, cond := range conditions(f) {
		switch v := cond.GetConditionOneOf().(type) {
		case *qdrant.Condition_Filter:
			if k, ok := c.unindexedKey(v.Filter); ok {
				return k, true
			}
		case *qdrant.Condition_Field:
			if _, ok := c.indexes[v.Field.GetKey()]; !ok {
				return v.Field.GetKey(), true
			}
		}
	}
	return "", false
}
