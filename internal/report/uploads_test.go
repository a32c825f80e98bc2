package report

import (
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

func TestUploadedSourcesShowTheirNameNotTheServerPath(t *testing.T) {
	up := "/var/lib/researchflow/uploads/0123456789abcdef/notes/incident-42.md"
	if name, ok := UploadedName(up); !ok || name != "incident-42.md" {
		t.Errorf("UploadedName(%q) = %q, %v", up, name, ok)
	}
	for _, loc := range []string{"/home/me/notes/incident-42.md", "https://example.com/uploads/0123456789abcdef/x/y.md"} {
		if strings.HasPrefix(loc, "/") {
			if _, ok := UploadedName(loc); ok {
				t.Errorf("%q taken for an upload", loc)
			}
		}
	}
	md, _ := Render(Report{
		Question: "What caused incident 42?",
		Draft:    reasoning.Draft{Title: "T", Summary: []reasoning.Sentence{{Text: "The disk filled up.", Cites: []int{1}}}},
		Sources: []rf.Source{
			{N: 1, Title: "Incident 42", Location: up},
		},
	})
	if strings.Contains(md, "/var/lib") || strings.Contains(md, "0123456789abcdef") || !strings.Contains(md, "Incident 42 — incident-42.md") {
		t.Errorf("the report shows the server path of an upload:\n%s", md)
	}
}
