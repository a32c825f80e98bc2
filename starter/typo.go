package main

import (
	"os"
	"slices"
	"strings"

	"github.com/researchflow/researchflow/internal/typo"
)

// misspeltCommand refuses, as a usage error, a first argument that is a
// command mistyped: `starter ingst ./notes` researched the question
// "ingst ./notes", `starter shedule list` the question "shedule list". It
// is careful not to refuse a question: the first argument must be one word
// of letters, not a command, within Damerau-Levenshtein distance 2 of one
// (1 for the four-letter ones: "stop", "eval", "help") or a form of one
// (its other number or its start: "corpus", "sched"; typo.Forms), and the arguments
// after it must fit that command (fitsCommand): flags, their values and
// paths for any; for schedule, one of its subcommands (or a typo of one);
// for ingest, one folder; for finish and budget, one run ID; each with
// its flags. A question quoted as
// one argument ("why is the sky blue"), or after `starter research`, is
// never refused.
func misspeltCommand(args []string) error {
	if len(args) == 0 {
		return nil
	}
	word := args[0]
	if !isWord(word) {
		return nil
	}
	names := []string{"research", "help"}
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if slices.Contains(names, word) {
		return nil
	}
	best := typo.Nearest(word, names)
	if best == "" || !fitsCommand(best, args[1:]) {
		return nil
	}
	return usageError("unknown command %q; did you mean %q? (to research it as a question, quote it or use `starter research …`)", word, best)
}

// fitsCommand reports whether args have the shape of command's arguments,
// so that a mistyped command word before them is a command, not a question.
func fitsCommand(command string, args []string) bool {
	if pathsAndFlags(args) {
		return true
	}
	switch command {
	case "schedule":
		// `starter shedule list`: its subcommand, or a typo of one.
		return len(args) > 0 && nearOneOf(args[0], scheduleCommands)
	case "ingest":
		// `starter ingst notes`: one folder, a path or one bare name (a
		// folder that is not there is ingest's own error to say).
		words := positionals(args, "no-wait", "prune")
		return len(words) == 1 && (looksLikePath(words[0]) || looksLikeRunID(words[0]))
	case "finish", "budget":
		// `starter finsh research-x`, `starter budgte x --max-tokens 5`.
		words := positionals(args, "json")
		return len(words) == 1 && looksLikeRunID(words[0])
	}
	return false
}

// unknownSubcommand is the usage error of word, which is none of the
// subcommands (names) of command ("schedule", "eval", "help"): it names
// the one meant when word is a typo of one (typo.Nearest, as a mistyped
// command is named by misspeltCommand), else lists them.
func unknownSubcommand(command, word string, names []string) error {
	if near := typo.Nearest(word, names); near != "" {
		return usageError("unknown %s command %q; did you mean %q?", command, word, near)
	}
	return usageError("unknown %s command %q; the commands are: %s", command, word, strings.Join(names, ", "))
}

// scheduleCommands are the subcommands of `starter schedule`.
var scheduleCommands = []string{"create", "list", "show", "pause", "resume", "trigger", "delete"}

// nearOneOf reports whether word is one of names or a typo of one
// (typo.Nearest).
func nearOneOf(word string, names []string) bool {
	return isWord(word) && (slices.Contains(names, strings.ToLower(word)) || typo.Nearest(word, names) != "")
}

// positionals are args without their flags and flags' values; a flag named
// in boolFlags takes no value.
func positionals(args []string, boolFlags ...string) []string {
	var out []string
	value := false // the argument before was a flag wanting a value
	for _, a := range args {
		switch {
		case a == "--":
			value = false
		case strings.HasPrefix(a, "-") && len(a) > 1:
			name := strings.TrimLeft(a, "-")
			value = !strings.Contains(name, "=") && !slices.Contains(boolFlags, name)
		case value:
			value = false
		default:
			out = append(out, a)
		}
	}
	return out
}

// looksLikeRunID reports whether s is one token that may be a run ID
// ("research-x", "x"): letters, digits, '-' and '_', no question mark.
func looksLikeRunID(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// isWord reports whether s is one word of two or more ASCII letters.
func isWord(s string) bool {
	if len(s) < 2 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// pathsAndFlags reports whether every argument is a flag ("--corpus",
// "-n=3"), the value after a flag without "=", or a path ("./notes",
// "~/x", "a/b", "notes.md", or one that exists).
func pathsAndFlags(args []string) bool {
	value := false // the argument before was a flag wanting a value
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "-"):
			value = !strings.Contains(a, "=")
			continue
		case value && !strings.ContainsAny(a, " \t\n?"):
		case looksLikePath(a):
		default:
			return false
		}
		value = false
	}
	return true
}

func looksLikePath(a string) bool {
	if a == "" || strings.ContainsAny(a, "\n?") {
		return false
	}
	if strings.HasPrefix(a, ".") || strings.HasPrefix(a, "~") || strings.ContainsAny(a, `/\`) {
		return true
	}
	if strings.ContainsRune(a, ' ') {
		return false
	}
	if i := strings.LastIndexByte(a, '.'); i > 0 && i < len(a)-1 {
		return true // notes.md, go-docs.tsv
	}
	_, err := os.Stat(a)
	return err == nil
}
