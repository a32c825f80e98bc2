package extractive

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

// Scoring constants of the analyst.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// subWeight and mainWeight split lexical relevance between the
	// sub-question and the user's question.
	subWeight  = 0.75
	mainWeight = 0.25
	// retrievalBoost and headingBoost raise the relevance of sentences from
	// passages that retrieval ranked high or whose heading matches.
	retrievalBoost = 0.2
	headingBoost   = 0.15
	// sameSentence is the cosine at or above which two sentences count as
	// one; MMR never selects both.
	sameSentence = 0.8
	minWords     = 5
	maxWords     = 90
)

type candidate struct {
	text     string
	passage  int
	order    int // position over all passages, for stable ties
	vec      vector
	terms    map[string]int
	length   int
	lexical  float64
	rel      float64
	chunkID  string
	sourceID string
}

// Analyze selects up to MaxFindings sentences of the passages that answer the
// sub-question, without near-duplicates. Sentences are copied as written.
// Passages without a ChunkID are ignored: a finding must name its chunk.
// When no sentence reaches the relevance floor, the analysis has no findings.
func (e *Engine) Analyze(ctx context.Context, req reasoning.AnalyzeRequest) (reasoning.Analysis, error) {
	if err := ctx.Err(); err != nil {
		return reasoning.Analysis{}, fmt.Errorf("analyze %s: %w", req.SubQuestion.ID, err)
	}
	limit := req.MaxFindings
	if limit <= 0 {
		limit = e.cfg.MaxFindings
	}
	out := reasoning.Analysis{Findings: []reasoning.Finding{}, Engine: Name}

	sub := req.SubQuestion.Text
	if strings.TrimSpace(sub) == "" {
		sub = req.Question
	}
	main := req.Question
	if strings.TrimSpace(main) == "" {
		main = sub
	}

	var maxRetrieval float64
	for _, p := range req.Passages {
		maxRetrieval = math.Max(maxRetrieval, p.Score)
	}
	subVec := newVector(sub)
	var cands []*candidate
	headings := make([]float64, len(req.Passages))
	for i, p := range req.Passages {
		if p.ChunkID == "" {
			continue
		}
		headings[i] = cosine(newVector(p.Section+" "+p.Title), subVec)
		for _, s := range passageSentences(p.Text) {
			if isFragment(s) {
				continue
			}
			c := &candidate{text: s, passage: i, order: len(cands), vec: newVector(s), terms: map[string]int{}, chunkID: p.ChunkID, sourceID: p.SourceID}
			for _, t := range textproc.Tokenize(s) {
				c.terms[t]++
				c.length++
			}
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return out, nil
	}

	weight := termWeights(cands)
	var avgLen float64
	for _, c := range cands {
		avgLen += float64(c.length)
	}
	avgLen /= float64(len(cands))
	subTerms, mainTerms := distinctTerms(sub), distinctTerms(main)

	var kept []*candidate
	for _, c := range cands {
		subCov := coverage(c, subTerms, weight, avgLen)
		c.lexical = subWeight*subCov + mainWeight*coverage(c, mainTerms, weight, avgLen)
		// A sentence must say something about the sub-question itself: one
		// that only matches the main question answers another sub-question,
		// and passing it off here would hide a gap.
		if subCov == 0 || c.lexical < e.cfg.MinScore {
			continue
		}
		boost := 1 + headingBoost*headings[c.passage]
		if maxRetrieval > 0 && req.Passages[c.passage].Score > 0 {
			boost += retrievalBoost * req.Passages[c.passage].Score / maxRetrieval
		}
		c.rel = c.lexical * boost
		kept = append(kept, c)
	}
	for _, c := range selectMMR(kept, limit, e.cfg.Lambda) {
		out.Findings = append(out.Findings, reasoning.Finding{
			Text:     c.text,
			ChunkID:  c.chunkID,
			SourceID: c.sourceID,
			Score:    math.Round(c.rel*1e4) / 1e4,
		})
	}
	return out, nil
}

// selectMMR picks up to limit candidates by maximal marginal relevance:
// lambda·relevance − (1−lambda)·(highest similarity to one already picked).
// Candidates nearly the same as a picked one are never picked.
func selectMMR(cands []*candidate, limit int, lambda float64) []*candidate {
	var maxRel float64
	for _, c := range cands {
		maxRel = math.Max(maxRel, c.rel)
	}
	if maxRel == 0 {
		return nil
	}
	picked := []*candidate{}
	used := make([]bool, len(cands))
	for len(picked) < limit {
		best, bestVal := -1, math.Inf(-1)
		for i, c := range cands {
			if used[i] {
				continue
			}
			var sim float64
			for _, p := range picked {
				sim = math.Max(sim, cosine(c.vec, p.vec))
			}
			if sim >= sameSentence || sameText(c.text, picked) {
				used[i] = true
				continue
			}
			val := lambda*c.rel/maxRel - (1-lambda)*sim
			if val > bestVal || (val == bestVal && c.order < cands[best].order) {
				best, bestVal = i, val
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		picked = append(picked, cands[best])
	}
	return picked
}

func sameText(s string, picked []*candidate) bool {
	for _, p := range picked {
		if strings.EqualFold(s, p.text) {
			return true
		}
	}
	return false
}

func distinctTerms(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range textproc.Tokenize(text) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// termWeights weighs query terms by how rare they are among the candidate
// sentences: from 1 for the rarest down to 0.5 for a term in every sentence.
// Retrieved passages repeat the topic of the query, so a plain IDF would
// punish the very terms that make a sentence relevant; halving is enough to
// prefer the sentences that also carry the rarer terms.
func termWeights(cands []*candidate) func(string) float64 {
	df := map[string]int{}
	for _, c := range cands {
		for t := range c.terms {
			df[t]++
		}
	}
	n := float64(len(cands))
	idf := func(d float64) float64 { return math.Log(1 + (n-d+0.5)/(d+0.5)) }
	top := idf(0)
	return func(t string) float64 {
		return 0.5 + 0.5*idf(float64(df[t]))/top
	}
}

// coverage is the weighted share of terms found in c, each weighted by a
// BM25 term-frequency factor capped at 1 (one occurrence in a sentence of
// average length counts fully; longer sentences count less).
func coverage(c *candidate, terms []string, weight func(string) float64, avgLen float64) float64 {
	var got, total float64
	for _, t := range terms {
		w := weight(t)
		total += w
		tf := float64(c.terms[t])
		if tf == 0 {
			continue
		}
		norm := tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(c.length)/avgLen))
		got += w * math.Min(1, norm)
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// passageSentences splits passage text into sentences after removing what is
// not prose: headings, fenced and indented code, table rows. List items
// become sentences of their own, without their markers.
func passageSentences(text string) []string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fenced = !fenced
			b.WriteString("\n\n")
			continue
		case fenced:
			continue
		case t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "|") || strings.Trim(t, "-=*_ ") == "":
			b.WriteString("\n\n")
			continue
		case (strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "    ")) && codeLike(t):
			b.WriteString("\n\n")
			continue
		}
		if m := listMarker(t); m > 0 {
			b.WriteString("\n\n")
			t = strings.TrimSpace(t[m:])
		}
		b.WriteString(t)
		b.WriteString("\n")
	}
	return textproc.Sentences(b.String())
}

