package corpus

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/researchflow/researchflow"
)

// TestWalkListsDocumentsItCannotRead is issue 19 item 7: a folder with
// index.md, notes.markdown, handbook.docx (the answer), runbook.epub,
// expenses.rtf, oncall.ods and oncall.xlsx ingested as "2 files … 0
// skipped". Each document it cannot read is listed with a reason and a
// hint; files that are not documents are still passed over.
func TestWalkListsDocumentsItCannotRead(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"index.md", "notes.markdown", "handbook.docx", "runbook.epub", "expenses.rtf", "oncall.ods", "oncall.xlsx", "slides.pptx", "logo.png", "main.go"} {
		writeFile(t, dir, n, "x")
	}
	files, skipped, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if strings.Join(names, " ") != "index.md notes.markdown" {
		t.Errorf("files %v, want index.md and notes.markdown", names)
	}
	want := map[string]string{"handbook.docx": "Word", "runbook.epub": "e-book", "expenses.rtf": "Rich Text", "oncall.ods": "spreadsheet", "oncall.xlsx": "spreadsheet", "slides.pptx": "slide"}
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
	_, skipped, err = Walk(context.Background(), filepath.Join(dir, "handbook.docx"))
	if err != nil || len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "Word") {
		t.Errorf("single .docx: %+v, %v", skipped, err)
	}
}

// TestOneListOfDocumentTypes: what Walk hands out, LoadFile reads, for
// every type of the one list (researchflow.DocumentTypes), in any case.
func TestOneListOfDocumentTypes(t *testing.T) {
	dir := t.TempDir()
	bodies := map[string]string{".pdf": minimalPDF("Readable.")}
	for _, ext := range researchflow.DocumentTypes() {
		for _, name := range []string{"doc" + ext, "UPPER" + strings.ToUpper(ext)} {
			body, ok := bodies[ext]
			if !ok {
				body = "Readable."
			}
			p := writeFile(t, dir, name, body)
			if !Supported(p) {
				t.Errorf("%s: not Supported", name)
			}
			doc, err := LoadFile("c", p)
			if err != nil || !strings.Contains(doc.Text, "Readable") {
				t.Errorf("%s: %q, %v", name, doc.Text, err)
			}
		}
	}
	files, skipped, err := Walk(context.Background(), dir)
	if err != nil || len(skipped) != 0 || len(files) != 2*len(researchflow.DocumentTypes()) {
		t.Errorf("walk: %d files, skipped %+v, %v", len(files), skipped, err)
	}
}
