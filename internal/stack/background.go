package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/devserver"
	"github.com/researchflow/researchflow/internal/pools"
)

// This file holds the background stack: what language servers and build
// daemons do. A client command that finds no server starts the embedded
// stack (server, every worker pool, memory) as a detached process on the
// dev stack's address; later commands find it there as they would find a
// dev stack, and it exits by itself after BackgroundIdle without a command.
//
// Files in the data dir:
//   - background.pid: "PID ADDRESS" of the running background stack;
//   - background.spawn: a lock that serialises the commands that start one,
//     so that two concurrent first commands start one (the server's own
//     lock on its database stays the last guard);
//   - background.used: touched by every command that uses it; its time is
//     the idle clock.

// BackgroundArg is the argument with which a command runs itself as the
// background stack (the starter's hidden "background-stack" command).
const BackgroundArg = "background-stack"

// BackgroundPIDPath is the background stack's pid file in dataDir.
func BackgroundPIDPath(dataDir string) string { return filepath.Join(dataDir, "background.pid") }

func backgroundUsedPath(dataDir string) string  { return filepath.Join(dataDir, "background.used") }
func backgroundSpawnPath(dataDir string) string { return filepath.Join(dataDir, "background.spawn") }

// devAddr is the dev stack's (and the background stack's) address.
func devAddr(cfg config.Config) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.EmbeddedFrontendPort))
}

func answers(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// touchUsed resets the background stack's idle clock.
func touchUsed(dataDir string) {
	p := backgroundUsedPath(dataDir)
	now := time.Now()
	if err := os.Chtimes(p, now, now); err != nil {
		_ = os.WriteFile(p, nil, 0o644)
	}
}

// BackgroundPID reads the pid file of dataDir: the background stack's
// process ID and address, with ok false when there is none or the process
// it names is gone (a stale file, say after kill -9).
func BackgroundPID(dataDir string) (pid int, addr string, ok bool) {
	b, err := os.ReadFile(BackgroundPIDPath(dataDir))
	if err != nil {
		return 0, "", false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, "", false
	}
	pid, err = strconv.Atoi(f[0])
	if err != nil || pid <= 0 {
		return 0, "", false
	}
	if !alive(pid) {
		return pid, f[1], false
	}
	return pid, f[1], true
}

// alive reports whether process pid runs: it exists and is not a zombie
// (a killed process that its parent has not reaped yet).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs: trust the signal
	}
	// "PID (COMM) STATE …": COMM may hold spaces and parentheses.
	if i := strings.LastIndexByte(string(b), ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] != 'Z'
	}
	return true
}

// ensureBackground makes sure a background stack answers on cfg's dev
// address, starting one with spawn when none does. Concurrent callers on
// one data dir take turns (a file lock), so they start one between them.
func ensureBackground(ctx context.Context, cfg config.Config, spawn func() error, logger *slog.Logger) error {
	addr := devAddr(cfg)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return err
	}
	lf, err := os.OpenFile(backgroundSpawnPath(cfg.DataDir), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", lf.Name(), err)
	}
	defer syscall.Flock(int(lf.Fd()), syscall.LOCK_UN)
	deadline := time.Now().Add(60 * time.Second)
	spawned := false
	for !answers(addr) {
		pid, _, ok := BackgroundPID(cfg.DataDir)
		switch {
		case ok:
			// Alive but not answering yet (still starting): wait for it.
		case spawned && pid != 0:
			return fmt.Errorf("the background stack (pid %d) ended before it answered (its log: %s)", pid, BackgroundLogPath(cfg.DataDir))
		case !spawned:
			// None, or a stale pid file (its process was killed, or
			// ended while this command waited): start one.
			_ = os.Remove(BackgroundPIDPath(cfg.DataDir))
			touchUsed(cfg.DataDir)
			if err := spawn(); err != nil {
				return fmt.Errorf("start the background stack: %w", err)
			}
			spawned = true
			logger.Debug("background stack: started one", "stale_pid", pid)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the background stack does not answer on %s after 60 s (its log: %s)", addr, BackgroundLogPath(cfg.DataDir))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// BackgroundLogPath is where the background stack's log goes.
func BackgroundLogPath(dataDir string) string { return filepath.Join(dataDir, "background.log") }

// ServeBackground runs the background stack until ctx ends, StopBackground
// asks it to, or no command has used it for cfg.BackgroundIdle. It serves
// on the dev stack's address, with every pool, no Web UI and no metrics.
func ServeBackground(ctx context.Context, cfg config.Config, dev devserver.Starter, logger *slog.Logger) error {
	all, _ := pools.Parse(pools.All)
	cfg.MetricsAddr = ""
	// The pid file comes first: a command that finds it (and the process
	// alive) waits for the address to answer instead of starting another.
	pidFile := BackgroundPIDPath(cfg.DataDir)
	line := fmt.Sprintf("%d %s\n", os.Getpid(), devAddr(cfg))
	if err := os.WriteFile(pidFile, []byte(line), 0o644); err != nil {
		return err
	}
	defer func() {
		// Only our own: a later stack may have replaced it.
		if pid, _, _ := BackgroundPID(cfg.DataDir); pid == os.Getpid() {
			_ = os.Remove(pidFile)
		}
	}()
	s, err := Start(ctx, cfg, Options{Pools: all, Logger: logger, NoUI: true, ServerLogLevel: slog.LevelError, DevServer: dev})
	if err != nil {
		return err
	}
	defer s.Close()
	touchUsed(cfg.DataDir)
	logger.Info("background stack up", "address", s.Server.FrontendAddress(), "idle_exit", cfg.BackgroundIdle)
	tick := time.NewTicker(min(cfg.BackgroundIdle/4, 30*time.Second))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			logger.Info("background stack: stopping")
			return nil
		case err := <-s.sup.failed:
			return err
		case <-tick.C:
			fi, err := os.Stat(backgroundUsedPath(cfg.DataDir))
			if err == nil && time.Since(fi.ModTime()) < cfg.BackgroundIdle {
				continue
			}
			logger.Info("background stack: idle, exiting", "idle", cfg.BackgroundIdle)
			return nil
		}
	}
}

// ErrNoBackground means no background stack runs on the data dir.
var ErrNoBackground = errors.New("no background stack runs on this data dir")

// StopBackground asks the background stack of dataDir to exit and waits
// (up to timeout) until it has; it removes a stale pid file.
func StopBackground(dataDir string, timeout time.Duration) (pid int, err error) {
	pid, _, ok := BackgroundPID(dataDir)
	if !ok {
		if pid != 0 {
			_ = os.Remove(BackgroundPIDPath(dataDir))
		}
		return 0, ErrNoBackground
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return pid, err
	}
	deadline := time.Now().Add(timeout)
	for alive(pid) {
		if time.Now().After(deadline) {
			return pid, fmt.Errorf("background stack (pid %d) still running after %s", pid, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return pid, nil
}
