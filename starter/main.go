// Command starter asks Researchflow a question and prints the cited report.
//
//	go run ./starter "What does the Go memory model guarantee about channel communication?"
//	go run ./starter --corpus ./my-notes "What did we decide about retries?"
//	go run ./starter --no-wait --id my-run-1 "…"      # start only; print the workflow ID
//	go run ./starter ingest ./my-notes --corpus notes  # ingest a folder with a progress bar
//	go run ./starter corpora                           # the corpora there are, with their passages
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
	"slices"
	"strings"
	"syscall"

	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/stack"
	"github.com/researchflow/researchflow/internal/typo"
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

// exitCode is the exit status of err: 0 for help asked for (-h, --help,
// the usage printed on stdout, as `starter help` does), 2 for a usage
// error, else 1.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

// isHelpFlag reports whether a is -h, -help or --help: for commands that
// read their first argument before any flag set does (schedule, stop).
func isHelpFlag(a string) bool {
	return a == "-h" || a == "-help" || a == "--help" || a == "--h"
}

// setUsage makes fs's usage text and then its flags. Asked for (-h,
// --help), it goes to stdout and the command returns flag.ErrHelp (exit 0);
// the printer returned shows it on a usage error's stderr.
func setUsage(fs *flag.FlagSet, text string, stdout io.Writer) func(io.Writer) {
	show := func(w io.Writer) {
		fmt.Fprintln(w, text+"\n\nflags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	fs.Usage = func() { show(stdout) }
	return show
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
		{"corpora", corporaUsage, runCorpora},
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

// helpUsage is `starter help help`.
const helpUsage = `usage: starter help [COMMAND]

Prints the usage on stdout: the whole one, or that of COMMAND (a command,
or one of the actions a research run's flags choose: follow-up, dispute,
confirm, redrive). "starter COMMAND --help" prints the same.`

// flagActions are the actions that a research run's flags choose rather
// than a command word (`starter --follow-up ID "…"`), which people look up
// as `starter help follow-up` all the same.
var flagActions = []string{"follow-up", "dispute", "confirm", "redrive"}

// runHelp is `starter help [COMMAND]`, as `go help`: the usage asked for
// (the whole one, or a command's with its flags) on stdout, exit 0. A new
// user's `starter help` researched the question "help"; a question that is
// that one word is asked as `starter research help`. Words after a known
// command (`starter help schedule trigger`) are its own and show its usage.
func runHelp(ctx context.Context, args []string, stdout io.Writer) error {
	name := "research"
	if len(args) > 0 {
		name = args[0]
	}
	if name == "help" {
		_, err := fmt.Fprintln(stdout, helpUsage)
		return err
	}
	if action := strings.TrimLeft(name, "-"); slices.Contains(flagActions, action) {
		return helpFlagAction(ctx, action, stdout)
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
			names := []string{"research", "help"}
			for _, c := range commands() {
				names = append(names, c.name)
			}
			if near := typo.Nearest(name, append(names, flagActions...)); near != "" {
				return usageError("starter help: no command %q; did you mean %q?", name, near)
			}
			return usageError("starter help: no command %q (starter help lists them; the actions of flags: %s)", name, strings.Join(flagActions, ", "))
		}
	}
	// A command's --help prints its usage and flags on stdout, then returns
	// flag.ErrHelp.
	var buf strings.Builder
	if err := run(ctx, []string{"--help"}, &buf, io.Discard); errors.Is(err, flag.ErrHelp) {
		_, err := io.WriteString(stdout, buf.String())
		return err
	}
	_, err := fmt.Fprintln(stdout, usage)
	return err
}

// helpFlagAction is `starter help follow-up`: the usage lines of a
// research run that name --follow-up, and what the flag does.
func helpFlagAction(ctx context.Context, action string, stdout io.Writer) error {
	flagName := "--" + action
	var lines []string
	for _, l := range usageLines(mainUsage()) {
		if strings.Contains(l, flagName+" ") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		lines = append(lines, `starter `+flagName+` ID`)
	}
	var flags strings.Builder
	_ = runResearch(ctx, []string{"--help"}, &flags, io.Discard)
	var doc []string // the flag's lines of PrintDefaults: "  -follow-up ID", then "    \t…"
	for _, l := range strings.Split(flags.String(), "\n") {
		if strings.HasPrefix(l, "  -"+action+" ") || l == "  -"+action || (len(doc) > 0 && strings.HasPrefix(l, "    ")) {
			doc = append(doc, l)
		} else if len(doc) > 0 {
			break
		}
	}
	_, err := fmt.Fprintf(stdout, "usage: %s\n\n%s is a flag of a research run (starter help lists all of them):\n%s\n",
		strings.Join(lines, "\n       "), flagName, strings.Join(doc, "\n"))
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
