package workflows

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
)

// The cap on findings per sub-question is a ceiling the evidence decides
// under: a sub-question that many strong sentences answer keeps more than
// five of them (issue 18: report length follows the evidence), while one
// with a single on-topic sentence gets one.
func TestMaxFindingsFollowsTheEvidence(t *testing.T) {
	rich := reasoning.Passage{ChunkID: "c1", SourceID: "s1", Title: "Buffered channels", Location: "/chan.md", Score: 0.9, Text: `A send on a buffered channel blocks only when the buffer of the channel is full.
A receive from a buffered channel blocks only when the buffer of the channel is empty.
The capacity of a buffered channel is fixed when the channel is made with make.
The len function reports how many elements are queued in the buffer of a buffered channel.
The cap function reports the size of the buffer of a buffered channel.
Closing a buffered channel still lets receivers drain the elements left in its buffer.
A buffered channel with capacity one can serve as a semaphore around a critical section.
Elements leave a buffered channel in the order they were sent into its buffer.`}
	sparse := reasoning.Passage{ChunkID: "c2", SourceID: "s2", Title: "Notes", Location: "/notes.md", Score: 0.9, Text: `A send on a buffered channel blocks only when the buffer of the channel is full.
Tomatoes need full sun and regular watering during the summer months.
Harvest the fruit when it is firm and fully colored.`}
	// One chunk a sentence, so that no finding's window quotes another.
	var chunks []reasoning.Passage
	for i, line := range strings.Split(rich.Text, "\n") {
		c := rich
		c.ChunkID, c.Text = fmt.Sprintf("c1-%d", i), line
		chunks = append(chunks, c)
	}
	analyze := func(ps ...reasoning.Passage) int {
		a, err := extractive.New(extractive.Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{
			Question:    "How does the buffer of a buffered channel behave?",
			SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How does the buffer of a buffered channel behave?"},
			Passages:    ps,
			MaxFindings: maxFindings,
		})
		if err != nil {
			t.Fatal(err)
		}
		return len(a.Findings)
	}
	if n := analyze(chunks...); n <= 5 {
		t.Errorf("eight sentences about the buffer: %d findings, want more than 5", n)
	}
	if n := analyze(sparse); n != 1 {
		t.Errorf("one sentence about the buffer: %d findings, want 1", n)
	}
}
