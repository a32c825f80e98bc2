package corpus

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/andybalholm/cascadia"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Hidden text. What a reader of a page never sees is not part of the page
// as read, and is where instructions meant only for machines are planted.
// hiddenElements finds the elements a browser would not show, by their
// attributes (hidden, aria-hidden="true"), by their inline style and by the
// page's own style sheets (<style> elements; linked style sheets are not
// fetched). A style hides an element when it sets
//
//   - display: none, visibility: hidden or collapse, opacity: 0;
//   - a font size of 1px or less (0, ≤ 1px, ≤ 0.75pt, ≤ 0.0625em/rem, ≤ 6.25%);
//   - an off-screen position: left, top, right, margin-left, margin-top or
//     text-indent of -500px or further;
//   - clip-based "screen-reader only" boxes: clip: rect(…) of at most 1px,
//     clip-path: inset(50%) or circle(0), or width and height of at most
//     1px, or a height or max-height of 0, with overflow hidden;
//   - a text colour equal to the background colour in effect (declared on
//     the element or an ancestor, white when none is).
//
// Style-sheet rules apply to the elements their selectors match
// (andybalholm/cascadia); rules inside @media blocks apply only when the
// block is for screens or all media without conditions. Cascade order is
// approximated: rules in document order, then the inline style.
func hiddenElements(root *html.Node) map[*html.Node]bool {
	rules := indexRules(styleRules(root))
	hidden := map[*html.Node]bool{}
	var walk func(n *html.Node, bg string)
	walk = func(n *html.Node, bg string) {
		if n.Type == html.ElementNode {
			d := declarations{}
			for _, r := range rules.candidates(n) {
				if r.sel.Match(n) {
					d.merge(r.decls)
				}
			}
			d.merge(parseDeclarations(attr(n, "style"), true))
			ownColor, ownBg := colorValue(d["color"]), backgroundColor(d)
			if ownBg != "" {
				bg = ownBg
			}
			// Text coloured as its background: only an element's own colour
			// counts, the default text colour being unknown to a page's
			// own background.
			if hiddenByAttr(n) || d.hides() || ownColor != "" && ownColor == bg && bg != "transparent" {
				hidden[n] = true
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, bg)
		}
	}
	walk(root, "#ffffff")
	return hidden
}

// hiddenByAttr reports whether n's attributes hide it: hidden,
// aria-hidden="true".
func hiddenByAttr(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		}
	}
	return false
}

// declarations are CSS property values, lower case, the last one kept.
type declarations map[string]string

func (d declarations) merge(o declarations) {
	for k, v := range o {
		d[k] = v
	}
}

// hides reports whether the declarations take the element out of sight
// (see hiddenElements).
func (d declarations) hides() bool {
	switch {
	case d["display"] == "none", d["visibility"] == "hidden", d["visibility"] == "collapse":
		return true
	}
	if v, ok := number(d["opacity"]); ok && v <= 0.01 {
		return true
	}
	if fs, ok := d["font-size"]; ok && tinyFont(fs) {
		return true
	}
	for _, p := range []string{"left", "top", "right", "margin-left", "margin-top", "text-indent"} {
		if px, ok := pixels(d[p]); ok && px <= -500 {
			return true
		}
	}
	if strings.HasPrefix(d["clip"], "rect(") {
		small := true
		for _, f := range strings.FieldsFunc(strings.TrimSuffix(strings.TrimPrefix(d["clip"], "rect("), ")"), func(r rune) bool { return r == ',' || r == ' ' }) {
			if px, ok := pixels(f); !ok || px > 1 {
				small = false
			}
		}
		if small {
			return true
		}
	}
	switch strings.ReplaceAll(d["clip-path"], " ", "") {
	case "inset(50%)", "inset(100%)", "circle(0)", "circle(0px)", "polygon(0000)":
		return true
	}
	if d["overflow"] == "hidden" {
		w, wok := pixels(d["width"])
		h, hok := pixels(d["height"])
		if wok && hok && w <= 1 && h <= 1 {
			return true
		}
		if hok && h == 0 {
			return true
		}
		if mh, ok := pixels(d["max-height"]); ok && mh == 0 {
			return true
		}
	}
	return false
}

