package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// helpArgs ask each of the starter's flag sets for its --help.
var helpArgs = [][]string{
	{},
	{"ingest"},
	{"schedule", "create"},
	{"schedule", "list"},
	{"schedule", "pause"},
	{"schedule", "trigger"},
	{"budget"},
	{"finish"},
	{"eval"},
}

// flagLine is a flag's first line in PrintDefaults: "  -name ARG".
var flagLine = regexp.MustCompile(`^  -(\S+)(?: (.*))?$`)

// argName is what a flag's argument may be shown as: a placeholder in
// capitals (from a back-quoted word of its usage) or the flag package's
// name of its type.
var argName = regexp.MustCompile(`^([A-Z][A-Z_]*|string|int|uint|float|duration|value)$`)

// The flag package shows the first back-quoted text of a usage string as
// the flag's argument: `starter --help` showed "-budget-timeout starter
// budget" and "-require-approval temporal workflow update execute --name
// approvePlan" (a bool flag that takes no argument). Every flag's argument
// is a placeholder or its type, a bool flag shows none, and no back quote
// is left in the text.
func TestFlagArgumentNames(t *testing.T) {
	t.Setenv("RESEARCHFLOW_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
	for _, prefix := range helpArgs {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), append(slices.Clone(prefix), "--help"), &out, &errOut); !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("starter %v --help = %v", prefix, err)
		}
		help := out.String() // the usage asked for is on stdout
		if strings.Contains(help, "`") {
			t.Errorf("starter %v --help shows a back quote (a second back-quoted word in a usage string):\n%s", prefix, help)
		}
		n := 0
		for _, l := range strings.Split(help, "\n") {
			m := flagLine.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			n++
			name, arg := m[1], m[2]
			if arg == "" {
				continue
			}
			if !argName.MatchString(arg) {
				t.Errorf("starter %v: -%s shows its argument as %q, want a NAME in capitals or its type", prefix, name, arg)
			}
			// A bool flag with an argument name: "-x=notabool" is refused
			// as a boolean only by a bool flag.
			args := append(slices.Clone(prefix), "-"+name+"=notabool", "--help")
			if err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}); err != nil && strings.Contains(err.Error(), "invalid boolean value") {
				t.Errorf("starter %v: bool flag -%s shows an argument %q", prefix, name, arg)
			}
		}
		if n == 0 {
			t.Errorf("starter %v --help lists no flag:\n%s", prefix, help)
		}
	}
}

// An unknown flag is one error line (main prints it), not the flag
// package's line, then the whole usage, then the same error again.
func TestUnknownFlagSaysSoOnce(t *testing.T) {
	t.Setenv("RESEARCHFLOW_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
	for _, args := range [][]string{
		{"--bogus", "x"},
		{"ingest", ".", "--bogus"},
		{"schedule", "create", "--bogus", "x"},
		{"budget", "research-1", "--bogus"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "-bogus") || !strings.Contains(err.Error(), "--help") {
			t.Errorf("%q: %v (exit %d), want a usage error naming -bogus and --help", args, err, exitCode(err))
		}
		if errOut.Len() != 0 || out.Len() != 0 {
			t.Errorf("%q printed beside its error:\nstderr %s\nstdout %s", args, errOut.String(), out.String())
		}
	}
}
