package extractive

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/researchflow/researchflow/internal/eval"
	"github.com/researchflow/researchflow/internal/textproc"
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

// plannedFrom returns why sub-question sq, planned for question q, is not
// a sentence that stands alone in q's own words, or "". The question as
// asked is checked by grammatical only; a part must also ask (open with a
// question word or a request: "A package update broke something?" is a
// statement), name what its pronouns stand for ("How do I add one
// afterwards?"; the first clause of q may keep its own pronouns), keep
// the object of its last verb ("… the goroutine serving?" from "… serving
// it?"), agree in number after "does"/"is" ("Which one does startup files
// read?") and use only the question's words and those of the frames "What
// is/are …", "What about … in …" and "the X of Y".
// prepositionBeforeQuestion reports whether ws opens with a preposition
// before a wh-word and has an auxiliary later ("To what temperature is a
// kiln fired", "By how much was it raised"): a question, where "Since which
// kernel" is a fragment.
func prepositionBeforeQuestion(ws []word) bool {
	if len(ws) < 3 || questionWords[ws[0].lower] {
		return false
	}
	switch ws[1].lower {
	case "what", "which", "whom", "whose", "how", "when", "where":
	default:
		return false
	}
	for _, w := range ws[2:] {
		switch w.lower {
		case "is", "are", "was", "were", "do", "does", "did", "can", "could", "should", "would", "will", "has", "have", "had":
			return true
		}
	}
	return false
}

func plannedFrom(q, sq string, asAsked bool) string {
	if why := grammatical(sq); why != "" || asAsked {
		return why
	}
	ws := scanWords(sq)
	qws := scanWords(q)
	if !(questionWords[ws[0].lower] || imperatives[ws[0].lower] || prepositionBeforeQuestion(ws)) {
		return "a statement, not a question"
	}
	body := strings.ToLower(strings.TrimRight(sq, "?. "))
	if !strings.HasPrefix(strings.ToLower(q), body) {
		if p := unresolvedPronoun(ws); p != "" {
			return "pronoun " + p + " stands for nothing in it"
		}
	}
	own := map[string]bool{"what": true, "is": true, "are": true, "about": true, "the": true, "of": true, "in": true}
	for _, w := range qws {
		own[w.lower] = true
	}
	for _, w := range ws {
		if !own[w.lower] {
			return "word " + w.lower + " is not the question's"
		}
	}
	// The last word, cut from its object: "… serving?" from "… serving
	// it?".
	last := ws[len(ws)-1].lower
	for i := 0; i+1 < len(qws); i++ {
		switch qws[i+1].lower {
		case "it", "them", "one", "him", "her":
			if qws[i].lower == last {
				return "dangling verb " + last + " (its object " + qws[i+1].lower + " is cut)"
			}
		}
	}
	// "does startup files read": a singular auxiliary before a bare plural.
	for i := 0; i+1 < len(ws); i++ {
		if ws[i].lower != "does" && ws[i].lower != "has" {
			continue
		}
		j := i + 1
		for j < len(ws) && !textproc.IsStopWord(ws[j].lower) && !verbs[ws[j].lower] && !isIdentifier(ws[j].text) {
			j++
		}
		for k := i + 2; k < j; k++ {
			if isPlural(ws[k]) {
				return ws[i].lower + " before the plural " + ws[k].lower
			}
		}
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
				if why := plannedFrom(q.Question, sq.Text, sq.Reason == "the question as asked"); why != "" {
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

func TestPlannedFromCatchesFragments(t *testing.T) {
	for _, c := range []struct{ q, sq string }{
		{"How do I cancel a long-running HTTP request in Go, and what happens to the goroutine serving it?", "What happens to the goroutine serving running?"},
		{"How do I cancel a long-running HTTP request in Go, and what happens to the goroutine serving it?", "What happens to the goroutine serving?"},
		{"I created an SSH key without a passphrase; how do I add one afterwards?", "How do I add one afterwards?"},
		{"I created an SSH key without a passphrase; how do I add one afterwards?", "I created an SSH key without a passphrase?"},
		{"What decides the permissions a brand-new file gets, and how do I change that default?", "How do I change that default?"},
		{"What does the reflog record and how long are its entries kept?", "How long are its entries kept?"},
		{"Which startup files does bash read when I log in, and which one does it read for a new terminal window?", "Which one does startup files read for a new terminal window?"},
		{"Summarize the latest trends in quantum computing and their potential impact on AI.", "What are the latest trends in quantum technology?"},
	} {
		if plannedFrom(c.q, c.sq, false) == "" {
			t.Errorf("%q from %q passes", c.sq, c.q)
		}
	}
	for _, c := range []struct{ q, sq string }{
		{"How do I cancel a long-running HTTP request in Go, and what happens to the goroutine serving it?", "What happens to the goroutine serving a long-running HTTP request?"},
		{"What does the reflog record and how long are its entries kept?", "How long are the entries of the reflog kept?"},
		{"Summarize the latest trends in quantum computing and their potential impact on AI.", "What is the potential impact of the latest trends in quantum computing on AI?"},
		{"How many commands does bash remember in its history by default, and which variable limits the history file?", "How many commands does bash remember in its history by default?"},
		{"What does the Go memory model guarantee about channel communication?", "What about channel communication in the Go memory model?"},
	} {
		if why := plannedFrom(c.q, c.sq, false); why != "" {
			t.Errorf("%q from %q: %s", c.sq, c.q, why)
		}
	}
}