// tinyFont reports whether a font-size is 1px or less.
func tinyFont(v string) bool {
	n, unit := splitUnit(v)
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return false
	}
	switch unit {
	case "", "px":
		return f <= 1
	case "pt":
		return f <= 0.75
	case "em", "rem":
		return f <= 0.0625
	case "%":
		return f <= 6.25
	}
	return f == 0
}

// pixels reads a length in px (or a unitless 0); ok is false otherwise.
func pixels(v string) (float64, bool) {
	n, unit := splitUnit(v)
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || (unit != "px" && !(unit == "" && f == 0) && !(unit == "em" && f <= -100)) {
		return 0, false
	}
	if unit == "em" {
		f *= 16
	}
	return f, true
}

func number(v string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return f, err == nil
}

func splitUnit(v string) (num, unit string) {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && (v[i] == '-' || v[i] == '+' || v[i] == '.' || v[i] >= '0' && v[i] <= '9') {
		i++
	}
	return v[:i], v[i:]
}

// backgroundColor is the colour of background-color, else the first colour
// of the background shorthand, "" when neither sets one.
func backgroundColor(d declarations) string {
	if c := colorValue(d["background-color"]); c != "" {
		return c
	}
	for _, f := range strings.Fields(d["background"]) {
		if c := colorValue(f); c != "" {
			return c
		}
	}
	return ""
}

// namedColors are the CSS colour keywords pages use to hide text.
var namedColors = map[string]string{
	"white": "#ffffff", "black": "#000000", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
	"yellow": "#ffff00", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0", "transparent": "transparent",
	"snow": "#fffafa", "ivory": "#fffff0", "whitesmoke": "#f5f5f5",
}

// colorValue normalizes a CSS colour to "#rrggbb" (or "transparent"), ""
// when v is not a colour it reads.
func colorValue(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if c, ok := namedColors[v]; ok {
		return c
	}
	if strings.HasPrefix(v, "#") {
		h := v[1:]
		switch len(h) {
		case 3, 4:
			if len(h) == 4 && h[3] == '0' {
				return "transparent"
			}
			return "#" + string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		case 6:
			return v
		case 8:
			if h[6:] == "00" {
				return "transparent"
			}
			return "#" + h[:6]
		}
		return ""
	}
	for _, fn := range []string{"rgba(", "rgb("} {
		if !strings.HasPrefix(v, fn) || !strings.HasSuffix(v, ")") {
			continue
		}
		parts := strings.FieldsFunc(v[len(fn):len(v)-1], func(r rune) bool { return r == ',' || r == ' ' || r == '/' })
		if len(parts) < 3 {
			return ""
		}
		var rgb []byte
		for _, p := range parts[:3] {
			f, err := strconv.ParseFloat(strings.TrimSuffix(p, "%"), 64)
			if err != nil {
				return ""
			}
			if strings.HasSuffix(p, "%") {
				f = f * 255 / 100
			}
			rgb = append(rgb, byte(min(max(f+0.5, 0), 255)))
		}
		if len(parts) > 3 {
			if a, err := strconv.ParseFloat(strings.TrimSuffix(parts[3], "%"), 64); err == nil && a == 0 {
				return "transparent"
			}
		}
		return "#" + strconv.FormatUint(uint64(rgb[0])<<16|uint64(rgb[1])<<8|uint64(rgb[2])|1<<24, 16)[1:]
	}
	return ""
}

// styleRule is a style-sheet rule that matters to hiddenElements.
type styleRule struct {
	sel   cascadia.SelectorGroup
	decls declarations
	// keys are the id ("#a"), class (".b") or tag ("p") each selector of
	// the group requires of the element it styles; nil when one of them
	// requires none of these (see subjectKey).
	keys []string
	seq  int // position in the page's style sheets
}

// ruleIndex finds the rules that may match an element by the keys of their
// subjects, as browsers' rule hashes do, so that an element is matched
// against a few rules rather than all.
type ruleIndex struct {
	byKey  map[string][]*styleRule
	always []*styleRule
}

