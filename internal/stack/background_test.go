package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/devserver"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// backgroundEnv makes this test binary the background stack
// (ServeBackground), as "starter background-stack" is.
const backgroundEnv = "RESEARCHFLOW_TEST_BACKGROUND"

// serveBackground is the background process of the tests below.
func serveBackground() int {
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := ServeBackground(ctx, cfg, temporalserver.StartDev, testLogger()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// backgroundFixture is a data dir and dev address of its own, and a spawn
// function that starts this test binary as its background stack.
type backgroundFixture struct {
	cfg    config.Config
	spawns atomic.Int32
	env    []string
}

func newBackgroundFixture(t *testing.T, extraEnv ...string) *backgroundFixture {
	t.Helper()
	dir := t.TempDir()
	port := strconv.Itoa(reservedPort(t))
	// A stack that a failed test leaves behind exits within a minute.
	env := append([]string{"RESEARCHFLOW_DATA_DIR=" + dir, "RESEARCHFLOW_TEMPORAL_PORT=" + port, "RESEARCHFLOW_UI_PORT=0", "TEMPORAL_ADDRESS=",
		"RESEARCHFLOW_BACKGROUND_IDLE=1m"}, extraEnv...)
	for _, kv := range env {
		k, v, _ := cut(kv)
		t.Setenv(k, v)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	f := &backgroundFixture{cfg: cfg, env: env}
	t.Cleanup(func() { _, _ = StopBackground(dir, time.Minute) })
	return f
}

func cut(kv string) (string, string, bool) {
	for i := range len(kv) {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}

// spawn starts the background process; its exit is reaped (a zombie would
// still answer kill 0).
func (f *backgroundFixture) spawn() error {
	f.spawns.Add(1)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), backgroundEnv+"=1"), f.env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// command connects as a starter command does, and ends at once.
func (f *backgroundFixture) command(t *testing.T) (pid int) {
	t.Helper()
	pid, err := f.connect()
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// connect is command's body: the background pid the command was served by.
func (f *backgroundFixture) connect() (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Connect(ctx, f.cfg, ConnectOptions{Logger: testLogger(), DevServer: temporalserver.StartDev, SpawnBackground: f.spawn})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if s.Ephemeral() {
		return 0, fmt.Errorf("the command runs an in-process stack, want the background stack")
	}
	if _, err := s.Client.CheckHealth(ctx, nil); err != nil {
		return 0, err
	}
	pid, _, ok := BackgroundPID(f.cfg.DataDir)
	if !ok {
		return 0, fmt.Errorf("no live background stack in %s", BackgroundPIDPath(f.cfg.DataDir))
	}
	return pid, nil
}

// Issue 23 item 3: the second command reuses the background stack that the
// first one started (the same process), and "stop" ends it.
func TestBackgroundStackIsReusedAndStops(t *testing.T) {
	endToEnd(t)
	f := newBackgroundFixture(t)
	first := f.command(t)
	second := f.command(t)
	if first != second {
		t.Errorf("second command used background pid %d, want the first's %d", second, first)
	}
	if n := f.spawns.Load(); n != 1 {
		t.Errorf("%d background stacks started, want 1", n)
	}
	pid, err := StopBackground(f.cfg.DataDir, time.Minute)
	if err != nil || pid != first {
		t.Fatalf("StopBackground = %d, %v; want %d, nil", pid, err, first)
	}
	if _, _, ok := BackgroundPID(f.cfg.DataDir); ok {
		t.Error("pid file still names a live process after stop")
	}
	if answers(devAddr(f.cfg)) {
		t.Error("the dev address still answers after stop")
	}
}

// A pid file left by a background stack killed with -9 is replaced.
func TestBackgroundStalePIDFileIsReplaced(t *testing.T) {
	endToEnd(t)
	f := newBackgroundFixture(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no `true` to make a dead pid:", err)
	}
	stale := dead.ProcessState.Pid()
	if err := os.WriteFile(BackgroundPIDPath(f.cfg.DataDir), []byte(strconv.Itoa(stale)+" "+devAddr(f.cfg)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := BackgroundPID(f.cfg.DataDir); ok {
		t.Fatalf("pid %d of an ended process reads as alive", stale)
	}
	pid := f.command(t)
	if pid == stale {
		t.Errorf("pid file still names the stale pid %d", stale)
	}
	// kill -9 the live one: the next command starts a new one.
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); answers(devAddr(f.cfg)); {
		if time.Now().After(deadline) {
			t.Fatal("the killed background stack still answers")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if again := f.command(t); again == pid {
		t.Errorf("after kill -9, the command reports the killed pid %d", pid)
	}
	if n := f.spawns.Load(); n != 2 {
		t.Errorf("%d background stacks started, want 2", n)
	}
}

// Two first commands at once start one background stack between them.
func TestConcurrentFirstCommandsStartOneBackgroundStack(t *testing.T) {
	endToEnd(t)
	f := newBackgroundFixture(t)
	var wg sync.WaitGroup
	pids := make([]int, 2)
	errs := make([]error, 2)
	for i := range pids {
		wg.Go(func() { pids[i], errs[i] = f.connect() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if pids[0] != pids[1] {
		t.Errorf("the two commands used background pids %v, want one", pids)
	}
	if n := f.spawns.Load(); n != 1 {
		t.Errorf("%d background stacks started, want 1", n)
	}
}

// The background stack exits by itself once no command has used it for
// RESEARCHFLOW_BACKGROUND_IDLE.
func TestBackgroundStackExitsWhenIdle(t *testing.T) {
	endToEnd(t)
	f := newBackgroundFixture(t, "RESEARCHFLOW_BACKGROUND_IDLE=2s")
	pid := f.command(t)
	deadline := time.Now().Add(2 * time.Minute)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("background stack %d still runs 2 minutes after its last command (idle limit 2s)", pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(BackgroundPIDPath(f.cfg.DataDir)); !os.IsNotExist(err) {
		t.Errorf("pid file after idle exit: %v, want none", err)
	}
}

// RESEARCHFLOW_BACKGROUND=0 keeps today's behaviour: a stack in the
// command's own process, no background process.
func TestBackgroundOptOut(t *testing.T) {
	endToEnd(t)
	f := newBackgroundFixture(t, "RESEARCHFLOW_BACKGROUND=0")
	if f.cfg.Background {
		t.Fatal("RESEARCHFLOW_BACKGROUND=0 read as on")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Connect(ctx, f.cfg, ConnectOptions{Logger: testLogger(), DevServer: temporalserver.StartDev, SpawnBackground: f.spawn})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Ephemeral() {
		t.Error("with the opt-out the command is not on an in-process stack")
	}
	if n := f.spawns.Load(); n != 0 {
		t.Errorf("%d background stacks started with the opt-out, want 0", n)
	}
	if _, err := os.Stat(BackgroundPIDPath(f.cfg.DataDir)); !os.IsNotExist(err) {
		t.Errorf("pid file with the opt-out: %v, want none", err)
	}
}

// A command whose data dir is not the one the stack on the dev address
// serves (a background stack started with another RESEARCHFLOW_DATA_DIR)
// runs a stack of its own on its data dir: attached to the other, it
// researched that data dir's corpora and kept its runs there.
func TestCommandOfAnotherDataDirDoesNotAttach(t *testing.T) {
	endToEnd(t)
	f := newBackgroundFixture(t)
	first := f.command(t)
	other := f.cfg
	other.DataDir = t.TempDir()
	// A lock file left by a process that ended, naming a pid that lives
	// again (this test's own): no process holds the lock.
	if err := os.WriteFile(devserver.LockPath(other.TemporalDB()), []byte(fmt.Sprintf("pid %d: starter\n", os.Getpid())), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Connect(ctx, other, ConnectOptions{Logger: testLogger(), DevServer: temporalserver.StartDev, SpawnBackground: f.spawn})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Ephemeral() || s.Config.DataDir != other.DataDir {
		t.Errorf("the command of %s is connected to %s, want a stack of its own on its data dir", other.DataDir, s.Describe())
	}
	if n := f.spawns.Load(); n != 1 {
		t.Errorf("%d background stacks started, want the first data dir's only", n)
	}
	// The first data dir's commands still share its background stack.
	if again := f.command(t); again != first {
		t.Errorf("first data dir's command used background pid %d, want %d", again, first)
	}
}
