package llm

import (
	"context"
	"reflect"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

var testPassages = []reasoning.Passage{
	{ChunkID: "c-ctx-1", SourceID: "s-ctx", Title: "Package context", Text: "A Context carries a deadline and a cancellation signal.", Score: 0.9},
	{ChunkID: "c-blog-1", SourceID: "s-blog", Title: "Go Concurrency Patterns: Context", Text: "Cancelling a context cancels all contexts derived from it.", Score: 0.8},
	{ChunkID: "c-ctx-2", SourceID: "s-ctx", Title: "Package context", Text: "WithTimeout returns WithDeadline(parent, time.Now().Add(timeout)).", Score: 0.7},
}

func analyzeRequest() reasoning.AnalyzeRequest {
	return reasoning.AnalyzeRequest{
		Question:    "How does context cancellation work?",
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "What does cancelling a context do?"},
		Passages:    testPassages,
		MaxFindings: 5,
	}
}

func TestAnalyzeBindsFindingsToGivenPassages(t *testing.T) {
	answer := `<think>Let me look at P1 … P3.</think>
{"findings":[
  {"text":"A context carries a deadline and a cancellation signal [1].","passage":1},
  {"text":"Cancelling a context also cancels its derived contexts.","passage":"P2"},
  {"text":"Contexts are stored in a database.","passage":7},
  {"text":"WithTimeout is WithDeadline with now plus the timeout.","passage":3}
 ],
 "conflicts":[
  {"text":"Whether cancellation propagates to parents","passages":[1,2]},
  {"text":"Same source cannot conflict with itself","passages":[1,3]},
  {"text":"Cites an unknown passage","passages":[2,9]}
 ]}`
	f := newFakeServer(t, llmtest.Reply{Content: answer, Prompt: 300, Completion: 80})
	e := newTestEngine(t, f, &setup{})

	got, err := e.Analyze(context.Background(), analyzeRequest())
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	var chunks []string
	for _, fd := range got.Findings {
		chunks = append(chunks, fd.ChunkID)
		if strings.Contains(fd.Text, "[") {
			t.Errorf("finding keeps a citation marker: %q", fd.Text)
		}
	}
	if want := []string{"c-ctx-1", "c-blog-1", "c-ctx-2"}; !reflect.DeepEqual(chunks, want) {
		t.Errorf("finding chunks: got %v, want %v (passage 7 was never given)", chunks, want)
	}
	if got, want := got.Findings[1].SourceID, "s-blog"; got != want {
		t.Errorf("SourceID: got %q, want %q", got, want)
	}
	if len(got.Conflicts) != 1 || !strings.Contains(got.Conflicts[0], "Package context; Go Concurrency Patterns: Context") {
		t.Errorf("conflicts: got %q, want one naming both sources", got.Conflicts)
	}
	if got, want := got.Engine, "llm analyst=openai/test-model@analyst-v1"; got != want {
		t.Errorf("Engine: got %q, want %q", got, want)
	}
	body := bodies(f)[0]
	for _, want := range []string{"P1", "P3", "Package context", "What does cancelling a context do?"} {
		if !strings.Contains(body, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
	if strings.Contains(body, "c-ctx-1") {
		t.Errorf("prompt exposes chunk IDs instead of passage numbers")
	}
}

// An answer still unusable after its repair is final: the same input would
// get the same answer, so retrying would only pay for it again.
func TestAnalyzeRepairThenInvalidIsPermanent(t *testing.T) {
	f := newFakeServer(t,
		llmtest.Reply{Content: "<thinking>never closed… the findings are", Prompt: 10, Completion: 10},
		llmtest.Reply{Content: `{"conflicts":[]}`, Prompt: 10, Completion: 10},
	)
	e := newTestEngine(t, f, &setup{})
	_, err := e.Analyze(context.Background(), analyzeRequest())
	fe, ok := fault.Classify(err)
	if !ok || !fe.Permanent || fe.Kind != KindInvalidOutput {
		t.Fatalf("got %v, want permanent %s", err, KindInvalidOutput)
	}
	if !strings.Contains(bodies(f)[1], "empty") {
		t.Errorf("repair request does not say the answer was empty: %s", bodies(f)[1])
	}
}

func writeRequest() reasoning.WriteRequest {
	return reasoning.WriteRequest{
		Question: "How does context cancellation work?",
		Sections: []reasoning.SectionInput{{
			SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "What does cancelling a context do?"},
			Findings: []reasoning.CitedFinding{
				{Finding: reasoning.Finding{Text: "A context carries a cancellation signal.", ChunkID: "c-ctx-1", SourceID: "s-ctx"}, N: 1},
				{Finding: reasoning.Finding{Text: "Cancelling a context cancels derived contexts.", ChunkID: "c-blog-1", SourceID: "s-blog"}, N: 2},
			},
		}},
		Sources: []rf.Source{
			{N: 1, SourceID: "s-ctx", Title: "Package context", Location: "src/context/context.go"},
			{N: 2, SourceID: "s-blog", Title: "Go Concurrency Patterns: Context", Location: "blog/context"},
		},
	}
}

const draftWithBadCites = `{"title":"Context cancellation",
 "summary":[{"text":"Cancelling a context cancels its children [2].","cites":[2]},
            {"text":"Contexts were invented in 1970 [9].","cites":[]}],
 "sections":[{"heading":"","sentences":[
   {"text":"A context carries a cancellation signal.","cites":[1,9]},
   {"text":"Derived contexts are cancelled too.","cites":[2]}]}]}`

func TestWriteRepairsOutOfListCitations(t *testing.T) {
	repaired := `{"title":"Context cancellation",
 "summary":[{"text":"Cancelling a context cancels its children.","cites":[2]}],
 "sections":[{"heading":"Cancelling","sentences":[{"text":"A context carries a cancellation signal [1].","cites":[]}]}]}`
	f := newFakeServer(t,
		llmtest.Reply{Content: draftWithBadCites, Prompt: 500, Completion: 120},
		llmtest.Reply{Content: repaired, Prompt: 700, Completion: 90},
	)
	e := newTestEngine(t, f, &setup{})
	d, err := e.Write(context.Background(), writeRequest())
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if !strings.Contains(bodies(f)[1], "not in the source list: 9") {
		t.Errorf("repair request does not name the invalid number 9: %s", bodies(f)[1])
	}
	if got, want := d.Sections[0].Sentences[0], (reasoning.Sentence{Text: "A context carries a cancellation signal.", Cites: []int{1}}); !reflect.DeepEqual(got, want) {
		t.Errorf("sentence: got %+v, want %+v (inline [1] moved to Cites)", got, want)
	}
	if got, want := d.Usage, (rf.Usage{PromptTokens: 1200, CompletionTokens: 210, Calls: 2}); got != want {
		t.Errorf("usage: got %+v, want %+v", got, want)
	}
	if got, want := d.Engine, "llm writer=openai/test-model@writer-v1"; got != want {
		t.Errorf("Engine: got %q, want %q", got, want)
	}
}

func TestWriteRemovesCitationsStillInvalidAfterRepair(t *testing.T) {
	f := newFakeServer(t,
		llmtest.Reply{Content: draftWithBadCites, Prompt: 500, Completion: 120},
		llmtest.Reply{Content: draftWithBadCites, Prompt: 700, Completion: 120},
	)
	e := newTestEngine(t, f, &setup{})
	d, err := e.Write(context.Background(), writeRequest())
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	want := reasoning.Draft{
		Title: "How does context cancellation work?", // the question, not the model's "Context cancellation"
		Summary: []reasoning.Sentence{
			{Text: "Cancelling a context cancels its children.", Cites: []int{2}},
			{Text: "Contexts were invented in 1970.", Cites: nil},
		},
		Sections: []reasoning.DraftSection{{
			Heading: "What does cancelling a context do?",
			Sentences: []reasoning.Sentence{
				{Text: "A context carries a cancellation signal.", Cites: []int{1}},
				{Text: "Derived contexts are cancelled too.", Cites: []int{2}},
			},
		}},
	}
	d.Engine, d.Usage = "", rf.Usage{}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("draft:\ngot  %+v\nwant %+v", d, want)
	}
}

