package embed

import (
	"os/exec"
	"strings"
	"testing"
)

// TestAdapterDeps: the embedding adapter imports its domain's interfaces and the egress
// kit, never the application layer (activities, workflows): the
// activities import adapters, not the other way round. The rule checks "."
// so that the test cache runs it again whenever this package's imports
// change.
func TestAdapterDeps(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps .: %v", err)
	}
	const mod = "github.com/researchflow/researchflow"
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{mod + "/activities", mod + "/workflows"} {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("embed depends on %s", dep)
			}
		}
	}
}
