package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	researchflow "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// LowConfidenceBanner is shown above the summary of a low-confidence report.
const LowConfidenceBanner = "The sources found do not clearly answer this question."

// Confidence levels of a report (ResearchResult.Confidence).
const (
	ConfidenceHigh   = "high"
	ConfidenceMedium = "medium"
	ConfidenceLow    = "low"
)

// Thresholds of Confidence, calibrated on the tune half of the development
// sets and of the users'-words probe set (README "Evaluation"): the share
// of sub-questions answered with a cited finding, and the score of the best
// finding (the offline analyst's relevance; a model's findings carry none,
// and then only the share counts), and how much of its sub-question the
// best-supported finding covers (lowSupport). `starter eval` prints how often each
// stated confidence was right. On those tune halves, in the runs before
// the threshold was set (result-s38, wildprobes-result-s38), 29 of the 30
// reports whose best finding scored highScore or more were right, against
// 18 of 25 between 0.55 and highScore. A low report states no findings, so
// lowScore trades answers for abstentions: 0.4 (with or without a floor
// on the finding's support) made five wrong tune reports low for one right
// one, but on the development test half it made a right answer low and no
// off-topic one, and the score of a small corpus's best answer is low
// ("Backups are kept for 35 days." scores 0.34 among two notes), so it
// stays 0.2.
const (
	// highAnswered and highScore: every sub-question answered, by a
	// finding at least this relevant.
	highAnswered = 1.0
	highScore    = 0.8
	// lowAnswered: fewer than this share of sub-questions answered is low
	// confidence, as is a best finding below lowScore.
	lowAnswered = 0.5
	lowScore    = 0.2
	// lowSupport: a report whose best-supported finding speaks of less
	// than this share of its sub-question's topic (the analyst's Support)
	// is low confidence: one word in common ("the rest of the commit" for
	// "… together with the rest of my changes?") is no answer. Set on the
	// tune halves (result-s41 runs): below 0.2 was one report, wrong;
	// below 0.3 a right one too (Support 0.25, one of four topic words).
	lowSupport = 0.2
	// partSupport: fewer than lowAnswered of the sub-questions answered
	// is not low confidence when the best finding is strong (highScore)
	// and covers this share of its sub-question's topic. On the tune
	// halves (2026-12-07) no report changed; a trial's two-part question
	// with one part answered by its note stated nothing.
	partSupport = 2.0 / 3
)

// Confidence rates how clearly the cited findings answer the question,
// from the sections (sub-questions with findings) and the gaps (those
// without): high when every sub-question is answered by a strong finding,
// low when nothing is cited, fewer than half are answered (unless by a
// strong finding covering two thirds of its topic), the best finding is
// weak or no finding covers a fifth of its topic, medium otherwise.
func Confidence(sections []reasoning.SectionInput, gaps []researchflow.Gap) string {
	answered, best, scored := 0, 0.0, false
	support, supported := 0.0, false
	for _, s := range sections {
		if len(s.Findings) > 0 {
			answered++
		}
		for _, f := range s.Findings {
			if f.Score > 0 {
				scored = true
			}
			if f.Support > 0 {
				supported = true
			}
			best = max(best, f.Score)
			support = max(support, f.Support)
		}
	}
	total := len(sections) + len(gaps)
	if answered == 0 || total == 0 {
		return ConfidenceLow
	}
	share := float64(answered) / float64(total)
	// One part of a question answered beyond doubt (a strong finding
	// covering most of its sub-question's topic: "The offsite … is in
	// Lisbon" for "Where is the offsite and is there a dress code?") is
	// stated, the other parts gaps, however few of the parts it is.
	partAnswered := scored && best >= highScore && supported && support >= partSupport
	switch {
	case share < lowAnswered && !partAnswered || (scored && best < lowScore) || (supported && support < lowSupport):
		return ConfidenceLow
	case share >= highAnswered && (!scored || best >= highScore):
		return ConfidenceHigh
	}
	return ConfidenceMedium
}

// DisputedConfidence is confidence c of md, a rendered report, made at
// most medium when md says where sources disagree: a report that gives two
// answers to its question does not answer it clearly, however strong each
// finding is.
func DisputedConfidence(md, c string) string {
	if c == ConfidenceHigh && strings.Contains(md, "\n## "+headingConflicts+"\n") {
		return ConfidenceMedium
	}
	return c
}

// RevisedConfidence rates a revision of a report as Confidence rated the
// run's: sections and gaps are what the run's report was written from,
// runClaims the claims of that report and claims those of the revision.
// A sub-question keeps its findings while the revision still states a
// claim of it (report.SubQuestionFor), or when the run's report stated
// none; one whose claims were all withdrawn counts as unanswered.
func RevisedConfidence(sections []reasoning.SectionInput, gaps []researchflow.Gap, runClaims, claims []researchflow.Claim) string {
	before, now := stated(sections, runClaims), stated(sections, claims)
	revised := make([]reasoning.SectionInput, len(sections))
	for i, s := range sections {
		revised[i] = s
		if before[i] && !now[i] {
			revised[i].Findings = nil
		}
	}
	return Confidence(revised, gaps)
}

