package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/stack"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// The background stack: a command that finds no server starts the embedded
// stack as a detached copy of this binary ("starter background-stack"),
// which later commands share; "starter stop" ends it, and it exits by itself
// after RESEARCHFLOW_BACKGROUND_IDLE (default 10m) without a command.
// RESEARCHFLOW_BACKGROUND=0 keeps the stack inside each command.

// spawnBackground starts this binary as the background stack, detached from
// the terminal (its own session), logging to the data dir.
func spawnBackground() error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	logf, err := os.OpenFile(stack.BackgroundLogPath(cfg.DataDir), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	if strings.HasSuffix(exe, ".test") {
		// A test binary would run its tests again: stay in-process.
		return errors.New("not from a test binary")
	}
	// It keeps the first command's working directory and environment (its
	// settings), as a dev stack started there would.
	cmd := exec.Command(exe, stack.BackgroundArg)
	cmd.Env = append(os.Environ(), "RESEARCHFLOW_DATA_DIR="+cfg.DataDir)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// runBackgroundStack is the body of the background process.
func runBackgroundStack(ctx context.Context, stderr io.Writer) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	return stack.ServeBackground(ctx, cfg, temporalserver.StartDev, logger)
}

const stopUsage = `usage: starter stop

Stops the background stack that commands on this data dir share
(RESEARCHFLOW_DATA_DIR). It also exits by itself after
RESEARCHFLOW_BACKGROUND_IDLE (default 10m) without a command.`

// runStop stops the background stack.
func runStop(args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && isHelpFlag(args[0]) {
		fmt.Fprintln(stdout, stopUsage)
		return flag.ErrHelp
	}
	if len(args) > 0 {
		fmt.Fprintln(stderr, stopUsage)
		return usageError("stop takes no arguments")
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	pid, err := stack.StopBackground(cfg.DataDir, 30*time.Second)
	if errors.Is(err, stack.ErrNoBackground) {
		fmt.Fprintf(stdout, "no background stack runs on %s\n", cfg.DataDir)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "stopped the background stack (pid %d) on %s\n", pid, cfg.DataDir)
	return nil
}
