package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parseHTML extracts the article of an HTML page. When the page has a
// <main> or <article> (or role="main"), only their text is kept; otherwise
// the page's <header>, <footer> and <aside> are dropped. Everywhere, scripts,
// styles, navigation, forms' controls, <dialog>, hidden elements (the
// hidden attribute, aria-hidden="true", and what inline styles or the
// page's style sheets hide from sight: see hiddenElements) and elements
// whose role is dialog, alertdialog, banner, navigation or contentinfo are
// dropped: the page furniture of the HTML Living Standard's sectioning elements and the
// WAI-ARIA landmark roles. Block elements become paragraphs, <pre> keeps
// its lines and h1–h4 start sections. The title is the <title>, else the
// Title of a Go-doc JSON comment (<!--{ "Title": ... }-->), else the first
// h1 or h2.
func parseHTML(raw []byte) (Document, error) {
	root, err := html.Parse(bytes.NewReader(raw))
	if err != nil {
		return Document{}, fmt.Errorf("parse html: %w", err)
	}
	x := htmlExtractor{hidden: hiddenElements(root)}
	for n := range root.Descendants() {
		if n.Type == html.ElementNode && isArticle(n) && !furniture(n) && !x.hidden[n] {
			x.hasArticle = true
			break
		}
	}
	x.walk(root)
	doc := x.t.document()
	switch {
	case x.title != "":
		doc.Title = x.title
	case x.metaTitle != "":
		doc.Title = x.metaTitle
	default:
		doc.Title = x.firstHeading
	}
	return doc, nil
}

type htmlExtractor struct {
	t textBuilder
	// hidden are the elements a reader never sees (hiddenElements).
	hidden map[*html.Node]bool
	// hasArticle: the page has a <main> or <article>; text outside them is
	// dropped. inArticle is the depth of those elements around the walk.
	hasArticle bool
	inArticle  int
	pre        int // depth of <pre> elements
	// marker is the number of the ordered list item being read ("2. "),
	// written before the item's first content (see mark); numbers holds
	// the numbers of the items of the ordered lists met so far.
	marker       string
	numbers      map[*html.Node]string
	title        string
	metaTitle    string
	firstHeading string
}

func (x *htmlExtractor) walk(n *html.Node) {
	switch n.Type {
	case html.CommentNode:
		if x.metaTitle == "" {
			x.metaTitle = goDocMetaTitle(n.Data)
		}
		return
	case html.TextNode:
		if x.hasArticle && x.inArticle == 0 {
			return
		}
		if strings.TrimSpace(n.Data) != "" && x.pre == 0 {
			x.mark()
		}
		if x.pre > 0 {
			x.preText(n.Data)
		} else {
			x.t.inline(n.Data)
		}
		return
	case html.ElementNode:
		x.element(n)
		return
	}
	x.children(n)
}

func (x *htmlExtractor) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		x.walk(c)
	}
}

func (x *htmlExtractor) element(n *html.Node) {
	if furniture(n) || x.hidden[n] {
		return
	}
	if isArticle(n) {
		x.inArticle++
		defer func() { x.inArticle-- }()
	} else if x.inArticle == 0 && (n.DataAtom == atom.Header || n.DataAtom == atom.Footer || n.DataAtom == atom.Aside) {
		return
	}
	switch n.DataAtom {
	case atom.Head:
		// Only the title matters in the head; comments there may carry metadata.
		for c := range n.Descendants() {
			if c.Type == html.ElementNode && c.DataAtom == atom.Title && x.title == "" {
				x.title = collapse(textOf(c))
			}
			if c.Type == html.CommentNode && x.metaTitle == "" {
				x.metaTitle = goDocMetaTitle(c.Data)
			}
		}
		return
	case atom.Title:
		if x.title == "" {
			x.title = collapse(textOf(n))
		}
		return
	case atom.Script, atom.Style, atom.Nav, atom.Noscript, atom.Template, atom.Svg,
		atom.Iframe, atom.Button, atom.Select, atom.Object, atom.Canvas, atom.Dialog:
		return
	case atom.H1, atom.H2, atom.H3, atom.H4:
		h := collapse(textOf(n))
		if x.firstHeading == "" && (n.DataAtom == atom.H1 || n.DataAtom == atom.H2) {
			x.firstHeading = h
		}
		if !x.hasArticle || x.inArticle > 0 {
			x.t.heading(h)
		}
		return
	case atom.Pre:
		if x.marker != "" {
			// "1." before the item's code, not inside its first line.
			x.t.inline(strings.TrimSpace(x.marker))
			x.marker = ""
		}
		x.t.brk(2)
		x.pre++
		x.children(n)
		x.pre--
		x.t.brk(2)
		return
	case atom.Br:
		if x.pre > 0 {
			x.preText("\n")
		} else {
			x.t.brk(1)
		}
		return
	case atom.Li:
		if m := x.itemNumber(n); m != "" {
			// An ordered list's numbers are part of what it says: the
			// steps of a procedure, and the explanations of a code
			// block's callouts ("<2>" is explained by item 2, however
			// many paragraphs item 1 has), as text renderings of HTML
			// (lynx -dump, html2text) write them.
			x.mark() // an item that opens with a list: its own number first
			x.t.brk(1)
			x.marker = m + " "
			x.children(n)
			x.marker = ""
			x.t.brk(1)
			return
		}
	case atom.Td, atom.Th:
		x.t.inline(" ")
		x.children(n)
		x.t.inline(" ")
		return
	case atom.Img:
		for _, a := range n.Attr {
			if a.Key == "alt" && strings.TrimSpace(a.Val) != "" {
				x.mark()
				x.t.inline(" " + a.Val + " ")
			}
		}
		return
	}
	if b := blockBreak(n.DataAtom); b > 0 {
		x.t.brk(b)
		x.children(n)
		x.t.brk(b)
		return
	}
	x.children(n)
}

