package report

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// unicodeFonts are TrueType fonts PDF tries, in order, so that every
// script of a report prints; without one it falls back to the PDF core
// fonts, which print Western European text only (others become '?').
var unicodeFonts = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/TTF/DejaVuSans.ttf",
	"/usr/share/fonts/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
	"/Library/Fonts/Arial Unicode.ttf",
	`C:\Windows\Fonts\arial.ttf`,
}

// PDF renders a Markdown report as an A4 PDF document titled title: the
// report's headings, paragraphs, lists, code and footer, with links
// printed after their text.
func PDF(title, md string) ([]byte, error) {
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(title, true)
	pdf.SetCreator("Researchflow", true)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	family, tr := "Helvetica", pdf.UnicodeTranslatorFromDescriptor("")
	for _, path := range unicodeFonts {
		if font, err := os.ReadFile(path); err == nil {
			pdf.AddUTF8FontFromBytes("body", "", font)
			pdf.AddUTF8FontFromBytes("body", "B", font) // one face: headings stand out by size
			if pdf.Err() {
				pdf.ClearError()
				continue
			}
			family, tr = "body", func(s string) string { return s }
			break
		}
	}
	pdf.AddPage()

	write := func(size float64, style, s string, indent float64) {
		pdf.SetFont(family, style, size)
		pdf.SetX(18 + indent)
		pdf.MultiCell(0, size*0.5, tr(s), "", "L", false)
	}
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			pdf.Ln(2)
			size := 12.0
			switch n.Level {
			case 1:
				size = 18
			case 2:
				size = 14
			}
			write(size, "B", inlineText(n, src), 0)
			pdf.Ln(1)
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph, *ast.TextBlock:
			if li, ok := n.Parent().(*ast.ListItem); ok {
				prefix := "• "
				if l, ok := li.Parent().(*ast.List); ok && l.IsOrdered() {
					prefix = ""
				}
				write(11, "", prefix+inlineText(n, src), 4)
				pdf.Ln(0.5)
				return ast.WalkSkipChildren, nil
			}
			write(11, "", inlineText(n, src), 0)
			pdf.Ln(2)
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			var b strings.Builder
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
			code := "Courier"
			if family != "Helvetica" {
				code = family // a Unicode font prints every script of the code
			}
			pdf.SetFont(code, "", 9)
			pdf.SetX(18)
			pdf.MultiCell(0, 4.5, tr(strings.TrimRight(b.String(), "\n")), "", "L", false)
			pdf.Ln(2)
			return ast.WalkSkipChildren, nil
		case *ast.ThematicBreak:
			pdf.Ln(2)
			y := pdf.GetY()
			pdf.Line(18, y, 192, y)
			pdf.Ln(3)
		case *extast.Table:
			write(10, "", inlineText(n, src), 0)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return nil, fmt.Errorf("render the report as PDF: %w", err)
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("render the report as PDF: %w", err)
	}
	return out.Bytes(), nil
}

// inlineText is the text of n's inline content: links as "text (URL)"
// when the URL is not the text, line breaks kept.
func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				// As goldmark's HTML renderer writes text: backslash
				// escapes ("\<group>", "\[9\]") and entities resolved.
				b.Write(util.ResolveNumericReferences(util.ResolveEntityNames(util.UnescapePunctuations(c.Segment.Value(src)))))
				switch {
				case c.HardLineBreak():
					b.WriteString("\n")
				case c.SoftLineBreak():
					b.WriteString(" ")
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.AutoLink:
				b.Write(c.URL(src))
			case *ast.Link:
				start := b.Len()
				walk(c)
				if dest := string(c.Destination); dest != "" && b.String()[start:] != dest {
					b.WriteString(" (" + dest + ")")
				}
			default:
				walk(c)
				if _, ok := c.(*extast.TableCell); ok {
					b.WriteString("  ")
				}
				if _, ok := c.(*extast.TableRow); ok {
					b.WriteString("\n")
				}
			}
		}
	}
	walk(n)
	return b.String()
}
