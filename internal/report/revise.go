package report

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/conflict"
	"github.com/researchflow/researchflow/internal/textproc"
)

// fold is text folded to lower case with white space collapsed.
func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// headingChangelog lists the changes of a report's revisions.
const headingChangelog = "Changelog"

// HeadingWhatChanged begins the title of a scheduled report's section on
// what changed since its schedule's previous run ("What changed since
// <date>", written by internal/changes).
const HeadingWhatChanged = "What changed"

// NoSourceStates is why a claim no passage states is withdrawn.
const NoSourceStates = "no source states it"

// minKeptCosine is how alike a passage's statement and a claim must be
// (term-vector cosine, with the same numbers) for the passage to state it.
const minKeptCosine = 0.9

// minCorrectedCosine is how alike (term-vector cosine, numbers left out)
// a passage's statement with other numbers must be to correct a claim.
const minCorrectedCosine = 0.6

// Statement is a statement found in a passage when a claim is re-checked.
type Statement struct {
	Text     string `json:"text"`
	ChunkID  string `json:"chunkId"`
	SourceID string `json:"sourceId"`
}

// Judge decides what the statements found for a disputed claim (best
// first) say of it: claims.OutcomeKept when one states it (the same words and
// numbers), claims.OutcomeCorrected when one states the same fact differently
// (another quantity, date or yes/no of the same subject, or the same
// sentence with other numbers), claims.OutcomeWithdrawn when none does. A
// statement about another subject corrects nothing, however alike its
// words (textproc.OtherSubject: "Database snapshots are retained for 7
// days" for "Nightly database backups are retained for 35 days"). It
// returns the index of the statement that keeps or corrects it (-1 when
// withdrawn). Deterministic, no I/O: the offline and model engines are
// judged alike.
func Judge(claim string, found []Statement) (string, int) {
	text, _ := textproc.StripCitations(claim)
	key := fold(strings.TrimRight(text, trailing))
	vec := textproc.TermVector(text)
	for i, f := range found {
		ft := fold(strings.TrimRight(f.Text, trailing))
		if ft == key || (textproc.Cosine(vec, textproc.TermVector(f.Text)) >= minKeptCosine && slices.Equal(numbersOf(ft), numbersOf(key))) {
			return claims.OutcomeKept, i
		}
	}
	words := textproc.TermVector(numberPattern.ReplaceAllString(text, " "))
	for i, f := range found {
		if textproc.OtherSubject(text, f.Text) {
			// Another subject ("Database snapshots …" for "Nightly
			// database backups …"): alike words, no correction.
			continue
		}
		cs := conflict.Detect([]conflict.Claim{{Text: text, SourceID: "claim"}, {Text: f.Text, SourceID: "passage"}})
		if len(cs) > 0 || (masked(f.Text) == masked(text) && len(numbersOf(text)) > 0) {
			return claims.OutcomeCorrected, i
		}
		// The same words around other numbers: the fact has a new value.
		if nums := numbersOf(f.Text); len(nums) > 0 && len(numbersOf(text)) > 0 && !slices.Equal(nums, numbersOf(text)) &&
			textproc.Cosine(words, textproc.TermVector(numberPattern.ReplaceAllString(f.Text, " "))) >= minCorrectedCosine {
			return claims.OutcomeCorrected, i
		}
	}
	return claims.OutcomeWithdrawn, -1
}

var numberPattern = regexp.MustCompile(`\d+(?:[.,]\d+)*`)

func numbersOf(s string) []string { return numberPattern.FindAllString(s, -1) }

// masked is a statement folded, its numbers masked and its end marks cut.
func masked(s string) string {
	return numberPattern.ReplaceAllString(fold(strings.TrimRight(s, trailing)), "#")
}

