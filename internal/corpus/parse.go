package corpus

// ParseHTML extracts the readable text, sections and title of an HTML page
// held in memory: the extraction LoadFile applies to .html files (package
// fetch uses it for web pages). Location, SourceID and DocHash are left to
// the caller.
func ParseHTML(raw []byte) (Document, error) { return parseHTML(raw) }

// ParsePDF extracts the text of a PDF held in memory, as LoadFile does for
// .pdf files.
func ParsePDF(raw []byte) (Document, error) { return parsePDF(raw) }

// ParsePlain reads plain text held in memory (any line ends, a BOM, invalid
// UTF-8 replaced), as LoadFile does for .txt files.
func ParsePlain(raw []byte) Document { return parsePlain(toText(raw)) }
