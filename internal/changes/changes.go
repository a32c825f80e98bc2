// Package changes tells what changed between two runs of a schedule: the
// findings that are new, changed (a source's statement of a fact with
// another value), or no longer supported, and the sources that are new or
// gone. A finding is what it says and where it comes from (its text and
// source), not the sub-question that found it. It compares the runs'
// snapshots (Snapshot) and writes the report's "What changed since
// <date>" section. Everything here is deterministic and does no I/O: the
// same two snapshots always give the same changes, in the order of the
// snapshots.
package changes

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning/conflict"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/internal/textproc"
)

// Compare returns what changed from prev, the snapshot of run previousRun
// completed at since, to cur. A finding is what it says and where it comes
// from (statement: its text and source), whatever sub-question found it: a
// statement of prev that cur states too is unchanged, under any
// sub-question. Of the others, a statement of prev and one of cur are one
// changed finding when they come from the same source and state the same
// fact with another value (a quantity, a year, a yes/no: the conflict
// detector's rule) or are the same sentence but for its numbers (whole, or
// in a sentence of each that the other lacks: a passage that gained or
// lost a sentence beside its edit), the most alike such pair first; or, from other sources under the same
// sub-question, when they state the same fact with another value. One edit
// of a source is one changed finding, however many windows found by
// different sub-questions show it (onePerEdit). What is left of prev is no
// longer supported, what is left of cur is new, by the sentences: a
// passage whose every sentence its source states in the other run is
// neither, and a sentence a source gained or lost is one new finding or
// one no longer supported, however many windows show it (onePerSentence).
func Compare(prev, cur Snapshot, previousRun string, since time.Time) rf.Changes {
	c := rf.Changes{PreviousRun: previousRun, Since: since}
	prevStated, curStated := stated(prev.Findings), stated(cur.Findings)
	prevSaid, curSaid := said(prev.Findings), said(cur.Findings)
	// A passage whose every sentence its source states in the other run
	// (found by another sub-question, in a window of another extent) has
	// nothing gone or new.
	var gone, added []rf.SnapshotFinding
	for _, f := range unique(prev.Findings) {
		if !curStated[statement(f)] && len(unsaid("-", f, curSaid)) > 0 {
			gone = append(gone, f)
		}
	}
	for _, f := range unique(cur.Findings) {
		if !prevStated[statement(f)] && len(unsaid("+", f, prevSaid)) > 0 {
			added = append(added, f)
		}
	}
	used := make([]bool, len(added))
	curSources := map[string]bool{} // lookup only
	for _, s := range cur.Sources {
		curSources[s.SourceID] = true
	}
	for _, id := range cur.Retrieved {
		curSources[id] = true
	}
	for _, o := range gone {
		if j, from, to := pair(o, added, used); j >= 0 {
			used[j] = true
			c.Changed = append(c.Changed, rf.ChangedFinding{Before: o, After: added[j], From: from, To: to})
			continue
		}
		title := sourceTitle(prev.Sources, o.SourceID)
		w := rf.WithdrawnFinding{SnapshotFinding: o, SourceGone: !curSources[o.SourceID]}
		if w.SourceGone {
			w.Reason = report.SourceNotFound(title, "this run")
		} else {
			w.Reason = report.SourceNoLongerStates(title)
		}
		c.Withdrawn = append(c.Withdrawn, w)
	}
	for j, f := range added {
		if !used[j] {
			c.New = append(c.New, f)
		}
	}
	c.Changed = onePerEdit(c.Changed)
	c.New, c.Withdrawn = onePerSentence(c.Changed, c.New, c.Withdrawn, prevSaid, curSaid)
	// This run's findings cite their sources by the report's numbers.
	for i := range c.Changed {
		c.Changed[i].After.N = number(cur.Sources, c.Changed[i].After.SourceID)
	}
	for i := range c.New {
		c.New[i].N = number(cur.Sources, c.New[i].SourceID)
	}
	c.NewSources = missing(cur.Sources, prev.Sources)
	c.VanishedSources = missing(prev.Sources, cur.Sources)
	return c
}