// Revise writes revision rev of the report after base and check, a disputed claim's
// review: a kept claim stays as it is, a corrected one is replaced by
// check.Correction citing check.Cites (source, when not nil, is a source
// base does not number yet, added to its list), shown and listed as
// Render and Claims show and list a statement, a withdrawn one leaves the
// text and the claims wherever the text states it (unstate: made again
// citing another source, or a sentence of another source's passage, which
// keeps its other sentences). The claim is found however the report shows it
// (code spans, a definition's term; see locate). check.Change is added to the changelog, which the
// report shows in a section of its own before its sources. A scheduled
// report's "What changed" entries that state the claim are replaced by
// that change, so that the section cannot contradict the revised text.
// A correction that states what another claim states (the same claim ID)
// is that claim: the revision states it once, citing the sources of both,
// lists it once under the other claim's ID, and its changelog line says
// so. A "Where sources disagree" entry of which the claim was one side
// quotes the correction when that still disagrees with the other side,
// else it leaves (see reviseConflicts).
// Sources no longer cited leave the list; the others keep their numbers.
// The source of a kept or corrected claim lists check.ChunkID, the passage
// that states it now, first among its passages. Earlier revisions are not
// touched.
func Revise(base claims.Revision, rev int, check claims.Check, source *rf.Source) (claims.Revision, error) {
	i := slices.IndexFunc(base.Claims, func(c rf.Claim) bool { return c.ID == check.ClaimID })
	if i < 0 {
		return claims.Revision{}, fmt.Errorf("claim %s is not in revision %d", check.ClaimID, base.Revision)
	}
	claim := base.Claims[i]
	next := claims.Revision{
		Revision: rev, Title: base.Title, Confidence: base.Confidence, Report: base.Report,
		Claims: slices.Clone(base.Claims), Sources: slices.Clone(base.Sources),
		Changelog: append(slices.Clone(base.Changelog), fmt.Sprintf("Revision %d: %s", rev, check.Change)),
		Gaps:      slices.Clone(base.Gaps),
	}
	valid := map[int]bool{}
	for _, s := range base.Sources {
		valid[s.N] = true
	}
	if check.Outcome != claims.OutcomeKept {
		// First, so that the claim is then found where the report states
		// it: the section quotes a new finding as the report does,
		// citation and all, above the Summary.
		next.Report = reviseWhatChanged(next.Report, claim.Text, fmt.Sprintf("Revision %d: %s", rev, check.Change))
	}
	var st RenderStats
	old, found := locate(next.Report, claim, valid)
	switch check.Outcome {
	case claims.OutcomeKept:
	case claims.OutcomeCorrected:
		if source != nil {
			next.Sources = append(next.Sources, *source)
			valid[source.N] = true
			next.Report = addSource(next.Report, *source)
		}
		// The correction is shown and listed as Render and Claims show
		// and list a statement: its lines of code as code.
		text := ClaimText(check.Correction)
		repl := renderSentence(reasoning.Sentence{Text: check.Correction, Cites: check.Cites}, valid, false, &st)
		if repl == "" {
			return claims.Revision{}, fmt.Errorf("correction of %s cites no source of the report: %v", claim.ID, check.Cites)
		}
		if !found {
			return claims.Revision{}, fmt.Errorf("claim %s (%q) is not in the text of revision %d", claim.ID, claim.Text, base.Revision)
		}
		cites := slices.Clone(check.Cites)
		slices.Sort(cites)
		cites = slices.Compact(cites)
		id := ClaimID(text)
		if j := slices.IndexFunc(next.Claims, func(c rf.Claim) bool { return c.ID == id }); j >= 0 && j != i {
			// The correction states what another claim states: the
			// revision states it once, as that claim.
			var err error
			if next.Report, err = merge(next.Report, old, next.Claims[j], cites, valid, rev); err != nil {
				return claims.Revision{}, err
			}
			next.Claims[j].Cites = union(next.Claims[j].Cites, cites)
			next.Claims = slices.Delete(next.Claims, i, i+1)
			last := len(next.Changelog) - 1
			next.Changelog[last] += fmt.Sprintf(" It now states what claim %d states: the revision states it once, as claim %d.", j+1, j+1)
			break
		}
		next.Report = strings.Replace(next.Report, old, repl, 1)
		next.Claims[i] = rf.Claim{ID: id, Text: text, Cites: cites, Section: claim.Section}
	case claims.OutcomeWithdrawn:
		if !found {
			return claims.Revision{}, fmt.Errorf("claim %s (%q) is not in the text of revision %d", claim.ID, claim.Text, base.Revision)
		}
		note := withdrawnNote(next.Revision, withdrawnWhy(check))
		next.Report = cut(next.Report, old, note)
		next.Claims = slices.Delete(next.Claims, i, i+1)
		next.Report, next.Claims = unstate(next.Report, claim, next.Claims, note)
	default:
		return claims.Revision{}, fmt.Errorf("a review cannot revise a report with outcome %q", check.Outcome)
	}
	if next.Claims == nil {
		next.Claims = []rf.Claim{}
	}
	if check.Outcome == claims.OutcomeKept || check.Outcome == claims.OutcomeCorrected {
		next.Sources = citePassage(next.Sources, check.Cites, check.ChunkID)
	}
	if check.Outcome != claims.OutcomeKept {
		// A disagreement of which the claim was one side is one no more,
		// or is the correction's now; then the sources only it cited
		// leave.
		now := ""
		if check.Outcome == claims.OutcomeCorrected {
			now = check.Correction
		}
		next.Report = reviseConflicts(next.Report, claim, now, slices.Compact(slices.Sorted(slices.Values(check.Cites))))
		next.Report, next.Sources = dropUncited(next.Report, next.Sources)
	}
	next.Report = changelog(next.Report, next.Changelog)
	return next, nil
}

