//go:build !unix

package embedded

import (
	"errors"
	"os"
)

// lockDir is only implemented with flock on Unix systems.
func lockDir(path string) (*os.File, error) {
	return nil, errors.New("the embedded store needs flock, available on Unix systems only")
}

func unlockDir(f *os.File) error { return f.Close() }
