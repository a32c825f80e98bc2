package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A new user could not find how to change one note of an uploaded corpus:
// uploading it again stored "backups (2).md" beside it and both stayed.
// README says, where uploads and schedules are described, to upload the
// new version with ?replace=true (one step; before, it was delete then
// upload), with the route that does it.
func TestREADMETellsHowToChangeOneUploadedNote(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	section := func(heading string) string {
		t.Helper()
		i := strings.Index(readme, "\n"+heading+"\n")
		if i < 0 {
			t.Fatalf("README has no %q", heading)
		}
		rest := readme[i+len(heading)+2:]
		if j := strings.Index(rest, "\n### "); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	uploads := section("### The HTTP API")
	for _, want := range []string{
		"**To change one note**",
		"curl -s -F files=@backups.md 'localhost:8080/v1/corpora/notes/documents?replace=true'",
		`"replaced":["backups.md"]`,
		"stored as backups.md again",
		"never\nneither",
		"the old version stays",
		// A replacement ingestion cannot read is refused, and why.
		`"code":"unreadable_document"`,
		"refuses the whole request with a 422",
		"and so do\nits passages",
	} {
		if !strings.Contains(uploads, want) {
			t.Errorf("The HTTP API section lacks %q", want)
		}
	}
	schedules := section("### Schedules: recurring research and what changed")
	for _, want := range []string{"upload the new version with `?replace=true`", "`backups (2).md`"} {
		if !strings.Contains(schedules, want) {
			t.Errorf("the Schedules section lacks %q", want)
		}
	}
}
