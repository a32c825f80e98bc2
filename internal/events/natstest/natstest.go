// Package natstest starts a real nats-server (the Debian package
// nats-server, installed by .ci/run) with JetStream for tests.
package natstest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Start runs nats-server -js on a loopback port it binds itself (-p -1)
// with a temporary store and returns its URL, read from the ports file the
// server writes once it listens; the server is stopped when the test ends.
// The test is skipped, saying why, when the binary is not installed.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		t.Skip("needs nats-server on PATH (Debian: apt-get install -y nats-server; .ci/run installs it)")
	}
	portsDir := t.TempDir()
	var out bytes.Buffer
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", "-1", "-js", "-sd", t.TempDir(), "--ports_file_dir", portsDir)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nats-server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.After(10 * time.Second)
	for {
		if url, ok := readPorts(portsDir); ok {
			return url
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("nats-server exited before listening: %v\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("nats-server wrote no ports file in %s", portsDir)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// readPorts returns the client URL from the ports file in dir, once the
// server has written it whole.
func readPorts(dir string) (string, bool) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.ports"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var ports struct {
			Nats []string `json:"nats"`
		}
		if json.Unmarshal(data, &ports) == nil && len(ports.Nats) > 0 {
			return ports.Nats[0], true
		}
	}
	return "", false
}
