package godoc

import (
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
)

// A file of the Go documentation has its go.dev address wherever Go is
// installed; any other file has none.
func TestURL(t *testing.T) {
	for _, c := range []struct{ loc, want string }{
		{"/usr/local/go/src/net/http/doc.go", "https://pkg.go.dev/net/http"},
		{"/usr/local/go/src/sync/mutex.go", "https://pkg.go.dev/sync"},
		{"/usr/local/go/src/go/doc/doc.go", "https://pkg.go.dev/go/doc"},
		{"/usr/local/go/src/cmd/go/alldocs.go", "https://pkg.go.dev/cmd/go"},
		{"/usr/local/go/doc/go_spec.html", "https://go.dev/ref/spec"},
		{"/usr/local/go/doc/go_mem.html", "https://go.dev/ref/mem"},
		{"/usr/local/go/doc/asm.html", "https://go.dev/doc/asm"},
		{"/usr/local/go/doc/godebug.md", "https://go.dev/doc/godebug"},
		{"/usr/lib/go-1.22/doc/go1.compat.html", "https://go.dev/doc/go1compat"},
		{"/opt/homebrew/Cellar/go/1.22.0/libexec/src/fmt/doc.go", "https://pkg.go.dev/fmt"},
		// A GOROOT under a folder named src or doc: the last one is GOROOT's.
		{"/home/ana/src/go/src/net/http/doc.go", "https://pkg.go.dev/net/http"},
		{"/srv/doc/go/doc/go_spec.html", "https://go.dev/ref/spec"},
		{`C:\Program Files\Go\src\net\http\doc.go`, "https://pkg.go.dev/net/http"},
		{"file:///usr/local/go/doc/go_mem.html", "https://go.dev/ref/mem"},
		// Not a file of the Go documentation.
		{"/home/ana/notes/offsite.md", ""},
		{"/home/ana/project/main.go", ""},
		{"/usr/local/go/src/doc.go", ""},
		{"/usr/local/go/doc/gopher/pencil.png", ""},
		{"/usr/local/go/doc/my notes.md", ""},
		{"https://go.dev/ref/mem", ""},
		{"", ""},
	} {
		if got := URL(c.loc); got != c.want {
			t.Errorf("URL(%q) = %q, want %q", c.loc, got, c.want)
		}
	}
}

// A source of the Go documentation recorded before sources had links (no
// Link, the path its worker read) is linked to its go.dev page; one
// recorded with a link keeps it. A file of another corpus is not linked,
// even laid out as GOROOT is, nor is a web page.
func TestLink(t *testing.T) {
	goDoc := func(loc string) rf.Source {
		return rf.Source{N: 1, SourceID: memory.SourceID(rf.DefaultCorpus, loc), Title: "The Go Memory Model", Location: loc}
	}
	notes := func(loc string) rf.Source {
		return rf.Source{N: 2, SourceID: memory.SourceID("notes", loc), Title: "Notes", Location: loc}
	}
	recorded := goDoc("/usr/local/go/doc/go_mem.html")
	recorded.Link = "https://go.dev/ref/mem"
	for _, c := range []struct {
		name string
		src  rf.Source
		want string
	}{
		{"old go-docs page", goDoc("/usr/local/go/doc/go_spec.html"), "https://go.dev/ref/spec"},
		{"old go-docs package", goDoc("/usr/local/go/src/net/http/doc.go"), "https://pkg.go.dev/net/http"},
		{"recorded with a link", recorded, "https://go.dev/ref/mem"},
		{"a note", notes("/home/ana/notes/offsite.md"), ""},
		{"a note laid out as GOROOT", notes("/home/ana/project/src/net/http/doc.go"), ""},
		{"a note under a copy of GOROOT", notes("/usr/local/go/doc/go_spec.html"), ""},
		{"go-docs path, other ID", rf.Source{SourceID: "s1", Location: "/usr/local/go/doc/go_spec.html"}, ""},
		{"a web page", rf.Source{SourceID: memory.SourceID(rf.DefaultCorpus, "https://go.dev/doc/"), Location: "https://go.dev/doc/", URL: "https://go.dev/doc/"}, ""},
	} {
		if got := Link(c.src); got != c.want {
			t.Errorf("%s: Link(%+v) = %q, want %q", c.name, c.src, got, c.want)
		}
	}
}
