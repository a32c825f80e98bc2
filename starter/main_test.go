package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
)

func TestParseInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	corpus := fs.String("corpus", "", "")
	got, err := parseInterspersed(fs, []string{"./docs", "--corpus", "notes", "extra", "--", "--not-a-flag"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"./docs", "extra", "--not-a-flag"}; !reflect.DeepEqual(got, want) || *corpus != "notes" {
		t.Errorf("positional = %q, corpus = %q", got, *corpus)
	}
}

func TestSetCorpus(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		arg              string
		wantName, wantPt string
		wantErr          bool
	}{
		{"", "", "", false},
		{"notes", "notes", "", false},
		{dir, "", dir, false},
		{"./no/such/folder", "", "", true},
		{"a--b", "", "", true}, // scoped names are the gateway's, never typed
		{"a..b", "", "", true},
	}
	for _, tt := range tests {
		var in rf.ResearchInput
		err := setCorpus(&in, tt.arg)
		if (err != nil) != tt.wantErr || in.Corpus != tt.wantName || in.CorpusPath != tt.wantPt {
			t.Errorf("setCorpus(%q) = %+v, %v", tt.arg, in, err)
		}
	}
}

// Bad input is refused before anything starts, with exit code 2.
func TestUsageErrors(t *testing.T) {
	t.Setenv("RESEARCHFLOW_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
	goDocsDir := filepath.Join(t.TempDir(), "go-docs") // a folder named as the default corpus
	if err := os.Mkdir(goDocsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := [][]string{
		{},
		{"--bogus", "why is the sky blue?"},
		{"why is the sky blue?", "--corpus"},
		{"--max-tokens", "many", "why is the sky blue?"},
		{"ingest", ".", "--bogus"},
		{"budget", "research-1", "--max-tokens", "abc"},
		{"finish", "research-1", "--bogus"},
		{"schedule", "create", "--bogus"},
		{"eval", "--bogus"},
		{"ingest", ".", "--corpus", "go-docs"},
		{"ingest", ".", "--corpus", "go-docs", "--prune"},
		{"ingest", goDocsDir},
		{"--corpus", goDocsDir, "why is the sky blue?"},
		{"--max-sub-questions", "9", "why?"},
		{"--corpus", "./missing-dir", "why?"},
		{"--max-tokens", "-5", "why is the sky blue?"},
		{"--max-cost", "-1", "why is the sky blue?"},
		{"ingest"},
		{"--sources", "web,google", "why is the sky blue?"},
		{"--redrive", "research-1", "why is the sky blue?"},
		{"--redrive", "research-1", "--sources", "web"},
		{"--corpus", "a--b", "why is the sky blue?"},
		{"ingest", ".", "--corpus", "a--b"},
		{"???"},
		{"🤔🤔🤔"},
		{"\u200b\u200b\u200b"},
		{"budget"},
		{"budget", "research-1"},
		{"budget", "research-1", "--max-tokens", "-3"},
		{"budget", "research-1", "research-2", "--max-tokens", "3"},
		{"finish"},
		{"finish", "research-1", "research-2"},
		{"--budget-timeout", "-1s", "why is the sky blue?"},
		{"--id", "é", "why is the sky blue?"},
		{"--id", "run\x01", "why is the sky blue?"},
		{"--redrive", "é"},
		{"--follow-up", "é", "and then?"},
		{"finish", "é"},
		{"budget", "é", "--max-tokens", "3"},
	}
	for _, args := range tests {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("run(%q) = %v (exit %d), want a usage error", args, err, exitCode(err))
		}
		if out.Len() != 0 {
			t.Errorf("run(%q) printed on stdout: %q", args, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("RESEARCHFLOW_DATA_DIR"))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command created the data dir")
	}
}

// A word-less question is refused with exit code 2 and the contract's
// message, before any stack starts.
func TestWordlessQuestionIsAUsageError(t *testing.T) {
	t.Setenv("RESEARCHFLOW_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"--corpus", ".", "\u200b\u200b\u200b"}, &out, &errOut)
	if exitCode(err) != 2 || !strings.Contains(err.Error()+errOut.String(), "no letter or digit") {
		t.Errorf("run = %v (exit %d, stderr %q): want exit 2 saying the question has no letter or digit", err, exitCode(err), errOut.String())
	}
}

func TestProgressFraction(t *testing.T) {
	p := rf.Progress{Stage: rf.StageSearch, SubQuestions: []rf.SubQuestionProgress{
		{State: rf.SQSearched}, {State: rf.SQSearching}, {State: rf.SQFailed}, {State: rf.SQPending},
	}}
	f, detail := fraction(p)
	if f != 0.35 || detail != " 2/4 sub-questions" {
		t.Errorf("fraction = %v %q, want 0.35 and 2/4", f, detail)
	}
	if f, _ := fraction(rf.Progress{Stage: rf.StageDone}); f != 1 {
		t.Errorf("done = %v", f)
	}
}

func TestBudgetLines(t *testing.T) {
	until := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	p := rf.Progress{ResearchID: "r1", Status: rf.StatusAwaitingBudget,
		Usage:       rf.Usage{PromptTokens: 90, CompletionTokens: 10, CostUSD: 0.02},
		Budget:      &rf.Budget{MaxTokens: 100},
		BudgetPause: &rf.Spend{Step: "analyze", ID: "sq3", Usage: rf.Usage{PromptTokens: 15}, Until: &until}}
	got := pauseLine("r1", p)
	for _, want := range []string{"analyze sq3", "about 15 tokens", "used 100 tokens, $0.0200 of 100 tokens", "starter budget r1", "starter finish r1"} {
		if !strings.Contains(got, want) {
			t.Errorf("pause line %q lacks %q", got, want)
		}
	}
	table := estimateVersusActual(&rf.Spend{Searches: 4, ModelCalls: 6, Usage: rf.Usage{PromptTokens: 900}},
		&rf.Spend{Searches: 3, ModelCalls: 5, Usage: rf.Usage{PromptTokens: 700}})
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "estimate") || !strings.Contains(lines[1], "900") || !strings.Contains(lines[2], "700") {
		t.Errorf("table:\n%s", table)
	}
}

// starter eval refuses a passage count outside 1–20 before it starts
// anything, naming the flag.
func TestEvalMaxSourcesIsChecked(t *testing.T) {
	t.Setenv("RESEARCHFLOW_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
	for _, n := range []string{"21", "-1"} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"eval", "../testdata/eval/go-docs.tsv", "--max-sources", n}, &out, &errOut)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error()+errOut.String(), "--max-sources") {
			t.Errorf("eval --max-sources %s = %v (exit %d), want a usage error naming the flag", n, err, exitCode(err))
		}
	}
}