// citePassage records chunk, the passage that keeps or corrects a claim,
// first among the passages of the sources cites names: the revision cites
// it, also when it replaced the passages the run read (an edited note), so
// that the source's number opens it. The sources are copied, not changed.
func citePassage(sources []rf.Source, cites []int, chunk string) []rf.Source {
	if chunk == "" {
		return sources
	}
	out := slices.Clone(sources)
	for i, s := range out {
		if slices.Contains(cites, s.N) {
			ids := slices.DeleteFunc(slices.Clone(s.ChunkIDs), func(id string) bool { return id == chunk })
			out[i].ChunkIDs = append([]string{chunk}, ids...)
		}
	}
	return out
}

// withdrawnWhy is why the claim of check was withdrawn.
func withdrawnWhy(check claims.Check) string {
	if w := strings.TrimSpace(check.Why); w != "" {
		return w
	}
	return NoSourceStates
}

// reviseWhatChanged replaces the entries of md's "What changed since …"
// section that state claim (its new and changed findings) with change, the
// revision's changelog line: the section told what the run found, which a
// revision corrected or withdrew.
func reviseWhatChanged(md, claim, change string) string {
	head := "## " + HeadingWhatChanged
	at, end, ok := sectionSpan(md, head)
	if !ok {
		return md
	}
	text, _ := textproc.StripCitations(claim)
	body := sanitize(strings.TrimRight(clean(text), trailing))
	words := textproc.TermVector(numberPattern.ReplaceAllString(text, " "))
	lines := strings.Split(md[at:end], "\n")
	list := ""
	for j, l := range lines {
		if strings.HasPrefix(l, "**") && strings.HasSuffix(l, "**") {
			list = strings.Trim(l, "*")
			continue
		}
		if !strings.HasPrefix(l, "- ") || (list != "New findings" && list != "Changed findings") {
			continue
		}
		// The finding of an entry: "[from → to: ]<finding> — *<sub-question>*[ (was: …)]".
		finding, _, _ := strings.Cut(strings.TrimPrefix(l, "- "), " — *")
		if _, after, ok := strings.Cut(finding, " → "); ok {
			if _, f, ok := strings.Cut(after, ": "); ok {
				finding = f
			}
		}
		if body != "" && strings.Contains(l, body) ||
			textproc.Cosine(words, textproc.TermVector(numberPattern.ReplaceAllString(finding, " "))) >= minKeptCosine {
			lines[j] = "- " + sanitize(change)
		}
	}
	return md[:at] + strings.Join(lines, "\n") + md[end:]
}

// dropUncited removes from md's Sources list, and from sources, the
// sources its text no longer cites; the others keep their numbers, so
// that a citation means the same source in every revision.
func dropUncited(md string, sources []rf.Source) (string, []rf.Source) {
	cited := map[int]bool{}
	for _, n := range Citations(md) {
		cited[n] = true
	}
	kept := sources[:0:0]
	for _, s := range sources {
		if cited[s.N] {
			kept = append(kept, s)
			continue
		}
		md = dropSourceLine(md, s.N)
	}
	if len(kept) == 0 {
		head := "## " + headingSources + "\n\n"
		if at := strings.LastIndex(md, head); at >= 0 && !strings.HasPrefix(md[at+len(head):], "- ") {
			md = md[:at+len(head)] + "No sources.\n" + md[at+len(head):]
		}
	}
	return md, kept
}

