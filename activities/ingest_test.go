package activities

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

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
