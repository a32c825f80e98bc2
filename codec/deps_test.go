package codec

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// Any Go client of an encrypted deployment imports this package, so it links
// no package of this module and neither the engines nor the Temporal server.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{
		deptest.Module + "/", "github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server",
	}})
}
