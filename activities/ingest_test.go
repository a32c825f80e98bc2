package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/workflows"
)

// writerStore is a memory store for corpus.Ingester that keeps nothing.
type writerStore struct{}

func (writerStore) Upsert(context.Context, []memory.Chunk) error      { return nil }
func (writerStore) Delete(context.Context, memory.Filter) error       { return nil }
func (writerStore) Count(context.Context, memory.Filter) (int, error) { return 0, nil }

// A batch of the IngestWorkflow lists every file it skipped, up to the
// workflow's own bound: git-doc's 239 skipped files were listed as 163 (100
// of the first batch's 163, and the second batch's 63) though the
// workflow lists 500.
func TestIngestBatchListsSkipsUpToTheWorkflowsBound(t *testing.T) {
	dir := t.TempDir()
	const twins = corpus.MaxReportedSkips + 50
	for i := range twins {
		name := fmt.Sprintf("page%03d", i)
		for ext, text := range map[string]string{".html": "<html><body><p>Page " + name + " says something.</p></body></html>", ".txt": "Page " + name + " says something."} {
			if err := os.WriteFile(filepath.Join(dir, name+ext), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := &Search{Ingester: &corpus.Ingester{Store: writerStore{}, Logger: slog.New(slog.DiscardHandler)}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	val, err := aenv.ExecuteActivity(a.Ingest, workflows.IngestBatchInput{Corpus: "notes", Path: dir, MaxFiles: 200})
	if err != nil {
		t.Fatal(err)
	}
	var sum rf.IngestSummary
	if err := val.Get(&sum); err != nil {
		t.Fatal(err)
	}
	if !sum.Done || sum.SkippedTotal != twins || len(sum.Skipped) != twins {
		t.Errorf("batch: %d skipped files listed of %d (done %v); want all %d listed", len(sum.Skipped), sum.SkippedTotal, sum.Done, twins)
	}
}

// failingStore fails every Upsert after the first ok ones, as a store
// that goes away halfway through a batch.
type failingStore struct {
	writerStore
	ok int
}

func (s *failingStore) Upsert(ctx context.Context, c []memory.Chunk) error {
	if s.ok == 0 {
		return errors.New("store went away")
	}
	s.ok--
	return nil
}

// A retried attempt resumes after the last heartbeat's checkpoint and still
// reports every file the batch skipped: those an earlier attempt skipped
// before it (a broken PDF), and those the folder's walk left out before it
// (a document's other format). Before, the retry counted none of them.
func TestIngestRetryKeepsTheSkipsOfEarlierAttempts(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"a.md": "# A\n\nAlpha notes.", "b.pdf": "not a PDF", "c.md": "# C\n\nGamma notes.",
		"d.html": "<p>Delta notes.</p>", "d.txt": "Delta notes.", "e.pdf": "not a PDF either", "f.md": "# F\n\nZeta notes.",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", t.TempDir()) // the broken PDFs stay broken without pdftotext too
	in := workflows.IngestBatchInput{Corpus: "notes", Path: dir, MaxFiles: 200}

	// The first attempt writes a.md, c.md and d.html, skips b.pdf and
	// e.pdf, and fails on f.md.
	var env testsuite.WorkflowTestSuite
	first := env.NewTestActivityEnvironment()
	a := &Search{Ingester: &corpus.Ingester{Store: &failingStore{ok: 3}, Logger: slog.New(slog.DiscardHandler)}}
	first.RegisterActivity(a)
	var last converter.EncodedValues
	first.SetOnActivityHeartbeatListener(func(_ *activity.Info, d converter.EncodedValues) { last = d })
	if _, err := first.ExecuteActivity(a.Ingest, in); err == nil {
		t.Fatal("the first attempt did not fail")
	}
	if last == nil {
		t.Fatal("the first attempt recorded no heartbeat")
	}
	var cp ingestCheckpoint
	if err := last.Get(&cp); err != nil || !strings.HasSuffix(cp.Cursor, "e.pdf") {
		t.Fatalf("last checkpoint %+v, %v: want the cursor at e.pdf", cp, err)
	}

	retry := env.NewTestActivityEnvironment()
	b := &Search{Ingester: &corpus.Ingester{Store: writerStore{}, Logger: slog.New(slog.DiscardHandler)}}
	retry.RegisterActivity(b)
	retry.SetHeartbeatDetails(cp)
	val, err := retry.ExecuteActivity(b.Ingest, in)
	if err != nil {
		t.Fatal(err)
	}
	var sum rf.IngestSummary
	if err := val.Get(&sum); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, s := range sum.Skipped {
		listed = append(listed, filepath.Base(s.Path))
	}
	slices.Sort(listed)
	// The 7 files found: 4 ingested, 3 skipped (d.txt, left out by the
	// walk, counts as found too).
	if !sum.Done || sum.Files != 7 || sum.SkippedTotal != 3 || !slices.Equal(listed, []string{"b.pdf", "d.txt", "e.pdf"}) {
		t.Errorf("retried batch: done %v, %d files, %d skipped, listed %v; want 7 files and b.pdf, d.txt, e.pdf", sum.Done, sum.Files, sum.SkippedTotal, listed)
	}
}

// A folder ingested into the default corpus (IngestWorkflow with
// {"corpus":"go-docs","prune":true} from the Temporal CLI, or a research
// run whose corpusPath is a folder named go-docs) fails at once, with an
// invalid-input error the retry policy does not retry: it dropped the Go
// documentation before.
func TestNoFolderIsIngestedIntoTheGoDocs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "n.md"), []byte("# Notes\n\nThe offsite budget is 9000 euros.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := &Search{Ingester: &corpus.Ingester{Store: writerStore{}, Logger: slog.New(slog.DiscardHandler)}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	for name, call := range map[string]func() error{
		"ingest": func() error {
			_, err := aenv.ExecuteActivity(a.Ingest, workflows.IngestBatchInput{Corpus: rf.DefaultCorpus, Path: dir, Prune: true})
			return err
		},
		"prepare": func() error {
			_, err := aenv.ExecuteActivity(a.PrepareCorpus, workflows.PrepareCorpusInput{Corpus: rf.DefaultCorpus, Path: dir})
			return err
		},
	} {
		err := call()
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != workflows.ErrInvalidInput || !strings.Contains(appErr.Message(), "public corpus") {
			t.Errorf("%s into go-docs: %v; want a non-retryable %s saying go-docs is the public corpus", name, err, workflows.ErrInvalidInput)
		}
	}
}

// IngestWorkflow with a relative folder ("notes") read the folder of that
// name in the search worker's working directory, which whoever started it
// neither sees nor chose. The Ingest activity refuses it, non-retryable,
// with "path must be absolute"; the input still normalizes (the check is
// not in IngestInput.Normalize), so recorded histories replay as they ran.
func TestIngestRefusesARelativePath(t *testing.T) {
	cwd := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cwd, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cwd, "notes", "a.md"), []byte("# A\n\nAlpha."), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(cwd) // the folder exists relative to the worker's directory
	if _, err := (rf.IngestInput{Corpus: "notes", Path: "notes"}).Normalize(); err != nil {
		t.Fatalf("Normalize refuses a relative path (histories recorded with one would not replay): %v", err)
	}

	a := &Search{Ingester: &corpus.Ingester{Store: writerStore{}, Logger: slog.New(slog.DiscardHandler)}}
	var suite testsuite.WorkflowTestSuite
	aenv := suite.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	for _, path := range []string{"notes", "./notes", "notes/a.md"} {
		_, err := aenv.ExecuteActivity(a.Ingest, workflows.IngestBatchInput{Corpus: "notes", Path: path, MaxFiles: 200})
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != workflows.ErrInvalidInput ||
			!strings.Contains(err.Error(), "path must be absolute: \""+path+"\"") {
			t.Errorf("Ingest of %q: %v, want a non-retryable %s saying the path must be absolute", path, err, workflows.ErrInvalidInput)
		}
	}
	if _, err := aenv.ExecuteActivity(a.Ingest, workflows.IngestBatchInput{Corpus: "notes", Path: filepath.Join(cwd, "notes"), MaxFiles: 200}); err != nil {
		t.Errorf("Ingest of the absolute path: %v", err)
	}

	// The workflow fails at once with that message: no retry.
	calls := 0
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.IngestWorkflow)
	env.RegisterActivityWithOptions(func(ctx context.Context, in workflows.IngestBatchInput) (rf.IngestSummary, error) {
		calls++
		return a.Ingest(ctx, in)
	}, activity.RegisterOptions{Name: workflows.IngestActivity})
	env.ExecuteWorkflow(workflows.IngestWorkflow, rf.IngestInput{Corpus: "notes", Path: "notes"})
	err := env.GetWorkflowError()
	if cause := invalidInputIn(err); cause == nil || !strings.Contains(cause.Error(), `path must be absolute: "notes"`) {
		t.Errorf("IngestWorkflow with a relative path: %v, want it to fail with a non-retryable %s saying the path must be absolute", err, workflows.ErrInvalidInput)
	}
	if calls != 1 {
		t.Errorf("the activity ran %d times, want once (not retried)", calls)
	}
}

// invalidInputIn is the non-retryable ErrInvalidInput application error in
// err's chain (the workflow wraps its activity's error), or nil.
func invalidInputIn(err error) *temporal.ApplicationError {
	for ; err != nil; err = errors.Unwrap(err) {
		if app, ok := err.(*temporal.ApplicationError); ok && app.Type() == workflows.ErrInvalidInput && app.NonRetryable() {
			return app
		}
	}
	return nil
}
