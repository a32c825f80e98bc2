package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/stack"
)

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("starter ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: starter ingest DIR --corpus NAME [--prune]\n\nflags:")
		fs.PrintDefaults()
	}
	corpus := fs.String("corpus", "", "corpus `NAME` (default: the folder's name)")
	noWait := fs.Bool("no-wait", false, "start the ingestion, print its workflow ID and exit")
	prune := fs.Bool("prune", false, "mirror the folder: drop documents of the corpus that are no longer in it")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		fs.Usage()
		return usageError("ingest takes exactly one folder")
	}
	dir, err := filepath.Abs(positional[0])
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); err != nil {
		return usageError("%s: %v", positional[0], err)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: quietLogger(stderr, cfg)})
	if err != nil {
		return err
	}
	defer s.Close()

	in := rf.IngestInput{Corpus: *corpus, Path: dir, Prune: *prune}
	sum := sha256.Sum256([]byte(*corpus + "\x00" + dir))
	id := "ingest-" + hex.EncodeToString(sum[:8])
	run, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                rf.TaskQueueWorkflow,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, rf.IngestWorkflowType, in)
	if err != nil {
		return fmt.Errorf("start ingestion: %w", err)
	}
	fmt.Fprintf(stderr, "ingesting %s (workflow %s) on %s\n", dir, run.GetID(), s.Describe())
	if *noWait {
		fmt.Fprintln(stdout, run.GetID())
		return nil
	}
	var res rf.IngestResult
	view := newProgressView(stderr)
	err = waitWatching(ctx, run, &res, func(ctx context.Context) { watchIngest(ctx, s.Client, run.GetID(), view) })
	if err != nil {
		return fmt.Errorf("ingestion %s failed: %w", run.GetID(), err)
	}
	fmt.Fprintf(stdout, "corpus %s: %d files (%d unchanged), %d chunks written, %d chunks of removed files dropped, %d skipped, %s\n",
		res.Corpus, res.Files, res.Unchanged, res.Chunks, res.Removed, len(res.Skipped), res.Duration.Round(time.Millisecond))
	for _, sk := range res.Skipped {
		fmt.Fprintf(stdout, "  skipped %s: %s\n", sk.Path, sk.Reason)
	}
	return nil
}

// watchIngest shows an ingestion's progress until ctx ends.
func watchIngest(ctx context.Context, c client.Client, id string, v *progressView) {
	defer v.end()
	poll(ctx, c, id, func(val converter.EncodedValue) {
		var p rf.IngestResult
		if val.Get(&p) != nil {
			return
		}
		f := 0.0
		if p.Total > 0 {
			// Files already include the unreadable files; Skipped also lists
			// files outside Total (too large, links).
			f = min(float64(p.Files)/float64(p.Total), 1)
		}
		v.draw(f, fmt.Sprintf("%d files · %d chunks · %d skipped", p.Files, p.Chunks, len(p.Skipped)))
	})
}