// ChangeLine is the changelog line of a claim's review ("Claim 3
// withdrawn: no source states it.").
func ChangeLine(c claims.Check) string {
	// Numbers in brackets would read as citations of the changelog: the
	// sources are named in words.
	var nums []string
	for _, n := range c.Cites {
		nums = append(nums, strconv.Itoa(n))
	}
	cites := "source " + strings.Join(nums, ", ")
	if len(nums) > 1 {
		cites = "sources " + strings.Join(nums, ", ")
	}
	switch c.Outcome {
	case claims.OutcomeKept:
		return fmt.Sprintf("Claim %d kept: %s still states it.", c.Number, cites)
	case claims.OutcomeCorrected:
		was, _ := splitEnd(ClaimText(c.Text))
		now, _ := splitEnd(ClaimText(c.Correction))
		return fmt.Sprintf("Claim %d corrected: “%s” is now “%s” (%s).", c.Number, was, now, cites)
	case claims.OutcomeWithdrawn:
		return fmt.Sprintf("Claim %d withdrawn: %s.", c.Number, strings.TrimRight(withdrawnWhy(c), trailing))
	}
	return fmt.Sprintf("Claim %d %s.", c.Number, c.Outcome)
}

// withdrawnNote is what a paragraph that a withdrawal left empty says.
func withdrawnNote(rev int, why string) string {
	return fmt.Sprintf("Withdrawn in revision %d: %s.", rev, strings.TrimRight(why, trailing))
}

// cut removes sentence (its first statement) from md, with the space that
// parts it from the sentence before or after it on its line (none in a
// script written without spaces); a paragraph left empty says note
// instead, in italics.
func cut(md, sentence, note string) string {
	at := strings.Index(md, sentence)
	if at < 0 {
		return md
	}
	from := strings.LastIndexByte(md[:at], '\n') + 1
	to := len(md)
	if nl := strings.IndexByte(md[at:], '\n'); nl >= 0 {
		to = at + nl
	}
	before, after := md[from:at], md[at+len(sentence):to]
	switch {
	case strings.TrimSpace(before+after) == "":
		return md[:at] + "*" + sanitize(note) + "*" + md[at+len(sentence):]
	case strings.HasSuffix(before, " "):
		before = before[:len(before)-1]
	case strings.HasPrefix(after, " "):
		after = after[1:]
	}
	return md[:from] + before + after + md[to:]
}

// unstate removes the statement of withdrawn, a claim a revision withdrew
// (its sentence already cut), from wherever else md states it: the same
// statement made again citing other sources (claims lists it once), and
// each sentence that states it (Judge keeps it) of a passage of several
// sentences, another claim, quoting another source. Such a passage keeps
// its other sentences, its citations and its place among claims, under
// the ID of what it states now; one left with none leaves, with its claim.
// A paragraph left empty says note. It returns md and cs so revised.
func unstate(md string, withdrawn rf.Claim, cs []rf.Claim, note string) (string, []rf.Claim) {
	for _, s := range statedAt(md, withdrawn.Text) {
		md = cut(md, s.text, note)
	}
	out := make([]rf.Claim, 0, len(cs))
	for _, c := range cs {
		ss := textproc.Sentences(c.Text)
		rest := slices.DeleteFunc(slices.Clone(ss), func(s string) bool {
			outcome, _ := Judge(withdrawn.Text, []Statement{{Text: s}})
			return outcome == claims.OutcomeKept
		})
		if len(rest) == len(ss) {
			out = append(out, c)
			continue
		}
		text := textproc.JoinSentences(rest)
		for _, s := range statedAt(md, c.Text) {
			if text == "" {
				md = cut(md, s.text, note)
				continue
			}
			body, end := renderBody(text)
			md = strings.Replace(md, s.text, body+" "+s.marks+end, 1)
		}
		if text == "" {
			continue
		}
		c.ID, c.Text = ClaimID(text), text
		if j := slices.IndexFunc(out, func(o rf.Claim) bool { return o.ID == c.ID }); j >= 0 {
			out[j].Cites = union(out[j].Cites, c.Cites)
			continue
		}
		out = append(out, c)
	}
	return md, out
}

// merge removes sentence, a corrected claim's, from md, whose correction
// (citing cites) states what other states: other then cites its sources
// and the correction's, and md states it once. A paragraph left empty
// says where the statement is now.
func merge(md, sentence string, other rf.Claim, cites []int, valid map[int]bool, rev int) (string, error) {
	if all := union(other.Cites, cites); !slices.Equal(all, other.Cites) {
		was, ok := locate(md, other, valid)
		if !ok {
			return "", fmt.Errorf("claim %s (%q) is not in the text of the revision", other.ID, other.Text)
		}
		var st RenderStats
		now := renderSentence(reasoning.Sentence{Text: other.Text, Cites: all}, valid, false, &st)
		// The corrected sentence is cut first: it may be the one found.
		md = cut(md, sentence, fmt.Sprintf("Corrected in revision %d to a statement made elsewhere in this report.", rev))
		return strings.Replace(md, was, now, 1), nil
	}
	return cut(md, sentence, fmt.Sprintf("Corrected in revision %d to a statement made elsewhere in this report.", rev)), nil
}