func indexRules(rules []styleRule) ruleIndex {
	ix := ruleIndex{byKey: map[string][]*styleRule{}}
	for i := range rules {
		r := &rules[i]
		r.seq = i
		if r.keys == nil {
			ix.always = append(ix.always, r)
			continue
		}
		for _, k := range r.keys {
			ix.byKey[k] = append(ix.byKey[k], r)
		}
	}
	return ix
}

// candidates are the rules that may match n, in style-sheet order.
func (ix ruleIndex) candidates(n *html.Node) []*styleRule {
	if len(ix.byKey) == 0 {
		return ix.always
	}
	out := append([]*styleRule(nil), ix.always...)
	add := func(k string) { out = append(out, ix.byKey[k]...) }
	add(strings.ToLower(n.Data))
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "id":
			add("#" + a.Val)
		case "class":
			for _, c := range strings.Fields(a.Val) {
				add("." + c)
			}
		}
	}
	slices.SortFunc(out, func(a, b *styleRule) int { return a.seq - b.seq })
	return slices.Compact(out)
}

// ruleKeys are the subject keys of a selector group (see subjectKey); nil
// when one selector has none.
func ruleKeys(group string) []string {
	var keys []string
	for _, sel := range splitTop(group, ',') {
		k := subjectKey(sel)
		if k == "" {
			return nil
		}
		keys = append(keys, k)
	}
	return keys
}

// subjectKey is what the subject (last compound selector) of sel requires
// of an element: its first id ("#a"), else its first class (".b"), else
// its tag name ("p"), "" when none or when sel is too unusual to read.
func subjectKey(sel string) string {
	sel = strings.TrimSpace(sel)
	if sel == "" || strings.ContainsAny(sel, "\\|") {
		return ""
	}
	// The subject follows the last combinator outside brackets.
	start, depth := 0, 0
	for i, c := range sel {
		switch c {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case ' ', '>', '+', '~', '\t', '\n':
			if depth == 0 {
				start = i + 1
			}
		}
	}
	compound := sel[start:]
	depth = 0
	var id, class string
	for i := 0; i < len(compound); i++ {
		switch c := compound[i]; c {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case '#', '.':
			if depth > 0 {
				continue
			}
			j := i + 1
			for j < len(compound) && (isIdentByte(compound[j])) {
				j++
			}
			if c == '#' && id == "" {
				id = "#" + compound[i+1:j]
			}
			if c == '.' && class == "" {
				class = "." + compound[i+1:j]
			}
			i = j - 1
		}
	}
	switch {
	case len(id) > 1:
		return id
	case len(class) > 1:
		return class
	}
	j := 0
	for j < len(compound) && isIdentByte(compound[j]) {
		j++
	}
	if j > 0 {
		return strings.ToLower(compound[:j])
	}
	return ""
}

func isIdentByte(c byte) bool {
	return c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// splitTop splits s at sep outside parentheses and brackets.
func splitTop(s string, sep rune) []string {
	var out []string
	depth, last := 0, 0
	for i, c := range s {
		switch {
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[last:i])
			last = i + 1
		}
	}
	return append(out, s[last:])
}

// relevant are the properties hiddenElements reads; rules setting none of
// them are not kept.
var relevant = map[string]bool{
	"display": true, "visibility": true, "opacity": true, "font-size": true, "left": true, "top": true,
	"right": true, "margin-left": true, "margin-top": true, "text-indent": true, "clip": true,
	"clip-path": true, "overflow": true, "width": true, "height": true, "max-height": true,
	"color": true, "background-color": true, "background": true,
}

// dynamic pseudo-classes and pseudo-elements: a rule using them does not
// describe the element as it is first shown.
var dynamic = []string{"::", ":hover", ":focus", ":active", ":visited", ":target", ":before", ":after", ":checked", ":invalid", ":placeholder"}

