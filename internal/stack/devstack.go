package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/devserver"
	"github.com/researchflow/researchflow/internal/pools"
)

// This file holds the developer-stack conveniences: finding a dev stack
// already running on this machine (Connect), describing what a command is
// connected to, and printing where things are.

// ConnectOptions configure Connect.
type ConnectOptions struct {
	Logger *slog.Logger
	// DevServer, if set, lets Connect start an embedded stack when no
	// server answers.
	DevServer devserver.Starter
	// SpawnBackground, if set and cfg.Background is on, starts the
	// background stack (a detached process running ServeBackground) when
	// no server answers; Connect then waits for it and attaches to it.
	// When it fails, Connect falls back to an in-process stack.
	SpawnBackground func() error
}

// Connect gives a client-side process (the starter) a Temporal connection:
// TEMPORAL_ADDRESS if set; else a dev stack already listening on the
// embedded address; else an in-process embedded stack with every pool,
// which lives as long as the returned Stack.
func Connect(ctx context.Context, cfg config.Config, opts ConnectOptions) (*Stack, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if !cfg.Embedded() {
		return Start(ctx, cfg, Options{Logger: opts.Logger})
	}
	addr := devAddr(cfg)
	up := answers(addr)
	if up && cfg.DataDirSet && !servedHere(cfg) {
		// A stack of another data dir (a background stack left by a
		// command with another RESEARCHFLOW_DATA_DIR) answers on the
		// address: attached to it, this command would research that data
		// dir's corpora and keep its runs there.
		opts.Logger.Warn("the stack answering on " + addr + " serves another data dir; this command runs a stack of its own on " + cfg.DataDir +
			" (stop that one with RESEARCHFLOW_DATA_DIR=<its data dir> starter stop, or set RESEARCHFLOW_TEMPORAL_PORT)")
		up = false
		cfg.Background = false
	}
	if !up && cfg.Background && opts.SpawnBackground != nil && cfg.EmbeddedFrontendPort > 0 {
		t0 := time.Now()
		if err := ensureBackground(ctx, cfg, opts.SpawnBackground, opts.Logger); err != nil {
			opts.Logger.Warn("background stack unavailable; running an embedded stack for this command", "error", err)
		} else {
			up = true
			opts.Logger.Debug("stack: background stack ready", "took", time.Since(t0).Round(time.Millisecond))
		}
	}
	if up {
		touchUsed(cfg.DataDir)
		ext := cfg
		ext.TemporalAddress = addr
		s, err := startAttached(ctx, ext, opts.Logger)
		if err != nil {
			return nil, fmt.Errorf("a Temporal server answers on %s but: %w", addr, err)
		}
		// A long command (a question that takes minutes) keeps the
		// background stack's idle clock near zero until it ends.
		keep, stopKeep := context.WithCancel(context.Background())
		go func() {
			t := time.NewTicker(30 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-keep.Done():
					return
				case <-t.C:
					touchUsed(cfg.DataDir)
				}
			}
		}()
		s.sup.onClose(func() { stopKeep(); touchUsed(cfg.DataDir) })
		// A background stack runs no Web UI: link to one only if it answers.
		if ui := net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.EmbeddedUIPort)); s.uiURL == "" && cfg.EmbeddedUIPort > 0 && answers(ui) {
			s.uiURL = "http://" + ui
		}
		return s, nil
	}
	all, _ := pools.Parse(pools.All)
	// The server's own warnings (shutdown chatter) would drown the progress
	// display of a short-lived command.
	// A stack that lives as long as one command has nothing to scrape.
	cfg.MetricsAddr = ""
	// It serves this command only: on a port of its own, so that no other
	// command finds it on the dev stack's address and attaches to workers
	// (and model settings) that go away when this command ends. A second
	// command on the same data dir finds the data dir locked instead, and
	// is refused with a message naming this one.
	cfg.EmbeddedFrontendPort = -1
	s, err := Start(ctx, cfg, Options{Pools: all, Logger: opts.Logger, NoUI: true, ServerLogLevel: slog.LevelError, DevServer: opts.DevServer})
	if err != nil {
		if errors.Is(err, devserver.ErrLocked) {
			return nil, busyError(devserver.Holder(devserver.LockPath(cfg.TemporalDB())), cfg.DataDir, addr)
		}
		return nil, err
	}
	s.ephemeral = true
	return s, nil
}

