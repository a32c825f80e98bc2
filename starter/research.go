package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/corpora"
	corpusfiles "github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/doctypes"

	"github.com/researchflow/researchflow/internal/temporalserver"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/report"

	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/stack"
	"github.com/researchflow/researchflow/internal/uploads"
)

func runResearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("starter", flag.ContinueOnError)
	usage := setUsage(fs, mainUsage(), stdout)
	corpus := fs.String("corpus", "", "corpus `NAME`, or a DIR to research (its "+doctypes.Text()+" files are ingested first); default: the Go documentation")
	id := fs.String("id", "", "workflow `ID`: starting the same ID twice is one run")
	noWait := fs.Bool("no-wait", false, "start the run, print its workflow ID and exit")
	maxSub := fs.Int("max-sub-questions", 0, "sub-questions to plan (1-6, default 4)")
	maxSources := fs.Int("max-sources", 0, "passages to retrieve per sub-question (1-20, default 18)")
	asJSON := fs.Bool("json", false, "print the whole result as JSON instead of the Markdown report")
	maxTokens := fs.Int("max-tokens", 0, "model `TOKENS` (prompt + completion, failed calls included) the run may spend; 0: no limit")
	maxCost := fs.Float64("max-cost", 0, "model spend in US `DOLLARS` (priced with RESEARCHFLOW_PRICES); 0: no limit")
	budgetTimeout := fs.Duration("budget-timeout", 0, "a run paused before overspending waits at most `DURATION` for \"starter budget\" or \"starter finish\", then finishes with what it has (default 24h)")
	approve := fs.Bool("require-approval", false, "make the run wait after planning, with its priced plan, until it is approved over the HTTP API or with \"temporal workflow update execute --name approvePlan\"")
	sources := fs.String("sources", "", "comma-separated `NAMES` of where to look: corpus, web, searxng, tavily, brave, arxiv, openalex, wikipedia (default corpus)")
	ownerFlag := fs.String("owner", "", "research as API key owner `NAME`, in that owner's corpora (default: the owner of RESEARCHFLOW_API_KEY, else the local owner of the gateway without authentication)")
	redrive := fs.String("redrive", "", "redrive finished run `ID`: retry its dead-lettered searches as the report's next revision (no question)")
	followUp := fs.String("follow-up", "", "ask finished run `ID` a follow-up question: answered from its evidence first, searched again only for what that lacks")
	dispute := fs.String("dispute", "", "dispute a claim of finished run `ID` (the claim ID, then a reason): re-checks it and writes the report's next revision")
	confirm := fs.String("confirm", "", "confirm a claim of finished run `ID` (the claim ID, then a reason)")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	for _, f := range []struct{ flag, id string }{{"--id", *id}, {"--follow-up", *followUp}, {"--redrive", *redrive}, {"--dispute", *dispute}, {"--confirm", *confirm}} {
		if err := checkRunID(f.flag, f.id); err != nil {
			return err
		}
	}
	if *dispute != "" || *confirm != "" {
		if *followUp != "" || *redrive != "" || *sources != "" || *corpus != "" || (*dispute != "" && *confirm != "") {
			return usageError("--dispute or --confirm takes no other run flag: one verdict on one run's claim")
		}
		if *dispute != "" {
			return claimFeedback(ctx, claims.VerdictDispute, *dispute, positional, *asJSON, *noWait, stdout, stderr)
		}
		return claimFeedback(ctx, claims.VerdictConfirm, *confirm, positional, *asJSON, *noWait, stdout, stderr)
	}
	if *followUp != "" {
		if *redrive != "" || *sources != "" || *corpus != "" {
			return usageError("--follow-up takes no --redrive, --sources or --corpus: it reuses the run's own")
		}
		return askFollowUp(ctx, rf.FollowUpInput{ResearchID: *followUp, Question: trimQuestion(positional),
			MaxTokens: *maxTokens, MaxCostUSD: *maxCost}, *id, *asJSON, *noWait, stdout, stderr)
	}
	if *redrive != "" {
		if len(positional) > 0 || *sources != "" || *corpus != "" {
			return usageError("--redrive takes no question, --sources or --corpus: it reuses the run's own")
		}
		return redriveResearch(ctx, *redrive, *asJSON, *noWait, stdout, stderr)
	}
	in := rf.ResearchInput{
		Question:        trimQuestion(positional),
		MaxSubQuestions: *maxSub,
		MaxSources:      *maxSources,
		MaxTokens:       *maxTokens,
		MaxCostUSD:      *maxCost,
		RequireApproval: *approve,
		// Whole seconds; Normalize bounds them.
		BudgetTimeoutSeconds: int(budgetTimeout.Seconds()),
	}
	if in.Question == "" {
		usage(stderr)
		return usageError("a question is required")
	}
	if err := setCorpus(&in, *corpus); err != nil {
		return err
	}
	if *sources != "" {
		if in.Sources, err = parseSources(*sources); err != nil {
			return usageError("--sources: %v", err)
		}
	}
	owner, err := resolveOwner(*ownerFlag, envLookup)
	if err != nil {
		return err
	}
	if in, err = ownedInput(in, owner); err != nil {
		return usageError("%v", err)
	}

	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	logger := quietLogger(stderr, cfg)
	t0 := time.Now()
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: logger, DevServer: temporalserver.StartDev, SpawnBackground: spawnBackground})
	if err != nil {
		return err
	}
	defer s.Close()
	logger.Debug("starter: connected", "took", time.Since(t0).Round(time.Millisecond))

	wid := *id
	if wid == "" {
		wid = "research-" + randomID()
	}
	t0 = time.Now()
	run, err := startChecked(ctx, s.Runs, s.Chunks(), cfg, owner, wid, in, logger)
	if err != nil {
		return err
	}
	defer func() { logger.Debug("starter: run followed", "took", time.Since(t0).Round(time.Millisecond)) }()
	return follow(ctx, s, cfg, run, *asJSON, *noWait, stdout, stderr)
}

