package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.md", "a.txt", "sub/c.html", "sub/deeper/d.PDF", "a.go", ".hidden.md", ".git/config.md", "sub/img.png"} {
		writeFile(t, dir, name, "x")
	}
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxFileSize+1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	// A link back to the root (a loop) and a link to a file.
	if err := os.Symlink(dir, filepath.Join(dir, "sub", "loop")); err != nil {
		t.Skipf("needs symbolic links: %v", err)
	}
	if err := os.Symlink(filepath.Join(dir, "b.md"), filepath.Join(dir, "sub", "link.md")); err != nil {
		t.Fatal(err)
	}

	files, skipped, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	var rel []string
	for _, f := range files {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	want := []string{"a.txt", "b.md", "sub/c.html", "sub/deeper/d.PDF", "sub/link.md"}
	if !reflect.DeepEqual(rel, want) {
		t.Errorf("files = %q, want %q", rel, want)
	}
	reasons := map[string]string{}
	for _, s := range skipped {
		r, _ := filepath.Rel(dir, s.Path)
		reasons[filepath.ToSlash(r)] = s.Reason
	}
	if !strings.Contains(reasons["big.txt"], "too large") {
		t.Errorf("big.txt skipped with %q, want too large", reasons["big.txt"])
	}
	if !strings.Contains(reasons["sub/loop"], "symlink loop") {
		t.Errorf("sub/loop skipped with %q, want symlink loop", reasons["sub/loop"])
	}
	if len(skipped) != 2 {
		t.Errorf("skipped = %+v, want big.txt and sub/loop only", skipped)
	}

	// A single file is its own list; an unsupported one is reported.
	files, skipped, err = Walk(context.Background(), filepath.Join(dir, "b.md"))
	if err != nil || len(files) != 1 || len(skipped) != 0 {
		t.Errorf("Walk(file) = %v, %v, %v; want the file", files, skipped, err)
	}
	files, skipped, err = Walk(context.Background(), filepath.Join(dir, "a.go"))
	if err != nil || len(files) != 0 || len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "unsupported") {
		t.Errorf("Walk(a.go) = %v, %v, %v; want it skipped as unsupported", files, skipped, err)
	}

	if _, _, err := Walk(context.Background(), filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Walk(missing) error = %v, want os.ErrNotExist", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Walk(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("Walk(cancelled) error = %v, want context.Canceled", err)
	}
}

// A document a folder holds in several formats is read once, in the
// richest; the others are reported with the one read instead.
func TestWalkFormatTwins(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"page.html", "page.txt", "Guide.PDF", "guide.md", "notes.txt", "sub/page.txt", "x.htm", "x.html", "manual.pdf", "manual.txt"} {
		writeFile(t, dir, name, "x")
	}
	files, skipped, err := Walk(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, f := range files {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	want := []string{"guide.md", "manual.txt", "notes.txt", "page.html", "sub/page.txt", "x.htm"}
	if !reflect.DeepEqual(rel, want) {
		t.Errorf("files = %q, want %q", rel, want)
	}
	reasons := map[string]string{}
	for _, s := range skipped {
		r, _ := filepath.Rel(dir, s.Path)
		reasons[filepath.ToSlash(r)] = s.Reason
	}
	for skip, read := range map[string]string{"page.txt": "page.html", "Guide.PDF": "guide.md", "x.html": "x.htm", "manual.pdf": "manual.txt"} {
		if !strings.Contains(reasons[skip], "same document as "+read) {
			t.Errorf("%s skipped with %q, want it named the same document as %s", skip, reasons[skip], read)
		}
	}
	if len(skipped) != 4 {
		t.Errorf("skipped = %+v, want the four twins", skipped)
	}
}
