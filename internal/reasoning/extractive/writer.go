package extractive

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

// minContained is the shortest finding (in bytes) that is left out when a
// longer finding holds it whole: shorter text is no statement of its own.
const minContained = 40

// maxTitle bounds the length of a draft title in bytes (before "…").
const maxTitle = 100

// Write arranges the cited findings into a draft: a summary of the findings
// that best answer the question (see summary), then one section per
// sub-question with findings not already in the summary (headed by the
// sub-question), the findings in the order given, each citing its source
// number; a section left empty is not written. A sentence found for
// several sub-questions stays only where it scored best (the first such
// section on a tie); the same sentence from several sources is written once
// citing all of them. Findings whose number is not in Sources are left out.
// The summary repeats the findings that best answer the question as a
// whole (see summary).
func (e *Engine) Write(ctx context.Context, req reasoning.WriteRequest) (reasoning.Draft, error) {
	if err := ctx.Err(); err != nil {
		return reasoning.Draft{}, fmt.Errorf("write: %w", err)
	}
	known := map[int]bool{}
	for _, s := range req.Sources {
		if s.N > 0 {
			known[s.N] = true
		}
	}

	// Where does each sentence stay? Key: normalized text.
	type home struct {
		section int
		score   float64
	}
	homes := map[string]home{}
	texts := map[string]string{} // key → the text as written
	for si, sec := range req.Sections {
		for _, f := range sec.Findings {
			k := sentenceKey(f.Text)
			if k == "" || !known[f.N] {
				continue
			}
			texts[k] = f.Text
			if h, ok := homes[k]; !ok || f.Score > h.score {
				homes[k] = home{si, f.Score}
			}
		}
	}

	// A finding whose text another finding quotes whole (a sentence, and a
	// window around it found for another sub-question) is written once,
	// in the longer one, which cites its source too.
	// Windows from overlapping chunks of one page share most of their
	// sentences without one holding the other whole: the one whose
	// sentences the other quotes for the most part (two or more, half or
	// more of its own) is held by it too.
	within := map[string]string{} // key → key of the longest finding that holds it
	parts := map[string]map[string]bool{}
	for k := range homes {
		parts[k] = map[string]bool{}
		for _, s := range textproc.Sentences(texts[k]) {
			parts[k][sentenceKey(s)] = true
		}
	}
	holds := func(K, k string) bool {
		if strings.Contains(K, k) {
			return true
		}
		shared := 0
		for s := range parts[k] {
			if parts[K][s] {
				shared++
			}
		}
		return shared >= 2 && 2*shared >= len(parts[k])
	}
	for k := range homes {
		if len(k) < minContained {
			continue
		}
		for K := range homes {
			if len(K) > len(k) && holds(K, k) && (within[k] == "" || len(K) > len(within[k]) || len(K) == len(within[k]) && K < within[k]) {
				within[k] = K
			}
		}
	}
	// A chain (k held by K, K by a longer one) ends at the longest.
	for k, K := range within {
		for seen := 0; within[K] != "" && seen < len(within); seen++ {
			K = within[K]
		}
		within[k] = K
	}
	// What a held finding says beyond the one holding it is written on
	// its own: its other sentences, in their order.
	rest := map[string]string{} // key → the sentences the holder does not quote
	for k, K := range within {
		var own []string
		for _, s := range textproc.Sentences(texts[k]) {
			if !parts[K][sentenceKey(s)] && !strings.Contains(K, sentenceKey(s)) {
				own = append(own, strings.TrimSpace(s))
			}
		}
		if len(own) > 0 {
			rest[k] = strings.Join(own, " ")
		}
	}
	heldCites := map[string][]int{} // key of a longer finding → the sources of those it holds
	for _, sec := range req.Sections {
		for _, f := range sec.Findings {
			if K := within[sentenceKey(f.Text)]; K != "" && known[f.N] {
				heldCites[K] = addCite(heldCites[K], f.N)
			}
		}
	}
	var all []ranked
	draft := reasoning.Draft{Title: title(req.Question), Summary: []reasoning.Sentence{}, Sections: []reasoning.DraftSection{}, Engine: Name}
	for si, sec := range req.Sections {
		ds := reasoning.DraftSection{Heading: strings.TrimSpace(sec.SubQuestion.Text)}
		at := map[string]int{} // key → index in ds.Sentences
		for _, f := range sec.Findings {
			k := sentenceKey(f.Text)
			if k == "" || !known[f.N] || homes[k].section != si {
				continue
			}
			if within[k] != "" {
				if rest[k] == "" {
					continue
				}
				f.Text, k = rest[k], sentenceKey(rest[k])
			}
			if i, ok := at[k]; ok {
				ds.Sentences[i].Cites = addCite(ds.Sentences[i].Cites, f.N)
				continue
			}
			at[k] = len(ds.Sentences)
			ds.Sentences = append(ds.Sentences, reasoning.Sentence{Text: strings.TrimSpace(f.Text), Cites: []int{f.N}})
			all = append(all, ranked{text: strings.TrimSpace(f.Text), n: f.N, score: f.Score, support: f.Support, order: len(all)})
		}
		if len(ds.Sentences) == 0 {
			continue
		}
		if ds.Heading == "" {
			ds.Heading = fmt.Sprintf("Finding group %d", len(draft.Sections)+1)
		}
		draft.Sections = append(draft.Sections, ds)
	}

	// The longer finding cites the sources of those it holds.
	for si := range draft.Sections {
		for i, st := range draft.Sections[si].Sentences {
			for _, n := range heldCites[sentenceKey(st.Text)] {
				draft.Sections[si].Sentences[i].Cites = addCite(draft.Sections[si].Sentences[i].Cites, n)
			}
		}
	}

	// The summary answers first; its sentences are not repeated below, and
	// a section left with nothing is not written (its sub-question was
	// answered in the summary).
	var inSummary map[string]int
	draft.Summary, inSummary = e.summary(req.Question, all)
	sections := draft.Sections[:0]
	for _, sec := range draft.Sections {
		kept := sec.Sentences[:0]
		for _, s := range sec.Sentences {
			if i, ok := inSummary[sentenceKey(s.Text)]; ok {
				for _, n := range s.Cites {
					draft.Summary[i].Cites = addCite(draft.Summary[i].Cites, n)
				}
				continue
			}
			kept = append(kept, s)
		}
		if len(kept) > 0 {
			sec.Sentences = kept
			sections = append(sections, sec)
		}
	}
	draft.Sections = sections
	return draft, nil
}

