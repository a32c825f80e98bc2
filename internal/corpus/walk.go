package corpus

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/researchflow/researchflow/internal/doctypes"
)

// MaxFileSize is the largest file Walk hands out (20 MiB); larger files are
// reported as skipped.
const MaxFileSize = 20 << 20

// Skipped is a file that could not be used, with the reason.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Walk returns the absolute paths of the files under root that LoadFile
// reads, sorted, and the files it left out with the reason. root is a folder
// or a single file. Hidden files and folders (".name") are passed over
// silently, as are files inside a folder that are not documents (images,
// code); documents of a type that is not read (Word, EPUB, RTF,
// spreadsheets…: doctypes.Unreadable) are reported with the
// reason and a hint, and so is root itself of a type that is not read. Symbolic links are followed; a link back to
// a folder being walked, or to one already walked, is reported and not
// entered. Files larger than MaxFileSize are reported. The error is for root
// itself (missing, unreadable) and for ctx ending.
func Walk(ctx context.Context, root string) (files []string, skipped []Skipped, err error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, nil, fmt.Errorf("walk %s: %w", root, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, nil, fmt.Errorf("walk %s: %w", root, err)
	}
	w := walker{visited: map[string]string{}, maxSize: MaxFileSize}
	if !info.IsDir() {
		if !Supported(abs) {
			reason, ok := doctypes.Unreadable(abs)
			if !ok {
				reason = fmt.Sprintf("%s: %s are read", ErrUnsupported, doctypes.Text())
			}
			return nil, []Skipped{{Path: abs, Reason: reason}}, nil
		}
		w.file(abs, info)
		return w.files, w.skipped, nil
	}
	if err := w.dir(ctx, abs, nil); err != nil {
		return nil, nil, err
	}
	w.dropTwins()
	sort.Strings(w.files)
	sort.Slice(w.skipped, func(i, j int) bool { return w.skipped[i].Path < w.skipped[j].Path })
	return w.files, w.skipped, nil
}

// sameDocument opens the reason of a file left out for its twin in a
// richer format (see dropTwins, SameDocument).
const sameDocument = "the same document as "

// SameDocument reports whether a skipped file's reason is that the same
// document is read in another format: listings may count such files
// instead of naming each.
func SameDocument(reason string) bool { return strings.HasPrefix(reason, sameDocument) }

// formatRank orders the formats one document may come in, the richest
// first: HTML keeps headings, definition lists and code blocks, Markdown
// most of them; plain text (often the source of the HTML, as git's
// AsciiDoc pages are) and PDF keep fewer.
var formatRank = map[string]int{".html": 0, ".htm": 0, ".md": 1, ".markdown": 1, ".docx": 2, ".odt": 2, ".epub": 2, ".txt": 3, ".pdf": 4}

// dropTwins keeps one file of each document a folder holds in several
// formats (git-clean.html and git-clean.txt, bashref.html and
// bashref.pdf: the same name but for the extension), the richest
// (formatRank); the others are reported as skipped, naming the one read.
// Reading both would give each passage twice, cited as two sources.
func (w *walker) dropTwins() {
	best := map[string]string{} // folder and name without extension: the file kept
	key := func(p string) string { return strings.ToLower(strings.TrimSuffix(p, filepath.Ext(p))) }
	rank := func(p string) int { return formatRank[strings.ToLower(filepath.Ext(p))] }
	for _, f := range w.files {
		k := key(f)
		if b, ok := best[k]; !ok || rank(f) < rank(b) || rank(f) == rank(b) && f < b {
			best[k] = f
		}
	}
	kept := w.files[:0]
	for _, f := range w.files {
		if b := best[key(f)]; b != f {
			w.skip(f, "%s%s, which is read instead (one format of a document is read)", sameDocument, filepath.Base(b))
			continue
		}
		kept = append(kept, f)
	}
	w.files = kept
}

type walker struct {
	files   []string
	skipped []Skipped
	// visited maps the real path of every folder entered to the path it was
	// entered by.
	visited map[string]string
	maxSize int64
}

func (w *walker) skip(path, format string, args ...any) {
	w.skipped = append(w.skipped, Skipped{Path: path, Reason: fmt.Sprintf(format, args...)})
}

func (w *walker) file(path string, info fs.FileInfo) {
	if info.Size() > w.maxSize {
		w.skip(path, "file too large: %d bytes (limit %d)", info.Size(), w.maxSize)
		return
	}
	w.files = append(w.files, path)
}

// dir walks the folder at path; ancestors are the real paths of the folders
// above it, to tell a link loop from a folder reached twice.
func (w *walker) dir(ctx context.Context, path string, ancestors []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		w.skip(path, "resolve folder: %v", err)
		return nil
	}
	for _, a := range ancestors {
		if a == real {
			w.skip(path, "symlink loop to %s", real)
			return nil
		}
	}
	if first, ok := w.visited[real]; ok {
		w.skip(path, "folder already walked as %s", first)
		return nil
	}
	w.visited[real] = path
	entries, err := os.ReadDir(path)
	if err != nil {
		if len(ancestors) == 0 {
			return fmt.Errorf("walk %s: %w", path, err)
		}
		w.skip(path, "read folder: %v", err)
		return nil
	}
	ancestors = append(ancestors, real)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(path, name)
		info, err := os.Stat(p) // follows links
		if err != nil {
			if e.Type()&fs.ModeSymlink != 0 {
				w.skip(p, "broken symlink: %v", err)
			} else {
				w.skip(p, "stat: %v", err)
			}
			continue
		}
		switch {
		case info.IsDir():
			if err := w.dir(ctx, p, ancestors); err != nil {
				return err
			}
		case info.Mode().IsRegular() && Supported(name):
			w.file(p, info)
		case info.Mode().IsRegular():
			if reason, ok := doctypes.Unreadable(name); ok {
				w.skip(p, "%s", reason)
			}
		}
	}
	return nil
}
