package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/corpora"
	"github.com/researchflow/researchflow/internal/gateway"
	"github.com/researchflow/researchflow/internal/stack"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

const corporaUsage = `usage: starter corpora [--owner NAME] [--json]

Lists the corpora there are, with their documents' passages and last
ingestion, newest first: those --corpus NAME researches (a corpus deleted
or emptied is not listed). The same list as
GET /v1/corpora and the web app's corpus picker, whether the command runs a
stack of its own or is attached to a running one. Last comes go-docs, the
Go documentation (the default corpus), built in: always listed, with the
passages the first research run on it read from the Go installation.`

// runCorpora is `starter corpora`: owner's corpora with their passage
// counts (corpora.List), counted where --corpus is checked (the stack's
// Chunks: its own memory, or the search workers').
func runCorpora(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("starter corpora", flag.ContinueOnError)
	usage := setUsage(fs, corporaUsage, stdout)
	ownerFlag := fs.String("owner", "", "list the corpora of API key owner `NAME` (default: the owner of RESEARCHFLOW_API_KEY, else the local owner of the gateway without authentication)")
	asJSON := fs.Bool("json", false, "print the list as GET /v1/corpora answers it")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		usage(stderr)
		return usageError("corpora takes no arguments, not %q", positional[0])
	}
	owner, err := resolveOwner(*ownerFlag, envLookup)
	if err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	logger := quietLogger(stderr, cfg)
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: logger, DevServer: temporalserver.StartDev, SpawnBackground: spawnBackground})
	if err != nil {
		return err
	}
	defer s.Close()
	listed, err := listCorpora(ctx, s.Runs, s.Chunks(), owner, logger)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(gateway.CorporaJSON(listed))
	}
	return printCorpora(stdout, listed, owner)
}

// listCorpora lists owner's corpora with their counts; a count that fails
// (search workers of an older version, none running) lists them without
// counts rather than not at all, and says so.
func listCorpora(ctx context.Context, runs corpusLister, chunks corpora.Counter, owner string, logger *slog.Logger) ([]corpora.Listed, error) {
	listed, err := corpora.List(ctx, owner, runs.Ingestions, runs.CorpusRuns, chunks)
	if err == nil || errors.Is(err, context.Canceled) {
		return listed, wrapList(err)
	}
	logger.Warn("starter: passages not counted; corpora listed without their counts", "error", err)
	listed, err = corpora.List(ctx, owner, runs.Ingestions, runs.CorpusRuns, nil)
	return listed, wrapList(err)
}

func wrapList(err error) error {
	if err != nil {
		return fmt.Errorf("list corpora: %w", err)
	}
	return nil
}

// printCorpora writes listed as a table: name, passages, last ingestion
// (for the built-in corpus, where it comes from), and how to fill a
// corpus when the built-in one is all there is.
func printCorpora(w io.Writer, listed []corpora.Listed, owner string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CORPUS\tPASSAGES\tLAST INGESTION")
	own := 0
	for _, l := range listed {
		n := "?"
		if l.Chunks != nil {
			n = fmt.Sprint(*l.Chunks)
		}
		last := l.Last.Started.Local().Format(time.DateTime) + "  " + l.Last.Status + "  " + l.Last.ID
		if l.BuiltIn {
			last = "built in: the Go documentation, read from the Go installation by the first run on it"
		} else {
			own++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Name, n, last)
	}
	if err := tw.Flush(); err != nil || own > 0 {
		return err
	}
	who := ""
	if owner != rf.LocalOwner {
		who = " of " + owner
	}
	_, err := fmt.Fprintf(w, "no corpora%s yet besides %s: fill one with starter ingest FOLDER --corpus NAME, or upload files to it in the web app\n", who, rf.DefaultCorpus)
	return err
}
