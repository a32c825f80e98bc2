// Package corpus turns source files into research material: it loads
// documents (Markdown, plain text, HTML, PDF) into plain text with section
// headings, splits them into overlapping chunks with exact byte offsets, walks
// folders, reads the default corpus (the Go documentation under GOROOT) and
// ingests documents into memory, skipping those that have not changed.
//
// Nothing here keeps state between calls; configuration travels in
// SplitOptions, IngestRequest and the Ingester struct.
package corpus
