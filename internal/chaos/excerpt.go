package chaos

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Bounds of the log excerpt printed for a re-paid call.
const (
	excerptLines = 40
	excerptWidth = 400
)

// printExcerpt writes to w what the worker pools logged about the runs of
// calls paid again, around each (from 5 s before the first answer was
// complete until the repeated call): their warnings and errors and the
// confirm interceptor's hand-over lines. The cluster's state directory is
// removed at the end of a run, so this is what is left to diagnose a
// failure in CI with.
func printExcerpt(w io.Writer, logDir string, calls []RePaidCall, runs []runState) {
	if len(calls) == 0 {
		return
	}
	files, _ := filepath.Glob(filepath.Join(logDir, "*.log"))
	sort.Strings(files)
	var out []string
	for _, c := range calls {
		id := runOf(runs, c.Question)
		from, to := c.FirstCompleted.Add(-5*time.Second), c.Again.Add(time.Second)
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".log")
			if !pool(name) {
				continue
			}
			for _, line := range linesOf(f, id, from, to) {
				out = append(out, name+": "+line)
			}
		}
	}
	fmt.Fprintf(w, "worker log lines of the runs with a call paid again (%d):\n", len(out))
	for i, l := range out {
		if i == excerptLines {
			fmt.Fprintf(w, "  … %d more\n", len(out)-i)
			break
		}
		if r := []rune(l); len(r) > excerptWidth {
			l = string(r[:excerptWidth]) + " …"
		}
		fmt.Fprintln(w, "  "+l)
	}
}

// pool reports whether a log file is a worker pool's (not the server's,
// PostgreSQL's or the API's).
func pool(name string) bool {
	for _, p := range []string{"inference", "workflow", "search", "notify"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// linesOf returns the lines of a worker's slog text log about run id (its
// WorkflowID attribute, exactly), fall within [from, to] and are warnings, errors or hand-overs.
func linesOf(path, id string, from, to time.Time) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if !strings.Contains(l+" ", "WorkflowID="+id+" ") {
			continue
		}
		if !strings.Contains(l, "level=WARN") && !strings.Contains(l, "level=ERROR") && !strings.Contains(l, "handed over") {
			continue
		}
		ts, _, ok := strings.Cut(strings.TrimPrefix(l, "time="), " ")
		if !ok {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil || t.Before(from) || t.After(to) {
			continue
		}
		out = append(out, l)
	}
	return out
}
