package search

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStaysLight: the workflows may import this package (source names,
// error kinds, Query and Result), and they must not link the page readers
// (package corpus, langchaingo, the PDF parser) nor the Temporal server
// (see the root deps_test.go). Package fetch, which reads pages, imports
// this one, never the other way round.
func TestStaysLight(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".", "./ident").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{"researchflow/internal/corpus", "researchflow/internal/fetch", "github.com/tmc/langchaingo", "github.com/ledongthuc/pdf", "go.temporal.io/server"} {
			if strings.Contains(dep, f) {
				t.Errorf("search depends on %s", dep)
			}
		}
	}
}

func TestParseDateAndRetryAfter(t *testing.T) {
	for in, want := range map[string]string{
		"2024-11-20T10:15:00":           "2024-11-20T10:15:00Z",
		"2024-11-20T10:15:00+02:00":     "2024-11-20T08:15:00Z",
		"2024/03/05":                    "2024-03-05T00:00:00Z",
		"2024":                          "2024-01-01T00:00:00Z",
		"Wed, 20 Nov 2024 10:15:00 GMT": "2024-11-20T10:15:00Z",
	} {
		if got := ParseDate(in).Format("2006-01-02T15:04:05Z07:00"); got != want {
			t.Errorf("ParseDate(%q) = %s, want %s", in, got, want)
		}
	}
	if !ParseDate("2 days ago").IsZero() || !ParseDate("").IsZero() {
		t.Error("relative or empty dates parsed")
	}
	if RetryAfter("-3", ParseDate("2024")) != 0 || RetryAfter("soon", ParseDate("2024")) != 0 {
		t.Error("invalid Retry-After gave a delay")
	}
}
