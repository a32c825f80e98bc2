package textproc

import (
	"slices"
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
		{"To what temperature is a stoneware kiln fired?", []string{"stoneware", "kiln", "fired"}},
		{"In which city are backups kept?", []string{"backups", "kept"}},
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
func TestPredicateVerb(t *testing.T) {
	for q, want := range map[string]string{
		"Who approves deploys?":                   "approves",
		"Who performs roll-backs of releases?":    "performs",
		"What caused the November outage?":        "caused",
		"Which city hosts the offsite?":           "hosts",
		"Where is the offsite held?":              "held",
		"How long are ledger snapshots kept?":     "kept",
		"How often are passwords rotated?":        "rotated",
		"When was the mirror launched?":           "launched",
		"How is a cache.Entry evicted?":           "evicted",
		"What is the offsite budget?":             "",
		"Who is the release manager?":             "",
		"What files does git ignore?":             "",
		"How do I cancel a long-running request?": "",
		"Where are the docs?":                     "",
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
		"How many days must a canary soak?":                     "",
		"Why did the deploy fail?":                              "",
		"How can I restart the worker?":                         "",
		"Who does code review?":                                 "",
		"When does the rotation?":                               "",
		"Where should logs?":                                    "",
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
