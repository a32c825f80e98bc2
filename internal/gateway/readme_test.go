package gateway

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The README's line for an ingestion's progress names the fields the JSON
// has, by their names: it said "files found, handled, … passages" for
// total, seen and chunks, which a reader of the JSON could not match.
func TestREADMENamesTheIngestionFields(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for l := range strings.SplitSeq(string(b), "\n") {
		if strings.Contains(l, "/ingestions/<ingestion id>") {
			line = l
		}
	}
	if line == "" {
		t.Fatal("the README shows no GET of an ingestion")
	}
	typ := reflect.TypeFor[Ingestion]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		switch name {
		case "id", "corpus", "status", "startedAt", "closedAt", "error":
			continue // the request and the run's state, not its counts
		}
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(line) {
			t.Errorf("the README's ingestion line does not name %q:\n%s", name, line)
		}
	}
}
