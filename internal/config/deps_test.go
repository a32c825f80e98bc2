package config

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// allowedImports are the only imports of this package outside the
// standard library: Temporal's client options and its envconfig reader.
var allowedImports = map[string]bool{
	"go.temporal.io/sdk/client":            true,
	"go.temporal.io/sdk/contrib/envconfig": true,
}

// TestGroundFloor: config is the ground floor of the import graph. Every
// component imports it for its settings; it imports nothing of
// Researchflow (nor any other module but Temporal's SDK), so no component
// is pulled into another through the configuration. The test reads this
// package's own files, so its cached result is invalidated when they
// change.
func TestGroundFloor(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range pkg.Imports {
		n++
		first, _, _ := strings.Cut(path, "/")
		if strings.Contains(first, ".") && !allowedImports[path] {
			t.Errorf("config imports %s; config imports only the standard library and Temporal's envconfig", path)
		}
	}
	if n == 0 {
		t.Fatal("found no imports: the test read no source")
	}
}

// envReaders are the calls that read the process environment.
var envReaders = map[string]map[string]bool{
	"os":      {"Getenv": true, "LookupEnv": true, "ExpandEnv": true},
	"syscall": {"Getenv": true},
}

// TestOnlyConfigReadsTheEnvironment: apart from this package, only main
// packages (the commands) and tests read environment variables; every
// component takes its settings struct. os.Environ, which hands the whole
// environment on to a child process, is not a read of a setting.
func TestOnlyConfigReadsTheEnvironment(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	self, _ := filepath.Abs(".")
	var files int
	var bad []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") || path == self {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		if f.Name.Name == "main" {
			return nil
		}
		for _, call := range envCalls(f) {
			rel, _ := filepath.Rel(root, path)
			bad = append(bad, rel+": "+call)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read %d Go files under %s; want the whole module", files, root)
	}
	for _, b := range bad {
		t.Errorf("%s reads the environment; take the setting from a config struct (package config binds every variable)", b)
	}
}

// envCalls lists the environment reads in f, as "os.Getenv".
func envCalls(f *ast.File) []string {
	names := map[string]string{} // local name -> import path
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if envReaders[path] == nil {
			continue
		}
		name := path
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = path
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && envReaders[names[id.Name]][sel.Sel.Name] {
			out = append(out, names[id.Name]+"."+sel.Sel.Name)
		}
		return true
	})
	return out
}

// The check finds what it must: a read through a renamed import, a
// function value, and nothing in a file that only passes os.Environ on.
func TestEnvCalls(t *testing.T) {
	for src, want := range map[string]string{
		`package p; import "os"; func f() string { return os.Getenv("A") }`:                "os.Getenv",
		`package p; import sys "os"; func f() { _, _ = sys.LookupEnv("A") }`:               "os.LookupEnv",
		`package p; import "os"; var get = os.Getenv`:                                      "os.Getenv",
		`package p; import "syscall"; func f() { syscall.Getenv("A") }`:                    "syscall.Getenv",
		`package p; import "os"; func f() []string { return os.Environ() }`:                "",
		`package p; import "os"; type t struct{ os int }; func f(v t) int { return v.os }`: "",
		`package p; import "os"; func f() string { return os.ExpandEnv("$HOME/x") }`:       "os.ExpandEnv",
	} {
		f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(envCalls(f), ","); got != want {
			t.Errorf("envCalls(%s) = %q, want %q", src, got, want)
		}
	}
}
