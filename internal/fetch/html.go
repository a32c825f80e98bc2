package fetch

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/search/ident"
)

// readHTML fills p from an HTML page: metadata from the head (canonical
// link, citation_* / Dublin Core / Open Graph meta), the text from
// corpus.ParseHTML, which drops what a reader never sees (hidden elements,
// visually hidden text, style-sheet rules) and sentences addressed to
// machines.
//
// next is the target of a meta refresh that sends the reader elsewhere
// (see refreshTarget); the page is then a stub, and p is left unfilled.
func readHTML(p *Page, base *url.URL, raw []byte, contentType string) (next *url.URL, err error) {
	r, err := charset.NewReader(bytes.NewReader(raw), contentType)
	if err != nil {
		return nil, fmt.Errorf("decode html: %w", err)
	}
	root, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", err)
	}
	m := pageMeta(root, base)
	if m.refresh != nil {
		return m.refresh, nil
	}
	var buf bytes.Buffer
	if err := html.Render(&buf, root); err != nil {
		return nil, fmt.Errorf("render html: %w", err)
	}
	doc, err := corpus.ParseHTML(buf.Bytes())
	if err != nil {
		return nil, err
	}
	p.Text = doc.Text
	p.Title = doc.Title
	if p.Title == "" {
		p.Title = m.title
	}
	p.CanonicalURL, p.Site, p.Published, p.DOI = m.canonical, m.site, m.published, m.doi
	if m.arxiv != "" && p.ArxivID == "" {
		p.ArxivID = m.arxiv
	}
	return nil, nil
}

type meta struct {
	canonical, title, site, doi, arxiv string
	published                          time.Time
	// refresh is where a meta refresh sends the reader (refreshTarget).
	refresh *url.URL
}

// maxRefreshDelay is the longest meta-refresh delay, in seconds, read as a
// redirect: a page that reloads itself later is a page, not a stub.
const maxRefreshDelay = 10

// refreshTarget reads a <meta http-equiv="refresh" content="N; url=…">
// (HTML Living Standard, "shared declarative refresh steps") and returns
// its target when the delay is at most maxRefreshDelay seconds and the
// target is another page; nil otherwise.
func refreshTarget(content string, base *url.URL) *url.URL {
	c := strings.TrimSpace(content)
	delay, rest := c, ""
	if i := strings.IndexAny(c, ";,"); i >= 0 {
		delay, rest = c[:i], c[i+1:]
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(delay), 64)
	if err != nil || secs < 0 || secs > maxRefreshDelay {
		return nil
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 3 && strings.EqualFold(rest[:3], "url") {
		rest = strings.TrimSpace(rest[3:])
		if !strings.HasPrefix(rest, "=") {
			return nil
		}
		rest = strings.TrimSpace(rest[1:])
	}
	rest = strings.Trim(rest, `"'`)
	if rest == "" {
		return nil
	}
	u, err := base.Parse(rest)
	if err != nil {
		return nil
	}
	u.Fragment = ""
	here := *base
	here.Fragment = ""
	if u.String() == here.String() {
		return nil
	}
	return u
}

// siteRoot reports whether u is the home page of its site.
func siteRoot(u *url.URL) bool {
	return (u.Path == "" || u.Path == "/") && u.RawQuery == ""
}

// Meta names, most specific first (Highwire Press citation_* tags as
// Google Scholar reads them, https://scholar.google.com/intl/en/scholar/inclusion.html#indexing;
// Dublin Core; Open Graph, https://ogp.me/).
var (
	doiMeta   = []string{"citation_doi", "prism.doi", "dc.identifier", "dcterms.identifier", "bepress_citation_doi"}
	dateMeta  = []string{"citation_publication_date", "citation_date", "citation_online_date", "article:published_time", "dc.date", "dcterms.created", "dcterms.issued", "date", "og:published_time"}
	titleMeta = []string{"citation_title", "og:title", "dc.title"}
)

func pageMeta(root *html.Node, base *url.URL) meta {
	var m meta
	metas := map[string]string{}
	dois := map[string]bool{}
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Link:
			if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
				// A canonical link naming the site's home page from another
				// page is a template's mistake, not the page's identity.
				if u, err := base.Parse(strings.TrimSpace(attr(n, "href"))); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
					(!siteRoot(u) || siteRoot(base)) {
					u.Fragment = ""
					m.canonical = u.String()
				}
			}
		case atom.Noscript:
			// With scripting on, the parser keeps <noscript> as text; what a
			// reader without scripts sees there may be a refresh.
			if m.refresh == nil && n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
				if frag, err := html.Parse(strings.NewReader(n.FirstChild.Data)); err == nil {
					for c := range frag.Descendants() {
						if c.Type == html.ElementNode && c.DataAtom == atom.Meta && strings.EqualFold(strings.TrimSpace(attr(c, "http-equiv")), "refresh") {
							m.refresh = refreshTarget(attr(c, "content"), base)
							break
						}
					}
				}
			}
		case atom.Meta:
			if m.refresh == nil && strings.EqualFold(strings.TrimSpace(attr(n, "http-equiv")), "refresh") {
				m.refresh = refreshTarget(attr(n, "content"), base)
			}
			name := strings.ToLower(strings.TrimSpace(attr(n, "name")))
			if name == "" {
				name = strings.ToLower(strings.TrimSpace(attr(n, "property")))
			}
			if _, seen := metas[name]; name != "" && !seen {
				metas[name] = strings.TrimSpace(attr(n, "content"))
			}
		case atom.A:
			if d := ident.DOIFromLink(attr(n, "href")); d != "" {
				dois[d] = true
			}
		}
	}
	for _, k := range doiMeta {
		if d := ident.DOI(metas[k]); d != "" {
			m.doi = d
			break
		}
	}
	if m.doi == "" && len(dois) == 1 {
		// One doi.org link is the page's own DOI; several are a reference
		// list and say nothing about the page.
		for d := range dois {
			m.doi = d
		}
	}
	m.arxiv = ident.ArxivID(metas["citation_arxiv_id"])
	for _, k := range dateMeta {
		if t := egress.ParseDate(metas[k]); !t.IsZero() {
			m.published = t
			break
		}
	}
	for _, k := range titleMeta {
		if v := strings.Join(strings.Fields(metas[k]), " "); v != "" {
			m.title = v
			break
		}
	}
	m.site = strings.Join(strings.Fields(metas["og:site_name"]), " ")
	return m
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
