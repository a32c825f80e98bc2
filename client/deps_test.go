package client

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// A Go program that starts and follows runs through this package links
// neither the engines (langchaingo, the PDF parser) nor the Temporal server,
// and no internal package: an outside caller must be able to build it.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{
		"github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server", deptest.Module + "/internal/",
	}})
}
