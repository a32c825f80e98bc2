package textproc

import (
	"slices"
	"strings"
	"testing"
)

func topicWords(q string) []string {
	var out []string
	for _, t := range Topics(q) {
		out = append(out, t.Word)
	}
	return out
}

// A question's topic is what it asks about, not the words that ask.
func TestTopics(t *testing.T) {
	for _, tt := range []struct {
		question string
		want     []string
	}{
		{"How often are passwords rotated?", []string{"passwords"}},
		{"How long are the database backups retained?", []string{"database", "backups"}},
		{"To what temperature is a stoneware kiln fired?", []string{"stoneware", "kiln"}},
		{"In which city are backups kept?", []string{"backups"}},
		{"What time does the on-call rotation change?", []string{"call", "rotation"}},
		{"Can you explain what happens when a channel is closed?", []string{"channel", "closed"}},
		{"How many engineers are on call, usually?", []string{"engineers", "call"}},
		{"Tell me more.", nil},
		{"How does sync.Once work?", []string{"sync.once"}},
		// The same word twice, or in two forms, is one topic.
		{"Are passwords rotated, and which password is rotated first?", []string{"passwords", "rotated", "first"}},
	} {
		if got := topicWords(tt.question); !slices.Equal(got, tt.want) {
			t.Errorf("Topics(%q) = %q, want %q", tt.question, got, tt.want)
		}
	}
}

// The noun after "what" or "which" that names the kind of answer is a
// topic marked Asked; the verb is none.
func TestTopicsAskedKind(t *testing.T) {
	for _, tt := range []struct {
		question string
		want     []string
		asked    string
	}{
		{"Which city are the backups kept in?", []string{"backups"}, ""},
		{"Which region are the backups stored in?", []string{"region", "backups"}, "region"},
		{"Which kubectl command undoes the rollout?", []string{"kubectl", "command", "rollout"}, "command"},
		{"What command can undo the rollout?", []string{"command", "rollout"}, "command"},
		{"Which flag does the exporter read?", []string{"flag", "exporter"}, "flag"},
		{"What does the exporter read?", []string{"exporter"}, ""},
	} {
		var asked string
		if got := topicWords(tt.question); !slices.Equal(got, tt.want) {
			t.Errorf("Topics(%q) = %q, want %q", tt.question, got, tt.want)
		}
		for _, tp := range Topics(tt.question) {
			if tp.Asked {
				asked = tp.Word
			}
		}
		if asked != tt.asked {
			t.Errorf("Topics(%q): asked %q, want %q", tt.question, asked, tt.asked)
		}
	}
}

// A command is held by a text that shows one, not by prose that says
// "command".
func TestHoldsKind(t *testing.T) {
	for _, tt := range []struct {
		noun, text string
		want       bool
	}{
		{"command", "To roll back, run:\nkubectl -n payments rollout undo deployment/api", true},
		{"command", "Run `make deploy` from the repository root.", true},
		{"command", "$ git log --oneline", true},
		{"tool", "git log --oneline shows one line a commit", true},
		{"command", "Run kubectl -n payments rollout undo deployment/api.", true},
		{"command", "Rollbacks are done by the on-call engineer.", false},
		{"command", "Call the platform lead -- the team decides.", false},
		{"city", "Backups are kept in Frankfurt.", false},
	} {
		if got := HoldsKind(tt.noun, tt.text); got != tt.want {
			t.Errorf("HoldsKind(%q, %q) = %v, want %v", tt.noun, tt.text, got, tt.want)
		}
	}
}

