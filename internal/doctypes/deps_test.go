package doctypes

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// The list is read by the gateway, the starter and the corpus reader alike:
// it stays a standard-library leaf.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{StdlibOnly: true})
}
