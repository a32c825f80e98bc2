package doctypes

import (
	"strings"
	"testing"
)

// Refusal is what every surface says of a file it does not take: a known
// document type with its hint, any other with the types that are read, and
// nothing for a readable file, in any case.
func TestRefusal(t *testing.T) {
	for _, tt := range []struct {
		name string
		want string // a part of the reason; "" for none
	}{
		{"hiring.md", ""},
		{"Notes.PDF", ""},
		{"sheet.csv", "a spreadsheet (.csv) is not read; export it as PDF, .docx or Markdown"},
		{"Deck.PPTX", "a slide deck (.pptx) is not read"},
		{"image.png", "only " + Text() + " files can be ingested"},
		{"Makefile", "only " + Text() + " files can be ingested"},
	} {
		got := Refusal(tt.name)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("Refusal(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Every type UnreadableTypes lists has its hint, and none is read.
func TestUnreadableTypesHaveHints(t *testing.T) {
	exts := UnreadableTypes()
	if len(exts) < 20 {
		t.Fatalf("UnreadableTypes = %v", exts)
	}
	for _, ext := range exts {
		reason, ok := Unreadable("file" + ext)
		if !ok || !strings.Contains(reason, "("+ext+") is not read") || Readable("file"+ext) {
			t.Errorf("%s: Unreadable = %q, %v; Readable %v", ext, reason, ok, Readable("file"+ext))
		}
	}
}