func TestWriteInvalidJSONTwiceIsPermanent(t *testing.T) {
	f := newFakeServer(t, llmtest.Reply{Content: "Here is your report: ..."}, llmtest.Reply{Content: `{"title":"x","summary":[],"sections":[]}`})
	e := newTestEngine(t, f, &setup{})
	_, err := e.Write(context.Background(), writeRequest())
	fe, ok := fault.Classify(err)
	if !ok || !fe.Permanent || fe.Kind != KindInvalidOutput {
		t.Fatalf("got %v, want permanent %s", err, KindInvalidOutput)
	}
}

func TestTakeCiteMarkers(t *testing.T) {
	tests := []struct {
		in    string
		text  string
		cites []int
	}{
		{"Plain sentence.", "Plain sentence.", nil},
		{"One [1].", "One.", []int{1}},
		{"Two [1][3] here.", "Two here.", []int{1, 3}},
		{"List [2, 4; 5].", "List.", []int{2, 4, 5}},
		{"Keeps [sic] words.", "Keeps [sic] words.", nil},
		// Issue 19 item 12: indexes and numbers in the sentence stay.
		{"The oldest is buf[0] [1].", "The oldest is buf[0].", []int{1}},
		{"bits [0] to [3] hold the channel [2].", "bits [0] to [3] hold the channel.", []int{2}},
		// A word that starts with a dot keeps the space before it.
		{"Run go test -run '^TestFoo$' ./... [2], or edit .bashrc [3].", "Run go test -run '^TestFoo$' ./..., or edit .bashrc.", []int{2, 3}},
	}
	for _, tt := range tests {
		text, cites := takeCiteMarkers(tt.in)
		if text != tt.text || !reflect.DeepEqual(cites, tt.cites) {
			t.Errorf("takeCiteMarkers(%q): got %q %v, want %q %v", tt.in, text, cites, tt.text, tt.cites)
		}
	}
}
