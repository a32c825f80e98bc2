package egress

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// TestDeps: the kit is a leaf every adapter may import: the standard
// library and package fault, nothing else of this module and no other
// module. The rule checks "." so the test cache runs it again whenever
// this package's imports change.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{StdlibOnly: true, Allow: []string{deptest.Module + "/internal/fault"}})
}
