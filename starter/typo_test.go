package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mistyped command is refused (exit 2) with the command meant, and
// starts nothing: `starter ingst ./notes` researched "ingst ./notes".
func TestMisspeltCommandIsRefused(t *testing.T) {
	data := filepath.Join(t.TempDir(), "never-created")
	t.Setenv("RESEARCHFLOW_DATA_DIR", data)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ingst", "./notes"}, "ingest"},
		{[]string{"ingets", "./notes", "--corpus", "notes"}, "ingest"},
		{[]string{"Ingest", "notes.md"}, "ingest"},
		{[]string{"schedul", "--every", "24h"}, "schedule"},
		{[]string{"budegt", "--tokens=5000"}, "budget"},
		{[]string{"evl", "testdata/eval/go-docs.tsv"}, "eval"},
		{[]string{"hlep"}, "help"},
		{[]string{"stpo"}, "stop"},
		{[]string{"corpra"}, "corpora"},
		{[]string{"copora", "--json"}, "corpora"},
		{[]string{"Corpora", "--owner", "alice"}, "corpora"},
		// The other number, or the start, of a command: three edits or more.
		{[]string{"corpus"}, "corpora"},
		{[]string{"corpus", "--json"}, "corpora"},
		{[]string{"corp"}, "corpora"},
		{[]string{"sched", "list"}, "schedule"},
		{[]string{"reserch", "--corpus", "./notes"}, "research"},
		// A subcommand of schedule, or a typo of one, after it.
		{[]string{"shedule", "list"}, "schedule"},
		{[]string{"scheduel", "list"}, "schedule"},
		{[]string{"schedul", "list"}, "schedule"},
		{[]string{"shedule", "lsit"}, "schedule"},
		{[]string{"shedule", "creat", "--every", "24h", "what changed in Go?"}, "schedule"},
		{[]string{"shedule", "trigger", "daily-go"}, "schedule"},
		// One folder after ingest: there or not, it is ingest's to say.
		{[]string{"ingst", "notes"}, "ingest"},
		{[]string{"ingst", "notes", "--corpus", "n", "--prune"}, "ingest"},
		// One run ID after finish or budget, with their flags.
		{[]string{"finsh", "x"}, "finish"},
		{[]string{"finsh", "research-x"}, "finish"},
		{[]string{"finsh", "--json", "research_2"}, "finish"},
		{[]string{"budgte", "x", "--max-tokens", "5"}, "budget"},
		{[]string{"budgte", "--max-cost", "0.5", "x"}, "budget"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tc.args, &out, &errOut)
		want := `unknown command "` + tc.args[0] + `"; did you mean "` + tc.want + `"? (to research it as a question, quote it or use ` + "`starter research …`)"
		if !errors.Is(err, errUsage) || exitCode(err) != 2 || !strings.Contains(err.Error(), want) {
			t.Errorf("starter %s = %v (exit %d), want exit 2 and %q", strings.Join(tc.args, " "), err, exitCode(err), want)
		}
		if out.Len() > 0 || errOut.Len() > 0 {
			t.Errorf("starter %s printed %q / %q", strings.Join(tc.args, " "), out.String(), errOut.String())
		}
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command made %s (%v): something started", data, err)
	}
}

// What may be a question is not refused: quoted, after `starter
// research`, not near a command, or with words after it.
func TestMisspeltCommandLeavesQuestions(t *testing.T) {
	for _, args := range [][]string{
		{"why is the sky blue"},
		{"ingst ./notes"},
		{"research", "ingst", "./notes"},
		{"ingest", "./notes"},
		{"Why", "is", "the", "sky", "blue?"},
		{"finish", "line", "photography"},
		{"finnish", "grammar", "rules"},
		{"budgets", "of", "EU", "states?"},
		{"shop", "opening", "hours"},
		{"stock", "./notes"},
		{"scheduling", "--corpus", "notes"},
		{"--corpus", "./notes", "ingst"},
		{"ingst", "--corpus", "notes", "what did we decide?"},
		{"kubernetes"},
		{"finnish", "grammar", "rules", "explained"},
		{"finsh", "what?"},
		{"finsh", "x", "y"},
		{"budgets", "of", "EU", "states?", "--max-tokens", "5"},
		{"budgte", "--max-tokens", "5", "for", "schools"},
		{"shedule", "of", "the", "world", "cup"},
		{"shedule", "listing", "etiquette"},
		{"shop", "x"},
		{"ingst", "what", "notes?"},
		{"ingst", "notes", "from", "meetings"},
		{"corpus", "linguistics", "methods"},
		{"scheduling", "list"},
	} {
		if err := misspeltCommand(args); err != nil {
			t.Errorf("misspeltCommand(%q) = %v, want a question", args, err)
		}
	}
}

// A mistyped subcommand is named as a mistyped command is: a trial's
// `starter schedule lst` said only `unknown schedule command "lst"`.
// Every command with subcommands does it (schedule, eval compare, help's
// command); a word near none lists them, and nothing starts.
func TestMisspeltSubcommandIsNamed(t *testing.T) {
	t.Setenv("RESEARCHFLOW_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"schedule", "lst"}, `unknown schedule command "lst"; did you mean "list"?`},
		{[]string{"schedule", "creat", "--every", "24h", "What changed?"}, `did you mean "create"?`},
		{[]string{"schedule", "Pause", "schedule-x"}, `did you mean "pause"?`},
		{[]string{"schedule", "sometimes"}, "the commands are: create, list, show, pause, resume, trigger, delete"},
		{[]string{"eval", "compar", "a.json", "b.json"}, `unknown eval command "compar"; did you mean "compare"?`},
		{[]string{"help", "shedule"}, `no command "shedule"; did you mean "schedule"?`},
		{[]string{"help", "folow-up"}, `did you mean "follow-up"?`},
		{[]string{"help", "corpus"}, `no command "corpus"; did you mean "corpora"?`},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tc.args, &out, &errOut)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v (exit %d), want a usage error saying %q", tc.args, err, exitCode(err), tc.want)
		}
	}
}
