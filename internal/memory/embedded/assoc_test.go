package embedded

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/memory"
)

// assocCorpus writes a corpus in which "getopts" keeps company with
// "parse" and "options", among filler chunks on other topics, and one
// chunk that names getopts with none of the question's words.
func assocCorpus(t *testing.T, s *Store, corpus string) {
	t.Helper()
	var chunks []memory.Chunk
	for i := range 6 {
		chunks = append(chunks, testChunk(corpus, fmt.Sprintf("builtin-%d.txt", i),
			fmt.Sprintf("Scripts parse command options with getopts in loop %d; getopts reads one option per call.", i), nil))
	}
	topics := []string{"arrays hold indexed values", "history lists earlier commands", "traps run on signals",
		"aliases replace words", "prompts show the directory", "jobs run in the background", "redirections open files",
		"functions group commands", "variables hold strings", "patterns match file names", "quotes keep spaces",
		"exit status reports success", "here documents feed text", "brace expansion makes strings"}
	for i := range 4 * len(topics) {
		topic := topics[i%len(topics)]
		chunks = append(chunks, testChunk(corpus, fmt.Sprintf("topic-%d.txt", i), fmt.Sprintf("%s (page %d). %s.", topic, i, topic), nil))
	}
	chunks = append(chunks, testChunk(corpus, "getopts.txt", "The getopts builtin walks the positional parameters.", nil))
	if err := s.Upsert(context.Background(), chunks); err != nil {
		t.Fatal(err)
	}
}

func locations(hits []memory.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Chunk.SourceLocation)
	}
	return out
}

// A question in the asker's words ("parse options") reaches the passage
// that uses only the corpus's own word for it (getopts), through the
// association table the corpus itself gives; the table is the same after a
// restart, and one corpus's associations do not leak into another.
func TestAssociationsExpandQueries(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, 0)
	assocCorpus(t, s, "shell")
	ctx := context.Background()
	x := s.idx
	got := x.expand([]string{"pars", "option"}, x.compile(memory.Filter{Corpus: "shell"}))
	if !slices.Contains(got, "getopt") {
		t.Fatalf("expand(parse, option) = %q, want getopts's term among them", got)
	}
	q := memory.Query{Text: "How do I parse options?", TopK: 10, Filter: memory.Filter{Corpus: "shell"}}
	hits, err := s.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.Index(locations(hits), "getopts.txt"); i < 0 || hits[i].Score <= 0 {
		t.Errorf("Search(%q) = %q, want getopts.txt, which names getopts only, with a score", q.Text, locations(hits))
	}
	for _, h := range hits {
		if strings.HasPrefix(h.Chunk.SourceLocation, "topic-") {
			t.Errorf("Search(%q) returned the unrelated %s", q.Text, h.Chunk.SourceLocation)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openT(t, dir, 0)
	defer s.Close()
	again, err := s.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(locations(again), locations(hits)) {
		t.Errorf("after a restart Search = %q, before %q", locations(again), locations(hits))
	}
	// Another corpus with the same question words and no getopts: no
	// expansion from the shell corpus.
	other := []memory.Chunk{
		testChunk("books", "parse.txt", "Readers parse sentences and weigh options.", nil),
		testChunk("books", "plot.txt", "The plot turns on a letter.", nil),
	}
	if err := s.Upsert(ctx, other); err != nil {
		t.Fatal(err)
	}
	if got := s.idx.expand([]string{"pars", "option"}, s.idx.compile(memory.Filter{Corpus: "books"})); len(got) != 0 {
		t.Errorf("expand in corpus books = %q, want nothing (getopts is the shell corpus's)", got)
	}
}

// The table changes with the corpus: a write discards the cached
// associates, and a term too common in its corpus expands to nothing.
func TestAssociationsFollowWrites(t *testing.T) {
	s := openT(t, t.TempDir(), 0)
	defer s.Close()
	ctx := context.Background()
	assocCorpus(t, s, "shell")
	m := s.idx.compile(memory.Filter{Corpus: "shell"})
	before := s.idx.expand([]string{"pars"}, m)
	if err := s.Delete(ctx, memory.Filter{Corpus: "shell"}); err != nil {
		t.Fatal(err)
	}
	m = s.idx.compile(memory.Filter{Corpus: "shell"})
	if got := s.idx.expand([]string{"pars"}, m); len(got) != 0 {
		t.Errorf("after the corpus was deleted expand = %q (before %q), want nothing", got, before)
	}
}
