package ident

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// Source identity is shared by the workflows, search and fetch; it links
// nothing of this module and no engine.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{
		deptest.Module + "/", "github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server",
	}})
}
