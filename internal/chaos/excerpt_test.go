package chaos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A re-paid call's failure shows what the workers logged about its run
// around it: warnings, errors and hand-overs of that run, in the window,
// from the pools' logs only.
func TestExcerptOfARePaidCall(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 12, 7, 5, 30, 3, 0, time.UTC)
	line := func(d time.Duration, level, msg, run string) string {
		return "time=" + at.Add(d).Format(time.RFC3339Nano) + " level=" + level + " msg=\"" + msg + "\" WorkflowID=" + run
	}
	logs := map[string][]string{
		"inference-1.log": {
			line(-time.Minute, "WARN", "too early", "chaos-x-01"),
			line(-2*time.Second, "WARN", "RecordActivityHeartbeat with error", "chaos-x-01"),
			line(-time.Second, "INFO", "planned", "chaos-x-01"),
			line(time.Second, "INFO", "result handed over once the server was back", "chaos-x-01"),
			line(2*time.Second, "ERROR", "Activity error.", "chaos-x-02"),
			line(3*time.Second, "ERROR", "another run's", "chaos-x-010"),
		},
		"temporal.log": {line(time.Second, "ERROR", "server side", "chaos-x-01")},
	}
	for name, ls := range logs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(ls, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	calls := []RePaidCall{{Role: "analyst", Question: "q1", FirstCompleted: at, Again: at.Add(20 * time.Second)}}
	printExcerpt(&b, dir, calls, []runState{{ID: "chaos-x-01", Question: "q1"}, {ID: "chaos-x-02", Question: "q2"}})
	got := b.String()
	for _, want := range []string{"(2):", "inference-1: time=2026-12-07T05:30:01Z level=WARN", "handed over"} {
		if !strings.Contains(got, want) {
			t.Errorf("excerpt lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"too early", "planned", "chaos-x-02", "chaos-x-010", "server side"} {
		if strings.Contains(got, not) {
			t.Errorf("excerpt has %q:\n%s", not, got)
		}
	}
}
