package corpus

import (
	"context"
	"strings"
)

// ParseHTML extracts the readable text, sections and title of an HTML page
// held in memory: the extraction LoadFile applies to .html files (hidden
// elements and sentences addressed to machines removed), after the
// same decoding (byte-order mark, UTF-8, the page's declared charset, else
// Windows-1252; see decodeHTML). Package fetch uses it for web pages.
// Location, SourceID and DocHash are left to the caller. Bytes that are not
// text give an error wrapping ErrUndecodable.
func ParseHTML(raw []byte) (Document, error) {
	page, err := decodeHTML(raw)
	if err != nil {
		return Document{}, err
	}
	doc, err := parseHTML(page)
	if err != nil {
		return Document{}, err
	}
	return withoutMachineAddressed(doc), nil
}

// ParsePDF extracts the text of a PDF held in memory, as LoadFile does for
// .pdf files (a pdftotext run stops when ctx is done).
func ParsePDF(ctx context.Context, raw []byte) (Document, error) {
	doc, err := parsePDF(ctx, raw)
	if err != nil {
		return Document{}, err
	}
	return withoutMachineAddressed(doc), nil
}

// ParsePlain reads plain text held in memory (any line ends, decoded as
// LoadFile decodes .txt files; bytes that are not text in any encoding it
// reads are kept with invalid UTF-8 replaced).
func ParsePlain(raw []byte) Document {
	text, err := decodeText(raw)
	if err != nil {
		text = strings.ToValidUTF8(string(raw), "\uFFFD")
	}
	return withoutMachineAddressed(parsePlain(toText(text)))
}
