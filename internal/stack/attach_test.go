package stack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// holdStackEnv makes this test binary a command that holds its own
// embedded stack (Connect, as the starter does) until its stdin closes.
const holdStackEnv = "RESEARCHFLOW_TEST_HOLD_STACK"

// holdStack is the other process of TestSecondCommandDoesNotAttach.
func holdStack() int {
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Connect(ctx, cfg, ConnectOptions{Logger: testLogger(), DevServer: temporalserver.StartDev})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	fmt.Printf("ready ephemeral=%v\n", s.Ephemeral())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// Issue 19 item 13: command B, started while command A runs an embedded
// stack of its own on the same data dir, does not attach to it (it would be
// served by A's workers and model settings, and hang when A exits): it is
// refused with a message naming A, and once A has ended it starts its own.
func TestSecondCommandDoesNotAttachToAnotherCommandsStack(t *testing.T) {
	endToEnd(t)
	dir := t.TempDir()
	port := strconv.Itoa(reservedPort(t)) // the dev stack's address for both: nothing answers there
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	a := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	a.Env = append(os.Environ(), holdStackEnv+"=1", "RESEARCHFLOW_DATA_DIR="+dir, "RESEARCHFLOW_TEMPORAL_PORT="+port,
		"RESEARCHFLOW_UI_PORT=0", "TEMPORAL_ADDRESS=")
	stdin, err := a.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	a.Stderr = os.Stderr
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.Process.Kill(); _ = a.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ephemeral=true") {
		t.Fatalf("command A: %q, %v", line, err)
	}

	cfg, err := config.Load(func(k string) (string, bool) {
		switch k {
		case "RESEARCHFLOW_DATA_DIR":
			return dir, true
		case "RESEARCHFLOW_TEMPORAL_PORT":
			return port, true
		case "RESEARCHFLOW_UI_PORT":
			return "0", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Connect(ctx, cfg, ConnectOptions{Logger: testLogger(), DevServer: temporalserver.StartDev})
	if err == nil {
		b.Close()
		t.Fatalf("command B connected to %s while A's own stack runs on the same data dir", b.Describe())
	}
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(a.Process.Pid)) || !strings.Contains(err.Error(), "-pool all") {
		t.Fatalf("command B: %v\nwant ErrBusy naming A's pid and the dev stack", err)
	}
	t.Logf("command B is told: %v", err)

	stdin.Close() // A ends
	if err := a.Wait(); err != nil {
		t.Fatalf("command A: %v", err)
	}
	b, err = Connect(ctx, cfg, ConnectOptions{Logger: testLogger(), DevServer: temporalserver.StartDev})
	if err != nil {
		t.Fatalf("command B after A ended: %v", err)
	}
	defer b.Close()
	if !b.Ephemeral() {
		t.Errorf("command B after A ended runs on %s, want a stack of its own", b.Describe())
	}
}
