package corpus

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Word (.docx), OpenDocument text (.odt) and EPUB (.epub) files are zip
// archives of XML; their text is read with archive/zip and encoding/xml,
// no external tool. Each member read is bounded (maxMember), so a small
// archive that inflates to gigabytes is refused rather than read.

// maxMember bounds the inflated size of one archive member read.
const maxMember = 64 << 20

// errTooLarge reports an archive member over maxMember.
var errTooLarge = errors.New("archive member inflates past the size limit")

func openZip(raw []byte) (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("not a zip archive: %w", err)
	}
	return zr, nil
}

// member returns the inflated bytes of the archive member name; ok is
// false when there is none.
func member(zr *zip.Reader, name string) (data []byte, ok bool, err error) {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", name, err)
		}
		defer rc.Close()
		data, err = io.ReadAll(io.LimitReader(rc, maxMember+1))
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", name, err)
		}
		if len(data) > maxMember {
			return nil, true, fmt.Errorf("%s: %w (%d bytes)", name, errTooLarge, maxMember)
		}
		return data, true, nil
	}
	return nil, false, nil
}

// dcTitle reads the first dc:title of a metadata document (docProps/core.xml,
// meta.xml, an EPUB package document).
func dcTitle(data []byte) string {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "title" {
			var s string
			if d.DecodeElement(&s, &se) == nil {
				return collapse(s)
			}
			return ""
		}
	}
}

// parseDOCX reads a Word document (Office Open XML, ECMA-376): the
// paragraphs of word/document.xml, headings (paragraph styles Heading1–4
// and Title) as sections. Runs marked hidden (<w:vanish/>) are left out,
// as hidden HTML is; deleted revisions (<w:del>) too.
func parseDOCX(raw []byte) (Document, error) {
	zr, err := openZip(raw)
	if err != nil {
		return Document{}, fmt.Errorf("read docx: %w", err)
	}
	body, ok, err := member(zr, "word/document.xml")
	if err != nil || !ok {
		return Document{}, fmt.Errorf("read docx: %w", errOr(err, "no word/document.xml"))
	}
	var t textBuilder
	var para, run strings.Builder
	style, hiddenRun, inDel, depth := "", false, 0, 0
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Document{}, fmt.Errorf("read docx: word/document.xml: %w", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Space != wordML {
				continue // DrawingML and other vocabularies inside the body
			}
			switch e.Name.Local {
			case "p":
				// A text box's paragraphs (w:txbxContent) are inside
				// another: they join the paragraph that holds them.
				if depth == 0 {
					para.Reset()
					style = ""
				}
				depth++
			case "pStyle":
				style = xmlAttr(e, "val")
			case "r":
				run.Reset()
				hiddenRun = false
			case "vanish":
				hiddenRun = xmlAttr(e, "val") != "false" && xmlAttr(e, "val") != "0"
			case "del":
				inDel++
			case "t":
				var s string
				if err := d.DecodeElement(&s, &e); err != nil {
					return Document{}, fmt.Errorf("read docx: word/document.xml: %w", err)
				}
				run.WriteString(s)
			case "tab":
				run.WriteString(" ")
			case "br", "cr":
				run.WriteString("\n")
			}
		case xml.EndElement:
			if e.Name.Space != wordML {
				continue
			}
			switch e.Name.Local {
			case "r":
				if !hiddenRun && inDel == 0 {
					para.WriteString(run.String())
				}
				run.Reset()
			case "del":
				inDel--
			case "p":
				if depth > 0 {
					depth--
				}
				if depth == 0 {
					emitParagraph(&t, para.String(), headingStyle(style))
				}
			}
		}
	}
	doc := t.document()
	if core, ok, _ := member(zr, "docProps/core.xml"); ok {
		doc.Title = dcTitle(core)
	}
	if doc.Title == "" && len(doc.Sections) > 0 {
		doc.Title = doc.Sections[0].Heading
	}
	return doc, nil
}

// wordML is the namespace of WordprocessingML elements.
const wordML = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

// headingStyle reports whether a Word paragraph style is a heading that
// starts a section.
func headingStyle(style string) bool {
	s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
	switch s {
	case "title", "heading1", "heading2", "heading3", "heading4":
		return true
	}
	return false
}

func emitParagraph(t *textBuilder, text string, heading bool) {
	if strings.TrimSpace(text) == "" {
		return
	}
	if heading {
		t.heading(text)
		return
	}
	t.brk(2)
	t.inline(text)
	t.brk(2)
}

