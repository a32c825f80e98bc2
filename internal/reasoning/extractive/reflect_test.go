package extractive

import (
	"context"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning"
)

func TestReflectFollowsUpOnlyGaps(t *testing.T) {
	e := New(Config{})
	req := reasoning.ReflectRequest{
		Question: "How do channels and mutexes synchronize goroutines?",
		Answered: []reasoning.AnsweredSubQuestion{{
			SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How do channels synchronize goroutines?"},
			Findings:    []string{"A send on a channel happens before the receive completes."},
		}},
		Unanswered: []reasoning.UnansweredSubQuestion{
			{SubQuestion: reasoning.SubQuestion{ID: "sq2", Text: "What are common pitfalls of sync.Mutex copying?"}, Reason: "no passage matched"},
			{SubQuestion: reasoning.SubQuestion{ID: "sq3", Text: "What are the pitfalls?"}, Reason: "no passage matched"},
		},
		MaxFollowUps: 2,
	}
	got, err := e.Reflect(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.FollowUps) != 1 {
		t.Fatalf("follow-ups = %+v, want one (sq3 has no topic words left)", got.FollowUps)
	}
	if f := got.FollowUps[0].Text; !strings.Contains(f, "sync.Mutex") || !strings.Contains(f, "copying") || strings.Contains(f, "pitfalls") {
		t.Errorf("follow-up %q should keep the topic and drop the framing", f)
	}
	// The topic words are listed as words: the follow-up reads as a
	// sentence, not as a question with words missing.
	if f, want := got.FollowUps[0].Text, "What does the documentation say about “sync.Mutex” and “copying”?"; f != want {
		t.Errorf("follow-up %q, want %q", f, want)
	}
	req.MaxFollowUps = 0
	if got, _ := e.Reflect(context.Background(), req); len(got.FollowUps) != 0 {
		t.Errorf("breadth 0 gave follow-ups: %+v", got.FollowUps)
	}
	req.MaxFollowUps, req.Unanswered = 2, nil
	if got, _ := e.Reflect(context.Background(), req); len(got.FollowUps) != 0 {
		t.Errorf("nothing unanswered, yet follow-ups: %+v", got.FollowUps)
	}
}

// A follow-up of "How many …?" still asks how many.
func TestReflectKeepsQuantityQuestion(t *testing.T) {
	q := "How many common pitfalls does copying a sync.Mutex have?"
	got, err := New(Config{}).Reflect(context.Background(), reasoning.ReflectRequest{
		Question:     q,
		Unanswered:   []reasoning.UnansweredSubQuestion{{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}}},
		MaxFollowUps: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.FollowUps) != 1 {
		t.Fatalf("follow-ups = %+v, want one", got.FollowUps)
	}
	if f := got.FollowUps[0].Text; !asksQuantity(f) || !strings.HasSuffix(f, ", and how many?") {
		t.Errorf("follow-up %q no longer asks how many", f)
	}
}

// The ending of a contraction or possessive is no topic word: a follow-up
// never asks about "s hogging disk space".
func TestTopicWordsDropContractionEndings(t *testing.T) {
	for q, want := range map[string]string{
		"How can I see what's hogging my disk space?":     "hogging disk space",
		"How much RAM does the engineer’s laptop need?":   "RAM engineer laptop",
		"Why won't the laptop's fan stop?":                "laptop fan",
		"Where'd the backups go and who'll restore them?": "backups go restore",
		"Is the s flag of sed documented?":                "s flag sed documented",
	} {
		if got := strings.Join(topicWords(q), " "); got != want {
			t.Errorf("topicWords(%q) = %q, want %q", q, got, want)
		}
	}
}

// A broader follow-up asks what the sub-question it broadens asks: a
// follow-up of "What year did the bridge first support trains?" is answered by a year, not
// by any sentence that shares its topic words.
func TestFollowUpAsksWhatItBroadens(t *testing.T) {
	e := New(Config{})
	asked := "What year did the Old Mill bridge first support trains?"
	got, err := e.Reflect(context.Background(), reasoning.ReflectRequest{
		Question:     asked,
		Unanswered:   []reasoning.UnansweredSubQuestion{{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: asked}}},
		MaxFollowUps: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.FollowUps) != 1 || got.FollowUps[0].Broadens != asked {
		t.Fatalf("follow-ups = %+v, want one that broadens %q", got.FollowUps, asked)
	}
	follow := got.FollowUps[0]
	follow.ID = "sq2"
	ps := []reasoning.Passage{
		{ChunkID: "a", SourceID: "a", Title: "Bridges", Text: "The Old Mill bridge first took trains after the river was dredged. Its arches are of local stone."},
		{ChunkID: "b", SourceID: "b", Title: "History", Text: "Carts crossed the river by ferry for centuries. The Old Mill bridge took its first trains in 1931."},
	}
	analyzeAs := func(sq reasoning.SubQuestion) []reasoning.Finding {
		a, err := e.Analyze(context.Background(), reasoning.AnalyzeRequest{Question: asked, SubQuestion: sq, Passages: ps})
		if err != nil {
			t.Fatal(err)
		}
		return a.Findings
	}
	findings := analyzeAs(follow)
	if len(findings) == 0 {
		t.Fatalf("follow-up %q found nothing; want the dated sentence", follow.Text)
	}
	for _, f := range findings {
		if !strings.Contains(f.Text, "1931") {
			t.Errorf("follow-up of %q quoted %q, which dates nothing", asked, f.Text)
		}
	}
	// Without what it broadens, the follow-up's words alone let the undated
	// sentence in (what the check above guards against).
	follow.Broadens = ""
	undated := false
	for _, f := range analyzeAs(follow) {
		undated = undated || !strings.Contains(f.Text, "1931")
	}
	if !undated {
		t.Skip("the follow-up's words alone no longer admit the undated sentence; the check above proves nothing more")
	}
}