// styleRules reads the rules of the page's <style> elements that can
// hide something: a rule that hides by itself, one that sets a background
// (descendants inherit it), and one that sets a text colour equal to a
// background the page declares (or white, the default). A page's many
// rules that only colour text differently from every background are left
// out, so that matching stays cheap on pages with large inline style
// sheets. (Hiding spread over several rules, say a 1px width in one and
// overflow:hidden in another, is not seen.)
func styleRules(root *html.Node) []styleRule {
	var all []styleRule
	backgrounds := map[string]bool{"#ffffff": true}
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if n.DataAtom == atom.Style && screenMedia(attr(n, "media")) {
			all = append(all, parseStyleSheet(textOfStyle(n))...)
		}
		if st := attr(n, "style"); st != "" {
			if bg := backgroundColor(parseDeclarations(st, true)); bg != "" {
				backgrounds[bg] = true
			}
		}
	}
	for _, r := range all {
		if bg := backgroundColor(r.decls); bg != "" {
			backgrounds[bg] = true
		}
	}
	var rules []styleRule
	for _, r := range all {
		if r.decls.hides() || backgroundColor(r.decls) != "" || backgrounds[colorValue(r.decls["color"])] {
			rules = append(rules, r)
		}
	}
	return rules
}

func textOfStyle(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// screenMedia reports whether a media query list applies to a screen
// whatever its size: empty, "all" or "screen", without conditions.
func screenMedia(q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return true
	}
	if strings.Contains(q, "(") {
		return false
	}
	for _, m := range strings.Split(q, ",") {
		switch strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "only ")) {
		case "all", "screen":
			return true
		}
	}
	return false
}

// parseStyleSheet returns the rules of a style sheet that set a property
// hiddenElements reads and whose selectors cascadia compiles.
func parseStyleSheet(sheet string) []styleRule {
	p := css.NewParser(parse.NewInput(bytes.NewBufferString(sheet)), false)
	var rules []styleRule
	var cur *styleRule
	var skipDepth int // depth of at-rule blocks whose rules do not apply
	for {
		gt, _, data := p.Next()
		switch gt {
		case css.ErrorGrammar:
			return rules
		case css.BeginAtRuleGrammar:
			if skipDepth > 0 || !strings.EqualFold(string(data), "@media") || !screenMedia(tokens(p.Values())) {
				skipDepth++
			}
		case css.EndAtRuleGrammar:
			if skipDepth > 0 {
				skipDepth--
			}
		case css.BeginRulesetGrammar:
			cur = nil
			if skipDepth > 0 {
				continue
			}
			selector := tokens(p.Values())
			if isDynamic(selector) {
				continue
			}
			sel, err := cascadia.ParseGroup(selector)
			if err != nil {
				continue
			}
			cur = &styleRule{sel: sel, decls: declarations{}, keys: ruleKeys(selector)}
		case css.DeclarationGrammar:
			if cur == nil {
				continue
			}
			prop := strings.ToLower(string(data))
			if relevant[prop] {
				cur.decls[prop] = declValue(p.Values())
			}
		case css.EndRulesetGrammar:
			if cur != nil && len(cur.decls) > 0 {
				rules = append(rules, *cur)
			}
			cur = nil
		}
	}
}

func isDynamic(selector string) bool {
	s := strings.ToLower(selector)
	for _, d := range dynamic {
		if strings.Contains(s, d) {
			return true
		}
	}
	return false
}

// parseDeclarations reads a declaration list (an inline style attribute).
func parseDeclarations(style string, inline bool) declarations {
	d := declarations{}
	if strings.TrimSpace(style) == "" {
		return d
	}
	p := css.NewParser(parse.NewInput(bytes.NewBufferString(style)), inline)
	for {
		gt, _, data := p.Next()
		if gt == css.ErrorGrammar {
			return d
		}
		if gt == css.DeclarationGrammar {
			if prop := strings.ToLower(string(data)); relevant[prop] {
				d[prop] = declValue(p.Values())
			}
		}
	}
}

// declValue is a declaration's value, lower case, single-spaced, without
// !important.
func declValue(vals []css.Token) string {
	s := strings.ToLower(tokens(vals))
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "!important"))
	return strings.Join(strings.Fields(s), " ")
}

func tokens(vals []css.Token) string {
	var b strings.Builder
	for _, v := range vals {
		b.Write(v.Data)
	}
	return b.String()
}
