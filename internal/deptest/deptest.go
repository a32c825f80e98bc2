// Package deptest checks, from a package's own tests, which packages it
// links. A rule lives in a deps_test.go of the package it guards and checks
// "." (as tailscale's deptest does): the test binary of that package is
// built from the package and everything it imports, so the Go test cache
// runs the rule again whenever those imports change. A rule kept elsewhere,
// listing another package in a child process, is invisible to the cache and
// can pass from it long after it stopped being true.
package deptest

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// Module is the import path of this module.
const Module = "github.com/researchflow/researchflow"

// Package is one dependency as `go list -deps` reports it.
type Package struct {
	ImportPath string
	Standard   bool
}

// Rule says what the package in the current directory may link.
type Rule struct {
	// StdlibOnly allows only the standard library (and Allow).
	StdlibOnly bool
	// Forbidden lists import paths the package must not link; an entry
	// ending in "/" forbids everything under it, any other entry the path
	// itself and everything under it.
	Forbidden []string
	// Allow lists import paths (matched like Forbidden) that the rule lets
	// through anyway: exceptions to StdlibOnly and to Forbidden.
	Allow []string
}

// Check lists the dependencies of the package in the test's working
// directory (the package under test) and fails t for each that the rule
// forbids.
func Check(t *testing.T, r Rule) {
	t.Helper()
	deps, err := List(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) == 0 {
		t.Fatal("go list -deps . listed nothing")
	}
	for _, v := range r.Violations(deps[len(deps)-1].ImportPath, deps) {
		t.Error(v)
	}
}

// List runs `go list -deps` on pattern (one package) in the current
// directory; the package itself comes last.
func List(pattern string) ([]Package, error) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", pattern)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %w: %s", pattern, err, strings.TrimSpace(stderr.String()))
	}
	var deps []Package
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		path, std, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			return nil, fmt.Errorf("go list -deps %s: unexpected line %q", pattern, sc.Text())
		}
		deps = append(deps, Package{ImportPath: path, Standard: std == "true"})
	}
	return deps, sc.Err()
}

// Violations names each dependency of pkg that the rule forbids, with the
// rule it breaks.
func (r Rule) Violations(pkg string, deps []Package) []string {
	var out []string
	for _, d := range deps {
		if d.ImportPath == pkg || matches(d.ImportPath, r.Allow) {
			continue
		}
		if r.StdlibOnly && !d.Standard {
			out = append(out, fmt.Sprintf("%s depends on %s; it must link only the standard library", pkg, d.ImportPath))
			continue
		}
		for _, f := range r.Forbidden {
			if under(d.ImportPath, f) {
				out = append(out, fmt.Sprintf("%s depends on %s (forbidden: %s)", pkg, d.ImportPath, f))
				break
			}
		}
	}
	return out
}

func matches(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if under(path, p) {
			return true
		}
	}
	return false
}

// under reports whether path is prefix or below it. A prefix ending in "/"
// matches only below it.
func under(path, prefix string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(path, prefix)
	}
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
