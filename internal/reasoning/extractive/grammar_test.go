package extractive

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/researchflow/researchflow/internal/eval"
)

// dangling are words a sub-question must not end with: a sentence cut
// after them is a fragment ("What is the length of?").
var dangling = set(`the a an and or but of its their`)

// grammatical returns why a planned sub-question is not a sentence, or "".
func grammatical(s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return "empty"
	}
	if !strings.HasSuffix(t, "?") && !strings.HasSuffix(t, ".") {
		return "no end mark"
	}
	r := []rune(t)
	if unicode.IsLower(r[0]) {
		return "starts in lower case"
	}
	ws := scanWords(t)
	if len(ws) < 2 {
		return "one word"
	}
	last := ws[len(ws)-1].lower
	if dangling[last] {
		return "ends with " + last
	}
	for i := 1; i < len(ws); i++ {
		if ws[i].lower == ws[i-1].lower && !isIdentifier(ws[i].text) {
			return "doubled word " + ws[i].lower
		}
		// "the goroutine serving running": two -ing forms in a row where
		// the question had one.
		if strings.HasSuffix(ws[i].lower, "ing") && strings.HasSuffix(ws[i-1].lower, "ing") && len(ws[i].lower) > 5 && len(ws[i-1].lower) > 5 {
			return "two participles " + ws[i-1].lower + " " + ws[i].lower
		}
	}
	// "What is/are" is followed by a noun phrase, not a verb.
	if len(ws) > 2 && ws[0].lower == "what" && (ws[1].lower == "is" || ws[1].lower == "are") && verbs[ws[2].lower] {
		return "what " + ws[1].lower + " + verb " + ws[2].lower
	}
	if strings.Count(t, "?") > 1 && !strings.Contains(t, `"`) {
		return "two questions in one"
	}
	return ""
}

// Every sub-question the planner makes for every development question is
// a sentence: no fragments, no dangling words, no edited grammar.
func TestPlanGrammaticalOverDevSets(t *testing.T) {
	files, err := filepath.Glob("../../../testdata/eval/*.tsv")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sets: %v", err)
	}
	n := 0
	for _, f := range files {
		s, err := eval.LoadSet(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range s.Questions {
			for _, sq := range plan(t, q.Question, MaxSubQuestionsLimit).SubQuestions {
				n++
				if why := grammatical(sq.Text); why != "" {
					t.Errorf("%s: %q planned %q: %s", filepath.Base(f), q.Question, sq.Text, why)
				}
			}
		}
	}
	if n < 150 {
		t.Errorf("only %d sub-questions checked", n)
	}
}

func TestGrammaticalCatchesFragments(t *testing.T) {
	for _, bad := range []string{
		"What happens to the goroutine serving running?",
		"What is the length of?",
		"what is a map?",
		"What is implement the interface?",
		"How long is the the bridge?",
	} {
		if grammatical(bad) == "" {
			t.Errorf("%q passes", bad)
		}
	}
	for _, good := range []string{"What is the length of the Varga bridge?", "When did the Varga bridge open?", "Explain \"happens before\" in Go."} {
		if why := grammatical(good); why != "" {
			t.Errorf("%q: %s", good, why)
		}
	}
}
