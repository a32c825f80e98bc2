package godoc

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// The gateway links sources with this package: it links no document
// reader, no engine and no Temporal server.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{
		"github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/", deptest.Module + "/internal/corpus",
	}})
}