// parseODT reads an OpenDocument text (ISO/IEC 26300): the text:p and
// text:h elements of content.xml, headings of outline level 1–4 as
// sections.
func parseODT(raw []byte) (Document, error) {
	zr, err := openZip(raw)
	if err != nil {
		return Document{}, fmt.Errorf("read odt: %w", err)
	}
	body, ok, err := member(zr, "content.xml")
	if err != nil || !ok {
		return Document{}, fmt.Errorf("read odt: %w", errOr(err, "no content.xml"))
	}
	var t textBuilder
	var para strings.Builder
	depth, heading := 0, false // depth of text:p / text:h being read
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Document{}, fmt.Errorf("read odt: content.xml: %w", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "p", "h":
				if depth == 0 {
					para.Reset()
					heading = e.Name.Local == "h" && outlineLevel(xmlAttr(e, "outline-level")) <= 4
				}
				depth++
			case "s", "tab":
				para.WriteString(" ")
			case "line-break":
				para.WriteString("\n")
			case "note": // footnotes and endnotes: not the running text
				if err := d.Skip(); err != nil {
					return Document{}, fmt.Errorf("read odt: content.xml: %w", err)
				}
			}
		case xml.CharData:
			if depth > 0 {
				para.Write(e)
			}
		case xml.EndElement:
			if (e.Name.Local == "p" || e.Name.Local == "h") && depth > 0 {
				if depth--; depth == 0 {
					emitParagraph(&t, para.String(), heading)
				}
			}
		}
	}
	doc := t.document()
	if meta, ok, _ := member(zr, "meta.xml"); ok {
		doc.Title = dcTitle(meta)
	}
	if doc.Title == "" && len(doc.Sections) > 0 {
		doc.Title = doc.Sections[0].Heading
	}
	return doc, nil
}

func outlineLevel(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 1
		}
		n = n*10 + int(c-'0')
	}
	if n == 0 {
		return 1
	}
	return n
}

// parseEPUB reads an EPUB publication: the package document named by
// META-INF/container.xml, then each XHTML document of its spine, in
// reading order, with the HTML extraction (hidden text removed, headings
// as sections).
func parseEPUB(raw []byte) (Document, error) {
	zr, err := openZip(raw)
	if err != nil {
		return Document{}, fmt.Errorf("read epub: %w", err)
	}
	container, ok, err := member(zr, "META-INF/container.xml")
	if err != nil || !ok {
		return Document{}, fmt.Errorf("read epub: %w", errOr(err, "no META-INF/container.xml"))
	}
	var c struct {
		Rootfiles []struct {
			FullPath string `xml:"full-path,attr"`
		} `xml:"rootfiles>rootfile"`
	}
	if err := xml.Unmarshal(container, &c); err != nil || len(c.Rootfiles) == 0 {
		return Document{}, fmt.Errorf("read epub: META-INF/container.xml names no package document")
	}
	opfPath := c.Rootfiles[0].FullPath
	opf, ok, err := member(zr, opfPath)
	if err != nil || !ok {
		return Document{}, fmt.Errorf("read epub: %w", errOr(err, "no "+opfPath))
	}
	var pkg struct {
		Items []struct {
			ID   string `xml:"id,attr"`
			Href string `xml:"href,attr"`
		} `xml:"manifest>item"`
		Spine []struct {
			IDRef string `xml:"idref,attr"`
		} `xml:"spine>itemref"`
	}
	if err := xml.Unmarshal(opf, &pkg); err != nil {
		return Document{}, fmt.Errorf("read epub: %s: %w", opfPath, err)
	}
	href := map[string]string{}
	for _, it := range pkg.Items {
		href[it.ID] = it.Href
	}
	var out Document
	var b strings.Builder
	for _, ref := range pkg.Spine {
		h, ok := href[ref.IDRef]
		if !ok {
			continue
		}
		name := path.Join(path.Dir(opfPath), h)
		page, ok, err := member(zr, name)
		if err != nil {
			return Document{}, fmt.Errorf("read epub: %w", err)
		}
		if !ok {
			continue
		}
		chapter, err := parseHTML(page)
		if err != nil {
			return Document{}, fmt.Errorf("read epub: %s: %w", name, err)
		}
		if strings.TrimSpace(chapter.Text) == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		for _, s := range chapter.Sections {
			out.Sections = append(out.Sections, Section{Heading: s.Heading, Start: b.Len() + s.Start})
		}
		b.WriteString(chapter.Text)
	}
	out.Text = b.String()
	out.Title = dcTitle(opf)
	return out, nil
}

func xmlAttr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func errOr(err error, msg string) error {
	if err != nil {
		return err
	}
	return errors.New(msg)
}
