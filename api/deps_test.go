package main

import (
	"testing"

	"github.com/researchflow/researchflow/internal/deptest"
)

// The HTTP gateway binary does not link the Temporal server: it always
// talks to a cluster (or to the dev stack's embedded server) over gRPC.
func TestDeps(t *testing.T) {
	t.Parallel()
	deptest.Check(t, deptest.Rule{Forbidden: []string{"go.temporal.io/server"}})
}
