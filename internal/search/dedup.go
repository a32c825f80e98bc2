package search

import "github.com/researchflow/researchflow/internal/search/ident"

// Keys are the identity keys of r (see ident.Keys): its DOI, arXiv ID and
// normalised URL, plus the identifiers its URL carries (an arxiv.org or
// doi.org link).
func (r Result) Keys() []string { return ident.Keys(r.DOI, r.ArxivID, r.URL) }

// Dedup merges results that are the same work reached by different URLs:
// two results are one when they share a DOI, an arXiv ID or a normalised
// URL (ident.NormalizeURL: http/https, "www.", tracking parameters and
// trailing slashes do not matter), also transitively (A~B by DOI, B~C by
// URL: one work). The first result of each work keeps its place and its
// fields; empty fields (snippet, site, date, DOI, arXiv ID) are filled from
// the later ones, and a longer snippet replaces a shorter one. Provider
// stays the first result's. The input is not modified.
func Dedup(results []Result) []Result {
	keysets := make([][]string, len(results))
	for i, r := range results {
		keysets[i] = r.Keys()
	}
	var out []Result
	slot := map[int]int{} // first item of a work → index in out
	for i, g := range ident.Groups(keysets) {
		if k, ok := slot[g]; ok {
			out[k] = merge(out[k], results[i])
			continue
		}
		slot[g] = len(out)
		out = append(out, results[i])
	}
	return out
}

func merge(a, b Result) Result {
	if a.Title == "" {
		a.Title = b.Title
	}
	if len(b.Snippet) > len(a.Snippet) {
		a.Snippet = b.Snippet
	}
	if a.Site == "" {
		a.Site = b.Site
	}
	if a.Published.IsZero() {
		a.Published = b.Published
	}
	if a.DOI == "" {
		a.DOI = b.DOI
	}
	if a.ArxivID == "" {
		a.ArxivID = b.ArxivID
	}
	return a
}
