package typo

import "testing"

func TestNearest(t *testing.T) {
	names := []string{"handbook", "notes", "list", "kestrel"}
	for _, tt := range []struct{ word, want string }{
		{"hanbook", "handbook"},
		{"Notes", "notes"},
		{"NOTES", "notes"},
		{"lst", "list"},
		{"lits", "list"},
		{"kettle", ""}, // three edits from kestrel
		{"ls", ""},     // two edits from a four-letter name
		{"notes", ""},  // itself
		{"weather", ""},
	} {
		if got := Nearest(tt.word, names); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"list", "list", 0}, {"lst", "list", 1}, {"lsit", "list", 1}, {"shedule", "schedule", 1}, {"", "abc", 3},
		{"ingst", "ingest", 1}, {"ingets", "ingest", 1}, {"hlep", "help", 1}, {"stock", "stop", 2}, {"", "eval", 4},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// A name's other number or its abbreviation is suggested however many
// edits apart: `starter corpus` (three from corpora) was researched as a
// question. A longer word that starts with a name is not its form.
func TestNearestForms(t *testing.T) {
	commands := []string{"ingest", "corpora", "schedule", "budget", "finish", "eval", "stop", "research", "help"}
	for _, tt := range []struct{ word, want string }{
		{"corpus", "corpora"},
		{"Corpus", "corpora"},
		{"corp", "corpora"},
		{"sched", "schedule"},
		{"schedules", "schedule"},
		{"evals", "eval"},
		{"scheduling", ""},
		{"sch", ""},
		{"stopper", ""},
	} {
		if got := Nearest(tt.word, commands); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	for _, tt := range []struct {
		word, name string
		want       bool
	}{
		{"corpus", "corpora", true}, {"corpora", "corpus", true}, {"index", "indices", true},
		{"policy", "policies", true}, {"criterion", "criteria", true}, {"notes", "note", true},
		{"hand", "handbook", true}, {"handbook", "hand", false}, {"bus", "bi", false},
		{"corpus", "corpus", false}, {"ops", "opsdocs", false},
	} {
		if got := Forms(tt.word, tt.name); got != tt.want {
			t.Errorf("Forms(%q, %q) = %v, want %v", tt.word, tt.name, got, tt.want)
		}
	}
}