// runStarter starts research runs (client.Client does).
type runStarter interface {
	Start(ctx context.Context, id string, in rf.ResearchInput) (client.Run, error)
	corpusLister
}

// corpusLister lists the runs that name a corpus: ingestions and research
// runs on a corpus (client.Client does; GET /v1/corpora reads the same).
type corpusLister interface {
	Ingestions(ctx context.Context, pageToken []byte, pageSize int) ([]client.Info, []byte, error)
	CorpusRuns(ctx context.Context, pageToken []byte, pageSize int) ([]client.Info, []byte, error)
}

// startChecked starts the run of in as id, unless its corpus has no
// documents (checkCorpus).
func startChecked(ctx context.Context, runs runStarter, chunks corpora.Counter, cfg config.Config, owner, id string, in rf.ResearchInput, logger *slog.Logger) (client.Run, error) {
	if err := checkCorpus(ctx, chunks, runs, cfg, owner, in, logger); err != nil {
		return client.Run{}, err
	}
	return runs.Start(ctx, id, in)
}

// checkCorpus refuses, before anything starts, a run of owner's on a
// corpus with no documents, by the gateway's rule
// (corpora.CheckResearchable) and its stack's count (stack.Stack.Chunks:
// the memory of a stack of its own, or the search workers' of the stack
// it is attached to), so that a run on "nosuch" fails neither later nor
// only in one mode. A count that fails refuses nothing. A corpus of
// owner's whose name differs in case or by a typo, and that has documents,
// is suggested (corpora.Suggest, as the HTTP API suggests it: `--corpus
// Kestrel` when "kestrel" is there).
func checkCorpus(ctx context.Context, chunks corpora.Counter, runs corpusLister, cfg config.Config, owner string, in rf.ResearchInput, logger *slog.Logger) error {
	name := rf.PublicCorpus(owner, in.Corpus)
	err := corpora.CheckResearchable(ctx, chunks, in, name, uploads.Dir(cfg.DataDir, owner, name))
	var unknown *corpora.NotFoundError
	switch {
	case errors.As(err, &unknown):
		if runs != nil {
			unknown.Suggestion = corpora.Suggest(ctx, chunks, runs.Ingestions, runs.CorpusRuns, owner, name)
		}
		return fmt.Errorf("%w; the corpora there are: %s", err, corporaCommand(owner))
	case err != nil:
		logger.Warn("starter: corpus not counted; the run says what it finds", "corpus", in.Corpus, "error", err)
	}
	return nil
}

// corporaCommand is the command that lists owner's corpora, for the
// messages that refuse a corpus.
func corporaCommand(owner string) string {
	if owner == rf.LocalOwner {
		return "starter corpora"
	}
	return "starter corpora --owner " + owner
}

// redriveResearch starts the next revision of run id (client.Redrive) and
// follows it like a new run.
func redriveResearch(ctx context.Context, id string, asJSON, noWait bool, stdout, stderr io.Writer) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: quietLogger(stderr, cfg), DevServer: temporalserver.StartDev, SpawnBackground: spawnBackground})
	if err != nil {
		return err
	}
	defer s.Close()
	run, err := s.Runs.Redrive(ctx, id)
	switch {
	case client.IsNotFound(err):
		return fmt.Errorf("redrive: %w", err) // `run "ID": no such run`
	case err != nil:
		return fmt.Errorf("redrive %s: %w", id, err)
	}
	fmt.Fprintf(stderr, "redrive of %s: ", id)
	return follow(ctx, s, cfg, run, asJSON, noWait, stdout, stderr)
}

