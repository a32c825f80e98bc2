package workflows

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// fakeFolder is a hand-written Ingest activity over a folder of files
// f0000, f0001, ... that serves batches after the cursor, like the search
// pool does.
type fakeFolder struct {
	files int
	// unreadable files are counted and reported as skipped.
	unreadable map[string]string
	// unchanged files cost nothing and write no chunk; the others write
	// chunksPerFile chunks.
	unchanged     map[string]bool
	chunksPerFile int
	// failures fails the first N attempts of the call after this cursor.
	failures map[string]int
	// permanent, if set, fails every call.
	permanent error
	// during, if set, runs inside the call after this cursor (to query the
	// workflow mid-run).
	during map[string]func()

	mu    sync.Mutex
	calls []IngestBatchInput
}

func (f *fakeFolder) name(i int) string { return fmt.Sprintf("/srv/notes/f%04d.md", i) }

func (f *fakeFolder) ingest(ctx context.Context, in IngestBatchInput) (rf.IngestSummary, error) {
	f.mu.Lock()
	f.calls = append(f.calls, in)
	attempt := 0
	for _, c := range f.calls {
		if c.After == in.After {
			attempt++
		}
	}
	f.mu.Unlock()
	if f.permanent != nil {
		return rf.IngestSummary{}, f.permanent
	}
	if attempt <= f.failures[in.After] {
		return rf.IngestSummary{}, errors.New("memory store unavailable")
	}
	if hook := f.during[in.After]; hook != nil {
		hook()
	}
	var rest []string
	for i := range f.files {
		if n := f.name(i); n > in.After {
			rest = append(rest, n)
		}
	}
	sum := rf.IngestSummary{Total: len(rest), Cursor: in.After, DurationMs: 10}
	for i, n := range rest {
		if i == in.MaxFiles {
			break
		}
		sum.Files++
		switch {
		case f.unreadable[n] != "":
			sum.Skipped = append(sum.Skipped, rf.SkippedFile{Path: n, Reason: f.unreadable[n]})
		case f.unchanged[n]:
			sum.Unchanged++
		default:
			sum.Chunks += f.chunksPerFile
		}
		sum.Cursor = n
	}
	sum.Done = len(rest) <= in.MaxFiles
	return sum, nil
}

func (f *fakeFolder) cursors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.After)
	}
	return out
}

// newIngestEnv registers the ingestion workflow under its type name, with
// maxCalls activity calls per run (0: the production limit).
func newIngestEnv(t *testing.T, f *fakeFolder, maxCalls int) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	wf := IngestWorkflow
	if maxCalls > 0 {
		wf = func(ctx workflow.Context, in rf.IngestInput) (rf.IngestResult, error) {
			return ingest(ctx, in, maxCalls)
		}
	}
	env.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: rf.IngestWorkflowType})
	env.RegisterActivityWithOptions(f.ingest, activity.RegisterOptions{Name: IngestActivity})
	env.SetTestTimeout(30 * time.Second)
	return env
}

func ingestResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) rf.IngestResult {
	t.Helper()
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var res rf.IngestResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func skippedPaths(res rf.IngestResult) []string {
	var out []string
	for _, s := range res.Skipped {
		out = append(out, s.Path)
	}
	sort.Strings(out)
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIngestBatchesUntilDone(t *testing.T) {
	f := &fakeFolder{files: 450, chunksPerFile: 3}
	f.unreadable = map[string]string{f.name(7): "pdf: no text layer", f.name(420): "html: not UTF-8"}
	f.unchanged = map[string]bool{f.name(0): true, f.name(250): true, f.name(251): true}
	env := newIngestEnv(t, f, 0)
	env.ExecuteWorkflow(rf.IngestWorkflowType, rf.IngestInput{Corpus: "notes", Path: " /srv/notes "})
	res := ingestResult(t, env)

	// Three calls of 200, 200 and 50 files, each after the previous cursor.
	if got, want := f.cursors(), []string{"", f.name(199), f.name(399)}; !equalStrings(got, want) {
		t.Errorf("cursors = %q, want %q", got, want)
	}
	for _, c := range f.calls {
		if c.Corpus != "notes" || c.Path != "/srv/notes" || c.MaxFiles != ingestBatchFiles {
			t.Errorf("activity input = %+v, want corpus notes, trimmed path, %d files", c, ingestBatchFiles)
		}
	}
	want := rf.IngestResult{Corpus: "notes", Total: 450, Files: 450, Unchanged: 3, Chunks: 3 * (450 - 2 - 3),
		Duration: 30 * time.Millisecond, Done: true}
	if res.Corpus != want.Corpus || res.Total != want.Total || res.Files != want.Files || res.Unchanged != want.Unchanged ||
		res.Chunks != want.Chunks || res.Duration != want.Duration || res.Done != want.Done {
		t.Errorf("result = %+v\nwant     %+v", res, want)
	}
	if got, want := skippedPaths(res), []string{f.name(7), f.name(420)}; !equalStrings(got, want) {
		t.Errorf("skipped = %q, want %q", got, want)
	}
	for _, s := range res.Skipped {
		if s.Reason != f.unreadable[s.Path] {
			t.Errorf("skipped %s: reason %q, want %q", s.Path, s.Reason, f.unreadable[s.Path])
		}
	}
}

func TestIngestCorpusDefaultsToFolderName(t *testing.T) {
	f := &fakeFolder{files: 3, chunksPerFile: 1}
	env := newIngestEnv(t, f, 0)
	env.ExecuteWorkflow(rf.IngestWorkflowType, rf.IngestInput{Path: "/srv/Team Notes"})
	res := ingestResult(t, env)
	if res.Corpus != "Team-Notes" || f.calls[0].Corpus != "Team-Notes" {
		t.Errorf("corpus = %q (activity got %q), want Team-Notes", res.Corpus, f.calls[0].Corpus)
	}
	if res.Files != 3 || res.Chunks != 3 || len(f.calls) != 1 {
		t.Errorf("result = %+v after %d calls, want 3 files, 3 chunks, 1 call", res, len(f.calls))
	}
}

func TestIngestRejectsBadInput(t *testing.T) {
	for name, in := range map[string]rf.IngestInput{
		"no path":       {Corpus: "notes"},
		"blank path":    {Corpus: "notes", Path: "   "},
		"corpus space":  {Corpus: "my notes", Path: "/srv/notes"},
		"corpus slash":  {Corpus: "../etc", Path: "/srv/notes"},
		"corpus symbol": {Corpus: "notes!", Path: "/srv/notes"},
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeFolder{files: 1}
			env := newIngestEnv(t, f, 0)
			env.ExecuteWorkflow(rf.IngestWorkflowType, in)
			err := env.GetWorkflowError()
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) {
				t.Fatalf("error = %v, want an application error", err)
			}
			if appErr.Type() != ErrInvalidInput || !appErr.NonRetryable() {
				t.Errorf("error type %q non-retryable %v, want %q non-retryable", appErr.Type(), appErr.NonRetryable(), ErrInvalidInput)
			}
			if len(f.calls) != 0 {
				t.Errorf("the activity ran %d times for invalid input", len(f.calls))
			}
		})
	}
}

func TestIngestRetriesFailingBatch(t *testing.T) {
	f := &fakeFolder{files: 300, chunksPerFile: 2}
	f.failures = map[string]int{f.name(199): 2}
	env := newIngestEnv(t, f, 0)
	env.ExecuteWorkflow(rf.IngestWorkflowType, rf.IngestInput{Corpus: "notes", Path: "/srv/notes"})
	res := ingestResult(t, env)
	// The second batch fails twice and succeeds on its third attempt; the
	// first batch is not redone.
	if got, want := f.cursors(), []string{"", f.name(199), f.name(199), f.name(199)}; !equalStrings(got, want) {
		t.Errorf("cursors = %q, want %q", got, want)
	}
	if res.Files != 300 || res.Chunks != 600 || res.Total != 300 || !res.Done {
		t.Errorf("result = %+v, want 300 files, 600 chunks, done", res)
	}
}

func TestIngestFailsAfterPermanentError(t *testing.T) {
	f := &fakeFolder{files: 300, chunksPerFile: 2}
	f.permanent = temporal.NewNonRetryableApplicationError("/srv/notes: no such file or directory", ErrCorpusNotFound, nil)
	env := newIngestEnv(t, f, 0)
	env.ExecuteWorkflow(rf.IngestWorkflowType, rf.IngestInput{Corpus: "notes", Path: "/srv/notes"})
	if err := env.GetWorkflowError(); !hasErrorType(err, ErrCorpusNotFound) {
		t.Fatalf("error = %v, want %s", err, ErrCorpusNotFound)
	}
	if len(f.calls) != 1 {
		t.Errorf("a non-retryable error was retried: %d calls", len(f.calls))
	}
}

// hasErrorType reports whether an application error of type typ is in
// err's chain (the workflow wraps the activity's error).
func hasErrorType(err error, typ string) bool {
	for err != nil {
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) {
			return false
		}
		if appErr.Type() == typ {
			return true
		}
		err = appErr.Unwrap()
	}
	return false
}

