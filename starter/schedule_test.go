package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad schedule commands are refused with exit code 2 and the contract's
// message (the rule of POST /v1/schedules), before any stack starts.
func TestScheduleUsageErrors(t *testing.T) {
	t.Setenv("RESEARCHFLOW_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"schedule"}, "needs a command"},
		{[]string{"schedule", "sometimes"}, "unknown schedule command"},
		{[]string{"schedule", "create", "How are backups kept?"}, "every"},
		{[]string{"schedule", "create", "--every", "30s", "How are backups kept?"}, "every"},
		{[]string{"schedule", "create", "--every", "24h", "--cron", "0 7 * * 1", "How are backups kept?"}, "not both"},
		{[]string{"schedule", "create", "--cron", "0 7 * *", "How are backups kept?"}, "5 fields"},
		{[]string{"schedule", "create", "--every", "24h", "--notify", "loudly", "How are backups kept?"}, "notify"},
		{[]string{"schedule", "create", "--every", "24h"}, "question"},
		{[]string{"schedule", "create", "--every", "24h", "--corpus", "./missing-dir", "How are backups kept?"}, "no such folder"},
		{[]string{"schedule", "pause", "nightly"}, "schedule-"},
		{[]string{"schedule", "trigger"}, "one schedule ID"},
		{[]string{"schedule", "delete", "schedule-a", "schedule-b"}, "one schedule ID"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tt.args, &out, &errOut)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v (exit %d); want a usage error saying %q", tt.args, err, exitCode(err), tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("run(%q) printed on stdout: %q", tt.args, out.String())
		}
	}
	if _, err := os.Stat(os.Getenv("RESEARCHFLOW_DATA_DIR")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command created the data dir")
	}
}
