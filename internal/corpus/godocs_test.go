package corpus

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/godoc"
)

// goRootForTest returns the local GOROOT or skips the test.
func goRootForTest(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command (for GOROOT)")
	}
	root, err := GoRoot(context.Background())
	if err != nil {
		t.Skipf("needs a Go installation: %v", err)
	}
	return root
}

func TestGoDocs(t *testing.T) {
	root := goRootForTest(t)
	began := time.Now()
	docs, skipped, err := GoDocs(context.Background(), root)
	if err != nil {
		t.Fatalf("GoDocs: %v", err)
	}
	loaded := time.Since(began)
	chunks := 0
	for _, d := range docs {
		chunks += len(Split(d, GoDocsCorpus, SplitOptions{}))
	}
	t.Logf("go docs under %s: %d documents, %d chunks, %d skipped; load %v, load+split %v",
		root, len(docs), chunks, len(skipped), loaded.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	for _, s := range skipped {
		t.Logf("skipped %s: %s", s.Path, s.Reason)
	}

	byLoc := map[string]Document{}
	for i, d := range docs {
		byLoc[d.Location] = d
		if i > 0 && docs[i-1].Location >= d.Location {
			t.Errorf("documents not sorted: %s before %s", docs[i-1].Location, d.Location)
		}
		if d.SourceID == "" || d.DocHash == "" || strings.TrimSpace(d.Text) == "" {
			t.Errorf("%s: incomplete document (SourceID %q, DocHash %q, %d bytes of text)", d.Location, d.SourceID, d.DocHash, len(d.Text))
		}
	}
	mem, ok := byLoc[filepath.Join(root, "doc", "go_mem.html")]
	if !ok {
		t.Fatalf("go_mem.html not among the %d documents", len(docs))
	}
	if got, want := mem.Title, "The Go Memory Model"; got != want {
		t.Errorf("go_mem.html title = %q, want %q", got, want)
	}
	if !strings.Contains(mem.Text, "happens before") {
		t.Errorf("go_mem.html text lacks %q", "happens before")
	}
	if len(mem.Sections) < 3 {
		t.Errorf("go_mem.html has %d sections, want several", len(mem.Sections))
	}

	var syncDoc, httpDoc, goCmd *Document
	for i := range docs {
		switch docs[i].Title {
		case "Package sync":
			syncDoc = &docs[i]
		case "Package net/http":
			httpDoc = &docs[i]
		case "Command go":
			goCmd = &docs[i]
		}
		if strings.Contains(docs[i].Title, "internal") || strings.Contains(docs[i].Location, "/vendor/") {
			t.Errorf("%s (%s) should have been left out", docs[i].Title, docs[i].Location)
		}
		if strings.HasPrefix(docs[i].Title, "Command ") && docs[i].Title != "Command go" {
			t.Errorf("%s: only cmd/go is wanted from cmd", docs[i].Title)
		}
	}
	if syncDoc == nil {
		t.Fatal(`no document titled "Package sync"`)
	}
	if !strings.HasPrefix(syncDoc.Text, "Package sync provides basic synchronization primitives") {
		t.Errorf("Package sync text starts %q", syncDoc.Text[:min(80, len(syncDoc.Text))])
	}
	if got, want := filepath.Dir(syncDoc.Location), filepath.Join(root, "src", "sync"); got != want {
		t.Errorf("Package sync location dir = %s, want %s", got, want)
	}
	if httpDoc == nil || filepath.Base(httpDoc.Location) != "doc.go" {
		t.Errorf("Package net/http = %+v, want its doc comment from doc.go", httpDoc)
	}
	if goCmd == nil {
		t.Fatal(`no document titled "Command go"`)
	}
	// Each is cited by its public address, never by this machine's path,
	// and a source of it recorded without one (by its ID and location
	// only) is given it.
	for _, c := range []struct {
		doc  Document
		want string
	}{
		{mem, "https://go.dev/ref/mem"},
		{*syncDoc, "https://pkg.go.dev/sync"},
		{*httpDoc, "https://pkg.go.dev/net/http"},
		{*goCmd, "https://pkg.go.dev/cmd/go"},
	} {
		if got := godoc.URL(c.doc.Location); got != c.want {
			t.Errorf("godoc.URL(%s) = %q, want %q", c.doc.Location, got, c.want)
		}
		if got := godoc.Link(rf.Source{SourceID: c.doc.SourceID, Location: c.doc.Location}); got != c.want {
			t.Errorf("godoc.Link of %s = %q, want %q", c.doc.Location, got, c.want)
		}
	}
}
