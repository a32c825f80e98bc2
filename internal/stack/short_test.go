package stack

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestEndToEndTestsSkipInShort: the quick loop (go test -short) starts no
// server, so the shared stack is nil there; a test that uses it, or starts
// a stack of its own, must begin with endToEnd(t), or the quick loop
// panics on a nil stack.
func TestEndToEndTestsSkipInShort(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files read: %v", err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Body == nil || len(fn.Name.Name) < 5 || fn.Name.Name[:4] != "Test" || fn.Name.Name == "TestMain" {
				continue
			}
			if !needsStack(fn.Body) || startsWithEndToEnd(fn.Body) {
				continue
			}
			t.Errorf("%s: %s uses the embedded stack but does not begin with endToEnd(t)", fset.Position(fn.Pos()), fn.Name.Name)
		}
	}
}

// needsStack reports whether body uses the shared stack or starts one.
func needsStack(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Ident:
			if x.Name == "shared" {
				found = true
			}
		case *ast.CallExpr:
			if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "Start" {
				found = true
			}
		}
		return !found
	})
	return found
}

func startsWithEndToEnd(body *ast.BlockStmt) bool {
	if len(body.List) == 0 {
		return false
	}
	es, ok := body.List[0].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := call.Fun.(*ast.Ident)
	return ok && id.Name == "endToEnd"
}
