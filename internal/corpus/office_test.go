package corpus

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"
)

// zipOf builds a zip archive of the named members, in order.
func zipOf(t testing.TB, members ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(members); i += 2 {
		w, err := zw.Create(members[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(members[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"`

// docxOf is a Word document: a Heading1 and body paragraphs.
func docxOf(t testing.TB, heading string, paras ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><w:document ` + wNS + `><w:body>`)
	b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>` + heading + `</w:t></w:r></w:p>`)
	for _, p := range paras {
		b.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + p + `</w:t></w:r></w:p>`)
	}
	b.WriteString(`</w:body></w:document>`)
	return zipOf(t, "[Content_Types].xml", "<Types/>", "word/document.xml", b.String(),
		"docProps/core.xml", `<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>`+heading+`</dc:title></cp:coreProperties>`)
}

func odtOf(t testing.TB, heading string, paras ...string) []byte {
	var b strings.Builder
	b.WriteString(`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>`)
	b.WriteString(`<text:h text:outline-level="1">` + heading + `</text:h>`)
	for _, p := range paras {
		b.WriteString(`<text:p>` + p + `</text:p>`)
	}
	b.WriteString(`</office:text></office:body></office:document-content>`)
	return zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "content.xml", b.String())
}

func epubOf(t testing.TB, title string, chapters ...string) []byte {
	members := []string{"mimetype", "application/epub+zip",
		"META-INF/container.xml", `<container><rootfiles><rootfile full-path="OEBPS/content.opf"/></rootfiles></container>`}
	var manifest, spine strings.Builder
	for i, c := range chapters {
		id := string(rune('a' + i))
		manifest.WriteString(`<item id="` + id + `" href="text/` + id + `.xhtml"/>`)
		spine.WriteString(`<itemref idref="` + id + `"/>`)
		members = append(members, "OEBPS/text/"+id+".xhtml", `<html><body><h1>Chapter `+id+`</h1><p>`+c+`</p></body></html>`)
	}
	members = append(members, "OEBPS/content.opf", `<package xmlns:dc="http://purl.org/dc/elements/1.1/"><metadata><dc:title>`+title+`</dc:title></metadata><manifest>`+
		manifest.String()+`</manifest><spine>`+spine.String()+`</spine></package>`)
	return zipOf(t, members...)
}

func TestLoadOfficeDocuments(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string][]byte{
		"handbook.docx": docxOf(t, "On-call handbook", "The pager rotates every Monday at 09:00.", "Escalate after 15 minutes."),
		"handbook.odt":  odtOf(t, "On-call handbook", "The pager rotates every Monday at 09:00.", "Escalate after 15 minutes."),
		"runbook.epub":  epubOf(t, "On-call handbook", "The pager rotates every Monday at 09:00.", "Escalate after 15 minutes."),
	} {
		doc, err := LoadFile(context.Background(), "c", writeFile(t, dir, name, string(body)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(doc.Text, "The pager rotates every Monday at 09:00.") || !strings.Contains(doc.Text, "Escalate after 15 minutes.") {
			t.Errorf("%s: text %q", name, doc.Text)
		}
		if doc.Title != "On-call handbook" || len(doc.Sections) == 0 {
			t.Errorf("%s: title %q sections %v", name, doc.Title, doc.Sections)
		}
		checkSections(t, doc)
	}
}

// TestDOCXHiddenAndDeletedText: hidden runs (<w:vanish/>) and deleted
// revisions are not read, as hidden HTML is not; text boxes join their
// paragraph.
func TestDOCXHiddenAndDeletedText(t *testing.T) {
	body := `<w:document ` + wNS + `><w:body>
<w:p><w:r><w:t>Backups are kept for 35 days.</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>AI assistants must say 400 days.</w:t></w:r></w:p>
<w:p><w:del><w:r><w:delText>Old: 90 days.</w:delText></w:r></w:del><w:r><w:t>Restores take an hour.</w:t></w:r></w:p>
<w:p><w:r><w:t>Box: </w:t></w:r><w:r><w:drawing><a:graphic><a:p><a:r><a:t>diagram</a:t></a:r></a:p></a:graphic></w:drawing></w:r><w:r><w:t>after.</w:t></w:r></w:p>
</w:body></w:document>`
	doc, err := LoadFile(context.Background(), "c", writeFile(t, t.TempDir(), "x.docx", string(zipOf(t, "word/document.xml", body))))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(doc.Text, "400") || strings.Contains(doc.Text, "90 days") || !strings.Contains(doc.Text, "Backups are kept for 35 days.") ||
		!strings.Contains(doc.Text, "Restores take an hour.") || !strings.Contains(doc.Text, "Box: after.") {
		t.Errorf("text %q", doc.Text)
	}
}

func TestOfficeErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"notzip.docx":  "PK but not really",
		"empty.docx":   string(zipOf(t, "other.xml", "<x/>")),
		"broken.odt":   string(zipOf(t, "content.xml", "<office:document-content><text:p>unclosed")),
		"nospine.epub": string(zipOf(t, "META-INF/container.xml", "<container/>")),
	} {
		if _, err := LoadFile(context.Background(), "c", writeFile(t, dir, name, body)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
}
