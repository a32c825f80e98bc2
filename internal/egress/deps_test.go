package egress

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps: the kit is a leaf every adapter may import: the standard
// library and package fault, nothing else of this module and no other
// module. The rule checks "." so the test cache runs it again whenever
// this package's imports change.
func TestDeps(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps .: %v", err)
	}
	const self = "github.com/researchflow/researchflow/internal/egress"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, std, _ := strings.Cut(line, " ")
		if std == "true" || path == self || path == "github.com/researchflow/researchflow/internal/fault" {
			continue
		}
		t.Errorf("egress depends on %s; it must stay standard library plus package fault", path)
	}
}
