package stack

import (
	"path/filepath"
	"testing"
)

// The corpus a run reads is named after its folder's base name, and every
// test's first t.TempDir() is named .../001: two tests' corpora must not
// share a name.
func TestWriteCorpusNamesAreUnique(t *testing.T) {
	endToEnd(t)
	var names []string
	for _, sub := range []string{"a", "b"} {
		t.Run(sub, func(t *testing.T) { names = append(names, filepath.Base(writeCorpus(t))) })
	}
	if len(names) == 2 && names[0] == names[1] {
		t.Errorf("two tests' corpora share the name %q", names[0])
	}
}