// ranked is a finding kept in a section, a candidate for the summary.
type ranked struct {
	text     string
	n        int
	score    float64
	order    int
	question float64 // share of the question's terms the sentence holds
	// support: how fully the finding speaks of its sub-question, its
	// heading counted (the analyst's Support).
	support float64
}

// summary picks the findings that best answer the question: by the
// analyst's score (which favours statements of rules, definitions and
// conditions about the question's rarest terms), then by the share of the
// question's terms they hold; none below half the best share; at most two
// from one source. A finding repeats no sentence of one picked before it
// (two windows over the same passage share sentences): it brings only its
// others, and when it has none it only adds its source to the finding that
// said them. The first finding does not open in mid-argument ("After
// that, …", "In fact, …", "However, …") when another does not. at maps the
// sentenceKey of each finding the summary states, whole or in part, to its
// index, so that its section leaves it out.
func (e *Engine) summary(question string, all []ranked) (out []reasoning.Sentence, at map[string]int) {
	terms := distinctTerms(question)
	best := 0.0
	for i := range all {
		words := map[string]bool{}
		for _, t := range textproc.Tokenize(all[i].text) {
			words[t] = true
		}
		got := 0
		for _, t := range terms {
			if words[t] {
				got++
			}
		}
		if len(terms) > 0 {
			all[i].question = float64(got) / float64(len(terms))
		}
		// The steps under "How to connect to the VPN" answer "How do I
		// connect to the VPN?" without repeating it: the analyst's
		// support counts the heading they stand under.
		all[i].question = max(all[i].question, all[i].support)
		best = max(best, all[i].question)
	}
	// A how-to is answered by its steps: a finding that shows a command
	// leads one that shows none ("Install it with: `brew install …`"
	// before "The VPN is required for staging …" for "How do I connect
	// to the VPN?").
	howTo := classify(question) == procedureAnswer
	sort.SliceStable(all, func(i, j int) bool {
		if howTo {
			if ci, cj := showsCommandLine(all[i].text), showsCommandLine(all[j].text); ci != cj {
				return ci
			}
		}
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		if all[i].question != all[j].question {
			return all[i].question > all[j].question
		}
		return all[i].order < all[j].order
	})
	out = []reasoning.Sentence{}
	var held [][]string // by summary finding: the keys of the findings it states
	perSource := map[int]int{}
	saidIn := map[string]int{} // sentenceKey of a sentence stated → its summary finding
	for _, r := range all {
		if len(out) == e.cfg.SummarySentences {
			break
		}
		if best > 0 && r.question < best/2 {
			continue
		}
		if perSource[r.n] == 2 {
			continue
		}
		var own []string
		first := -1
		sents := textproc.Sentences(r.text)
		for _, s := range sents {
			k := sentenceKey(s)
			if i, ok := saidIn[k]; ok {
				if first < 0 {
					first = i
				}
				continue
			}
			if k != "" {
				own = append(own, strings.TrimSpace(s))
			}
		}
		if len(own) == 0 {
			if first >= 0 {
				out[first].Cites = addCite(out[first].Cites, r.n)
				held[first] = append(held[first], sentenceKey(r.text))
			}
			continue
		}
		for _, s := range own {
			saidIn[sentenceKey(s)] = len(out)
		}
		text := r.text
		if len(own) < len(sents) {
			text = strings.Join(own, " ")
		}
		perSource[r.n]++
		out = append(out, reasoning.Sentence{Text: text, Cites: []int{r.n}})
		held = append(held, []string{sentenceKey(r.text)})
	}
	for i := range out {
		if !midArgument(out[i].Text) {
			if i > 0 {
				s, h := out[i], held[i]
				copy(out[1:i+1], out[:i])
				copy(held[1:i+1], held[:i])
				out[0], held[0] = s, h
			}
			break
		}
	}
	at = map[string]int{}
	for i, keys := range held {
		for _, k := range keys {
			at[k] = i
		}
	}
	return out, at
}

