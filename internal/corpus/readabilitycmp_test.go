package corpus

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestReadabilityComparisonModuleResolves keeps the documented comparison
// (`cd internal/corpus/readabilitycmp && go test -v`, docs/html-extraction.md)
// runnable: the nested module replaces Researchflow with this tree, so a new
// dependency of this package must be in its go.mod and go.sum too. When it
// was not (tdewolff/parse), the command stopped with "missing go.sum entry".
func TestReadabilityComparisonModuleResolves(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "list", "-mod=readonly", "-test", "-deps", ".")
	cmd.Dir = "readabilitycmp"
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go list in readabilitycmp: %v\n%s\nrun `go mod tidy` in internal/corpus/readabilitycmp", err, out)
	}
}
