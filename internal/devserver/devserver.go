// Package devserver declares the hook through which a process runs an
// embedded Temporal server: the options, the running server, and the
// function that starts one. internal/temporalserver implements it; the
// composition root (internal/stack) only sees this package, so that the
// binaries that never start a server (the HTTP gateway alone, a worker pool
// against a cluster) do not link go.temporal.io/server.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Options configure an embedded server.
type Options struct {
	// DatabaseFile is the SQLite file of the server's persistence and
	// visibility.
	DatabaseFile string
	// FrontendPort and UIPort are loopback ports (UIPort ignored with NoUI).
	FrontendPort int
	UIPort       int
	NoUI         bool
	// Namespace is registered at start.
	Namespace string
	// KeywordSearchAttributes are registered at start as Keyword attributes.
	KeywordSearchAttributes []string
	Logger                  *slog.Logger
	// LogLevel is the server's own log level.
	LogLevel slog.Level
	// CodecEndpoint, if set, is the codec server the Web UI decodes
	// payloads with (the gateway's /codec when payloads are encrypted).
	CodecEndpoint string
}

// Server is a running embedded server.
type Server interface {
	FrontendAddress() string
	// UIAddress is the Web UI's base URL, or "" without one.
	UIAddress() string
	Stop()
}

// Starter starts an embedded server (temporalserver.StartDev is one).
type Starter func(ctx context.Context, o Options) (Server, error)

// ErrLocked means another process holds the server's database.
var ErrLocked = errors.New("another process is using this Temporal database")

// LockPath is the lock file of the server database at dbFile: the server
// holds an exclusive lock on it while it runs, and writes HolderLine in it.
func LockPath(dbFile string) string { return dbFile + ".lock" }

// HolderLine names this process for its lock file: its ID and command line.
func HolderLine() string {
	cmd := strings.Join(os.Args, " ")
	if len(cmd) > 200 {
		cmd = cmd[:200] + "…"
	}
	return fmt.Sprintf("pid %d: %s\n", os.Getpid(), cmd)
}

// Holder reads who holds the lock file at path ("pid N: command"), or "".
func Holder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}
