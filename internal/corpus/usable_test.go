package corpus

import (
	"context"
	"errors"
	"testing"
)

// TestUsable: Usable refuses what ingestion cannot write passages of (a
// malformed PDF, a blank or empty text file, a .docx that is no zip) and
// takes what it reads, with the readers LoadFile uses.
func TestUsable(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, content string
		noText, ok    bool
	}{
		{"notes.md", "# Backups\n\nNightly at two, kept thirty days.\n", false, true},
		{"notes.txt", "Nightly at two.", false, true},
		{"blank.txt", " \n\t\n  \r\n", true, false},
		{"empty.md", "", true, false},
		// An empty ATX heading is no text (a trial's replacement "# " and
		// blank lines was ingested as a passage "#").
		{"heading.md", "# \n\n   \n", true, false},
		{"hashes.md", "#\n##\n", true, false},
		{"markup.html", "<html><body> <p> </p></body></html>", true, false},
		{"paper.pdf", "%PDF-1.4\nthis is no pdf\n", false, false},
		{"letter.docx", "PK\x03\x04 not a zip", false, false},
	} {
		err := Usable(ctx, tt.name, []byte(tt.content))
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v, want it usable", tt.name, err)
		case !tt.ok && err == nil:
			t.Errorf("%s: usable, want an error", tt.name)
		case tt.noText && !errors.Is(err, ErrNoText):
			t.Errorf("%s: %v, want ErrNoText", tt.name, err)
		}
	}
}