// statement identifies a finding's statement whatever its sub-question:
// its folded text and its source.
func statement(f rf.SnapshotFinding) string { return FoldText(f.Text) + "\x00" + f.SourceID }

// onePerEdit keeps, of changed findings, the fewest that show every edit
// of a source's text once: sub-questions find one edited sentence in
// windows of several sentences that overlap (or nest), and each pair of
// windows is the same edit. An edit is counted by the sentences it
// touches, before and after (edits). The findings that show the fewest
// edits go first (the first of them on a tie), each kept when it shows an
// edit none kept before shows; they stay in their order.
func onePerEdit(changed []rf.ChangedFinding) []rf.ChangedFinding {
	es := make([][]string, len(changed))
	order := make([]int, len(changed))
	for i, f := range changed {
		es[i], order[i] = edits(f), i
	}
	slices.SortStableFunc(order, func(i, j int) int { return len(es[i]) - len(es[j]) })
	keep := make([]bool, len(changed))
	seen := map[string]bool{} // lookup only
	for _, i := range order {
		keep[i] = len(es[i]) == 0
		for _, e := range es[i] {
			keep[i] = keep[i] || !seen[e]
			seen[e] = true
		}
	}
	var out []rf.ChangedFinding
	for i, f := range changed {
		if keep[i] {
			out = append(out, f)
		}
	}
	return out
}

// onePerSentence keeps, of new findings and findings no longer supported,
// the fewest that show every sentence a source gained or lost once:
// sub-questions find one such sentence in windows of several sentences
// that overlap (or nest). A sentence a kept changed finding shows (edits)
// is shown; of the others, the findings that show the fewest such
// sentences, then the shortest, go first (the first of them on a tie),
// each kept when it shows a sentence none kept before shows; they stay in
// their order.
func onePerSentence(changed []rf.ChangedFinding, added []rf.SnapshotFinding, gone []rf.WithdrawnFinding, prevSaid, curSaid map[string]bool) ([]rf.SnapshotFinding, []rf.WithdrawnFinding) {
	seen := map[string]bool{} // lookup only
	for _, f := range changed {
		for _, e := range edits(f) {
			seen[e] = true
		}
	}
	keep := func(texts []string, names [][]string) []bool {
		order := make([]int, len(names))
		size := make([]int, len(names))
		for i := range order {
			order[i], size[i] = i, len(sentences(texts[i]))
		}
		slices.SortStableFunc(order, func(i, j int) int {
			if d := len(names[i]) - len(names[j]); d != 0 {
				return d
			}
			return size[i] - size[j]
		})
		kept := make([]bool, len(names))
		for _, i := range order {
			for _, e := range names[i] {
				kept[i] = kept[i] || !seen[e]
				seen[e] = true
			}
		}
		return kept
	}
	texts, names := make([]string, len(added)), make([][]string, len(added))
	for i, f := range added {
		texts[i], names[i] = f.Text, unsaid("+", f, prevSaid)
	}
	var news []rf.SnapshotFinding
	for i, k := range keep(texts, names) {
		if k {
			news = append(news, added[i])
		}
	}
	texts, names = make([]string, len(gone)), make([][]string, len(gone))
	for i, f := range gone {
		texts[i], names[i] = f.Text, unsaid("-", f.SnapshotFinding, curSaid)
	}
	var withdrawn []rf.WithdrawnFinding
	for i, k := range keep(texts, names) {
		if k {
			withdrawn = append(withdrawn, gone[i])
		}
	}
	return news, withdrawn
}

// said is the set of the sentences the findings of fs state, each named
// by its source and folded text.
func said(fs []rf.SnapshotFinding) map[string]bool {
	m := map[string]bool{} // lookup only
	for _, f := range fs {
		for _, s := range unsaid("", f, nil) {
			m[s] = true
		}
	}
	return m
}

