package llm

import (
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

// newFakeServer starts a model server (package llmtest) that answers the
// requests with replies in order and fails the test on any further request.
func newFakeServer(t *testing.T, replies ...llmtest.Reply) *llmtest.Server {
	t.Helper()
	return llmtest.New(t, llmtest.Sequence(t, replies...))
}

// bodies returns the raw bodies of the requests f received, in order.
func bodies(f *llmtest.Server) []string {
	var out []string
	for _, r := range f.Requests() {
		out = append(out, string(r.Body))
	}
	return out
}
