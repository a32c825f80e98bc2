package extractive

import (
	"context"
	"reflect"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/reasoning"
)

func cited(text string, n int, score float64) reasoning.CitedFinding {
	return reasoning.CitedFinding{Finding: reasoning.Finding{Text: text, ChunkID: "c", SourceID: "s", Score: score}, N: n}
}

func TestWrite(t *testing.T) {
	req := reasoning.WriteRequest{
		Question: "What does the Go memory model guarantee about channels?",
		Sources:  []rf.Source{{N: 1, Title: "Memory model"}, {N: 2, Title: "sync"}, {N: 3, Title: "Effective Go"}},
		Sections: []reasoning.SectionInput{
			{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "What does the Go memory model guarantee about channels?"}, Findings: []reasoning.CitedFinding{
				cited("A send on a channel is synchronized before the receive completes.", 1, 0.9),
				cited("Closing a channel is synchronized before a receive of the zero value.", 1, 0.8),
				cited("Unbuffered channels combine communication with synchronization.", 3, 0.5),
			}},
			{SubQuestion: reasoning.SubQuestion{ID: "sq2", Text: "What is a Mutex?"}, Findings: []reasoning.CitedFinding{
				cited("A Mutex is a mutual exclusion lock.", 2, 0.7),
				// Found again, scoring better here than in sq1: it moves here.
				cited("Unbuffered channels combine communication with synchronization.", 3, 0.6),
				// The same sentence from another source: one sentence citing both.
				cited("A Mutex is a mutual exclusion lock.", 1, 0.4),
				cited("A finding whose source has no number.", 7, 0.99),
			}},
			{SubQuestion: reasoning.SubQuestion{ID: "sq3", Text: "What are examples of channels?"}},
		},
	}
	d, err := New(Config{}).Write(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "What does the Go memory model guarantee about channels?" || d.Engine != Name {
		t.Errorf("Title, Engine = %q, %q", d.Title, d.Engine)
	}
	// The summary's sentences are not repeated: the first section is left
	// empty and not written; sq3 had no findings.
	want := []reasoning.DraftSection{
		{Heading: "What is a Mutex?", Sentences: []reasoning.Sentence{
			{Text: "A Mutex is a mutual exclusion lock.", Cites: []int{1, 2}},
		}},
	}
	if !reflect.DeepEqual(d.Sections, want) {
		t.Errorf("Sections =\n%+v\nwant\n%+v", d.Sections, want)
	}
	// Summary: the findings that hold most of the question's terms, at most
	// two per source; the Mutex finding says nothing about the question.
	wantSummary := []reasoning.Sentence{
		{Text: "A send on a channel is synchronized before the receive completes.", Cites: []int{1}},
		{Text: "Closing a channel is synchronized before a receive of the zero value.", Cites: []int{1}},
		{Text: "Unbuffered channels combine communication with synchronization.", Cites: []int{3}},
	}
	if !reflect.DeepEqual(d.Summary, wantSummary) {
		t.Errorf("Summary =\n%+v\nwant\n%+v", d.Summary, wantSummary)
	}
}

