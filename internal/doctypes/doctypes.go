// Package doctypes is the one list of document types a corpus reads.
// Every surface that takes files (folder ingestion, the upload route, the
// starter's messages, the README) uses it, so that what one accepts the
// others read. It imports only the standard library.
package doctypes

import (
	"path/filepath"
	"slices"
	"strings"
)

// List returns the file extensions a corpus reads, lower case:
// Markdown (.md, .markdown), plain text (.txt), HTML (.html, .htm), PDF
// (.pdf), Word (.docx), OpenDocument text (.odt) and EPUB (.epub).
func List() []string {
	return []string{".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx", ".odt", ".epub"}
}

// Zip reports whether files of that name are zip archives (.docx,
// .odt, .epub): their bytes start with "PK\x03\x04".
func Zip(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".docx", ".odt", ".epub":
		return true
	}
	return false
}

// Text names the readable types for messages:
// ".md, .markdown, .txt, .html, .htm, .pdf, .docx, .odt and .epub".
func Text() string {
	t := List()
	return strings.Join(t[:len(t)-1], ", ") + " and " + t[len(t)-1]
}

// Readable reports whether a file of that name is read
// (case-insensitive extension).
func Readable(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, t := range List() {
		if ext == t {
			return true
		}
	}
	return false
}

// Unreadable reports whether a file of that name is a known
// document type that is not read, and says so with a hint: a folder's
// legacy Word (.doc), RTF, Kindle, spreadsheet or slide files are listed as
// skipped rather than passed over. Files of other types (images, code, archives)
// are not documents and are passed over silently.
func Unreadable(name string) (reason string, ok bool) {
	ext := strings.ToLower(filepath.Ext(name))
	for _, k := range unreadKinds {
		if slices.Contains(k.exts, ext) {
			return k.kind + " (" + ext + ") is not read; export it as PDF, .docx or Markdown (with its program, " +
				"LibreOffice or pandoc) and ingest that file", true
		}
	}
	return "", false
}

// UnreadableTypes returns the extensions of the known document types that
// are not read (those Unreadable has a hint for), lower case.
func UnreadableTypes() []string {
	var out []string
	for _, k := range unreadKinds {
		out = append(out, k.exts...)
	}
	return out
}

// Refusal says why a file of that name is not taken, as every surface
// that refuses one says it: a known document type's kind with a hint
// (Unreadable), else the types that are read. It is "" for a readable file.
func Refusal(name string) string {
	if Readable(name) {
		return ""
	}
	if reason, ok := Unreadable(name); ok {
		return reason
	}
	return "only " + Text() + " files can be ingested"
}

// unreadKinds names the document types that are recognized but not read.
var unreadKinds = []struct {
	kind string
	exts []string
}{
	{"a Word document of the older or macro format", []string{".doc", ".docm", ".dotx"}},
	{"an OpenDocument template", []string{".ott"}},
	{"a Rich Text document", []string{".rtf"}},
	{"an e-book of a Kindle format", []string{".mobi", ".azw3"}},
	{"a spreadsheet", []string{".xlsx", ".xls", ".xlsm", ".ods", ".numbers", ".csv", ".tsv"}},
	{"a slide deck", []string{".pptx", ".ppt", ".odp", ".key"}},
	{"a document of a type this version does not read", []string{".pages", ".wpd", ".tex", ".rst", ".adoc", ".djvu", ".xps"}},
}
