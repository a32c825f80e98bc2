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

// A report that cites the Go documentation cites it by its go.dev address
// (the source's Link) in every export, Markdown, HTML and PDF alike: the
// path of the Go installation that read it means nothing to a reader on
// another machine. A file with no public address keeps its path.
func TestGoDocsSourcesShowTheirGoDevAddress(t *testing.T) {
	md, _ := Render(Report{
		Question: "What does the Go memory model guarantee?",
		Draft: reasoning.Draft{Title: "T", Summary: []reasoning.Sentence{
			{Text: "A send is synchronized before the receive completes.", Cites: []int{1}},
			{Text: "The zero Mutex is unlocked.", Cites: []int{2}},
			{Text: "The team reviews locks in every change.", Cites: []int{3}},
		}},
		Sources: []rf.Source{
			{N: 1, Title: "The Go Memory Model", Location: "/usr/local/go/doc/go_mem.html", Link: "https://go.dev/ref/mem"},
			{N: 2, Title: "Package sync", Location: "/usr/local/go/src/sync/mutex.go", Link: "https://pkg.go.dev/sync"},
			{N: 3, Title: "Review notes", Location: "/home/ana/notes/review.md"},
		},
	})
	for _, want := range []string{
		"- [1] The Go Memory Model — [https://go.dev/ref/mem](https://go.dev/ref/mem)\n",
		"- [2] Package sync — [https://pkg.go.dev/sync](https://pkg.go.dev/sync)\n",
		"- [3] Review notes — [/home/ana/notes/review.md](file:///home/ana/notes/review.md)\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "/usr/local/go") {
		t.Errorf("Markdown shows the local Go installation:\n%s", md)
	}
	if links := ForeignLinks(md, []rf.Source{
		{Location: "/usr/local/go/doc/go_mem.html", Link: "https://go.dev/ref/mem"},
		{Location: "/usr/local/go/src/sync/mutex.go", Link: "https://pkg.go.dev/sync"},
		{Location: "/home/ana/notes/review.md"},
	}); len(links) > 0 {
		t.Errorf("links to no source: %q", links)
	}
	h, err := HTML("What does the Go memory model guarantee?", md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<a href="https://go.dev/ref/mem">https://go.dev/ref/mem</a>`,
		`<a href="https://pkg.go.dev/sync">https://pkg.go.dev/sync</a>`,
		">/home/ana/notes/review.md</a>",
	} {
		if !strings.Contains(string(h), want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(string(h), "/usr/local/go") {
		t.Errorf("HTML shows the local Go installation:\n%s", h)
	}
	pdf, err := PDF("What does the Go memory model guarantee?", md)
	if err != nil {
		t.Fatal(err)
	}
	txt := pdfText(t, pdf)
	for _, want := range []string{"https://go.dev/ref/mem", "https://pkg.go.dev/sync", "/home/ana/notes/review.md"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("PDF lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(string(txt), "/usr/local/go") {
		t.Errorf("PDF shows the local Go installation:\n%s", txt)
	}
}

// A withdrawn claim's source is named as the Sources list names it: the
// Go documentation by its go.dev address.
func TestSourceNameOfGoDocs(t *testing.T) {
	if got, want := SourceName("Package sync", "/usr/local/go/src/sync/mutex.go", "https://pkg.go.dev/sync"), "Package sync (https://pkg.go.dev/sync)"; got != want {
		t.Errorf("SourceName = %q, want %q", got, want)
	}
}
