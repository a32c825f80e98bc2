package corpus

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/doctypes"
)

// TestWalkListsDocumentsItCannotRead is issue 19 item 7: a folder with
// index.md, notes.markdown, handbook.docx (the answer), runbook.epub,
// expenses.rtf, oncall.ods and oncall.xlsx ingested as "2 files … 0
// skipped". The Word and EPUB files are read now; each document it cannot
// read is listed with a reason and a hint; files that are not documents
// are still passed over.
func TestWalkListsDocumentsItCannotRead(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"index.md", "notes.markdown", "expenses.rtf", "oncall.ods", "oncall.xlsx", "slides.pptx", "old.doc", "logo.png", "main.go"} {
		writeFile(t, dir, n, "x")
	}
	writeFile(t, dir, "handbook.docx", string(docxOf(t, "Handbook", "The on-call engineer answers pages within 15 minutes.")))
	writeFile(t, dir, "runbook.epub", string(epubOf(t, "Runbook", "Restart the queue worker first.")))
	files, skipped, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if strings.Join(names, " ") != "handbook.docx index.md notes.markdown runbook.epub" {
		t.Errorf("files %v, want handbook.docx, index.md, notes.markdown and runbook.epub", names)
	}
	doc, err := LoadFile(context.Background(), "c", filepath.Join(dir, "handbook.docx"))
	if err != nil || !strings.Contains(doc.Text, "answers pages within 15 minutes") {
		t.Errorf("handbook.docx: %q, %v", doc.Text, err)
	}
	want := map[string]string{"expenses.rtf": "Rich Text", "oncall.ods": "spreadsheet", "oncall.xlsx": "spreadsheet", "slides.pptx": "slide", "old.doc": "Word"}
	if len(skipped) != len(want) {
		t.Errorf("skipped %+v, want the %d documents it cannot read (not logo.png, main.go)", skipped, len(want))
	}
	for _, s := range skipped {
		kind, ok := want[filepath.Base(s.Path)]
		if !ok || !strings.Contains(s.Reason, kind) || !strings.Contains(s.Reason, "is not read") || !strings.Contains(s.Reason, "PDF") {
			t.Errorf("skipped %s: %q, want a reason naming %q with a hint", s.Path, s.Reason, kind)
		}
	}
	// A single file of such a type is reported the same way.
	_, skipped, err = Walk(context.Background(), filepath.Join(dir, "expenses.rtf"))
	if err != nil || len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "Rich Text") {
		t.Errorf("single .rtf: %+v, %v", skipped, err)
	}
}

// TestOneListOfDocumentTypes: what Walk hands out, LoadFile reads, for
// every type of the one list (doctypes.List), in any case.
func TestOneListOfDocumentTypes(t *testing.T) {
	dir := t.TempDir()
	bodies := map[string]string{".pdf": minimalPDF("Readable."), ".docx": string(docxOf(t, "T", "Readable.")),
		".odt": string(odtOf(t, "T", "Readable.")), ".epub": string(epubOf(t, "T", "Readable."))}
	for _, ext := range doctypes.List() {
		// A name per type: one document in several formats is read once
		// (TestWalkFormatTwins).
		for _, name := range []string{"doc-" + ext[1:] + ext, "UPPER-" + ext[1:] + strings.ToUpper(ext)} {
			body, ok := bodies[ext]
			if !ok {
				body = "Readable."
			}
			p := writeFile(t, dir, name, body)
			if !Supported(p) {
				t.Errorf("%s: not Supported", name)
			}
			doc, err := LoadFile(context.Background(), "c", p)
			if err != nil || !strings.Contains(doc.Text, "Readable") {
				t.Errorf("%s: %q, %v", name, doc.Text, err)
			}
		}
	}
	files, skipped, err := Walk(context.Background(), dir)
	if err != nil || len(skipped) != 0 || len(files) != 2*len(doctypes.List()) {
		t.Errorf("walk: %d files, skipped %+v, %v", len(files), skipped, err)
	}
}