func TestIngestProgressQuery(t *testing.T) {
	f := &fakeFolder{files: 500, chunksPerFile: 1}
	f.unreadable = map[string]string{f.name(3): "corrupt"}
	var env *testsuite.TestWorkflowEnvironment
	var mid rf.IngestResult
	var midErr error
	f.during = map[string]func(){f.name(399): func() {
		// The third call is running: two batches are counted.
		v, err := env.QueryWorkflow(rf.ProgressQuery)
		if err != nil {
			midErr = err
			return
		}
		midErr = v.Get(&mid)
	}}
	env = newIngestEnv(t, f, 0)
	env.ExecuteWorkflow(rf.IngestWorkflowType, rf.IngestInput{Corpus: "notes", Path: "/srv/notes"})
	res := ingestResult(t, env)
	if midErr != nil {
		t.Fatalf("query mid-run: %v", midErr)
	}
	if mid.Done || mid.Files != 400 || mid.Total != 500 || mid.Chunks != 399 || len(mid.Skipped) != 1 || mid.Corpus != "notes" {
		t.Errorf("progress mid-run = %+v, want 400 of 500 files, 399 chunks, 1 skipped, not done", mid)
	}
	v, err := env.QueryWorkflow(rf.ProgressQuery)
	if err != nil {
		t.Fatal(err)
	}
	var end rf.IngestResult
	if err := v.Get(&end); err != nil {
		t.Fatal(err)
	}
	if !end.Done || end.Files != 500 || end.Chunks != 499 || end.Files != res.Files {
		t.Errorf("progress at the end = %+v, want done with 500 files, 499 chunks", end)
	}
}

func TestIngestContinuesAsNew(t *testing.T) {
	f := &fakeFolder{files: 450, chunksPerFile: 2}
	f.unreadable = map[string]string{f.name(10): "corrupt", f.name(440): "empty"}
	env := newIngestEnv(t, f, 2)
	env.ExecuteWorkflow(rf.IngestWorkflowType, rf.IngestInput{Corpus: "notes", Path: "/srv/notes"})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	var cont *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &cont) {
		t.Fatalf("error = %v, want continue-as-new after 2 calls", err)
	}
	if cont.WorkflowType.Name != rf.IngestWorkflowType {
		t.Errorf("continues as %q, want %q", cont.WorkflowType.Name, rf.IngestWorkflowType)
	}
	var next rf.IngestInput
	if err := converter.GetDefaultDataConverter().FromPayloads(cont.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.After != f.name(399) || next.Corpus != "notes" || next.Path != "/srv/notes" || next.Resume == nil {
		t.Fatalf("next input = %+v, want cursor %s and the counts", next, f.name(399))
	}
	if r := next.Resume; r.Files != 400 || r.Chunks != 2*399 || r.Total != 450 || len(r.Skipped) != 1 || r.Done {
		t.Errorf("carried counts = %+v, want 400 files, %d chunks, 1 skipped", *r, 2*399)
	}

	// The continued run starts at the cursor and finishes with the counts
	// of both runs.
	f.calls = nil
	env2 := newIngestEnv(t, f, 2)
	env2.ExecuteWorkflow(rf.IngestWorkflowType, next)
	res := ingestResult(t, env2)
	if got, want := f.cursors(), []string{f.name(399)}; !equalStrings(got, want) {
		t.Errorf("continued run cursors = %q, want %q", got, want)
	}
	if res.Files != 450 || res.Total != 450 || res.Chunks != 2*448 || !res.Done {
		t.Errorf("result = %+v, want 450 files, %d chunks, done", res, 2*448)
	}
	if got, want := skippedPaths(res), []string{f.name(10), f.name(440)}; !equalStrings(got, want) {
		t.Errorf("skipped = %q, want %q", got, want)
	}
}

func TestIngestBoundsReportedSkips(t *testing.T) {
	f := &fakeFolder{files: 1200, unreadable: map[string]string{}}
	for i := range 1200 {
		f.unreadable[f.name(i)] = "corrupt"
	}
	env := newIngestEnv(t, f, 0)
	env.ExecuteWorkflow(rf.IngestWorkflowType, rf.IngestInput{Corpus: "notes", Path: "/srv/notes"})
	res := ingestResult(t, env)
	if res.Files != 1200 || len(res.Skipped) != MaxReportedSkips {
		t.Errorf("files %d, skipped listed %d, want 1200 and %d", res.Files, len(res.Skipped), MaxReportedSkips)
	}
}
