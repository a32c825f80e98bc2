package researchflow

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPublicPackagesStayLight: a Go program that imports the contract, the
// client or the workflows links neither the engines (langchaingo, the PDF
// parser) nor the Temporal server, and the contract links only the standard
// library; the HTTP gateway binary (api) does not link the server either.
func TestPublicPackagesStayLight(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{".", []string{"."}}, // any dotted import path is not the standard library
		{"./client", []string{"github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server", "researchflow/internal/"}},
		{"./workflows", []string{"github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server", "researchflow/internal/corpus"}},
		{"./api", []string{"go.temporal.io/server"}},
	}
	for _, tt := range tests {
		out, err := exec.Command("go", "list", "-deps", tt.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", tt.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if tt.pkg == "." {
				first, _, _ := strings.Cut(dep, "/")
				if strings.Contains(first, ".") && dep != "github.com/researchflow/researchflow" {
					t.Errorf("the contract imports %s; it must stay standard library only", dep)
				}
				continue
			}
			for _, f := range tt.forbidden {
				if strings.Contains(dep, f) {
					t.Errorf("%s depends on %s", tt.pkg, dep)
				}
			}
		}
	}
}
