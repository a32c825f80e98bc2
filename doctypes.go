package researchflow

import (
	"path/filepath"
	"strings"
)

// Document types. Every surface that takes files — folder ingestion
// (starter ingest, the corpus of a research run), the upload route
// (POST /v1/corpora/{name}/documents), the starter's messages and the
// README — uses this one list, so that what one accepts the others read.

// DocumentTypes returns the file extensions a corpus reads, lower case:
// Markdown (.md, .markdown), plain text (.txt), HTML (.html, .htm) and PDF
// (.pdf).
func DocumentTypes() []string {
	return []string{".md", ".markdown", ".txt", ".html", ".htm", ".pdf"}
}

// DocumentTypesText names the readable types for messages:
// ".md, .markdown, .txt, .html, .htm and .pdf".
func DocumentTypesText() string {
	t := DocumentTypes()
	return strings.Join(t[:len(t)-1], ", ") + " and " + t[len(t)-1]
}

// ReadableDocument reports whether a file of that name is read
// (case-insensitive extension).
func ReadableDocument(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, t := range DocumentTypes() {
		if ext == t {
			return true
		}
	}
	return false
}

// UnreadableDocument reports whether a file of that name is a known
// document type that is not read, and says so with a hint: a folder's Word,
// OpenDocument, EPUB, RTF, spreadsheet or slide files are listed as skipped
// rather than passed over. Files of other types (images, code, archives)
// are not documents and are passed over silently.
func UnreadableDocument(name string) (reason string, ok bool) {
	ext := strings.ToLower(filepath.Ext(name))
	kind, ok := unreadKinds(ext)
	if !ok {
		return "", false
	}
	return kind + " (" + ext + ") is not read; save or export it as " + DocumentTypesText() +
		" (for example PDF, or Markdown with pandoc) and ingest that file", true
}

// unreadKinds names the document types that are recognized but not read.
func unreadKinds(ext string) (string, bool) {
	switch ext {
	case ".docx", ".doc", ".docm", ".dotx":
		return "a Word document", true
	case ".odt", ".ott":
		return "an OpenDocument text", true
	case ".rtf":
		return "a Rich Text document", true
	case ".epub", ".mobi", ".azw3":
		return "an e-book", true
	case ".xlsx", ".xls", ".xlsm", ".ods", ".numbers", ".csv", ".tsv":
		return "a spreadsheet", true
	case ".pptx", ".ppt", ".odp", ".key":
		return "a slide deck", true
	case ".pages", ".wpd", ".tex", ".rst", ".adoc", ".djvu", ".xps":
		return "a document of a type this version does not read", true
	}
	return "", false
}
