package fetch

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps: fetch reads pages for the search activities but is an adapter
// of its own: it shares the egress kit and search/ident with package
// search, never search itself, and never imports the application layer
// (activities, workflows). The rule checks "." so that the test cache runs
// it again whenever this package's imports change.
func TestDeps(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps .: %v", err)
	}
	const mod = "github.com/researchflow/researchflow"
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{mod + "/internal/search", mod + "/activities", mod + "/workflows"} {
			if dep == f || (strings.HasPrefix(dep, f+"/") && dep != mod+"/internal/search/ident") {
				t.Errorf("fetch depends on %s", dep)
			}
		}
	}
}
