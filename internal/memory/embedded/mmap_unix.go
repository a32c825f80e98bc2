//go:build unix

package embedded

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f into memory, private and
// writable: pages are read from the file as they are touched, and a write
// (the index changing an array that lives in the checkpoint, such as the
// postings when compaction renumbers documents) copies the page instead of
// changing the file. The mapping outlives f.
func mapFile(f *os.File, size int) (*mapped, error) {
	if size == 0 {
		return &mapped{}, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	return &mapped{b: b, unmap: func() error { return syscall.Munmap(b) }}, nil
}
