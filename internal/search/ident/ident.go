// Package ident recognises the identifiers that say two URLs are the same
// work: a normalised URL, a DOI and an arXiv identifier. Package search uses
// them to merge search results and package fetch to label fetched pages, so
// both agree on what "the same work" means.
package ident

import (
	"net/url"
	"regexp"
	"strings"
)

// doiPattern is a DOI as Crossref recommends matching it: "10." , a
// registrant code of 4–9 digits, "/", and a suffix without spaces
// (https://www.crossref.org/blog/dois-and-matching-regular-expressions/).
var doiPattern = regexp.MustCompile(`(?i)\b(10\.\d{4,9}/[-._;()/:A-Z0-9<>\[\]]+)`)

// DOI returns the DOI in s (a bare DOI, "doi:10…", or a https://doi.org/…
// or dx.doi.org URL), lower-cased (DOIs are case-insensitive, DOI Handbook
// §2.4) with trailing punctuation dropped; "" when s holds none.
func DOI(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		if p, err := url.PathUnescape(u.EscapedPath()); err == nil {
			s = strings.TrimPrefix(p, "/")
			if host := strings.ToLower(u.Host); host != "doi.org" && host != "dx.doi.org" && host != "www.doi.org" {
				s = p
			}
		}
	}
	m := doiPattern.FindString(s)
	m = strings.TrimRight(m, ".,;:)]>")
	return strings.ToLower(m)
}

// DOIFromLink returns the DOI of a https://doi.org/ (or dx.doi.org) link,
// "" for any other link.
func DOIFromLink(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Host) {
	case "doi.org", "dx.doi.org", "www.doi.org":
		return DOI(link)
	}
	return ""
}

var (
	// New-style arXiv identifiers YYMM.NNNNN (4 digits after the dot before
	// 2015), with an optional version (https://info.arxiv.org/help/arxiv_identifier.html).
	arxivNew = regexp.MustCompile(`^(\d{4}\.\d{4,5})(v\d+)?$`)
	// Old-style identifiers archive(.SUBJ)/YYMMNNN, e.g. hep-th/9901001.
	arxivOld = regexp.MustCompile(`^([a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$`)
)

// ArxivID normalises an arXiv identifier ("arXiv:2101.00001v2",
// "2101.00001", "hep-th/9901001v1") to its versionless form; "" when s is
// not one.
func ArxivID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 6 && strings.EqualFold(s[:6], "arxiv:") {
		s = s[6:]
	}
	s = strings.TrimSuffix(s, ".pdf")
	if m := arxivNew.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := arxivOld.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// ArxivFromURL returns the versionless arXiv identifier of an arxiv.org
// abstract, PDF or HTML page URL (https://arxiv.org/abs/2101.00001v2,
// http://export.arxiv.org/pdf/hep-th/9901001), "" for any other URL.
func ArxivFromURL(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host != "arxiv.org" && !strings.HasSuffix(host, ".arxiv.org") {
		return ""
	}
	for _, prefix := range []string{"/abs/", "/pdf/", "/html/"} {
		if rest, ok := strings.CutPrefix(u.Path, prefix); ok {
			return ArxivID(strings.TrimSuffix(rest, "/"))
		}
	}
	return ""
}

// trackingParams are query parameters that name a campaign, not a page.
var trackingParams = []string{"utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref_src"}

// NormalizeURL is the form of a web URL under which two spellings of one
// page compare equal: scheme and host lower-cased, "www." and default ports
// dropped, http and https alike, the fragment, tracking parameters
// (utm_*, fbclid, gclid…) and a trailing slash removed, remaining query
// parameters sorted. A string that is not an absolute http(s) URL is
// returned trimmed and unchanged.
func NormalizeURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return raw
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	q := u.Query()
	for k := range q {
		for _, t := range trackingParams {
			if strings.HasPrefix(strings.ToLower(k), t) {
				q.Del(k)
			}
		}
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	out := "//" + host + path
	if enc := q.Encode(); enc != "" { // Encode sorts by key
		out += "?" + enc
	}
	return out
}

// Keys are the identity keys of one work: "doi:…", "arxiv:…" and "url:…"
// for each non-empty argument (urls normalised by NormalizeURL). Two works
// sharing any key are the same work.
func Keys(doi, arxivID string, urls ...string) []string {
	var keys []string
	seen := map[string]bool{}
	add := func(prefix, v string) {
		if v != "" && !seen[prefix+v] {
			seen[prefix+v] = true
			keys = append(keys, prefix+v)
		}
	}
	add("doi:", DOI(doi))
	add("arxiv:", ArxivID(arxivID))
	for _, u := range urls {
		if strings.TrimSpace(u) == "" {
			continue
		}
		add("url:", NormalizeURL(u))
		add("arxiv:", ArxivFromURL(u))
		add("doi:", DOIFromLink(u))
	}
	return keys
}

// Groups assigns each item (given by its identity keys, see Keys) the
// index of the first item of the same work: items sharing a key are one
// work, also transitively (A and B share a DOI, B and C a URL: A, B and C
// are one). groups[i] == i marks the first item of its work. Package
// search's Dedup uses it for results; callers use it for fetched pages
// (fetch.Page.Keys) or a mix of both.
func Groups(keysets [][]string) []int {
	parent := make([]int, len(keysets))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	first := map[string]int{} // key → first item carrying it
	for i, keys := range keysets {
		for _, k := range keys {
			j, ok := first[k]
			if !ok {
				first[k] = i
				continue
			}
			a, b := find(i), find(j)
			if a > b {
				a, b = b, a
			}
			parent[b] = a // the earlier item is the root
		}
	}
	groups := make([]int, len(keysets))
	for i := range groups {
		groups[i] = find(i)
	}
	return groups
}
