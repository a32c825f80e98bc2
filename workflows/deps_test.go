package workflows

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// The workflows (and a worker that registers only them) link neither the
// engines nor the page readers nor the Temporal server.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{
		"github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server", deptest.Module + "/internal/corpus",
	}})
}