// unsaid names the sentences of f that the set of sentences s (said)
// lacks: side ("-" a sentence lost, "+" one gained, as edits names them),
// f's source and the sentence folded.
func unsaid(side string, f rf.SnapshotFinding, s map[string]bool) []string {
	var out []string
	for _, x := range sentences(f.Text) {
		x = FoldText(x)
		if !s[f.SourceID+"\x00"+x] && !slices.Contains(out, side+f.SourceID+"\x00"+x) {
			out = append(out, side+f.SourceID+"\x00"+x)
		}
	}
	return out
}

// edits names the sentences a changed finding's edits touch: for each run
// of words that differ (hunks), each sentence of the text before that it
// touches ("-", with the source before) and each of the text after ("+",
// with the source after), folded. The same edit seen in another window
// of the same text has the same names.
func edits(f rf.ChangedFinding) []string {
	a, aEnds := split(f.Before.Text)
	b, bEnds := split(f.After.Text)
	var out []string
	add := func(side, source string, ss []string) {
		for _, s := range ss {
			if e := side + source + "\x00" + s; !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	for _, h := range hunks(a, b) {
		add("-", f.Before.SourceID, sentencesOf(a, aEnds, h.ai, h.aj))
		add("+", f.After.SourceID, sentencesOf(b, bEnds, h.bi, h.bj))
	}
	return out
}

// sentences is the sentences of text as textproc.Sentences splits them,
// the splitter of every comparison of a report's sentences (Revise cuts a
// withdrawn claim's sentence out of a passage with it too), each with its
// words joined by one space.
func sentences(text string) []string { return textproc.Sentences(text) }

// split is the words of text, each sentence's (sentences) on their own,
// and whether each ends its sentence: a word that holds a sentence's end
// inside it ("…されます。復元…") is two words.
func split(text string) (ws []string, ends []bool) {
	for _, s := range sentences(text) {
		f := strings.Fields(s)
		ws = append(ws, f...)
		ends = append(ends, make([]bool, len(f))...)
		ends[len(ends)-1] = true
	}
	return ws, ends
}

// sentencesOf is the sentences of words ws (ends: which end a sentence,
// as split gives them) that words [i, j) stand in, each folded (none when
// i == j).
func sentencesOf(ws []string, ends []bool, i, j int) []string {
	if i == j {
		return nil
	}
	for i > 0 && !ends[i-1] {
		i--
	}
	for j < len(ws) && !ends[j-1] {
		j++
	}
	var out []string
	for k := i; k < j; {
		end := k + 1
		for end < j && !ends[end-1] {
			end++
		}
		out = append(out, FoldText(strings.Join(ws[k:end], " ")))
		k = end
	}
	return out
}

// number is the report's number of source id among sources (0 if none).
func number(sources []rf.SnapshotSource, id string) int {
	for _, s := range sources {
		if s.SourceID == id {
			return s.N
		}
	}
	return 0
}

// pair finds the finding of added (not used yet) that o became, with the
// values that differ; -1 if none. Of o's own source, under any
// sub-question, it is the one most alike o (the fewest differing words)
// that states o's fact with another value or is o's sentence but for its
// numbers, whole or in one of the sentences only one of them holds
// (edited): the sentences of one source are found under several
// sub-questions, and alike sub-questions find them in windows of
// different extents. Else, of another source under o's sub-question, the
// first that states o's fact with another value.
func pair(o rf.SnapshotFinding, added []rf.SnapshotFinding, used []bool) (int, string, string) {
	fact := func(a, b string) (string, string, bool) {
		// The detector never compares claims of one source: label them.
		cs := conflict.Detect([]conflict.Claim{{Text: a, SourceID: "before"}, {Text: b, SourceID: "after"}})
		if len(cs) == 0 {
			return "", "", false
		}
		return wholeValue(a, cs[0].AValue), wholeValue(b, cs[0].BValue), true
	}
	renumbered := func(a, b string) (string, string, bool) {
		if shape(a) != shape(b) {
			return "", "", false
		}
		from, to := differing(a, b)
		return from, to, true
	}
	// A passage that also gained or lost a sentence beside its edit: a
	// sentence only o holds and one only n holds state a fact with
	// another value, or are one sentence but for its numbers.
	edited := func(n string) (string, string, bool) {
		as, bs := sentences(o.Text), sentences(n)
		for _, a := range as {
			if slices.ContainsFunc(bs, func(b string) bool { return FoldText(a) == FoldText(b) }) {
				continue
			}
			for _, b := range bs {
				if slices.ContainsFunc(as, func(a string) bool { return FoldText(a) == FoldText(b) }) {
					continue
				}
				if from, to, ok := fact(a, b); ok {
					return from, to, true
				}
				if from, to, ok := renumbered(a, b); ok {
					return from, to, true
				}
			}
		}
		return "", "", false
	}
	best, bestFrom, bestTo, fewest := -1, "", "", 0
	for j, n := range added {
		if used[j] || n.SourceID != o.SourceID {
			continue
		}
		from, to, ok := fact(o.Text, n.Text)
		if !ok {
			if from, to, ok = renumbered(o.Text, n.Text); !ok {
				if from, to, ok = edited(n.Text); !ok {
					continue
				}
			}
		}
		if d := differingWords(o.Text, n.Text); best < 0 || d < fewest {
			best, bestFrom, bestTo, fewest = j, from, to, d
		}
	}
	if best >= 0 {
		return best, bestFrom, bestTo
	}
	sq := FoldText(o.SubQuestion)
	for j, n := range added {
		if used[j] || FoldText(n.SubQuestion) != sq {
			continue
		}
		if from, to, ok := fact(o.Text, n.Text); ok {
			return j, from, to
		}
	}
	return -1, "", ""
}

// differingWords counts the words of a and b outside their longest common
// subsequence (see hunks).
func differingWords(a, b string) int {
	n := 0
	for _, h := range hunks(strings.Fields(a), strings.Fields(b)) {
		n += h.aj - h.ai + h.bj - h.bi
	}
	return n
}

var digits = regexp.MustCompile(`\d+(?:[.,]\d+)*`)

// shape is a text folded with its numbers masked.
func shape(text string) string { return digits.ReplaceAllString(FoldText(text), "#") }

// differing returns the words of a and b between their common beginning
// and end ("30 days" and "35 days" of "kept 30 days" and "kept 35 days"),
// widened to the expression they are part of (see widen).
func differing(a, b string) (string, string) {
	wa, wb := strings.Fields(a), strings.Fields(b)
	// Each run of differing words on its own (see hunks): "10 am" and
	// "400 EUR" of one sentence are two values, not the span from one to
	// the other across a sentence's end.
	var from, to []string
	for _, w := range widened(wa, wb, hunks(wa, wb)) {
		from = append(from, strings.Join(trimWords(wa[w.ai:w.aj]), " "))
		to = append(to, strings.Join(trimWords(wb[w.bi:w.bj]), " "))
	}
	return strings.Join(from, ", "), strings.Join(to, ", ")
}

// wholeValue is value, a part of text the conflict detector found ("2027"
// of "starts 4 January 2027"), widened to the expression it is part of
// ("4 January 2027"); value itself when text does not state it word for
// word ("yes", "no").
func wholeValue(text, value string) string {
	ws, vs := strings.Fields(text), strings.Fields(value)
	for i := 0; i+len(vs) <= len(ws) && len(vs) > 0; i++ {
		if strings.Join(trimWords(ws[i:i+len(vs)]), " ") == value {
			lo, hi := textproc.Expression(ws, i, i+len(vs))
			return strings.Join(trimWords(ws[lo:hi]), " ")
		}
	}
	return value
}

// hunk is a run of words that differ: a[ai:aj] became b[bi:bj].
type hunk struct{ ai, aj, bi, bj int }

// widened returns hunks hs of a and b each widened (see widen) within the
// words that are the same in a and b before and after it, up to the hunks
// beside it.
func widened(a, b []string, hs []hunk) []hunk {
	out := make([]hunk, len(hs))
	for k, h := range hs {
		before, after := h.ai, len(a)-h.aj
		if k > 0 {
			before = h.ai - hs[k-1].aj
		}
		if k+1 < len(hs) {
			after = hs[k+1].ai - h.aj
		}
		out[k] = widen(a, b, h, before, after)
	}
	return out
}

// widen widens hunk h of a and b, on both sides alike, to the whole date,
// time, quantity or version it is part of (textproc.Expression) on either
// side: "4 → 11" of "4 January 2027 → 11 January 2027" is the dates, "30
// → 45" of "30 days → 45 days" the durations, "days → weeks" of "30 days →
// 30 weeks" the amounts, "42 → 45" of "42 desks → 45 desks" the counts
// (textproc.Counted: a number keeps the noun it counts). It takes at most before words of the words both
// share before it, after of those after it.
func widen(a, b []string, h hunk, before, after int) hunk {
	expand := func(ws []string, i, j int) (int, int) {
		if i == j {
			return 0, 0
		}
		lo, hi := textproc.Counted(ws, i, j)
		return i - lo, hi - j
	}
	la, ra := expand(a, h.ai, h.aj)
	lb, rb := expand(b, h.bi, h.bj)
	l, r := min(max(la, lb), before), min(max(ra, rb), after)
	return hunk{h.ai - l, h.aj + r, h.bi - l, h.bj + r}
}

// stated is the set of the statements of fs.
func stated(fs []rf.SnapshotFinding) map[string]bool {
	m := make(map[string]bool, len(fs)) // lookup only
	for _, f := range fs {
		m[statement(f)] = true
	}
	return m
}

// unique keeps the first finding of each statement: one the offline
// planner's sub-questions, worded alike, found each is one finding (the
// first sub-question's).
func unique(fs []rf.SnapshotFinding) []rf.SnapshotFinding {
	var out []rf.SnapshotFinding
	seen := map[string]bool{} // lookup only
	for _, f := range fs {
		if k := statement(f); !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// missing lists the sources of a that b lacks, in a's order.
func missing(a, b []rf.SnapshotSource) []rf.SnapshotSource {
	var out []rf.SnapshotSource
	for _, s := range a {
		if !slices.ContainsFunc(b, func(t rf.SnapshotSource) bool { return t.SourceID == s.SourceID }) {
			out = append(out, s)
		}
	}
	return out
}

func sourceTitle(sources []rf.SnapshotSource, id string) string {
	for _, s := range sources {
		if s.SourceID == id {
			return sourceName(s)
		}
	}
	return "a source of the previous run"
}

// sourceName is a source as a reader knows it (report.SourceName).
func sourceName(s rf.SnapshotSource) string {
	return report.SourceName(s.Title, s.Location, cmp.Or(s.URL, s.Link))
}

// Heading is the title of the section: "What changed since <date>".
const Heading = report.HeadingWhatChanged

// stamp is how the section names the previous run's time.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// Section is the report's "What changed since <date>" section for c, or,
// for a schedule's first run, a line saying that the next run will tell.
// Findings of several sources (or sub-questions) that state the same are
// one line, citing each source; its counts count each source's finding.
func Section(c rf.Changes) string {
	var b strings.Builder
	if c.PreviousRun == "" {
		fmt.Fprintf(&b, "## %s\n\nFirst run of this schedule: the next run reports what changed since this one.\n\n", Heading)
		return b.String()
	}
	since := stamp(c.Since)
	fmt.Fprintf(&b, "## %s since %s\n\n", Heading, since)
	if c.Empty() {
		fmt.Fprintf(&b, "No change since %s (run %s%s).\n\n", since, report.Sanitize(c.PreviousRun), revisionOf(c, ", "))
		return b.String()
	}
	if rev := revisionOf(c, ""); rev != "" {
		fmt.Fprintf(&b, "Compared with run %s (%s): %s.\n\n", report.Sanitize(c.PreviousRun), rev, c.Summary())
	} else {
		fmt.Fprintf(&b, "Compared with run %s: %s.\n\n", report.Sanitize(c.PreviousRun), c.Summary())
	}
	list := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "**%s**\n\n", title)
		for _, l := range lines {
			b.WriteString("- " + l + "\n")
		}
		b.WriteString("\n")
	}
	// A statement several sources make, or several sub-questions found,
	// is one line (once), citing each source and naming each
	// sub-question; the counts above count each source's finding.
	var lines []string
	for _, g := range once(c.New, func(f rf.SnapshotFinding) string { return FoldText(f.Text) }) {
		// This run's statements cite their sources as the report does.
		lines = append(lines, report.Cited(g[0].Text, numbers(g)...)+" — "+askedBy(g))
	}
	list("New findings", lines)
	lines = nil
	changed := func(f rf.ChangedFinding) string {
		return Label(f) + "\x00" + FoldText(f.After.Text) + "\x00" + FoldText(f.Before.Text)
	}
	for _, g := range once(c.Changed, changed) {
		after := make([]rf.SnapshotFinding, len(g))
		for i, f := range g {
			after[i] = f.After
		}
		l := report.Cited(g[0].After.Text, numbers(after)...) + " — " + askedBy(after)
		if lb := Label(g[0]); lb != "" {
			l = lb + ": " + l
		}
		lines = append(lines, l+" (was: "+report.Sanitize(g[0].Before.Text)+")")
	}
	list("Changed findings", lines)
	lines = nil
	for _, g := range once(c.Withdrawn, func(f rf.WithdrawnFinding) string { return FoldText(f.Text) }) {
		fs := make([]rf.SnapshotFinding, len(g))
		var reasons []string
		for i, f := range g {
			fs[i] = f.SnapshotFinding
			if r := report.Sanitize(f.Reason); !slices.Contains(reasons, r) {
				reasons = append(reasons, r)
			}
		}
		lines = append(lines, report.Sanitize(g[0].Text)+" — "+askedBy(fs)+": "+strings.Join(reasons, "; "))
	}
	list("No longer supported", lines)
	lines = nil
	for _, s := range c.NewSources {
		l := report.Sanitize(sourceName(s))
		if s.N > 0 {
			l = fmt.Sprintf("[%d] %s", s.N, l)
		}
		lines = append(lines, l)
	}
	list("New sources", lines)
	lines = nil
	for _, s := range c.VanishedSources {
		lines = append(lines, report.Sanitize(sourceName(s)))
	}
	list("Vanished sources", lines)
	return b.String()
}

// once groups items that state the same (key), in the order of their
// first: the lines of a list of Section.
func once[T any](items []T, key func(T) string) [][]T {
	var out [][]T
	at := map[string]int{} // lookup only
	for _, it := range items {
		k := key(it)
		if i, ok := at[k]; ok {
			out[i] = append(out[i], it)
			continue
		}
		at[k] = len(out)
		out = append(out, []T{it})
	}
	return out
}

// numbers is the report's numbers of the sources of fs.
func numbers(fs []rf.SnapshotFinding) []int {
	ns := make([]int, len(fs))
	for i, f := range fs {
		ns[i] = f.N
	}
	return ns
}

// askedBy names the sub-questions of fs, each once, in emphasis
// with stars (Sanitize escapes the text's own, and the web app renders
// *…*, not _…_): "*How long are backups kept?*, *Where are they kept?*".
func askedBy(fs []rf.SnapshotFinding) string {
	var out, seen []string
	for _, f := range fs {
		if k := FoldText(f.SubQuestion); !slices.Contains(seen, k) {
			seen = append(seen, k)
			out = append(out, "*"+report.Sanitize(f.SubQuestion)+"*")
		}
	}
	return strings.Join(out, ", ")
}

// revisionOf names the revision of the previous run's report that c was
// compared with, after sep, in the words of its changelog ("revision 3:
// 1 claim corrected, 1 claim withdrawn"); "" when it was the run's own
// report.
func revisionOf(c rf.Changes, sep string) string {
	if c.PreviousRevision < 2 {
		return ""
	}
	rev := fmt.Sprintf("%srevision %d", sep, c.PreviousRevision)
	if counts := claims.CountOutcomes(c.PreviousRevisedBy); counts != "" {
		return rev + ": " + counts
	}
	return rev
}

// maxLabelParts and maxLabelWords bound a changed finding's label: a
// sentence that changed in more places than that is shown whole, before
// and after, without one.
const (
	maxLabelParts = 3
	maxLabelWords = 12
)

// Label names every part of a changed finding that differs, in the order
// of the sentence: "30 days → 35 days, Frankfurt → Dublin". Each part is a
// run of words that differ (by an LCS of the two sentences' words), shown
// as the comparison's values (From, To) when they hold it. It is "" when
// the sentences differ in too many places for a label to say it.
func Label(f rf.ChangedFinding) string {
	a, b := strings.Fields(f.Before.Text), strings.Fields(f.After.Text)
	var parts []string
	words := 0
	hs := hunks(a, b)
	for k, w := range widened(a, b, hs) {
		h := hs[k]
		words += max(h.aj-h.ai, h.bj-h.bi)
		from, to := strings.Join(trimWords(a[w.ai:w.aj]), " "), strings.Join(trimWords(b[w.bi:w.bj]), " ")
		if len(hs) == 1 && f.From != "" && f.To != "" && strings.Contains(f.From, from) && strings.Contains(f.To, to) {
			from, to = f.From, f.To
		}
		p := orNothing(from) + " → " + orNothing(to)
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 || len(parts) > maxLabelParts || words > maxLabelWords {
		return ""
	}
	return strings.Join(parts, ", ")
}

// hunks are the runs of words of a and b outside their longest common
// subsequence (words compared folded, without the punctuation around
// them), in order.
func hunks(a, b []string) []hunk {
	word := func(w string) string { return strings.ToLower(strings.Trim(w, ".,;:!?()\"'")) }
	// lcs[i][j] is the length of the LCS of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if word(a[i]) == word(b[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []hunk
	i, j := 0, 0
	cur := hunk{}
	flush := func() {
		if cur.aj > cur.ai || cur.bj > cur.bi {
			out = append(out, cur)
		}
		cur = hunk{i, i, j, j}
	}
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && word(a[i]) == word(b[j]):
			i++
			j++
			flush()
		case j >= len(b) || (i < len(a) && lcs[i+1][j] >= lcs[i][j+1]):
			i++
			cur.aj = i
		default:
			j++
			cur.bj = j
		}
	}
	flush()
	return out
}

// trimWords drops the punctuation around a part: before its first word,
// after its last ("Dublin." is "Dublin", "(4" is "4"), keeping a bracket
// the part closes or opens ("f(x)").
func trimWords(ws []string) []string {
	if len(ws) == 0 {
		return ws
	}
	ws = slices.Clone(ws)
	joined := strings.Join(ws, " ")
	open, closing := "\"'“‘", ".,;:!?\"'”’"
	if !strings.Contains(joined, ")") {
		open += "("
	}
	if !strings.Contains(joined, "(") {
		closing += ")"
	}
	ws[0] = strings.TrimLeft(ws[0], open)
	ws[len(ws)-1] = strings.TrimRight(ws[len(ws)-1], closing)
	return ws
}

func orNothing(s string) string {
	if s == "" {
		return "(nothing)"
	}
	return report.Sanitize(s)
}

// Insert puts section at the top of a report: after its title and
// question, before its first section; a report without sections gets it at
// the end.
func Insert(markdown, section string) string {
	if section == "" {
		return markdown
	}
	if strings.HasPrefix(markdown, "## ") {
		return section + markdown
	}
	if i := strings.Index(markdown, "\n## "); i >= 0 {
		return markdown[:i+1] + section + markdown[i+1:]
	}
	if !strings.HasSuffix(markdown, "\n") && markdown != "" {
		markdown += "\n"
	}
	return markdown + "\n" + section
}
