package claims

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// The contract of claim feedback depends on the root package only: the
// client (which no internal package may reach) and outside programs name
// its types.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{
		"github.com/tmc/langchaingo", "go.temporal.io/server", deptest.Module + "/internal/", deptest.Module + "/workflows",
	}})
}