// showsCommandLine reports whether text, a finding as the analyst writes
// it, shows a command line in a code span of two words or more.
func showsCommandLine(text string) bool {
	parts := strings.Split(text, "`")
	for i := 1; i < len(parts)-1; i += 2 {
		if len(strings.Fields(parts[i])) >= 2 {
			return true
		}
	}
	return false
}

// connectives are English discourse markers that open a sentence in
// mid-argument: it continues one the reader has not been shown.
var connectives = []string{"after that", "in fact", "also", "but", "and", "so", "finally", "moreover", "furthermore",
	"in addition", "as a result", "in other words", "again", "besides", "still", "yet", "meanwhile", "afterwards", "next"}

// midArgument reports whether text opens with an anaphor or a discourse
// connective ("This rule …", "However, …", "After that, …").
func midArgument(text string) bool {
	if leansBack(text) {
		return true
	}
	lower := strings.ToLower(strings.TrimSpace(text))
	for _, c := range connectives {
		if rest, ok := strings.CutPrefix(lower, c); ok && (rest == "" || rest[0] == ' ' || rest[0] == ',') {
			return true
		}
	}
	return false
}

func addCite(cites []int, n int) []int {
	for _, c := range cites {
		if c == n {
			return cites
		}
	}
	cites = append(cites, n)
	sort.Ints(cites)
	return cites
}

// sentenceKey identifies a sentence regardless of case and spacing.
func sentenceKey(s string) string {
	return strings.ToLower(squash(s))
}

// title is the question itself, as asked (spaces squashed), cut at a word
// boundary when long.
func title(q string) string {
	q = squash(q)
	if strings.TrimRight(q, " ?.!") == "" {
		return "Research report"
	}
	if len(q) > maxTitle {
		cut := strings.LastIndex(q[:maxTitle], " ")
		if cut <= 0 {
			cut = maxTitle
			for cut > 0 && !utf8.RuneStart(q[cut]) {
				cut--
			}
		}
		q = strings.TrimRight(q[:cut], " ,;:") + "…"
	}
	return q
}
