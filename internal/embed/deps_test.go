package embed

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// TestAdapterDeps: the embedding adapter imports its domain's interfaces and the egress
// kit, never the application layer (activities, workflows): the
// activities import adapters, not the other way round. The rule checks "."
// so that the test cache runs it again whenever this package's imports
// change.
func TestAdapterDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{deptest.Module + "/activities", deptest.Module + "/workflows"}})
}
