package gateway

import (
	"go/build"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// The gateway serves HTTP over the client; it links neither the engines nor
// the Temporal server.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{
		"github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server", deptest.Module + "/internal/corpus",
	}})
}

// TestSpeaksTheDomain: the gateway talks to runs through Runs (the client
// package speaks Temporal for it), so neither it nor its tests import a
// go.temporal.io package. It reads its own sources (package "."), so its cached result is
// invalidated by any change to the gateway's imports.
func TestSpeaksTheDomain(t *testing.T) {
	t.Parallel()
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Imports) == 0 {
		t.Fatal("no imports read: the test reads the wrong folder")
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "go.temporal.io/") {
			t.Errorf("the gateway imports %s: go through Runs (package client) instead", imp)
		}
	}
	// Its tests too: they run the gateway on a fake Runs (memRuns); how
	// the client speaks Temporal is tested in package client.
	if len(pkg.TestGoFiles) == 0 {
		t.Fatal("no test files read")
	}
	for _, imp := range append(pkg.TestImports, pkg.XTestImports...) {
		if strings.HasPrefix(imp, "go.temporal.io/") {
			t.Errorf("the gateway's tests import %s: use a fake Runs, and test the client in package client", imp)
		}
	}
}
