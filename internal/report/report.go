// Package report numbers the sources of a research run and renders its
// Markdown report. Everything here is deterministic and does no I/O, so the
// workflow may call it directly: the same inputs always give the same bytes.
//
// Citations are checked twice: Render removes any citation that does not
// name a listed source (and drops or marks sentences left without one), and
// CheckCitations verifies a finished Markdown report on its own, so that
// tests anywhere in the project can prove that no report cites a number
// missing from its Sources list.
package report

import (
	"strconv"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/conflict"
)

// Count is n with its noun, singular for 1: Count(1, "source", "") is
// "1 source", Count(3, "source", "") "3 sources"; many is the plural where
// it is not one+"s" (Count(2, "retry", "retries")). Every count a report,
// a note or a progress line shows is written with it.
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	if many == "" {
		many = one + "s"
	}
	return strconv.Itoa(n) + " " + many
}

// Meta is what the footer of a report records about the run.
type Meta struct {
	ResearchID string
	Engine     string
	Corpus     string
	Usage      rf.Usage
	// Models lists the models used ("planner=llama3.1:8b"), in the order to show.
	Models []string
	// PromptVersions lists prompt versions ("analyst=v2"), in the order to show.
	PromptVersions []string
	// GeneratedAt is shown when not zero (workflow time, never time.Now).
	GeneratedAt time.Time
	// Notes are statements about the run itself (a spent budget, a
	// fallback) that a reader must see; they go in the footer.
	Notes []string
}

// Report is everything Render needs.
type Report struct {
	Question string
	Draft    reasoning.Draft
	Sources  []rf.Source
	Gaps     []rf.Gap
	Meta     Meta
	// MarkUngrounded keeps sentences left without a valid citation, in italics
	// and marked "(unverified)", instead of dropping them.
	MarkUngrounded bool
	// Conflicts are findings of different sources that disagree (see
	// package conflict); each is rendered with both claims and citations
	// under "Where sources disagree", never resolved.
	Conflicts []conflict.Conflict
	// Confidence (ConfidenceHigh, …) is stated under the
	// question; a low one adds LowConfidenceBanner above the summary.
	Confidence string
	// Notes are said under the confidence, each a quoted line (a
	// follow-up's sources changed since its run).
	Notes []string
}

// RenderStats says what Render did with the draft's sentences.
type RenderStats struct {
	// Sentences counts rendered sentences with at least one valid citation
	// (summary and sections).
	Sentences int
	// Citations counts the [n] marks written in the body.
	Citations int
	// InvalidCitations counts citations removed because their number is not
	// in Sources.
	InvalidCitations int
	// Dropped counts sentences left out: no valid citation (unless
	// MarkUngrounded) or nothing left after sanitizing.
	Dropped int
	// Ungrounded counts sentences kept in italics as unverified.
	Ungrounded int
	// Sources counts entries of the Sources list.
	Sources int
}

// NumberSources numbers the sources of the findings 1..n in order of first
// appearance (section order, then finding order), one number per SourceID.
// lookup gives a source's title and location; a source it does not know is
// left out, and so, later, are its findings (see CiteFindings). Each
// source's ChunkIDs are the chunks its findings came from, in order.
func NumberSources(sections [][]reasoning.Finding, lookup func(sourceID string) (rf.Source, bool)) []rf.Source {
	var out []rf.Source
	index := map[string]int{} // SourceID → position in out; -1 when unknown
	for _, sec := range sections {
		for _, f := range sec {
			if f.SourceID == "" {
				continue
			}
			i, seen := index[f.SourceID]
			if !seen {
				src, ok := lookup(f.SourceID)
				if !ok {
					index[f.SourceID] = -1
					continue
				}
				src.N = len(out) + 1
				src.SourceID = f.SourceID
				src.ChunkIDs = nil
				out = append(out, src)
				i = len(out) - 1
				index[f.SourceID] = i
			}
			if i < 0 || f.ChunkID == "" || contains(out[i].ChunkIDs, f.ChunkID) {
				continue
			}
			out[i].ChunkIDs = append(out[i].ChunkIDs, f.ChunkID)
		}
	}
	return out
}

// LookupPassages returns a lookup for NumberSources that knows the sources
// of the given passages (the first passage of a source gives its title and
// location).
func LookupPassages(passages []reasoning.Passage) func(sourceID string) (rf.Source, bool) {
	known := map[string]rf.Source{}
	for _, p := range passages {
		if _, ok := known[p.SourceID]; !ok && p.SourceID != "" {
			known[p.SourceID] = rf.Source{SourceID: p.SourceID, Title: p.Title, Location: p.Location}
		}
	}
	return func(id string) (rf.Source, bool) {
		s, ok := known[id]
		return s, ok
	}
}

// CiteFindings pairs each sub-question with its findings, each mapped to the
// number of its source, ready for reasoning.WriteRequest. Findings whose
// source has no number are left out. sections[i] are the findings of
// subQuestions[i]; missing entries mean no findings.
func CiteFindings(subQuestions []reasoning.SubQuestion, sections [][]reasoning.Finding, sources []rf.Source) []reasoning.SectionInput {
	numbers := map[string]int{}
	for _, s := range sources {
		numbers[s.SourceID] = s.N
	}
	out := make([]reasoning.SectionInput, 0, len(subQuestions))
	for i, sq := range subQuestions {
		in := reasoning.SectionInput{SubQuestion: sq, Findings: []reasoning.CitedFinding{}}
		if i < len(sections) {
			for _, f := range sections[i] {
				if n, ok := numbers[f.SourceID]; ok && n > 0 {
					in.Findings = append(in.Findings, reasoning.CitedFinding{Finding: f, N: n})
				}
			}
		}
		out = append(out, in)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