// stated says which of the sections (sub-questions with their findings)
// state one of claims (SubQuestionFor).
func stated(sections []reasoning.SectionInput, claims []researchflow.Claim) []bool {
	texts := make([][]string, len(sections))
	for i, s := range sections {
		for _, f := range s.Findings {
			texts[i] = append(texts[i], f.Text)
		}
	}
	out := make([]bool, len(sections))
	for _, c := range claims {
		if i := SubQuestionFor(c.Text, texts); i >= 0 {
			out[i] = true
		}
	}
	return out
}

// WithdrawnGaps are the gaps a revision adds when it withdraws a claim:
// each sub-question of sections (the run's) that the run's report stated a
// claim of (runClaims) and the revision no longer does (claims), unless
// listed already names it, with reason (ClaimWithdrawn). RevisedConfidence
// counts the same sub-questions unanswered.
func WithdrawnGaps(sections []reasoning.SectionInput, runClaims, claims []researchflow.Claim, listed []researchflow.Gap, reason string) []researchflow.Gap {
	before, now := stated(sections, runClaims), stated(sections, claims)
	var out []researchflow.Gap
	for i, s := range sections {
		sq := strings.TrimSpace(s.SubQuestion.Text)
		if !before[i] || now[i] || sq == "" || slices.ContainsFunc(listed, func(g researchflow.Gap) bool { return strings.TrimSpace(g.SubQuestion) == sq }) {
			continue
		}
		out = append(out, researchflow.Gap{SubQuestion: sq, Reason: reason})
	}
	return out
}

// AddGaps lists gaps in md's Gaps section, after those it lists, writing
// the section as Render does (after the sections, before the changelog
// and the sources) when md has none.
func AddGaps(md string, gaps []researchflow.Gap) string {
	if len(gaps) == 0 {
		return md
	}
	var lines strings.Builder
	for _, g := range gaps {
		lines.WriteString(gapLine(g))
	}
	head := "\n## " + headingGaps + "\n\n"
	if at := strings.Index(md, head); at >= 0 {
		end := at + len(head)
		for end < len(md) && strings.HasPrefix(md[end:], "- ") {
			nl := strings.IndexByte(md[end:], '\n')
			if nl < 0 {
				md += "\n"
				end = len(md)
				break
			}
			end += nl + 1
		}
		return md[:end] + lines.String() + md[end:]
	}
	section := "## " + headingGaps + "\n\n" + lines.String() + "\n"
	for _, h := range []string{"\n## " + headingChangelog + "\n", "\n## " + headingSources + "\n"} {
		at := strings.Index(md, h)
		if h == "\n## "+headingSources+"\n" {
			at = strings.LastIndex(md, h)
		}
		if at >= 0 {
			return md[:at+1] + section + md[at+1:]
		}
	}
	return md + "\n" + section
}

// RemoveGaps removes the entries of gaps from md's Gaps section, and the
// section when it is left empty.
func RemoveGaps(md string, gaps []researchflow.Gap) string {
	head := "\n## " + headingGaps + "\n\n"
	at := strings.Index(md, head)
	if at < 0 || len(gaps) == 0 {
		return md
	}
	from := at + len(head)
	end := from
	var kept strings.Builder
	for end < len(md) && strings.HasPrefix(md[end:], "- ") {
		nl := strings.IndexByte(md[end:], '\n')
		line := md[end:]
		if nl >= 0 {
			line = md[end : end+nl+1]
		}
		if !slices.ContainsFunc(gaps, func(g researchflow.Gap) bool {
			return strings.TrimSuffix(gapLine(g), "\n") == strings.TrimSuffix(line, "\n")
		}) {
			kept.WriteString(line)
		}
		end += len(line)
	}
	if kept.Len() == 0 {
		// The section and the blank line after it leave.
		return md[:at+1] + strings.TrimPrefix(md[end:], "\n")
	}
	return md[:from] + kept.String() + md[end:]
}

// confidenceLine matches the confidence a report states and the banner of
// a low one (see Render).
var confidenceLine = regexp.MustCompile(`(?m)^\*\*Confidence:\*\* \w+\n\n(?:> \*\*` + regexp.QuoteMeta(LowConfidenceBanner) + `\*\*\n\n)?`)

// StateConfidence makes md, a rendered report, state confidence c as
// Render does (a low one with its banner). A report that states none is
// left as it is.
func StateConfidence(md, c string) string {
	loc := confidenceLine.FindStringIndex(md)
	if loc == nil || c == "" {
		return md
	}
	return md[:loc[0]] + confidenceLines(c) + md[loc[1]:]
}

// confidenceLines are the lines Render writes for confidence c.
func confidenceLines(c string) string {
	line := fmt.Sprintf("**Confidence:** %s\n\n", c)
	if c == ConfidenceLow {
		line += fmt.Sprintf("> **%s**\n\n", LowConfidenceBanner)
	}
	return line
}

// titleLines matches the title of a rendered report and its Question line.
var titleLines = regexp.MustCompile(`\A# [^\n]*\n\n(?:\*\*Question:\*\* [^\n]*\n\n)?`)

// AddConfidence makes md, a rendered report or answer, state confidence c
// as Render does: as StateConfidence, or, when md states none (rendered
// before it was rated), under its title and question. md with no title is
// left as it is.
func AddConfidence(md, c string) string {
	if c == "" || confidenceLine.MatchString(md) {
		return StateConfidence(md, c)
	}
	loc := titleLines.FindStringIndex(md)
	if loc == nil {
		return md
	}
	return md[:loc[1]] + confidenceLines(c) + md[loc[1]:]
}