// "starter research …" is a research run, as people type it after
// "starter ingest DIR": "research" is not the question's first word.
func TestResearchCommandIsNotPartOfTheQuestion(t *testing.T) {
	tests := []struct{ args, want []string }{
		{[]string{"research", "--corpus", "./docs", "What is a goroutine?"}, []string{"--corpus", "./docs", "What is a goroutine?"}},
		{[]string{"What", "is", "research", "for?"}, []string{"What", "is", "research", "for?"}},
		{[]string{"research"}, []string{}},
	}
	for _, tt := range tests {
		if got := researchArgs(tt.args); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("researchArgs(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
	// Alone, it asks nothing: a usage error, not a run about "research".
	t.Setenv("RESEARCHFLOW_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"research"}, &out, &errb); !errors.Is(err, errUsage) {
		t.Errorf("starter research = %v, want a usage error", err)
	}
}

// The progress line says what was read ("read 18 passages from 7
// sources"): "· 7 sources ·" beside a report citing one source read as a
// miscount (a new-user trial).
func TestProgressLineSaysWhatWasRead(t *testing.T) {
	var b strings.Builder
	v := &progressView{w: &b}
	v.show(rf.Progress{Stage: rf.StageDone, Sources: 7, Passages: 18})
	if got := b.String(); !strings.Contains(got, "read 18 passages from 7 sources") {
		t.Errorf("progress line %q, want what was read", got)
	}
	// One of each is singular ("1 sources" in a trial).
	b.Reset()
	v.show(rf.Progress{Stage: rf.StageDone, Sources: 1, Passages: 1, Usage: rf.Usage{PromptTokens: 1}})
	if got := b.String(); !strings.Contains(got, "read 1 passage from 1 source · 1 token") {
		t.Errorf("progress line %q, want one of each in the singular", got)
	}
}

// `starter --help` lists every command the dispatcher knows and every one
// README documents (a new user's --help listed neither `schedule …` nor
// `eval`), each with its own usage lines.
func TestHelpListsEveryCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"--help"}, &out, &errOut)
	if !errors.Is(err, flag.ErrHelp) || exitCode(err) != 0 || errOut.Len() > 0 {
		t.Fatalf("--help = %v (exit %d), stderr %q", err, exitCode(err), errOut.String())
	}
	help := out.String()
	listed := map[string]bool{"research": true, "help": true} // lookup only
	for _, c := range commands() {
		listed[c.name] = true
		lines := usageLines(c.usage)
		if len(lines) == 0 {
			t.Errorf("%s: its usage names no command line", c.name)
		}
		for _, l := range lines {
			if !strings.Contains(help, "       "+l+"\n") {
				t.Errorf("--help lacks %q:\n%s", l, help)
			}
		}
	}
	for _, want := range []string{"starter schedule create (--every", "starter schedule trigger ID", "starter eval SET.tsv", "starter eval compare A.json B.json", "starter --follow-up ID"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q:\n%s", want, help)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`go run \./starter ([a-z][a-z-]*)`).FindAllStringSubmatch(string(readme), -1) {
		if !listed[m[1]] {
			t.Errorf("README documents `starter %s`, which --help does not list", m[1])
		}
	}
	// Each command's own --help (or -h) shows its usage on stdout, exit 0,
	// as `starter help COMMAND` does: a new user's `starter schedule
	// --help` exited 2 on stderr.
	for _, c := range commands() {
		for _, h := range []string{"--help", "-h"} {
			var o, e bytes.Buffer
			err := run(context.Background(), []string{c.name, h}, &o, &e)
			if first := usageLines(c.usage)[0]; !strings.Contains(o.String(), first) || e.Len() > 0 || exitCode(err) != 0 {
				t.Errorf("starter %s %s = %v (exit %d), stdout:\n%s\nstderr %q, want %q on stdout, exit 0", c.name, h, err, exitCode(err), o.String(), e.String(), first)
			}
		}
	}
	var o, e bytes.Buffer
	err = run(context.Background(), []string{"schedule", "list", "--help"}, &o, &e)
	if !strings.Contains(o.String(), "starter schedule list") || !strings.Contains(o.String(), "-json") || exitCode(err) != 0 {
		t.Errorf("starter schedule list --help = %v, stdout:\n%s", err, o.String())
	}
}