// follow prints where run is, waits for it and prints its report (or its
// result as JSON).
func follow(ctx context.Context, s *stack.Stack, cfg config.Config, run client.Run, asJSON, noWait bool, stdout, stderr io.Writer) error {
	fmt.Fprintf(stderr, "research %s (run %s) on %s\n", run.ID, run.RunID, s.Describe())
	if link := s.RunURL(run.ID); link != "" {
		fmt.Fprintf(stderr, "Web UI: %s\n", link)
	}
	if noWait {
		fmt.Fprintln(stdout, run.ID)
		return nil
	}

	out, err := watchResearch(ctx, s.Runs, run.ID, newProgressView(stderr))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("stopped waiting (the run %s goes on; see it with `temporal workflow show -w %s`)", run.ID, run.ID)
		}
		return fmt.Errorf("research %s: %w", run.ID, err)
	}
	if out.Result == nil {
		return fmt.Errorf("research %s %s: %s", run.ID, out.Status, out.Failure)
	}
	res := *out.Result
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printResult(res, stdout, stderr)
	if res.ReportPath != "" {
		fmt.Fprintf(stderr, "report saved to %s\n", res.ReportPath)
	}
	if e, a := res.Estimate, res.Actual; e != nil && a != nil {
		fmt.Fprint(stderr, estimateVersusActual(e, a))
	}
	for _, sk := range res.Skipped {
		fmt.Fprintf(stderr, "skipped (finished early): %s\n", sk)
	}
	if n := len(res.DeadLetters); n > 0 {
		fmt.Fprintf(stderr, "%d search(es) failed for good (dead letters); once the source is back, retry them with: starter --redrive %s\n", n, run.ID)
	}
	if s.Ephemeral() {
		fmt.Fprintf(stderr, "this run is kept in %s; start the dev stack (go run ./workers -pool all) to browse it in %s\n", cfg.TemporalDB(), browseIn(cfg))
	}
	return nil
}

// browseIn names where the dev stack on cfg shows a run: its web app, and
// a Temporal Web UI when one will serve (RESEARCHFLOW_UI_URL, or the
// embedded one unless RESEARCHFLOW_UI_PORT=0).
func browseIn(cfg config.Config) string {
	if cfg.WebUI("") == "" && cfg.EmbeddedUIPort == 0 {
		return "the web app"
	}
	return "the web app and the Temporal Web UI"
}

// printResult prints the report on stdout and, on stderr, its confidence
// (with the low-confidence warning when it is low), so that a reader who
// pipes the report away still sees how far to trust it.
func printResult(res rf.ResearchResult, stdout, stderr io.Writer) {
	fmt.Fprintln(stdout, res.Report)
	printConfidence(res.Confidence, stderr)
}

// printConfidence prints confidence c on stderr, with the low-confidence
// warning when it is low; nothing when c is empty (a result recorded
// before it was rated).
func printConfidence(c string, stderr io.Writer) {
	switch c {
	case "":
	case report.ConfidenceLow:
		fmt.Fprintf(stderr, "confidence: %s (%s)\n", c, report.LowConfidenceBanner)
	default:
		fmt.Fprintf(stderr, "confidence: %s\n", c)
	}
}

// ownedInput normalizes in and makes it owner's run: its corpus is the one
// the gateway researches for owner (rf.ScopedCorpus).
func ownedInput(in rf.ResearchInput, owner string) (rf.ResearchInput, error) {
	in, err := in.Normalize()
	if err != nil {
		return in, err
	}
	if owner != rf.LocalOwner {
		in.Owner = owner
	}
	in.Corpus = rf.ScopedCorpus(owner, in.Corpus)
	if in.CorpusPath != "" && in.Corpus == corpusfiles.GoDocsCorpus {
		return in, corpusfiles.ErrGoDocsReadOnly // a folder named go-docs
	}
	return in.Normalize()
}

// setCorpus reads --corpus: an existing folder is researched (ingested
// first); anything else is a corpus name.
func setCorpus(in *rf.ResearchInput, arg string) error {
	if arg == "" {
		return nil
	}
	if st, err := os.Stat(arg); err == nil {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return err
		}
		in.CorpusPath = abs
		if !st.IsDir() {
			in.Corpus = "" // a single file: the name comes from the file
		}
		return nil
	}
	if strings.ContainsAny(arg, `/\`) || strings.HasPrefix(arg, ".") {
		return usageError("--corpus %s: no such folder", arg)
	}
	// A name as a person types it: the same rule as the HTTP API's (scoped
	// OWNER--NAME corpora are the gateway's, never typed).
	if err := rf.ValidateCorpusName(arg); err != nil {
		return usageError("--corpus: %v", err)
	}
	in.Corpus = arg
	return nil
}

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// parseSources splits the --sources list ("web,arxiv") and refuses a name
// that is not one of rf.KnownSources before anything starts; the run's
// input normalizes the list again (case, repeats, limits).
func parseSources(list string) ([]string, error) {
	var names []string
	for _, n := range strings.Split(list, ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		if !slices.Contains(rf.KnownSources, n) {
			return nil, fmt.Errorf("unknown source %q: want some of %s", n, strings.Join(rf.KnownSources, ", "))
		}
		names = append(names, n)
	}
	return names, nil
}
