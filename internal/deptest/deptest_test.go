package deptest

import (
	"slices"
	"testing"
)

func TestViolations(t *testing.T) {
	t.Parallel()
	deps := []Package{
		{"fmt", true},
		{"go.temporal.io/sdk/client", false},
		{"go.temporal.io/server/common", false},
		{"go.temporal.io/serverless", false},
		{Module + "/internal/codec", false},
		{Module + "/codec", false},
		{Module + "/client", false},
	}
	tests := []struct {
		name string
		rule Rule
		want []string
	}{
		{"nothing forbidden", Rule{}, nil},
		{"a path and below, not a longer name", Rule{Forbidden: []string{"go.temporal.io/server"}},
			[]string{Module + "/client depends on go.temporal.io/server/common (forbidden: go.temporal.io/server)"}},
		{"below a slash", Rule{Forbidden: []string{Module + "/internal/"}},
			[]string{Module + "/client depends on " + Module + "/internal/codec (forbidden: " + Module + "/internal/)"}},
		{"standard library only, with exceptions", Rule{StdlibOnly: true, Allow: []string{Module, "go.temporal.io/server"}}, []string{
			Module + "/client depends on go.temporal.io/sdk/client; it must link only the standard library",
			Module + "/client depends on go.temporal.io/serverless; it must link only the standard library",
		}},
		{"an exception below a forbidden path", Rule{Forbidden: []string{Module + "/internal/"}, Allow: []string{Module + "/internal/codec"}}, nil},
	}
	for _, tt := range tests {
		if got := tt.rule.Violations(Module+"/client", deps); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}

// The package itself comes last in List, and the standard library is marked.
func TestListThisPackage(t *testing.T) {
	deps, err := List(".")
	if err != nil {
		t.Fatal(err)
	}
	if got := deps[len(deps)-1].ImportPath; got != Module+"/internal/deptest" {
		t.Errorf("last = %s, want this package", got)
	}
	if i := slices.IndexFunc(deps, func(p Package) bool { return p.ImportPath == "os/exec" }); i < 0 || !deps[i].Standard {
		t.Errorf("os/exec missing or not standard: %v", deps)
	}
	// This package's own rule: it links only the standard library.
	Check(t, Rule{StdlibOnly: true})
}
