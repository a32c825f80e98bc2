package search

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// TestStaysLight: the workflows may import this package (source names,
// Query and Result), and they must not link the page readers (package
// corpus, langchaingo, the PDF parser) nor the Temporal server (see
// workflows/deps_test.go). Package fetch, which reads pages, shares nothing
// with this one but package egress and search/ident. As an adapter it never
// imports the application layer (activities, workflows).
func TestStaysLight(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{
		deptest.Module + "/internal/corpus", deptest.Module + "/internal/fetch",
		deptest.Module + "/activities", deptest.Module + "/workflows",
		"github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server",
	}})
}