// listMarker returns the length of a leading list or quote marker of line.
func listMarker(line string) int {
	if len(line) > 1 && strings.ContainsRune("-*+>", rune(line[0])) && line[1] == ' ' {
		return 2
	}
	i := 0
	for i < len(line) && i < 3 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(line) && (line[i] == '.' || line[i] == ')') && line[i+1] == ' ' {
		return i + 2
	}
	return 0
}

// auxiliaries make a sentence verb-ish.
var auxiliaries = set(`is are was were be been being can cannot could must may might will would should shall
has have had does do did means ensures guarantees happens returns provides allows makes causes need needs`)

// navigation marks site chrome rather than content.
var navigation = []string{"skip to main content", "table of contents", "all rights reserved", "privacy policy",
	"terms of service", "cookie", "previous page", "next page", "›", "»", "back to top", "edit this page"}

// isFragment reports whether s is not worth quoting: too short or long,
// code, navigation, or without anything that reads like a verb.
func isFragment(s string) bool {
	ws := textproc.Words(s)
	if len(ws) < minWords || len(ws) > maxWords || len(s) < 25 || len(textproc.Tokenize(s)) < 3 {
		return true
	}
	if codeLike(s) {
		return true
	}
	lower := strings.ToLower(s)
	for _, n := range navigation {
		if strings.Contains(lower, n) {
			return true
		}
	}
	if strings.Count(s, "|") >= 2 {
		return true
	}
	for _, w := range ws {
		if auxiliaries[w] {
			return false
		}
	}
	// Without an auxiliary, accept a finished sentence with an inflected word
	// after its first: "A send on a channel happens before …".
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		return true
	}
	for _, w := range ws[1:] {
		if strings.HasSuffix(w, "s") || strings.HasSuffix(w, "ed") {
			return false
		}
	}
	return true
}

// codeLike reports whether s reads as source code rather than prose.
func codeLike(s string) bool {
	if strings.Contains(s, ":=") || strings.Contains(s, "};") || strings.HasSuffix(s, "{") || strings.HasPrefix(s, "func ") ||
		strings.HasPrefix(s, "package ") || strings.HasPrefix(s, "import ") || strings.HasPrefix(s, "//") {
		return true
	}
	var prose, symbols int
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsSpace(r):
			prose++
		case strings.ContainsRune("{}();=<>[]*&|!", r):
			symbols++
		}
	}
	return symbols*12 > len(s) || prose*10 < len(s)*7
}
