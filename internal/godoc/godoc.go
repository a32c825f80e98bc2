// Package godoc names the public page of a file of the Go documentation,
// the default corpus (go-docs, read from the Go installation of the machine
// that ingests it): its go.dev or pkg.go.dev address, where a reader on
// any machine finds what a source's path names only on that one. The
// analysis links a source with it when a finding cites such a file; the
// gateway links, when it serves them, the sources of runs recorded before
// sources had links. It links no document reader (package corpus does), so
// the gateway can use it.
package godoc

import (
	"path"
	"regexp"
	"strings"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
)

// pages names the go.dev page of the files of GOROOT/doc that are not at
// doc/NAME there (by NAME, the file's path under doc without its
// extension).
var pages = map[string]string{
	"go_spec":    "ref/spec",
	"go_mem":     "ref/mem",
	"go1.compat": "doc/go1compat",
}

// importPath matches a package's import path as the standard library
// spells it (and a URL can hold it as it is).
var importPath = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)

// URL is the public address of a file of the Go documentation, by its
// location (a document of the go-docs corpus: GOROOT/src/PKG/FILE.go or a
// file of GOROOT/doc): a package's source is its pkg.go.dev page
// (…/src/net/http/doc.go is https://pkg.go.dev/net/http), a page of doc its
// go.dev page (…/doc/go_spec.html is https://go.dev/ref/spec,
// …/doc/go_mem.html https://go.dev/ref/mem, …/doc/asm.html
// https://go.dev/doc/asm). It is where a reader on another machine finds
// the file, whose path names the Go installation of the machine that read
// it. Any other location gives "".
//
// GOROOT is the folder above the last src (for a .go file) or the last doc
// (for a page) of the path: no package the corpus reads has a folder named
// src in its import path, and GOROOT/doc has no folder named doc. The path
// alone does not tell a file of the Go documentation from a file of
// another corpus laid out alike (…/src/PKG/FILE.go): Link asks which
// corpus a source is of.
func URL(location string) string {
	p := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(location), "file://"), `\`, "/")
	ext := strings.ToLower(path.Ext(p))
	switch ext {
	case ".go":
		i := strings.LastIndex(p, "/src/")
		if i < 0 {
			return ""
		}
		pkg := path.Dir(p[i+len("/src/"):])
		if pkg == "." || !importPath.MatchString(pkg) {
			return ""
		}
		return "https://pkg.go.dev/" + pkg
	case ".html", ".htm", ".md":
		i := strings.LastIndex(p, "/doc/")
		if i < 0 {
			return ""
		}
		name := strings.TrimSuffix(p[i+len("/doc/"):], path.Ext(p))
		if !importPath.MatchString(name) {
			return ""
		}
		if page, ok := pages[name]; ok {
			return "https://go.dev/" + page
		}
		return "https://go.dev/doc/" + name
	}
	return ""
}

// Link is the public address of source s: its Link as recorded, or, for a
// file of the Go documentation recorded without one (a run from before
// sources had links, whose source names only the path its worker read),
// the file's go.dev address (URL). A source is of the Go documentation
// when its ID is that of its location in the go-docs corpus
// (memory.SourceID), which nothing but that corpus's documents have. A web
// page (URL set) and any other file have none.
func Link(s rf.Source) string {
	if s.Link != "" || s.URL != "" || s.Location == "" {
		return s.Link
	}
	if s.SourceID != memory.SourceID(rf.DefaultCorpus, s.Location) {
		return ""
	}
	return URL(s.Location)
}
