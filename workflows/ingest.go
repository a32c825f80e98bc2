package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
)

// ingestBatchFiles bounds the files of one Ingest activity call: progress is
// visible between calls and history stays small (a 100k-file folder takes
// 500 calls, about 3k events; continue-as-new takes over past that).
const ingestBatchFiles = 200

// continueAfterCalls is how many Ingest calls one run makes before it
// continues as new with the cursor, keeping history far below its limits.
const continueAfterCalls = 1000

// MaxReportedSkips bounds rf.IngestResult.Skipped, which travels in the
// continue-as-new input and the query answer: a folder of thousands of
// unreadable files must not push them past Temporal's payload limit. Each
// Ingest call lists up to as many (IngestSummary.Skipped), so that the
// first MaxReportedSkips of the whole ingestion are listed.
const MaxReportedSkips = 500

// IngestWorkflow ingests a folder into a corpus on the search pool, in
// batches that resume after the last finished file.
func IngestWorkflow(ctx workflow.Context, in rf.IngestInput) (rf.IngestResult, error) {
	return ingest(ctx, in, continueAfterCalls)
}

// ingest is IngestWorkflow with the number of activity calls after which it
// continues as new (tests use a small one).
func ingest(ctx workflow.Context, in rf.IngestInput, maxCalls int) (rf.IngestResult, error) {
	in, err := in.Normalize()
	if err != nil {
		return rf.IngestResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	if err := refuseUnknownField(ctx, in.UnknownField()); err != nil {
		return rf.IngestResult{}, err
	}
	state := rf.IngestResult{Corpus: in.Corpus}
	if in.Resume != nil {
		state = *in.Resume
	}
	if err := workflow.SetQueryHandler(ctx, rf.ProgressQuery, func() (rf.IngestResult, error) { return state, nil }); err != nil {
		return state, err
	}
	start := workflow.Now(ctx)
	actx := workflow.WithActivityOptions(ctx, corpusOptions())
	cursor := in.After
	for calls := 0; ; calls++ {
		if calls == maxCalls {
			next := in
			next.After = cursor
			next.Resume = &state
			return state, workflow.NewContinueAsNewError(ctx, rf.IngestWorkflowType, next)
		}
		var sum rf.IngestSummary
		err := workflow.ExecuteActivity(actx, IngestActivity, IngestBatchInput{
			Corpus: in.Corpus, Path: in.Path, After: cursor, MaxFiles: ingestBatchFiles, Prune: in.Prune,
		}).Get(ctx, &sum)
		if err != nil {
			return state, fmt.Errorf("ingest %s into %s: %w", in.Path, in.Corpus, err)
		}
		// sum.Total counts the files after the batch's cursor: the ones
		// before it are the files already counted.
		state.Total = state.Files + sum.Total
		state.Files += sum.Files
		state.Unchanged += sum.Unchanged
		state.Removed += sum.Removed
		state.Chunks += sum.Chunks
		state.SkippedTotal += sum.SkippedCount()
		for _, s := range sum.Skipped {
			if len(state.Skipped) < MaxReportedSkips {
				state.Skipped = append(state.Skipped, rf.SkippedFile{Path: s.Path, Reason: s.Reason})
			}
		}
		state.Duration += time.Duration(sum.DurationMs) * time.Millisecond
		cursor = sum.Cursor
		if sum.Done {
			break
		}
	}
	state.Done = true
	workflow.GetLogger(ctx).Info("ingestion finished", "corpus", in.Corpus, "files", state.Files,
		"chunks", state.Chunks, "skipped", state.SkippedCount(), "took", workflow.Now(ctx).Sub(start))
	return state, nil
}
