package embedded

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/textproc"
)

// phraseBonusByText is the phrase scoring as it was first written: it
// tokenizes every candidate's title, section and text again for each
// query. phraseBonus must score exactly as it does.
func (x *index) phraseBonusByText(terms []string, list []scored) phraseScores {
	bonus := phraseScores{bonus: make([]float64, len(list)), pairs: make([]int, len(list))}
	if len(terms) < 2 || len(list) == 0 {
		return bonus
	}
	n := float64(x.live)
	idf := func(t string) float64 {
		id, ok := x.terms[t]
		if !ok || x.df[id] <= 0 {
			return 0
		}
		df := float64(x.df[id])
		return math.Log(1 + (n-df+0.5)/(df+0.5))
	}
	type pair struct{ a, b string }
	want := map[pair]float64{}
	for i := 0; i+1 < len(terms); i++ {
		if w := math.Min(idf(terms[i]), idf(terms[i+1])); w > 0 {
			want[pair{terms[i], terms[i+1]}] = w
		}
	}
	if len(want) == 0 {
		return bonus
	}
	bonus.wanted = len(want)
	asked := map[string]bool{}
	for _, t := range terms {
		asked[t] = true
	}
	for i, s := range list {
		c := x.chunk(s.doc)
		if t := titleTerms(c.SourceTitle); len(t) >= 2 && containsRun(terms, t) {
			for j := 0; j+1 < len(t); j++ {
				bonus.bonus[i] += proximityWeight * math.Min(idf(t[j]), idf(t[j+1]))
			}
			bonus.pairs[i] += phraseMinPairs
		} else if w := x.namedBy(titleTerms(c.SourceTitle), asked, idf); w > 0 {
			bonus.bonus[i] += proximityWeight * w
			bonus.pairs[i] += phraseMinPairs
		}
		toks := textproc.Tokenize(c.SourceTitle + " " + c.Section + " " + c.Text)
		seen := map[pair]bool{}
		for j := 0; j+1 < len(toks); j++ {
			p := pair{toks[j], toks[j+1]}
			if w, ok := want[p]; ok && !seen[p] {
				seen[p] = true
				bonus.bonus[i] += proximityWeight * w
				bonus.pairs[i]++
			}
		}
	}
	return bonus
}

// phraseCorpus generates prose-like chunks that exercise the tokenizer:
// stop words, code names split into parts, capitalized words after a
// sentence break, titles that questions name.
func phraseCorpus(r *rand.Rand, n, dim int) []memory.Chunk {
	words := []string{"check", "out", "branch", "time", "merge", "commit", "worktree", "remote",
		"select", "channel", "goroutine", "blocks", "chosen", "uniform", "selection", "memory", "model",
		"sync.Once", "max_idle_conns", "http.Client", "net:ip", "Time", "Go", "dpkg", "divert", "package"}
	stops := []string{"the", "a", "of", "to", "in", "is", "at", "one", "than", "more", "and", "or", "if"}
	titles := []string{"git-merge(1)", "The Go Memory Model", "dpkg-divert(8)", "git-worktree(1)", "select", "sync.Once"}
	sentence := func() string {
		var b strings.Builder
		for i := range 4 + r.IntN(10) {
			if i > 0 {
				b.WriteByte(' ')
			}
			if r.IntN(3) == 0 {
				b.WriteString(stops[r.IntN(len(stops))])
			} else {
				b.WriteString(words[r.IntN(len(words))])
			}
		}
		b.WriteString([]string{". ", "; ", ", ", "? "}[r.IntN(4)])
		return b.String()
	}
	var out []memory.Chunk
	for i := range n {
		var text strings.Builder
		for range 2 + r.IntN(6) {
			text.WriteString(sentence())
		}
		title := titles[r.IntN(len(titles))]
		c := testChunk(fmt.Sprintf("c%d", i%2), fmt.Sprintf("%s/%d.md", title, i/4), text.String(), nil)
		c.ID = memory.ChunkID(c.Corpus, c.SourceLocation, fmt.Sprint(i))
		c.SourceTitle = title
		c.Section = sentence()
		if dim > 0 {
			c.Vector = gaussUnit(r, dim, nil, 0)
		}
		out = append(out, c)
	}
	return out
}

// phraseQueries makes questions from windows of the chunks' own text (so
// that their pairs occur), from titles, and from random words.
func phraseQueries(r *rand.Rand, chunks []memory.Chunk, n int) []string {
	var out []string
	for range n {
		c := chunks[r.IntN(len(chunks))]
		f := strings.Fields(c.Text)
		switch r.IntN(3) {
		case 0:
			lo := r.IntN(len(f))
			hi := min(len(f), lo+2+r.IntN(8))
			out = append(out, "How does "+strings.Join(f[lo:hi], " ")+"?")
		case 1:
			out = append(out, "When should I use "+c.SourceTitle+" to "+f[r.IntN(len(f))]+"?")
		default:
			out = append(out, strings.Join([]string{f[r.IntN(len(f))], f[r.IntN(len(f))], f[r.IntN(len(f))]}, " "))
		}
	}
	return out
}

// The phrase scores read from the stored term sequences equal those of
// tokenizing each candidate's text again, through replacements, deletes,
// compaction and a reopen; so Search ranks exactly as before.
func TestPhraseBonusMatchesTokenizedText(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 8))
	dir := t.TempDir()
	s := openT(t, dir, 8)
	chunks := phraseCorpus(r, 600, 8)
	for b := range slices.Chunk(chunks, 100) {
		if err := s.Upsert(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	queries := phraseQueries(r, chunks, 200)
	check := func(stage string) {
		t.Helper()
		s.mu.RLock()
		defer s.mu.RUnlock()
		x := s.idx
		sc := new(scratch)
		compared := 0
		for _, q := range queries {
			terms := distinct(textproc.Tokenize(q))
			for _, f := range []memory.Filter{{}, {Corpus: "c1"}} {
				lex := x.bm25(terms, x.compile(f), 40, sc)
				got, want := x.phraseBonus(terms, lex), x.phraseBonusByText(terms, lex)
				if got.wanted != want.wanted || !slices.Equal(got.pairs, want.pairs) || !slices.Equal(got.bonus, want.bonus) {
					t.Fatalf("%s: %q: phraseBonus = %+v, tokenized text gives %+v", stage, q, got, want)
				}
				for _, p := range got.pairs {
					compared += p
				}
			}
		}
		if compared == 0 {
			t.Fatalf("%s: no query matched a pair; the test compares nothing", stage)
		}
	}
	check("after ingest")

	// Replace some chunks with new text, delete a source, compact.
	repl := phraseCorpus(r, 50, 8)
	for i := range repl {
		repl[i].ID = chunks[i*3].ID
	}
	if err := s.Upsert(ctx, repl); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, memory.Filter{SourceID: chunks[5].SourceID}); err != nil {
		t.Fatal(err)
	}
	check("after replace and delete")
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	check("after compaction")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, 8)
	defer s.Close()
	check("after reopen")
}
