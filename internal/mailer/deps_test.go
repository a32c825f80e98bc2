package mailer

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps: the mailer is an adapter: it declares the message it sends
// (Mail) and the activities declare the interface they need (consumer
// side), so it never imports the application layer (activities,
// workflows). The rule checks "." so that the test cache runs it again
// whenever this package's imports change.
func TestDeps(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps .: %v", err)
	}
	const mod = "github.com/researchflow/researchflow"
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{mod + "/activities", mod + "/workflows"} {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("mailer depends on %s", dep)
			}
		}
	}
}
