package changes

import (
	"slices"
	"strings"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/internal/textproc"
)

// minAlikeCosine is how alike (term-vector cosine) a claim a writer
// rephrased and a finding of the source it cites must be for the finding
// to be the one the claim states (report.SubQuestionFor's rule).
const minAlikeCosine = 0.3

// Revise applies a dispute's review (check, which wrote revision next of
// the report after revision base) to s, the snapshot of the run the report
// is of, so that the next run of its schedule compares with what the
// reader last saw: the claim's sentence leaves every finding that holds
// it when it was withdrawn (a finding left with no sentence leaves s), and
// becomes check.Correction's, citing its source, when it was corrected; a
// kept or confirmed claim changes no finding. The sources the
// revision stopped citing leave s's sources (those it no longer lists,
// and those it lists that a claim of base cited and none of next cites),
// and the ones it adds join them. It reports whether a finding of s
// states the claim (a writer may rephrase a finding beyond recognition);
// s's own slices are not changed.
func Revise(s Snapshot, check claims.Check, base, next claims.Revision) (Snapshot, bool) {
	out := Snapshot{Findings: slices.Clone(s.Findings), Sources: slices.Clone(s.Sources), Retrieved: s.Retrieved}
	match := stating(s.Findings, check, base)
	// The claim as its source states it: a claim a writer rephrased is
	// one sentence of the source, which every passage that holds it
	// holds (a passage found by another sub-question kept the old
	// sentence, and the next run counted one edit twice).
	claim := statedAs(s.Findings, match, check.Text)
	switch check.Outcome {
	case claims.OutcomeWithdrawn:
		// The claim's sentence leaves every passage of the sources it
		// cites that holds it, whatever sub-question found the passage (a
		// longer passage otherwise kept it, and the next run reported the
		// withdrawal the reader had seen in the revision again); a passage
		// left with no sentence leaves. A finding of another source that
		// states the claim leaves too, and so does the one most alike a
		// claim a writer rephrased, when no passage holds its sentence.
		sources := claimSources(base, check.ClaimID)
		texts, holds := make([]string, len(s.Findings)), make([]bool, len(s.Findings))
		for i, f := range s.Findings {
			if len(sources) == 0 || slices.Contains(sources, f.SourceID) {
				texts[i], holds[i] = replaceClaim(f.Text, claim, "")
			}
		}
		someHolds := slices.Contains(holds, true)
		out.Findings = out.Findings[:0]
		for i, f := range s.Findings {
			switch {
			case holds[i]:
				match[i] = true
				text := strings.Join(strings.Fields(texts[i]), " ")
				if text == "" {
					continue
				}
				f.Text, f.Key, f.N = text, FindingKey(f.SubQuestion, text), 0
			case match[i] && (!someHolds || states(check.Text, f.Text)):
				continue
			default:
				match[i] = false
			}
			out.Findings = append(out.Findings, f)
		}
	case claims.OutcomeCorrected:
		source := ""
		if len(check.Cites) > 0 {
			source = sourceOf(next.Sources, check.Cites[0])
		}
		corrected := correctedSentence(check, claim)
		for i := range out.Findings {
			f := &out.Findings[i]
			text, holds := "", false
			if source == "" || source == f.SourceID {
				text, holds = replaceClaim(f.Text, claim, corrected)
			}
			switch {
			case holds:
				// The passage as its source says it now: the claim's
				// sentence corrected, the sentences around it as they were.
				f.Text = text
			case match[i]:
				f.Text = check.Correction
				if source != "" {
					f.SourceID = source
				}
			default:
				continue
			}
			match[i] = true
			f.Key, f.N = FindingKey(f.SubQuestion, f.Text), 0
		}
	}
	// The sources the reader last saw: those the revision dropped (no
	// longer cited) leave, those it added (a correction's) join. A source
	// the revision stopped citing leaves too, though its list may still
	// hold it: a scheduled report's "What changed" names its new sources
	// by number ("- [2] vault.md"), which keeps [2] listed after the
	// claim that cited it was withdrawn (the next run then called the
	// note, still in the corpus, a vanished source).
	out.Sources = out.Sources[:0]
	for _, src := range s.Sources {
		if listed(base.Sources, src.SourceID) && !listed(next.Sources, src.SourceID) ||
			claimed(base, src.SourceID) && !claimed(next, src.SourceID) {
			continue
		}
		out.Sources = append(out.Sources, src)
	}
	for _, src := range next.Sources {
		if !listed(base.Sources, src.SourceID) && !slices.ContainsFunc(out.Sources, func(o rf.SnapshotSource) bool { return o.SourceID == src.SourceID }) {
			out.Sources = append(out.Sources, rf.SnapshotSource{SourceID: src.SourceID, Title: src.Title, Location: src.Location, URL: src.URL, N: src.N})
		}
	}
	return out, slices.Contains(match, true)
}

