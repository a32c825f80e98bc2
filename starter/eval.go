package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/embed"
	"github.com/researchflow/researchflow/internal/eval"
	"github.com/researchflow/researchflow/internal/eval/runner"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
	"github.com/researchflow/researchflow/internal/reasoning/llm"
	"github.com/researchflow/researchflow/internal/stack"
	"github.com/researchflow/researchflow/internal/temporalserver"
	"github.com/researchflow/researchflow/internal/typo"
)

const evalUsage = `usage: starter eval SET.tsv|SET.json... [--half tune|test|all] [--max-sources N] [--out RESULTS.json] [--reports]
       starter eval compare A.json B.json`

// runEval is `starter eval SET [--out FILE]` and `starter eval compare A B`.
// evalCommands are the subcommands of `starter eval` (besides running a
// question set).
var evalCommands = []string{"compare"}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "compare" {
		if len(args) != 3 {
			return usageError("usage: starter eval compare A.json B.json")
		}
		a, err := eval.ReadJSON(args[1])
		if err != nil {
			return err
		}
		b, err := eval.ReadJSON(args[2])
		if err != nil {
			return err
		}
		eval.Compare(stdout, a, b)
		return nil
	}
	fs := flag.NewFlagSet("starter eval", flag.ContinueOnError)
	usage := setUsage(fs, evalUsage, stdout)
	out := fs.String("out", "", "write the results as JSON to `FILE` (default eval-SET-TIME.json in the data dir)")
	reports := fs.Bool("reports", false, "keep every report's Markdown in the results file")
	half := fs.String("half", "all", "ask only `HALF` of the questions: tune or test (split by a stable hash of the question ID), or all")
	maxSources := fs.Int("max-sources", 0, fmt.Sprintf("passages per sub-question (1-20; 0: the research default, %d)", rf.DefaultMaxSources))
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) == 0 {
		usage(stderr)
		return usageError("a question set is required")
	}
	if w := positional[0]; isWord(w) && !looksLikePath(w) && typo.Nearest(w, evalCommands) != "" {
		// `starter eval compar a.json b.json`: not a question set.
		return unknownSubcommand("eval", w, evalCommands)
	}
	var set eval.Set
	for _, p := range positional {
		s, err := eval.LoadSet(p)
		if err != nil {
			return usageError("%v", err)
		}
		if set.Name != "" {
			set.Name += "+"
		}
		set.Name += s.Name
		set.Questions = append(set.Questions, s.Questions...)
	}
	if err := set.Validate(); err != nil {
		return usageError("%v", err)
	}
	if set, err = set.Only(*half); err != nil {
		return usageError("%v", err)
	}
	if *maxSources < 0 || *maxSources > 20 {
		return usageError("--max-sources: want 1 to 20 (0 means %d)", rf.DefaultMaxSources)
	}

	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	conf, err := evalConfiguration(cfg)
	if err != nil {
		return err
	}
	conf.MaxSources = *maxSources
	// No background stack: evidence recall reads each run's audit through
	// the memory this process holds, so eval runs its stack in-process (a
	// stack already running on the address is used, and evidence recall is
	// then unknown).
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: quietLogger(stderr, cfg), DevServer: temporalserver.StartDev})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stderr, "eval %s: %d questions on %s\n", set.Name, len(set.Questions), s.Describe())
	if s.Store == nil {
		fmt.Fprintln(stderr, "eval: this process holds no memory store, so evidence recall is unknown")
	}

	b := make([]byte, 4)
	_, _ = rand.Read(b)
	r := &runner.Workflows{
		Runs:       s.Runs,
		Chunks:     s.Store,
		CorpusRoot: filepath.Join(cfg.DataDir, "eval-corpora"),
		IDPrefix:   "eval-" + time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b) + "-",
		MaxSources: *maxSources,
	}
	res, err := eval.Run(ctx, set, r, conf, eval.Options{Progress: stderr, KeepReports: *reports})
	if err != nil {
		return err
	}
	eval.PrintTable(stdout, res)
	path := *out
	if path == "" {
		path = filepath.Join(cfg.DataDir, "eval-"+strings.ReplaceAll(set.Name, "+", "_")+"-"+res.StartedAt.Format("20060102-150405")+".json")
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return err
		}
	}
	if err := eval.WriteJSON(path, res); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "results written to %s\n", path)
	return nil
}

// evalConfiguration describes the engine, models and embedder cfg
// selects, as the stack builds them.
func evalConfiguration(cfg config.Config) (eval.Configuration, error) {
	var c eval.Configuration
	e, err := embed.New(cfg.Embeddings)
	if err != nil {
		return c, err
	}
	c.Embedder = e.Model()
	c.Engine = extractive.Name
	lcfg := cfg.LLM
	if lcfg.Enabled() {
		le, err := llm.New(lcfg, llm.Options{Fallback: extractive.New(extractive.Config{})})
		if err != nil {
			return c, err
		}
		c.Engine = "llm"
		for _, r := range le.Describe() {
			if r.Model != "" {
				c.Models = append(c.Models, r.Role+"="+r.Provider+":"+r.Model)
				c.PromptVersions = append(c.PromptVersions, r.Role+"="+r.PromptVersion)
			} else {
				c.Models = append(c.Models, r.Role+"="+r.Provider)
			}
		}
	}
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		c.Revision = strings.TrimSpace(string(out))
	}
	return c, nil
}
