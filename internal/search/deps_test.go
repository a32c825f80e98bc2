package search

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStaysLight: the workflows may import this package (source names,
// Query and Result), and they must not link the page readers
// (package corpus, langchaingo, the PDF parser) nor the Temporal server
// (see the root deps_test.go). Package fetch, which reads pages, shares
// nothing with this one but package egress and search/ident. As an
// adapter it never imports the application layer (activities, workflows).
func TestStaysLight(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".", "./ident").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{"researchflow/internal/corpus", "researchflow/internal/fetch", "researchflow/activities", "researchflow/workflows", "github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server"} {
			if strings.Contains(dep, f) {
				t.Errorf("search depends on %s", dep)
			}
		}
	}
}
