package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tmc/langchaingo/documentloaders"
)

// errNoText reports a document without extractable text (a scanned PDF, an
// empty file).
var errNoText = errors.New("no extractable text")

// parsePDF extracts the text of every page; each page starts a section
// "Page N" so that citations can point at it. The PDF reader panics on some
// malformed files; that is reported as an error.
func parsePDF(raw []byte) (doc Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("read pdf: malformed file: %v", r)
		}
	}()
	pages, err := documentloaders.NewPDF(bytes.NewReader(raw), int64(len(raw))).Load(context.Background())
	if err != nil {
		return Document{}, fmt.Errorf("read pdf: %w", err)
	}
	var t textBuilder
	for i, p := range pages {
		text := strings.TrimSpace(toText(p.PageContent))
		if text == "" {
			continue
		}
		t.brk(2)
		t.flush()
		t.sections = append(t.sections, Section{Heading: "Page " + strconv.Itoa(i+1), Start: len(t.buf)})
		t.raw(text)
		t.brk(2)
	}
	doc = t.document()
	if strings.TrimSpace(doc.Text) == "" {
		return Document{}, errNoText
	}
	return doc, nil
}