// union is the numbers of a and b, sorted, each once.
func union(a, b []int) []int {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// addSource appends s to the Sources section of md.
func addSource(md string, s rf.Source) string {
	head := "## " + headingSources + "\n\n"
	at := strings.LastIndex(md, head)
	if at < 0 {
		return md
	}
	body := at + len(head)
	if strings.HasPrefix(md[body:], "No sources.\n") {
		return md[:body] + sourceLine(s) + md[body+len("No sources.\n"):]
	}
	end := body
	for end < len(md) && strings.HasPrefix(md[end:], "- ") {
		nl := strings.IndexByte(md[end:], '\n')
		if nl < 0 {
			end = len(md)
			break
		}
		end += nl + 1
	}
	return md[:end] + sourceLine(s) + md[end:]
}

// changelog writes the Changelog section of md (replacing the one an
// earlier revision wrote), before its sources.
func changelog(md string, lines []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", headingChangelog)
	for _, l := range lines {
		fmt.Fprintf(&b, "- %s\n", sanitize(l))
	}
	b.WriteString("\n")
	head := "## " + headingChangelog + "\n\n"
	if at := strings.Index(md, head); at >= 0 {
		end := strings.Index(md[at+len(head):], "\n## ")
		if end >= 0 {
			return md[:at] + b.String() + md[at+len(head)+end+1:]
		}
	}
	src := strings.LastIndex(md, "## "+headingSources+"\n")
	if src < 0 {
		return md + "\n" + b.String()
	}
	return md[:src] + b.String() + md[src:]
}

// minSubQuestionCosine is how alike a claim and a finding must be
// (term-vector cosine) for the finding's sub-question to be the claim's.
const minSubQuestionCosine = 0.3

// SubQuestionFor returns which of the sub-questions, given by the texts of
// their findings, a claim comes from: the one with a finding that states
// it, else the one with the finding most alike it (a model writer
// rephrases), -1 when none is alike.
func SubQuestionFor(claim string, findings [][]string) int {
	text, _ := textproc.StripCitations(claim)
	key := fold(strings.TrimRight(text, trailing))
	vec := textproc.TermVector(text)
	best, bestScore := -1, minSubQuestionCosine
	for i, list := range findings {
		for _, f := range list {
			if fold(strings.TrimRight(clean(f), trailing)) == key {
				return i
			}
			if s := textproc.Cosine(vec, textproc.TermVector(f)); s > bestScore {
				best, bestScore = i, s
			}
		}
	}
	return best
}

// dropSourceLine removes the entry of source n from md's Sources list.
func dropSourceLine(md string, n int) string {
	head := "## " + headingSources + "\n\n"
	at := strings.LastIndex(md, head)
	if at < 0 {
		return md
	}
	entry := fmt.Sprintf("- [%d] ", n)
	for i := at + len(head); i < len(md) && strings.HasPrefix(md[i:], "- "); {
		nl := strings.IndexByte(md[i:], '\n')
		end := len(md)
		if nl >= 0 {
			end = i + nl + 1
		}
		if strings.HasPrefix(md[i:], entry) {
			return md[:i] + md[end:]
		}
		i = end
	}
	return md
}

// conflictEntry matches an entry of "Where sources disagree" as
// conflictLines writes it: its label, then each side's quote and source.
var conflictEntry = regexp.MustCompile(`^- (\*\*.*?\*\*): “(.*)” \[(\d+)\] — but “(.*)” \[(\d+)\]\.$`)

// reviseConflicts rewrites md's "Where sources disagree" entries of which
// one side states claim, revised: the side is now the correction (text,
// citing cites) when that still disagrees with the other side, else the
// entry leaves (a withdrawn claim, text ""; a correction that agrees). An
// entry made twice is kept once; a section left empty leaves.
func reviseConflicts(md string, claim rf.Claim, text string, cites []int) string {
	head := "## " + headingConflicts + "\n\n"
	at, end, ok := sectionSpan(md, head)
	if !ok {
		return md
	}
	var kept []string
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(md[at+len(head):end]), "\n") {
		if l = reviseConflict(l, claim, text, cites); l != "" && !seen[l] {
			seen[l] = true
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return md[:at] + md[end:]
	}
	return md[:at] + head + strings.Join(kept, "\n") + "\n\n" + md[end:]
}

// reviseConflict is the entry l of "Where sources disagree" after claim
// is revised (see reviseConflicts): "" when it leaves.
func reviseConflict(l string, claim rf.Claim, text string, cites []int) string {
	m := conflictEntry.FindStringSubmatch(l)
	if m == nil {
		return l
	}
	sides := [2]struct {
		quote string
		n     int
	}{{m[2], atoi(m[3])}, {m[4], atoi(m[5])}}
	at := -1
	for k, s := range sides {
		if slices.Contains(claim.Cites, s.n) && states(s.quote, claim.Text) {
			at = k
		}
	}
	if at < 0 {
		return l
	}
	if text == "" || len(cites) == 0 {
		return ""
	}
	other := sides[1-at]
	if slices.Contains(cites, other.n) {
		return "" // one source, which cannot disagree with itself
	}
	// The other side as found (quoted: escaped), to compare.
	found := []conflict.Claim{{Text: text, SourceID: "correction", N: cites[0]}, {Text: strings.ReplaceAll(other.quote, `\`, ""), SourceID: "other", N: other.n}}
	if at == 1 {
		found[0], found[1] = found[1], found[0]
	}
	cs := conflict.Detect(found)
	if len(cs) == 0 {
		return ""
	}
	now, _ := splitEnd(clean(text))
	sides[at].quote, sides[at].n = sanitize(now), cites[0]
	return fmt.Sprintf("- %s: “%s” [%d] — but “%s” [%d].", conflictLabel(cs[0]), sides[0].quote, sides[0].n, sides[1].quote, sides[1].n)
}

// states reports whether quote, a statement as a report quotes it, or one
// of its sentences (textproc.Sentences, as every comparison of a report's
// sentences splits them) states claim.
func states(quote, claim string) bool {
	want, _ := textproc.StripCitations(claim)
	if slices.Equal(words(quote), words(want)) {
		return true
	}
	var found []Statement
	for _, s := range textproc.Sentences(quote) {
		found = append(found, Statement{Text: s})
	}
	if len(found) > 1 {
		found = append(found, Statement{Text: quote})
	}
	outcome, _ := Judge(claim, found)
	return outcome == claims.OutcomeKept
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// sectionSpan returns where the section of md that opens with head (a line
// of its own) begins and where the next section begins (or md ends).
func sectionSpan(md, head string) (at, end int, ok bool) {
	at = strings.Index(md, head)
	if at < 0 || (at > 0 && md[at-1] != '\n') {
		return 0, 0, false
	}
	end = len(md)
	if e := strings.Index(md[at+len(head):], "\n## "); e >= 0 {
		end = at + len(head) + e + 1
	}
	return at, end, true
}

// CheckedStored is what a dispute's message adds when the re-check read
// the stored copy of the run's corpus, not its files (a run started by
// corpus name has no folder to read again): what it read, with the ingest
// time of the passage that decided (at; none when zero), and how to check
// files edited since.
func CheckedStored(at time.Time) string {
	what := "Checked against the stored copy of the corpus"
	if !at.IsZero() {
		what += " (the passage as ingested " + at.UTC().Format("2006-01-02 15:04 UTC") + ")"
	}
	return what + ", not the files on disk: to check files edited since, ingest them again (starter ingest DIR --corpus NAME) or upload them with ?replace=true, then dispute again."
}

// generatedLine is the footer's line of when the report was generated,
// with when it was last revised after it.
var generatedLine = regexp.MustCompile(`(?m)^Generated: ([^ \n]+)(?: · Revised: [^ \n]+)?(  )?$`)

// StampRevised is md, a revision of a report, with its footer saying when
// it was revised after the time it was generated ("Generated: … ·
// Revised: …"; a revision of a revision says its own time). A report
// whose footer says no generation time is left as it is.
func StampRevised(md string, at time.Time) string {
	locs := generatedLine.FindAllStringSubmatchIndex(md, -1)
	if len(locs) == 0 || at.IsZero() {
		return md
	}
	m := locs[len(locs)-1] // the footer's: the last
	line := "Generated: " + md[m[2]:m[3]] + " · Revised: " + at.UTC().Format(time.RFC3339)
	if m[4] >= 0 {
		line += md[m[4]:m[5]]
	}
	return md[:m[0]] + line + md[m[1]:]
}