// mark writes the pending number of an ordered list's item before its
// first content.
func (x *htmlExtractor) mark() {
	if x.marker != "" {
		x.t.inline(x.marker)
		x.marker = ""
	}
}

// itemNumber is the number of list item li in its ordered list ("3."),
// counted as browsers do (the list's start and reversed attributes, an
// item's value attribute), or "" for an item of another list. Lists typed
// "a"/"A" are lettered, "i"/"I" in Roman numerals. A list's items are
// numbered once, when its first item is read.
func (x *htmlExtractor) itemNumber(li *html.Node) string {
	ol := li.Parent
	if ol == nil || ol.DataAtom != atom.Ol {
		return ""
	}
	if m, ok := x.numbers[li]; ok {
		return m
	}
	if x.numbers == nil {
		x.numbers = map[*html.Node]string{}
	}
	var items []*html.Node
	for c := ol.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Li {
			items = append(items, c)
		}
	}
	step, n := 1, 1
	if _, reversed := attrOK(ol, "reversed"); reversed {
		step, n = -1, len(items)
	}
	if v, err := strconv.Atoi(strings.TrimSpace(attr(ol, "start"))); err == nil {
		n = v
	}
	kind := attr(ol, "type")
	for _, it := range items {
		if v, err := strconv.Atoi(strings.TrimSpace(attr(it, "value"))); err == nil {
			n = v
		}
		x.numbers[it] = listNumber(n, kind) + "."
		n += step
	}
	return x.numbers[li]
}

// listNumber writes n as an ordered list of type kind shows it: "c" for
// "a", "C" for "A", "iv" for "i", "IV" for "I", decimal otherwise (and
// where a letter or numeral cannot write n).
func listNumber(n int, kind string) string {
	switch {
	case (kind == "a" || kind == "A") && n >= 1 && n <= 26:
		return string(rune(kind[0] + byte(n-1)))
	case (kind == "i" || kind == "I") && n >= 1 && n < 4000:
		r := roman(n)
		if kind == "i" {
			r = strings.ToLower(r)
		}
		return r
	}
	return strconv.Itoa(n)
}

// roman writes 1 ≤ n < 4000 in Roman numerals.
func roman(n int) string {
	values := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	symbols := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range values {
		for n >= v {
			b.WriteString(symbols[i])
			n -= v
		}
	}
	return b.String()
}

// isArticle reports whether n holds a page's main content.
func isArticle(n *html.Node) bool {
	return n.DataAtom == atom.Main || n.DataAtom == atom.Article || strings.EqualFold(attr(n, "role"), "main")
}

// furniture reports whether n is hidden or is page furniture by its role.
func furniture(n *html.Node) bool {
	if n.DataAtom == atom.Dialog {
		return true
	}
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "aria-modal":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "role":
			switch strings.ToLower(strings.TrimSpace(a.Val)) {
			case "dialog", "alertdialog", "banner", "navigation", "contentinfo":
				return true
			}
		case "style":
			v := strings.ToLower(strings.ReplaceAll(a.Val, " ", ""))
			if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

// attrOK returns n's attribute key and whether n has it.
func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

// preText writes preformatted text as it is.
func (x *htmlExtractor) preText(s string) { x.t.raw(s) }

// blockBreak is the break an element puts around itself: 2 for blocks that
// read as paragraphs, 1 for list items, rows and definitions, 0 for inline.
func blockBreak(a atom.Atom) int {
	switch a {
	case atom.P, atom.Div, atom.H5, atom.H6, atom.Table, atom.Blockquote, atom.Ul,
		atom.Ol, atom.Dl, atom.Section, atom.Article, atom.Main, atom.Aside,
		atom.Figure, atom.Figcaption, atom.Header, atom.Footer, atom.Hr, atom.Address,
		atom.Details, atom.Summary, atom.Caption, atom.Form, atom.Fieldset:
		return 2
	case atom.Li, atom.Tr, atom.Dt, atom.Dd:
		return 1
	}
	return 0
}

// goDocMetaTitle reads the Title of the JSON comment that starts the HTML
// pages of the Go distribution (<!--{ "Title": "The Go Memory Model" }-->).
func goDocMetaTitle(comment string) string {
	c := strings.TrimSpace(comment)
	if !strings.HasPrefix(c, "{") {
		return ""
	}
	var meta struct{ Title string }
	if err := json.Unmarshal([]byte(c), &meta); err != nil {
		return ""
	}
	return collapse(meta.Title)
}

// textOf is the text content of n, scripts and styles left out.
func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode && !insideNoise(c, n) {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func insideNoise(c, top *html.Node) bool {
	for p := c.Parent; p != nil && p != top; p = p.Parent {
		if p.DataAtom == atom.Script || p.DataAtom == atom.Style {
			return true
		}
	}
	return false
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