// correctedSentence is the sentence of a correction that corrects the
// claim (report.Judge), as the check states it or as its source does
// (stated, see statedAs), the correction whole when none does alone (a
// correction is a passage of one or more sentences).
func correctedSentence(check claims.Check, stated string) string {
	ss := textproc.Sentences(check.Correction)
	found := make([]report.Statement, len(ss))
	for i, s := range ss {
		found[i] = report.Statement{Text: s}
	}
	for _, claim := range []string{check.Text, stated} {
		if outcome, i := report.Judge(claim, found); outcome == claims.OutcomeCorrected && i >= 0 {
			return ss[i]
		}
	}
	return check.Correction
}

// statedAs is the sentence in which the findings of fs state claim: the
// claim itself when a sentence of a finding states it (report.Judge keeps
// it), else, for a claim a writer rephrased, the sentence most alike it of
// the findings match marks (stating's choice); claim when none is alike.
func statedAs(fs []rf.SnapshotFinding, match []bool, claim string) string {
	for _, f := range fs {
		if _, holds := replaceClaim(f.Text, claim, ""); holds {
			return claim
		}
	}
	text, _ := textproc.StripCitations(claim)
	vec := textproc.TermVector(text)
	best, bestScore := claim, minAlikeCosine
	for i, f := range fs {
		if !match[i] {
			continue
		}
		for _, s := range textproc.Sentences(f.Text) {
			if c := textproc.Cosine(vec, textproc.TermVector(s)); c > bestScore {
				best, bestScore = s, c
			}
		}
	}
	return best
}

// replaceClaim replaces the sentences of text that state claim (the same
// words and numbers: report.Judge keeps it with them) by corrected, and
// reports whether one did. A finding's passage of several sentences
// (found by another sub-question than the claim's) holds the claim's
// sentence among others.
func replaceClaim(text, claim, corrected string) (string, bool) {
	holds := false
	for _, s := range textproc.Sentences(text) {
		if outcome, _ := report.Judge(claim, []report.Statement{{Text: s}}); outcome != claims.OutcomeKept {
			continue
		}
		if !strings.Contains(text, s) {
			// Sentences collapses white space (a code block's lines).
			text = strings.Join(strings.Fields(text), " ")
		}
		text, holds = strings.Replace(text, s, corrected, 1), true
	}
	return text, holds
}

// claimSources are the IDs of the sources the claim with ID id cites in r.
func claimSources(r claims.Revision, id string) []string {
	var out []string
	if i := slices.IndexFunc(r.Claims, func(c rf.Claim) bool { return c.ID == id }); i >= 0 {
		for _, n := range r.Claims[i].Cites {
			if s := sourceOf(r.Sources, n); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// states reports whether text states claim (report.Judge keeps it).
func states(claim, text string) bool {
	outcome, _ := report.Judge(claim, []report.Statement{{Text: text}})
	return outcome == claims.OutcomeKept
}

// stating marks the findings of fs that the claim of check states: those
// report.Judge keeps it with (the same words and numbers), under every
// sub-question that found them; when none does (a writer rephrased it),
// the statement most alike it of a source the claim cites in base.
func stating(fs []rf.SnapshotFinding, check claims.Check, base claims.Revision) []bool {
	match := make([]bool, len(fs))
	found := false
	for i, f := range fs {
		if states(check.Text, f.Text) {
			match[i], found = true, true
		}
	}
	if found {
		return match
	}
	cited := claimSources(base, check.ClaimID)
	text, _ := textproc.StripCitations(check.Text)
	vec := textproc.TermVector(text)
	best, bestScore := -1, minAlikeCosine
	for i, f := range fs {
		if !slices.Contains(cited, f.SourceID) {
			continue
		}
		if c := textproc.Cosine(vec, textproc.TermVector(f.Text)); c > bestScore {
			best, bestScore = i, c
		}
	}
	if best < 0 {
		return match
	}
	for i, f := range fs {
		match[i] = statement(f) == statement(fs[best])
	}
	return match
}

// sourceOf is the source ID of the source numbered n ("" when none is).
func sourceOf(sources []rf.Source, n int) string {
	for _, s := range sources {
		if s.N == n {
			return s.SourceID
		}
	}
	return ""
}

// claimed reports whether a claim of r cites the source with ID id.
func claimed(r claims.Revision, id string) bool {
	for _, c := range r.Claims {
		for _, n := range c.Cites {
			if sourceOf(r.Sources, n) == id {
				return true
			}
		}
	}
	return false
}

func listed(sources []rf.Source, id string) bool {
	return slices.ContainsFunc(sources, func(s rf.Source) bool { return s.SourceID == id })
}