// servedHere reports whether a process holds the Temporal database of
// cfg's data dir (its lock, see devserver.LockPath): the stack answering
// on the dev address may be this data dir's (its background stack, or a
// dev stack started on it). When no process holds it, that stack serves
// another data dir. The lock is tested, not the pid its file names: the
// file outlives its holder. A shared lock taken and given back at once
// does not hold the database.
func servedHere(cfg config.Config) bool {
	f, err := os.OpenFile(devserver.LockPath(cfg.TemporalDB()), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return false // nothing ever ran on this data dir
	}
	if err != nil {
		return true // cannot tell: attach, as before
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return true // held
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// startingFor bounds how long a command waits for a server that accepts
// connections but is not serving yet (its frontend not yet healthy: a
// background stack still starting).
const startingFor = 30 * time.Second

// startAttached starts the client side of a stack on the server cfg
// names, this machine's dev or background stack, which answers on its
// port; while the server says it is not serving yet (Unavailable), it
// tries again.
func startAttached(ctx context.Context, cfg config.Config, logger *slog.Logger) (*Stack, error) {
	deadline := time.Now().Add(startingFor)
	for {
		s, err := Start(ctx, cfg, Options{Logger: logger, LocalServer: true})
		var starting *serviceerror.Unavailable
		if err == nil || !errors.As(err, &starting) || time.Now().After(deadline) {
			return s, err
		}
		logger.Debug("stack: the server answers but is not serving yet; trying again", "error", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ErrBusy means another command runs an embedded stack of its own on the
// data dir: a stack that serves that command only and ends with it.
var ErrBusy = errors.New("the data dir is in use by another command")

// busyError says who holds the data dir and what to do.
func busyError(holder, dataDir, devAddr string) error {
	who := "another Researchflow process"
	if holder != "" {
		who = "another command (" + holder + ")"
	}
	return fmt.Errorf("%w: %s runs an embedded stack of its own on %s, which serves that command only and stops when it ends, "+
		"so this command does not use it; run this command when that one has finished, or start the dev stack "+
		"(go run ./workers -pool all), which every command on this data dir then shares (it answers on %s)",
		ErrBusy, who, dataDir, devAddr)
}

// Ephemeral reports whether the stack was started only for this command.
func (s *Stack) Ephemeral() bool { return s.ephemeral }

// Describe says in a few words what the stack is connected to.
func (s *Stack) Describe() string {
	switch {
	case s.ephemeral:
		return "an embedded stack started for this command (" + s.Config.DataDir + ")"
	case s.Server != nil:
		return "the embedded Temporal server at " + s.Server.FrontendAddress()
	default:
		return "Temporal at " + s.Config.TemporalAddress
	}
}

// RunURL links to a workflow in the Temporal Web UI, or "" when none is known.
func (s *Stack) RunURL(workflowID string) string {
	if s.uiURL == "" || s.ephemeral {
		return ""
	}
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", s.uiURL, url.PathEscape(s.Config.Namespace), url.PathEscape(workflowID))
}

// PrintAddresses tells a person where to find things.
func (s *Stack) PrintAddresses(w io.Writer) {
	if s.Server != nil {
		fmt.Fprintf(w, "Temporal server:  %s (namespace %s, data in %s)\n", s.Server.FrontendAddress(), s.Config.Namespace, s.Config.DataDir)
	} else {
		fmt.Fprintf(w, "Temporal cluster: %s (namespace %s)\n", s.Config.TemporalAddress, s.Config.Namespace)
	}
	if s.uiURL != "" {
		fmt.Fprintf(w, "Temporal Web UI:  %s\n", s.uiURL)
	}
	if s.Gateway != nil {
		fmt.Fprintf(w, "HTTP gateway:     http://%s\n", s.Gateway.Addr)
		if s.Codec != nil {
			fmt.Fprintf(w, "codec server:     http://%s/codec (payloads encrypted with key %s)\n", browserAddr(s.Gateway.Addr), s.Config.Codec.KeyID)
		}
	}
	if s.Pools != nil {
		fmt.Fprintf(w, "worker pools:     %v\n", s.Pools.Names)
	}
	if s.MetricsServer != nil {
		fmt.Fprintf(w, "metrics:          http://%s/metrics\n", s.MetricsServer.Addr)
	}
}

// browserAddr is a listen address a browser can open: an unspecified host
// (":8080", "0.0.0.0:8080") becomes 127.0.0.1.
func browserAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
