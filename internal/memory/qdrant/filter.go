package qdrant

import (
	"slices"

	"github.com/qdrant/go-client/qdrant"

	"github.com/researchflow/researchflow/internal/memory"
)

// filter is the Qdrant filter of f under the strict-mode limits, nil when
// f is empty. A list of source IDs longer than condition_max_size is split
// into several match-any conditions (in a nested "should" for SourceIDs,
// several "must_not" for ExcludeSourceIDs). ok is false when the result
// would still pass filter_max_conditions: the caller must then scan (see
// Store.scan) or give up.
func (lim limits) filter(f memory.Filter) (qf *qdrant.Filter, ok bool) {
	must := singleConditions(f)
	if ids := dedupe(f.SourceIDs); len(ids) > 0 {
		parts := split(ids, lim.maxListSize)
		if len(parts) == 1 {
			must = append(must, qdrant.NewMatchKeywords(fieldSourceID, parts[0]...))
		} else {
			should := make([]*qdrant.Condition, len(parts))
			for i, p := range parts {
				should[i] = qdrant.NewMatchKeywords(fieldSourceID, p...)
			}
			must = append(must, qdrant.NewFilterAsCondition(&qdrant.Filter{Should: should}))
		}
	}
	var mustNot []*qdrant.Condition
	for _, p := range split(dedupe(f.ExcludeSourceIDs), lim.maxListSize) {
		mustNot = append(mustNot, qdrant.NewMatchKeywords(fieldSourceID, p...))
	}
	if len(must) == 0 && len(mustNot) == 0 {
		return nil, true
	}
	qf = &qdrant.Filter{Must: must, MustNot: mustNot}
	return qf, lim.maxConditions == 0 || conditionsCount(qf) <= lim.maxConditions
}

// singleConditions are the one-value conditions of f.
func singleConditions(f memory.Filter) []*qdrant.Condition {
	var must []*qdrant.Condition
	if f.Corpus != "" {
		must = append(must, qdrant.NewMatchKeyword(fieldCorpus, f.Corpus))
	}
	if f.SourceID != "" {
		must = append(must, qdrant.NewMatchKeyword(fieldSourceID, f.SourceID))
	}
	if f.DocHash != "" {
		must = append(must, qdrant.NewMatchKeyword(fieldDocHash, f.DocHash))
	}
	return must
}

// scanFilter is the part of f a scan sends to Qdrant: its one-value
// conditions, as many as filter_max_conditions allows; the rest of f is
// checked on the payload (payloadMatcher).
func (lim limits) scanFilter(f memory.Filter) *qdrant.Filter {
	must := singleConditions(f)
	if lim.maxConditions > 0 && len(must) > lim.maxConditions {
		must = must[:lim.maxConditions]
	}
	if len(must) == 0 {
		return nil
	}
	return &qdrant.Filter{Must: must}
}

// payloadMatcher evaluates f on a point's payload, as Qdrant would.
func payloadMatcher(f memory.Filter) func(payload map[string]*qdrant.Value) bool {
	set := func(ids []string) map[string]bool {
		m := make(map[string]bool, len(ids))
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	in, out := set(f.SourceIDs), set(f.ExcludeSourceIDs)
	return func(payload map[string]*qdrant.Value) bool {
		str := func(k string) string { return payload[k].GetStringValue() }
		src := str(fieldSourceID)
		switch {
		case f.Corpus != "" && str(fieldCorpus) != f.Corpus,
			f.SourceID != "" && src != f.SourceID,
			f.DocHash != "" && str(fieldDocHash) != f.DocHash,
			len(in) > 0 && !in[src],
			out[src]:
			return false
		}
		return true
	}
}

// conditionsCount counts conditions as Qdrant's strict mode does
// (Filter::total_conditions_count in lib/segment/src/types.rs: a nested
// filter counts its conditions, any other condition one).
func conditionsCount(f *qdrant.Filter) int {
	n := 0
	for _, list := range [][]*qdrant.Condition{f.GetMust(), f.GetMustNot(), f.GetShould(), f.GetMinShould().GetConditions()} {
		for _, c := range list {
			if sub := c.GetFilter(); sub != nil {
				n += conditionsCount(sub)
			} else {
				n++
			}
		}
	}
	return n
}

// split cuts ids into parts of at most size (all in one part when size is 0).
func split(ids []string, size int) [][]string {
	if len(ids) == 0 {
		return nil
	}
	if size <= 0 {
		return [][]string{ids}
	}
	var out [][]string
	for len(ids) > 0 {
		n := min(size, len(ids))
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}

func dedupe(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
