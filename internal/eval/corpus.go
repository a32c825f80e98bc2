package eval

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CorpusFolder returns the folder to ingest for a question's CorpusPath. A
// plain path is returned as is. A pattern ("/usr/share/debian-reference/
// ch*.en.html": the chapters of a documentation package, without its PDF
// copy) is matched at run time and its files are linked into a folder named
// after the pattern under root (the same pattern always gives the same
// folder, so a store that already holds the corpus is not filled twice).
// Nothing of the documents is copied.
func CorpusFolder(path, root string) (string, error) {
	if !strings.ContainsAny(path, "*?[") {
		return path, nil
	}
	files, err := filepath.Glob(path)
	if err != nil {
		return "", fmt.Errorf("corpus pattern %s: %w", path, err)
	}
	if len(files) == 0 {
		return "", fmt.Errorf("corpus pattern %s matches no file (is its documentation package installed?)", path)
	}
	sum := sha256.Sum256([]byte(path))
	dir := filepath.Join(root, "corpus-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("corpus pattern %s: %w", path, err)
	}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return "", fmt.Errorf("corpus pattern %s: %w", path, err)
		}
		link := filepath.Join(dir, filepath.Base(f))
		if target, err := os.Readlink(link); err == nil && target == abs {
			continue
		}
		if err := os.Remove(link); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("corpus pattern %s: %w", path, err)
		}
		if err := os.Symlink(abs, link); err != nil {
			return "", fmt.Errorf("corpus pattern %s: %w", path, err)
		}
	}
	return dir, nil
}
