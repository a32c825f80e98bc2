package mailer

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// TestDeps: the mailer is an adapter: it declares the message it sends
// (Mail) and the activities declare the interface they need (consumer
// side), so it never imports the application layer (activities,
// workflows). The rule checks "." so that the test cache runs it again
// whenever this package's imports change.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{deptest.Module + "/activities", deptest.Module + "/workflows"}})
}
