package fetch

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// TestDeps: fetch reads pages for the search activities but is an adapter
// of its own: it shares the egress kit and search/ident with package
// search, never search itself, and never imports the application layer
// (activities, workflows). The rule checks "." so that the test cache runs
// it again whenever this package's imports change.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{
		Forbidden: []string{deptest.Module + "/internal/search", deptest.Module + "/activities", deptest.Module + "/workflows"},
		Allow:     []string{deptest.Module + "/internal/search/ident"},
	})
}
