package extractive

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

func plan(t *testing.T, q string, max int) reasoning.Plan {
	t.Helper()
	p, err := New(Config{}).Plan(context.Background(), reasoning.PlanRequest{Question: q, MaxSubQuestions: max})
	if err != nil {
		t.Fatalf("Plan(%q): %v", q, err)
	}
	return p
}

func texts(p reasoning.Plan) []string {
	var out []string
	for _, s := range p.SubQuestions {
		out = append(out, s.Text)
	}
	return out
}

func TestPlanRealQuestions(t *testing.T) {
	tests := []struct {
		q    string
		max  int
		want []string // exactly these sub-questions, in order
	}{
		{"What does the Go memory model guarantee about channel communication?", 4, []string{
			"What does the Go memory model guarantee about channel communication?",
			"What is the Go memory model?",
			"How does channel communication work in the Go memory model?",
			"What are common pitfalls and limits of channel communication?",
		}},
		{"goroutines", 4, []string{
			"What are goroutines?",
			"How do goroutines work?",
			"What rules and guarantees apply to goroutines?",
			"What are common pitfalls and limits of goroutines?",
		}},
		{"how does sync.Mutex work and when should I use it instead of channels", 4, []string{
			"How does sync.Mutex work and when should I use it instead of channels?",
			"How does sync.Mutex work?",
			"When should I use sync.Mutex instead of channels?",
			"What is sync.Mutex?",
		}},
		{"What is the difference between buffered and unbuffered channels?", 3, []string{
			"What is the difference between buffered and unbuffered channels?",
			"What are buffered channels?",
			"What are unbuffered channels?",
		}},
		{"How do I cancel a request with context.Context in net/http?", 3, []string{
			"How do I cancel a request with context.Context in net/http?",
			"What is net/http?",
			"How does context.Context work in net/http?",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			p := plan(t, tt.q, tt.max)
			if got := texts(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan =\n%q\nwant\n%q", got, tt.want)
			}
			if p.Engine != Name {
				t.Errorf("Engine = %q, want %q", p.Engine, Name)
			}
		})
	}
}

func TestPlanReasonsAndIDs(t *testing.T) {
	p := plan(t, "How does sync.Mutex work and when should I use it instead of channels?", 6)
	for i, s := range p.SubQuestions {
		if want := fmt.Sprintf("sq%d", i+1); s.ID != want {
			t.Errorf("sub-question %d has ID %q, want %q", i, s.ID, want)
		}
		if s.Reason == "" {
			t.Errorf("%s has no reason", s.ID)
		}
	}
	if got := p.SubQuestions[2].Reason; got != "clause 2 of the question" {
		t.Errorf("sq3 reason = %q, want clause 2", got)
	}
}

func TestPlanBoundsAndNoNearDuplicates(t *testing.T) {
	questions := []string{
		"What does the Go memory model guarantee about channel communication?",
		"goroutines",
		"Explain \"happens before\" in Go; what are common data race pitfalls?",
		"Why is my program deadlocking",
		"What is a goroutine?",
		"How are maps implemented in the Go runtime and are they safe for concurrent use?",
	}
	for _, q := range questions {
		for _, max := range []int{-1, 0, 1, 2, 3, 4, 6, 10} {
			p := plan(t, q, max)
			limit := max
			if limit <= 0 {
				limit = DefaultMaxSubQuestions
			}
			limit = min(limit, MaxSubQuestionsLimit)
			if n := len(p.SubQuestions); n < 1 || n > limit {
				t.Errorf("Plan(%q, %d) gave %d sub-questions, want 1..%d", q, max, n, limit)
			}
			for i, a := range p.SubQuestions {
				for _, b := range p.SubQuestions[:i] {
					if c := textproc.Cosine(textproc.TermVector(a.Text), textproc.TermVector(b.Text)); c >= nearDuplicate {
						t.Errorf("Plan(%q): %q and %q are near duplicates (cosine %.2f)", q, a.Text, b.Text, c)
					}
				}
			}
			if p.SubQuestions[0].Reason != "the question as asked" {
				t.Errorf("Plan(%q): first sub-question %q is not the question", q, p.SubQuestions[0].Text)
			}
		}
	}
	// Short questions still give several facets.
	if n := len(plan(t, "goroutines", 6).SubQuestions); n < 3 {
		t.Errorf("goroutines gave %d sub-questions, want at least 3", n)
	}
}

func TestPlanDeterministic(t *testing.T) {
	q := "What does the Go memory model guarantee about \"happens before\" and sync.WaitGroup?"
	first := plan(t, q, 6)
	for range 20 {
		if got := plan(t, q, 6); !reflect.DeepEqual(got, first) {
			t.Fatalf("plan changed:\n%+v\nfirst\n%+v", got, first)
		}
	}
}

func TestPlanRejectsEmpty(t *testing.T) {
	for _, q := range []string{"", "   ", "???"} {
		if _, err := New(Config{}).Plan(context.Background(), reasoning.PlanRequest{Question: q}); err == nil {
			t.Errorf("Plan(%q) succeeded, want error", q)
		}
	}
}

func TestNormalizeQuestion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  what is   a channel ??", "What is a channel?"},
		{"sync.WaitGroup", "What is sync.WaitGroup?"},
		{"Explain the scheduler", "Explain the scheduler."},
		{"explain the scheduler?", "Explain the scheduler?"},
		{"Go generics", "What are Go generics?"},
	}
	for _, tt := range tests {
		if got := normalizeQuestion(tt.in); got != tt.want {
			t.Errorf("normalizeQuestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := strings.TrimSpace(normalizeQuestion("   ")); got != "" {
		t.Errorf("blank question normalized to %q", got)
	}
}

// A one-word setting is not defined ("What is Go?" retrieves nothing
// specific from a corpus about Go); a named one is.
func TestPlanDefinesOnlySpecificSettings(t *testing.T) {
	e := New(Config{})
	p, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: "How do I cancel a long-running HTTP request in Go?", MaxSubQuestions: 6})
	if err != nil {
		t.Fatal(err)
	}
	for _, sq := range p.SubQuestions {
		if sq.Text == "What is Go?" {
			t.Errorf("plan defines the one-word setting: %+v", p.SubQuestions)
		}
	}
	p, _ = e.Plan(context.Background(), reasoning.PlanRequest{Question: "What does the Go memory model guarantee about channel communication?", MaxSubQuestions: 6})
	found := false
	for _, sq := range p.SubQuestions {
		found = found || sq.Text == "What is the Go memory model?"
	}
	if !found {
		t.Errorf("plan does not define the named setting: %+v", p.SubQuestions)
	}
}
