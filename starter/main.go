// Command starter asks Researchflow a question and prints the cited report.
//
//	go run ./starter "What does the Go memory model guarantee about channel communication?"
//	go run ./starter --corpus ./my-notes "What did we decide about retries?"
//	go run ./starter --no-wait --id my-run-1 "…"      # start only; print the workflow ID
//	go run ./starter ingest ./my-notes --corpus notes  # ingest a folder with a progress bar
//	go run ./starter eval testdata/eval/go-docs.tsv    # score a question set (see internal/eval)
//	go run ./starter schedule create --every 24h "…"   # research it again every day (see schedule.go)
//
//	go run ./starter stop                              # stop the background stack
//	go run ./starter help [COMMAND]                    # the usage, on stdout
//
// It uses TEMPORAL_ADDRESS when set, else a dev stack (or background stack)
// already running on the default address (`go run ./workers -pool all`),
// else it starts the embedded stack as a background process that later
// commands share and that exits after RESEARCHFLOW_BACKGROUND_IDLE (default
// 10m) without a command; RESEARCHFLOW_BACKGROUND=0 runs it in-process for
// the duration of the command instead. Progress goes to stderr, the report
// to stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/stack"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "starter:", err)
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

var errUsage = errors.New("usage")

// command is one of the starter's subcommands: the word that names it,
// its usage (the lines `starter --help` lists, then what its own --help
// adds) and what runs it. run dispatches from the same table that the
// usage lists, so that no command goes unlisted.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands are the subcommands, in the order `starter --help` lists them.
// A question without one of these words first is a research run.
func commands() []command {
	return []command{
		{"ingest", ingestUsage, runIngest},
		{"schedule", scheduleUsage, runSchedule},
		{"budget", budgetUsage, runBudget},
		{"finish", finishUsage, runFinish},
		{"eval", evalUsage, runEval},
		{"stop", stopUsage, func(_ context.Context, args []string, stdout, stderr io.Writer) error {
			return runStop(args, stdout, stderr)
		}},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == stack.BackgroundArg {
		// Not a command of people: how the starter starts its background stack.
		return runBackgroundStack(ctx, stderr)
	}
	if len(args) > 0 && args[0] == "help" {
		return runHelp(ctx, args[1:], stdout)
	}
	if len(args) > 0 {
		for _, c := range commands() {
			if args[0] == c.name {
				return c.run(ctx, args[1:], stdout, stderr)
			}
		}
	}
	if err := misspeltCommand(args); err != nil {
		return err
	}
	return runResearch(ctx, researchArgs(args), stdout, stderr)
}

// runHelp is `starter help [COMMAND]`, as `go help`: the usage asked for
// (the whole one, or a command's with its flags) on stdout, exit 0. A new
// user's `starter help` researched the question "help"; a question that is
// that one word is asked as `starter research help`.
func runHelp(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 1 {
		return usageError("starter help takes at most one command")
	}
	name := "research"
	if len(args) == 1 {
		name = args[0]
	}
	run := runResearch
	usage := mainUsage()
	if name != "research" {
		run = nil
		for _, c := range commands() {
			if c.name == name {
				run, usage = c.run, c.usage
			}
		}
		if run == nil {
			return usageError("starter help: no command %q (starter help lists them)", name)
		}
	}
	// A command's --help prints its usage and flags, then returns
	// flag.ErrHelp; one without flags (stop) has only its usage text.
	var buf strings.Builder
	if err := run(ctx, []string{"--help"}, &buf, &buf); errors.Is(err, flag.ErrHelp) {
		_, err := io.WriteString(stdout, buf.String())
		return err
	}
	_, err := fmt.Fprintln(stdout, usage)
	return err
}

// usageLines are the command lines of a usage text ("starter schedule
// list [--json]"), without "usage:" and the text that follows them.
func usageLines(usage string) []string {
	var out []string
	for _, l := range strings.Split(usage, "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(l, "usage:"))
		if strings.HasPrefix(l, "starter ") {
			out = append(out, l)
		}
	}
	return out
}

// mainUsage is `starter --help`: a research run, its variants, and every
// command of commands().
func mainUsage() string {
	lines := []string{
		`starter [research] [flags] "question"`,
		`starter --follow-up ID "question"`,
		`starter --dispute ID CLAIM ["reason"]    (or --confirm ID CLAIM)`,
	}
	for _, c := range commands() {
		lines = append(lines, usageLines(c.usage)...)
	}
	return "usage: " + strings.Join(lines, "\n       ") + `

Without TEMPORAL_ADDRESS or a dev stack, the first command starts a background
stack that later commands share; it exits after RESEARCHFLOW_BACKGROUND_IDLE
(default 10m) without a command. RESEARCHFLOW_BACKGROUND=0: a stack inside
each command instead. "starter help COMMAND" (or "starter COMMAND --help")
tells more of a command.`
}

// researchArgs returns the arguments of a research run: "starter research
// --corpus DIR "question"" is "starter --corpus DIR "question"", as people
// type it after "starter ingest DIR"; without it, "research" became the
// question's first word and a sub-question ("What is research?").
func researchArgs(args []string) []string {
	if len(args) > 0 && args[0] == "research" {
		return args[1:]
	}
	return args
}

// parseInterspersed parses flags that may come after positional arguments
// ("ingest DIR --corpus NAME").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package prints a parse error, then the usage; main prints
	// the error returned, so the flag set prints nothing while it parses
	// (an unknown flag was said twice around the whole usage) and the
	// usage only when asked for (--help).
	usage, out := fs.Usage, fs.Output()
	if usage == nil {
		usage = fs.PrintDefaults
	}
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() { fs.Usage = usage; fs.SetOutput(out) }()
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				usage()
				return nil, err
			}
			// An unknown flag, a flag without its value, a value of the
			// wrong type: a usage error (exit 2) like every other.
			return nil, fmt.Errorf("%w: %w (%s --help lists the flags)", errUsage, err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// checkRunID refuses, as a usage error, a run ID given with flag that no
// run can have (client.ValidateRunID); an empty one is not given.
func checkRunID(flag, id string) error {
	if id == "" {
		return nil
	}
	if err := client.ValidateRunID(id); err != nil {
		return usageError("%s: %v", flag, err)
	}
	return nil
}

func usageError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

func trimQuestion(parts []string) string { return strings.TrimSpace(strings.Join(parts, " ")) }