// `starter help` prints the usage, as `go help` does: on stdout, exit 0. A
// new user's `starter help` researched the question "help" ("Help?").
// `starter help COMMAND` prints that command's usage; an unknown command is
// a usage error, not research either.
func TestHelpCommandPrintsUsage(t *testing.T) {
	t.Setenv("RESEARCHFLOW_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"help"}, &out, &errOut); err != nil {
		t.Fatalf("starter help = %v (exit %d), stderr:\n%s", err, exitCode(err), errOut.String())
	}
	if !strings.HasPrefix(out.String(), "usage: "+`starter [research] [flags] "question"`) || !strings.Contains(out.String(), "-corpus") {
		t.Errorf("starter help printed:\n%s", out.String())
	}
	for _, name := range append([]string{"research"}, func() (n []string) {
		for _, c := range commands() {
			n = append(n, c.name)
		}
		return n
	}()...) {
		var o, e bytes.Buffer
		if err := run(context.Background(), []string{"help", name}, &o, &e); err != nil {
			t.Errorf("starter help %s = %v, stderr:\n%s", name, err, e.String())
			continue
		}
		want := `starter [research] [flags] "question"`
		for _, c := range commands() {
			if c.name == name {
				want = usageLines(c.usage)[0]
			}
		}
		if !strings.Contains(o.String(), want) {
			t.Errorf("starter help %s printed:\n%s\nwant %q", name, o.String(), want)
		}
	}
	// Words after a known command are its own; help's own usage; the
	// actions of flags (a new user's `starter help dispute` was "no
	// command").
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"help", "schedule", "trigger"}, []string{"starter schedule trigger ID [--wait]"}},
		{[]string{"help", "help"}, []string{"usage: starter help [COMMAND]"}},
		{[]string{"help", "follow-up"}, []string{"usage: starter --follow-up ID", "  -follow-up ID", "follow-up question"}},
		{[]string{"help", "dispute"}, []string{`starter --dispute ID CLAIM ["reason"]`, "  -dispute ID"}},
		{[]string{"help", "--confirm"}, []string{"(or --confirm ID CLAIM)", "  -confirm ID"}},
	} {
		var o, e bytes.Buffer
		err := run(context.Background(), tc.args, &o, &e)
		for _, want := range tc.want {
			if err != nil || !strings.Contains(o.String(), want) {
				t.Errorf("starter %s = %v, printed:\n%s\nwant %q", strings.Join(tc.args, " "), err, o.String(), want)
			}
		}
	}
	for _, args := range [][]string{{"help", "nosuch"}, {"help", "nosuch", "schedule"}} {
		var o, e bytes.Buffer
		err := run(context.Background(), args, &o, &e)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "starter help") {
			t.Errorf("starter %s = %v, want a usage error naming starter help", strings.Join(args, " "), err)
		}
	}
}
