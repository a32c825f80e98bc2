package gateway

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// The gateway serves HTTP over the client; it links neither the engines nor
// the Temporal server.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{
		"github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server", deptest.Module + "/internal/corpus",
	}})
}