// A topic is in a text that holds its stem; a code name when the text
// holds it whole or each of its parts.
func TestTopicIn(t *testing.T) {
	for _, tt := range []struct {
		question, text string
		want           []string // the topic words the text lacks
	}{
		{"How often are passwords rotated?", "The on-call rotation changes every Monday at 09:00.", []string{"passwords"}},
		{"How often does the on-call rotation change?", "The on-call rotation changes every Monday at 09:00.", nil},
		{"How does sync.Once work?", "Package sync: the Once type runs a function once.", nil},
		{"How does sync.Once work?", "The Once type of package errgroup.", []string{"sync.once"}},
	} {
		terms := TermSet(tt.text)
		var lacks []string
		for _, tp := range Topics(tt.question) {
			if !tp.In(terms) {
				lacks = append(lacks, tp.Word)
			}
		}
		if !slices.Equal(lacks, tt.want) {
			t.Errorf("%q in %q: lacks %q, want %q", tt.question, tt.text, lacks, tt.want)
		}
	}
}

// The verb a question asks with is found by its place, and is no topic: a
// follow-up "Which city hosts the offsite?" was refused its run's evidence
// because no passage says "hosts".
func TestQuestionSubject(t *testing.T) {
	for q, want := range map[string]string{
		// The words between the auxiliary and a passive verb (or "be"
		// and what the subject is); bare "how" and "why" included.
		"How are backups handled by the Kestrel team?":    "backups",
		"How is the release train scheduled for Fridays?": "release train",
		"Why were the nightly jobs paused?":               "nightly jobs",
		"Which city are the nightly backups kept in?":     "nightly backups",
		"When will the new deploy checklist be ready?":    "new deploy checklist",
		"How long are ledger snapshots kept?":             "ledger snapshots",
		"How often should passwords be rotated?":          "passwords",
		"When has the canary been promoted?":              "canary",
		// The subject of an active verb is often the actor: none.
		"How can a script get the current time?":      "",
		"Why does the build cache grow?":              "",
		"When does the on-call rotation change?":      "",
		"How does the Go runtime preempt goroutines?": "",
		// A pronoun, no subject, or no verb after it: none.
		"How do I cancel a long-running request?": "",
		"Who must approve the release?":           "",
		"What is the offsite budget?":             "",
		"How are you?":                            "",
		"Where are the docs?":                     "",
	} {
		if got := strings.Join(QuestionSubject(q), " "); got != want {
			t.Errorf("QuestionSubject(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestPredicateVerb(t *testing.T) {
	for q, want := range map[string]string{
		"Who approves deploys?": "approves",
		// After a modal the subject runs to "be", and the word after it
		// is asked of it: a participle or an adjective, never a noun of
		// the subject ("deploy" of "the new deploy checklist").
		"When will the new deploy checklist be ready?": "ready",
		"When will the quarterly report be due?":       "due",
		"Where will the team offsite be held?":         "held",
		"Who performs roll-backs of releases?":         "performs",
		"What caused the November outage?":             "caused",
		"Which city hosts the offsite?":                "hosts",
		"Where is the offsite held?":                   "held",
		"How long are ledger snapshots kept?":          "kept",
		"How often are passwords rotated?":             "rotated",
		"When was the mirror launched?":                "launched",
		"How is a cache.Entry evicted?":                "evicted",
		"What is the offsite budget?":                  "",
		"Who is the release manager?":                  "",
		"What files does git ignore?":                  "ignore",
		"How do I cancel a long-running request?":      "",
		"Where are the docs?":                          "",
		// A modal or "do", the subject, then the verb: found by its
		// place after the subject.
		"How long must the canary stay green before promotion?": "stay",
		"When does the on-call rotation change?":                "change",
		"What time does the on-call rotation change?":           "change",
		"When should the database backups run?":                 "run",
		"How often should passwords be rotated?":                "rotated",
		"How long will the snapshots be kept?":                  "kept",
		"Where do I file expense reports?":                      "file",
		"When did the mirror launch?":                           "launch",
		"When has the canary been promoted?":                    "promoted",
		"Who must approve the release?":                         "approve",
		"Which city will host the offsite?":                     "host",
		"Who does the on-call engineer page first?":             "page",
		// A wh-word and the noun that names the kind of answer, "be",
		// the subject and a participle: the participle is the verb.
		"Which city are the backups kept in?":                "kept",
		"Which city are the nightly backups kept in?":        "kept",
		"What region were the audit logs shipped to?":        "shipped",
		"Which datacenter is the primary replica hosted in?": "hosted",
		"Which team was the incident escalated to?":          "escalated",
		"What kubectl command can undo the rollout?":         "undo",
		"Which bucket does the exporter write to?":           "write",
		// "What/which", a noun phrase, the verb, a noun phrase.
		"Which kubectl command undoes the rollout?":      "undoes",
		"Which helm chart deploys the gateway?":          "deploys",
		"What config flag disables the cache?":           "disables",
		"In which city are the backups kept?":            "kept",
		"To what temperature is a stoneware kiln fired?": "fired",
		"Which city is the offsite?":                     "",
		"Which team is responsible for backups?":         "",
		"How many days must a canary soak?":              "",
		"Why did the deploy fail?":                       "",
		"How can I restart the worker?":                  "",
		"Who does code review?":                          "",
		"When does the rotation?":                        "",
		"Where should logs?":                             "",
	} {
		if got := PredicateVerb(q); got != want {
			t.Errorf("PredicateVerb(%q) = %q, want %q", q, got, want)
		}
	}
	topics := func(q string) []string {
		var out []string
		for _, tp := range Topics(q) {
			out = append(out, tp.Word)
		}
		return out
	}
	if got := topics("Which city hosts the offsite?"); !slices.Equal(got, []string{"offsite"}) {
		t.Errorf("Topics = %q, want the offsite alone", got)
	}
	// A follow-up "How long must the canary stay green before
	// promotion?" is about the canary, green and promotion: a passage
	// that says "remain" for "stay" speaks of them.
	if got := topics("How long must the canary stay green before promotion?"); !slices.Equal(got, []string{"canary", "green", "promotion"}) {
		t.Errorf("Topics = %q, want canary, green, promotion", got)
	}
}

// The noun that names the kind of answer is found after the wh-word, or
// heading the phrase before the auxiliary or the verb.
func TestAskedKind(t *testing.T) {
	for q, want := range map[string]string{
		"Which city are the backups kept in?":         "city",
		"In which city are the backups kept?":         "city",
		"Which kubectl command undoes the rollout?":   "command",
		"What config flag disables the cache?":        "flag",
		"Which region are the backups stored in?":     "region",
		"What time does the on-call rotation change?": "time",
		"What does the exporter read?":                "",
		"How long are the backups kept?":              "",
		"Who approves deploys?":                       "",
	} {
		if got := AskedKind(q); got != want {
			t.Errorf("AskedKind(%q) = %q, want %q", q, got, want)
		}
	}
}

// A question asking which document speaks of a topic is about the topic:
// the document noun and the verb of saying are no topic words, so that no
// passage need write "notes" to answer "Which notes mention the canary?".
func TestTopicsOfAQuestionAskingForTheSource(t *testing.T) {
	for _, tt := range []struct {
		question   string
		want       []string
		noun, verb string
	}{
		{"Which notes mention the canary?", []string{"canary"}, "notes", "mention"},
		{"Which notes say anything about the canary?", []string{"canary"}, "notes", "say"},
		{"What document explains the rollback procedure?", []string{"rollback", "procedure"}, "document", "explains"},
		{"Which pages describe backups?", []string{"backups"}, "pages", "describe"},
		// A file's name is an answer of its own: the file is asked for.
		{"Which file does git read for excludes?", []string{"file", "git", "excludes"}, "", ""},
		{"Which notes are kept for a year?", []string{"notes", "kept", "year"}, "", ""},
	} {
		if got := topicWords(tt.question); !slices.Equal(got, tt.want) {
			t.Errorf("Topics(%q) = %q, want %q", tt.question, got, tt.want)
		}
		if noun, verb := AsksForSource(tt.question); noun != tt.noun || verb != tt.verb {
			t.Errorf("AsksForSource(%q) = %q, %q, want %q, %q", tt.question, noun, verb, tt.noun, tt.verb)
		}
	}
}
