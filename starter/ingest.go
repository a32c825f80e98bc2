package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/researchflow/researchflow/client"
	corpusfiles "github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/temporalserver"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/internal/stack"
)

const ingestUsage = "usage: starter ingest DIR [--corpus NAME] [--prune] [--owner NAME] [--no-wait]"

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("starter ingest", flag.ContinueOnError)
	usage := setUsage(fs, ingestUsage, stdout)
	corpus := fs.String("corpus", "", "corpus `NAME` (default: the folder's name)")
	noWait := fs.Bool("no-wait", false, "start the ingestion, print its workflow ID and exit")
	prune := fs.Bool("prune", false, "mirror the folder: drop documents of the corpus that are no longer in it")
	ownerFlag := fs.String("owner", "", "fill the corpus of API key owner `NAME` (default: the owner of RESEARCHFLOW_API_KEY, else the local owner of the gateway without authentication)")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		usage(stderr)
		return usageError("ingest takes exactly one folder")
	}
	dir, err := ingestFolder(positional[0])
	if err != nil {
		return err
	}
	// Checked before anything starts: the name as a person types it.
	if *corpus != "" {
		if err := rf.ValidateCorpusName(*corpus); err != nil {
			return usageError("--corpus: %v", err)
		}
	}
	owner, err := resolveOwner(*ownerFlag, envLookup)
	if err != nil {
		return err
	}
	in := ingestInput(owner, *corpus, dir, *prune)
	if in.Corpus == corpusfiles.GoDocsCorpus {
		return usageError("--corpus: %v", corpusfiles.ErrGoDocsReadOnly)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: quietLogger(stderr, cfg), DevServer: temporalserver.StartDev, SpawnBackground: spawnBackground})
	if err != nil {
		return err
	}
	defer s.Close()

	sum := sha256.Sum256([]byte(in.Corpus + "\x00" + dir))
	id := "ingest-" + hex.EncodeToString(sum[:8])
	run, err := s.Runs.StartIngest(ctx, id, in)
	var bad *rf.InputError
	if errors.As(err, &bad) {
		return usageError("%v", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "ingesting %s (workflow %s) on %s\n", dir, run.ID, s.Describe())
	if *noWait {
		fmt.Fprintln(stdout, run.ID)
		return nil
	}
	view := newProgressView(stderr)
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		watchIngest(watchCtx, s.Runs, run.ID, view)
	}()
	res, err := s.Runs.IngestResult(ctx, run.ID)
	stopWatch()
	<-watched
	if err != nil {
		return fmt.Errorf("ingestion %s failed: %s", run.ID, client.FailureMessage(err))
	}
	fmt.Fprintf(stdout, "corpus %s: %s; %s written, %s of removed files dropped, %s\n",
		rf.PublicCorpus(owner, res.Corpus), fileCounts(res.Files, res.Unchanged, res.SkippedCount()), report.Count(res.Chunks, "chunk", ""), report.Count(res.Removed, "chunk", ""), res.Duration.Round(time.Millisecond))
	printSkipped(stdout, res.Skipped, res.SkippedCount())
	return nil
}

// fileCounts says what an ingestion did with the files it found, so that
// the numbers add up: "6 files found: 3 ingested, 0 unchanged, 3 skipped".
// files counts them all (rf.IngestResult.Files); a result recorded before
// the files skipped unread counted in it may have fewer than unchanged
// and skipped together, which are then the files found.
func fileCounts(files, unchanged, skipped int) string {
	files = max(files, unchanged+skipped)
	return fmt.Sprintf("%s found: %d ingested, %d unchanged, %d skipped",
		report.Count(files, "file", ""), files-unchanged-skipped, unchanged, skipped)
}

// printSkipped lists the files an ingestion left out, one line each, but
// one line for all those read in another format instead (a documentation
// tree often ships each page twice, its HTML and its source), and how
// many of total are not listed (results list the first 100 or 500).
func printSkipped(stdout io.Writer, skipped []rf.SkippedFile, total int) {
	var twins []rf.SkippedFile
	for _, sk := range skipped {
		if corpusfiles.SameDocument(sk.Reason) {
			twins = append(twins, sk)
			continue
		}
		fmt.Fprintf(stdout, "  skipped %s: %s\n", sk.Path, sk.Reason)
	}
	switch {
	case len(twins) == 1:
		fmt.Fprintf(stdout, "  skipped %s: %s\n", twins[0].Path, twins[0].Reason)
	case len(twins) > 1:
		fmt.Fprintf(stdout, "  skipped %d files read in another format instead, such as %s: %s\n", len(twins), twins[0].Path, twins[0].Reason)
	}
	if more := total - len(skipped); more > 0 {
		fmt.Fprintf(stdout, "  and %d more skipped files, not listed\n", more)
	}
}

// ingestFolder is the folder of starter ingest DIR as the workflow takes
// it: absolute. The search workers refuse a relative path (it would be
// read from their working directory), while a person types one relative to
// theirs. A folder that is not there is a usage error.
func ingestFolder(arg string) (string, error) {
	dir, err := filepath.Abs(arg)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(dir); err != nil {
		return "", usageError("%s: %v", arg, err)
	}
	return dir, nil
}

// ingestInput fills owner's corpus name (the folder's name when empty) with
// dir, under the name the gateway researches for that owner (rf.ScopedCorpus).
func ingestInput(owner, name, dir string, prune bool) rf.IngestInput {
	if name == "" {
		// The folder's name, by the rule the workflow applies.
		if named, err := (rf.IngestInput{Path: dir}).Normalize(); err == nil {
			name = named.Corpus
		}
	}
	in := rf.IngestInput{Corpus: rf.ScopedCorpus(owner, name), Path: dir, Prune: prune}
	if owner != rf.LocalOwner {
		in.Owner = owner
	}
	return in
}