func TestWriteNothingGrounded(t *testing.T) {
	d, err := New(Config{}).Write(context.Background(), reasoning.WriteRequest{
		Question: "goroutines",
		Sections: []reasoning.SectionInput{{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "What are goroutines?"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Sections) != 0 || len(d.Summary) != 0 {
		t.Errorf("draft without findings has sections %v and summary %v", d.Sections, d.Summary)
	}
}

// A finding that another finding quotes whole (a sentence found for one
// sub-question, a window around it for another) is written once, in the
// longer one, which cites both sources.
func TestWriteQuotesAContainedFindingOnce(t *testing.T) {
	short := "CMake improved build speed significantly but still runs on top of the slow Make."
	long := "Autotools on top of Make has been the standard since the 1990s. This is extremely slow. " + short
	req := reasoning.WriteRequest{
		Question: "Which is faster, CMake or Autotools?",
		Sources:  []rf.Source{{N: 1, Title: "Programming"}, {N: 2, Title: "Build tools"}},
		Sections: []reasoning.SectionInput{
			{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "What is CMake?"}, Findings: []reasoning.CitedFinding{cited(short, 1, 0.9)}},
			{SubQuestion: reasoning.SubQuestion{ID: "sq2", Text: "What is Autotools?"}, Findings: []reasoning.CitedFinding{cited(long, 2, 0.5)}},
		},
	}
	d, err := New(Config{}).Write(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var all []reasoning.Sentence
	all = append(all, d.Summary...)
	for _, s := range d.Sections {
		all = append(all, s.Sentences...)
	}
	times := 0
	for _, s := range all {
		times += strings.Count(s.Text, "CMake improved build speed")
		if s.Text == long && !reflect.DeepEqual(s.Cites, []int{1, 2}) {
			t.Errorf("the longer finding cites %v, want [1 2]", s.Cites)
		}
	}
	if times != 1 {
		t.Errorf("the contained sentence is written %d times, want once: %+v", times, all)
	}
}

// Windows from two overlapping chunks of one page share most of their
// sentences, neither holding the other whole: the shared sentences are
// written once, and what the shorter says beyond them on its own.
func TestWriteQuotesOverlappingWindowsOnce(t *testing.T) {
	a := "References to ref are treated as references to the variable passed as its argument. " +
		"A loop variable with the reference attribute takes a list of variable names. " +
		"Array variables cannot be given the reference attribute. " +
		"References can be unset with the -n option."
	b := "The declare builtin creates a reference variable. " +
		"References to ref are treated as references to the variable passed as its argument. " +
		"A loop variable with the reference attribute takes a list of variable names. " +
		"Array variables cannot be given the reference attribute."
	req := reasoning.WriteRequest{
		Question: "Why do variables set inside a loop vanish?",
		Sources:  []rf.Source{{N: 1, Title: "Manual"}},
		Sections: []reasoning.SectionInput{
			{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "Why do variables set inside a loop vanish?"}, Findings: []reasoning.CitedFinding{cited(a, 1, 0.9), cited(b, 1, 0.8)}},
		},
	}
	d, err := New(Config{}).Write(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	times, own := 0, 0
	for _, s := range append(append([]reasoning.Sentence{}, d.Summary...), sectionSentences(d)...) {
		times += strings.Count(s.Text, "Array variables cannot be given")
		own += strings.Count(s.Text, "The declare builtin creates")
	}
	if times != 1 || own != 1 {
		t.Errorf("the shared sentences are written %d times and the shorter's own %d times, want once each: %+v", times, own, d)
	}
}

func sectionSentences(d reasoning.Draft) []reasoning.Sentence {
	var out []reasoning.Sentence
	for _, s := range d.Sections {
		out = append(out, s.Sentences...)
	}
	return out
}

// Two windows over one passage share a sentence: the summary states it
// once (a trial's summary said "Every deploy needs one approving review …"
// twice); what the second window says beyond it is kept.
func TestSummaryRepeatsNoSentence(t *testing.T) {
	req := reasoning.WriteRequest{
		Question: "What are the rules for deploying to production?",
		Sources:  []rf.Source{{N: 1, Title: "deploys.md"}, {N: 2, Title: "policy.md"}},
		Sections: []reasoning.SectionInput{
			{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "What are the rules for deploying to production?"}, Findings: []reasoning.CitedFinding{
				cited("Production deploys happen on Tuesdays. Every deploy to production needs one approving review.", 1, 0.9),
			}},
			{SubQuestion: reasoning.SubQuestion{ID: "sq2", Text: "Who reviews production deploys?"}, Findings: []reasoning.CitedFinding{
				cited("Every deploy to production needs one approving review. Rollbacks of production deploys need none.", 1, 0.8),
				cited("Every deploy to production needs one approving review.", 2, 0.7),
			}},
		},
	}
	d, err := New(Config{}).Write(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, s := range append(append([]reasoning.Sentence{}, d.Summary...), sectionSentences(d)...) {
		all = append(all, s.Text)
	}
	text := strings.Join(all, "\n")
	if n := strings.Count(text, "Every deploy to production needs one approving review."); n != 1 {
		t.Errorf("the shared sentence is stated %d times:\n%s", n, text)
	}
	if !strings.Contains(text, "Rollbacks of production deploys need none.") {
		t.Errorf("the second window's own sentence is lost:\n%s", text)
	}
}

// The summary does not open with a sentence that continues one not shown
// ("After that, …", "In fact, …", "However, …") when another finding
// stands on its own; the order of the others is kept.
func TestSummaryDoesNotOpenMidArgument(t *testing.T) {
	for _, lead := range []string{
		"After that, the embed package reads static files from the Go binary.",
		"In fact, embed copies static files into the Go binary at build time.",
		"However, static files embed read-only into the Go binary.",
	} {
		req := reasoning.WriteRequest{
			Question: "How do I embed static files into my Go binary?",
			Sources:  []rf.Source{{N: 1, Title: "embed"}, {N: 2, Title: "cmd/go"}},
			Sections: []reasoning.SectionInput{
				{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How do I embed static files into my Go binary?"}, Findings: []reasoning.CitedFinding{
					cited(lead, 1, 0.9),
					cited("A //go:embed directive above a variable embeds static files into the Go binary.", 2, 0.8),
				}},
			},
		}
		d, err := New(Config{}).Write(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Summary) != 2 || !strings.HasPrefix(d.Summary[0].Text, "A //go:embed") || d.Summary[1].Text != lead {
			t.Errorf("summary %+v, want the directive's sentence first, then %q", d.Summary, lead)
		}
	}
}

// A how-to's summary leads with its steps: a trial's "How do I connect to
// the VPN?" was summarized by "The VPN is required for staging …", the
// steps under the note's heading "How to connect to the VPN" (sharing no
// word with the question, fully supporting it by their heading) left to
// the section below.
func TestSummaryOfAHowToLeadsWithItsSteps(t *testing.T) {
	q := "How do I connect to the VPN?"
	steps := "Install it with: `brew install wireguard-tools`. Then fetch your config from the internal portal and start the tunnel: `sudo wg-quick up acme`."
	req := reasoning.WriteRequest{
		Question: q,
		Sources:  []rf.Source{{N: 1, Title: "How to connect to the VPN"}},
		Sections: []reasoning.SectionInput{
			{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Findings: []reasoning.CitedFinding{
				{Finding: reasoning.Finding{Text: "The VPN is required for staging and for the database consoles.", ChunkID: "c", SourceID: "s", Score: 1.1, Support: 1}, N: 1},
				{Finding: reasoning.Finding{Text: steps, ChunkID: "c", SourceID: "s", Score: 1.0, Support: 1}, N: 1},
			}},
		},
	}
	d, err := New(Config{}).Write(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Summary) == 0 || d.Summary[0].Text != steps {
		t.Errorf("summary %+v, want the steps first", d.Summary)
	}
}
