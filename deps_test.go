package researchflow

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// The contract links only the standard library: any Go program may import
// it, and the workflow, the gateway and the starter share it.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{StdlibOnly: true})
}
