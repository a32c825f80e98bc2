package corpus

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/researchflow/researchflow/internal/memory"
)

// GoDocsCorpus is the name of the default corpus, the Go documentation of
// the local Go installation. It equals rf.DefaultCorpus.
const GoDocsCorpus = "go-docs"

// GoRoot returns the root of the local Go installation: what `go env
// GOROOT` prints (which is $GOROOT when that is set). The command stops
// with ctx.
func GoRoot(ctx context.Context) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("find the Go documentation: no go command on PATH and GOROOT unset: %w", err)
	}
	out, err := exec.CommandContext(ctx, goBin, "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("run go env GOROOT: %w", err)
	}
	root := strings.TrimSpace(string(out))
	if root == "" {
		return "", errors.New("go env GOROOT printed nothing")
	}
	return root, nil
}

// source is one document of a corpus in sorted order: Key orders it (and is
// the resume cursor), load reads it.
type source struct {
	Key  string
	load func(ctx context.Context) (Document, error)
}

// GoDocs reads the Go documentation under goroot: every .html and .md file
// under goroot/doc, and the package doc comment of every standard-library
// package under goroot/src (internal, vendor and testdata folders, and cmd
// except cmd/go, are left out, as are packages without a doc comment).
// Documents come sorted by Location; files that could not be read are
// returned as skipped.
func GoDocs(ctx context.Context, goroot string) ([]Document, []Skipped, error) {
	srcs, skipped, err := goDocSources(ctx, goroot, GoDocsCorpus)
	if err != nil {
		return nil, nil, err
	}
	docs := make([]Document, 0, len(srcs))
	for _, s := range srcs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		d, err := s.load(ctx)
		if err != nil {
			skipped = append(skipped, Skipped{Path: s.Key, Reason: err.Error()})
			continue
		}
		docs = append(docs, d)
	}
	return docs, skipped, nil
}

// goDocSources lists the Go documentation as documents of corpus, sorted by
// key (the file path). Package comments are read while listing (that is how
// packages without one are left out); doc files are read when loaded.
func goDocSources(ctx context.Context, goroot, corpus string) ([]source, []Skipped, error) {
	goroot, err := filepath.Abs(goroot)
	if err != nil {
		return nil, nil, fmt.Errorf("go docs %s: %w", goroot, err)
	}
	if _, err := os.Stat(filepath.Join(goroot, "src")); err != nil {
		return nil, nil, fmt.Errorf("go docs: %s is not a Go installation: %w", goroot, err)
	}
	var (
		srcs    []source
		skipped []Skipped
	)
	docDir := filepath.Join(goroot, "doc")
	if _, err := os.Stat(docDir); err == nil {
		files, skips, err := Walk(ctx, docDir)
		if err != nil {
			return nil, nil, err
		}
		skipped = append(skipped, skips...)
		for _, f := range files {
			if ext := strings.ToLower(filepath.Ext(f)); ext != ".html" && ext != ".md" {
				continue
			}
			srcs = append(srcs, source{Key: f, load: func(ctx context.Context) (Document, error) { return LoadFile(ctx, corpus, f) }})
		}
	}

	srcDir := filepath.Join(goroot, "src")
	fset := token.NewFileSet()
	err = filepath.WalkDir(srcDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == srcDir {
				return err
			}
			skipped = append(skipped, Skipped{Path: path, Reason: err.Error()})
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(srcDir, path)
		rel = filepath.ToSlash(rel)
		if path != srcDir && skipStdDir(rel, d.Name()) {
			return filepath.SkipDir
		}
		doc, ok, err := packageDoc(fset, corpus, path, rel)
		if err != nil {
			skipped = append(skipped, Skipped{Path: path, Reason: err.Error()})
			return nil
		}
		if ok {
			srcs = append(srcs, source{Key: doc.Location, load: func(context.Context) (Document, error) { return doc, nil }})
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("go docs %s: %w", srcDir, err)
	}
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].Key < srcs[j].Key })
	return srcs, skipped, nil
}

// skipStdDir reports folders under GOROOT/src that hold no public package
// documentation.
func skipStdDir(rel, name string) bool {
	switch {
	case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_"):
		return true
	case name == "internal" || name == "vendor" || name == "testdata":
		return true
	case rel == "cmd":
		return false // entered only to reach cmd/go
	case strings.HasPrefix(rel, "cmd/"):
		return rel != "cmd/go" && !strings.HasPrefix(rel, "cmd/go/")
	}
	return false
}

// packageDoc reads the package doc comment of the Go package in dir; rel is
// its import path and corpus the corpus it goes to. The comment of doc.go wins, else the first file (by name)
// that has one. Test files and files built only on request
// (//go:build ignore) do not count.
func packageDoc(fset *token.FileSet, corpus, dir, rel string) (Document, bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Document{}, false, fmt.Errorf("read %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") &&
			!strings.HasPrefix(n, ".") && !strings.HasPrefix(n, "_") {
			names = append(names, n)
		}
	}
	if i := slices.Index(names, "doc.go"); i > 0 {
		names[0], names[i] = names[i], names[0]
	}
	for _, n := range names {
		path := filepath.Join(dir, n)
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return Document{}, false, fmt.Errorf("parse %s: %w", path, err)
		}
		if f.Doc == nil || buildIgnored(f) {
			continue
		}
		comment := f.Doc.Text()
		if strings.TrimSpace(comment) == "" {
			continue
		}
		title := "Package " + rel
		if f.Name.Name == "main" {
			title = "Command " + filepath.Base(rel)
		}
		doc := docComment(comment)
		doc.Title = title
		doc.Location = path
		doc.SourceID = memory.SourceID(corpus, path)
		doc.DocHash = docHash(comment)
		return doc, true, nil
	}
	return Document{}, false, nil
}

// buildIgnored reports a "//go:build ignore" constraint above the package
// clause (generators and examples kept beside a package).
func buildIgnored(f *ast.File) bool {
	for _, g := range f.Comments {
		if g.Pos() >= f.Package {
			break
		}
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:build") && strings.Contains(c.Text, "ignore") {
				return true
			}
		}
	}
	return false
}

// docComment turns a doc comment's text into a document: "# Heading" lines
// start sections (the marker goes), everything else stays as written.
func docComment(comment string) Document {
	var t textBuilder
	for line := range strings.Lines(comment) {
		line = strings.TrimRight(line, "\n")
		if h, ok := strings.CutPrefix(line, "# "); ok {
			t.heading(h)
			continue
		}
		t.line(line)
	}
	return t.document()
}
