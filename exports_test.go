package researchflow

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// maxExported bounds the names the contract exports. The root package is
// what every caller reads: names, the research input, result, progress,
// approval and status types, ingestion, notification targets, budgets,
// events, audits and the HTTP types. The workflows' control and saved
// state, activity messages and engine types live beside their owners
// (workflows, internal/...); see docs/design.md. When the budget updates
// added six names every caller needs (issue 22), six helpers moved to their
// users (client, mailer, workflows, the starter) to stay within the bound.
// The corpus naming rule in words and as an HTML pattern (CorpusNameRule,
// CorpusNamePattern) raised it by two: the gateway writes them into the web
// app, which cannot import the Go check.
// PricePlanUpdate (an edited plan priced before approval) is one more name
// that the client, the gateway and the workflow share.
// DecodeInputJSON, DecodeInput and UnknownFieldError (the start inputs'
// unknown keys, which the claims package's review input notes too) are
// three more. So are the memo field of
// a run's question and its cut to 200 characters (MemoQuestion,
// MemoQuestionText): a run started without it by the Temporal CLI writes
// it as the client would, so that the list of runs shows its question.
const maxExported = 128

// TestExportedNames counts the top-level exported functions, types,
// constants and variables of the package's own non-test files. It parses
// the files themselves (not go list), so its cached result follows them.
func TestExportedNames(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name != "researchflow" {
			continue
		}
		names = append(names, exportedNames(f)...)
	}
	if len(names) == 0 {
		t.Fatal("no exported name found: the test reads the wrong directory")
	}
	if len(names) > maxExported {
		t.Errorf("the root package exports %d names, at most %d: move what callers do not need to its owner (workflows, internal/...):\n%s",
			len(names), maxExported, strings.Join(names, " "))
	}
}

// exportedNames lists f's top-level exported declarations (methods are
// counted with their type).
func exportedNames(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.IsExported() {
				out = append(out, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						out = append(out, s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							out = append(out, n.Name)
						}
					}
				}
			}
		}
	}
	return out
}

func TestExportedNamesCounts(t *testing.T) {
	t.Parallel()
	src := `package p
const (A = 1; b = 2; C, D = 3, 4)
var E, f int
type G struct{}
func (G) M() {}
func H() {}
func i() {}
type (J int; k int)
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(exportedNames(f), " "), "A C D E G H J"; got != want {
		t.Errorf("exportedNames = %q, want %q", got, want)
	}
}
