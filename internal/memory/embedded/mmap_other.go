//go:build !unix

package embedded

import (
	"fmt"
	"io"
	"os"
)

// mapFile reads the first size bytes of f into memory (where there is no
// mmap; see mmap_unix.go).
func mapFile(f *os.File, size int) (*mapped, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return &mapped{b: b}, nil
}
