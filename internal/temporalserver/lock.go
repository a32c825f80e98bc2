package temporalserver

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/researchflow/researchflow/internal/devserver"
)

// ErrLocked means another process holds the database.
var ErrLocked = devserver.ErrLocked

// fileLock is an exclusive advisory lock (flock) on path.
type fileLock struct{ f *os.File }

func lockFile(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if who := devserver.Holder(path); who != "" {
				return nil, fmt.Errorf("%w (%s, held by %s)", ErrLocked, path, who)
			}
			return nil, fmt.Errorf("%w (%s)", ErrLocked, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Say who holds it, for the message of the next process that tries.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(devserver.HolderLine()), 0)
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
	l.f = nil
}
