package report

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// ClaimID is the stable ID of a statement: "claim-" and 12 hex digits of
// the SHA-256 of its text, folded to lower case with white space collapsed.
// It does not depend on the citation numbers, so a statement keeps its ID
// when sources are renumbered, nor on the stop that ends a code span
// before the next sentence of its text (see stopAfterCode) or separates
// two (stopBetweenCode): a statement shown before those were added keeps
// its ID.
func ClaimID(text string) string {
	norm := strings.ToLower(strings.Join(strings.Fields(text), " "))
	norm = strings.ReplaceAll(strings.ReplaceAll(norm, "`. ", "` "), "`; `", "` `")
	sum := sha256.Sum256([]byte(norm))
	return "claim-" + hex.EncodeToString(sum[:6])
}

// Claims lists the cited statements the report of draft d over sources
// shows, in report order (summary, then each section): the sentences
// Render keeps with at least one valid citation, with those citations,
// each as the report shows it (ClaimText: code as code, a definition's
// term as its term). A statement made twice is listed once.
func Claims(d reasoning.Draft, sources []rf.Source) []rf.Claim {
	valid := map[int]bool{}
	for _, s := range numbered(sources) {
		valid[s.N] = true
	}
	var out []rf.Claim
	seen := map[string]bool{}
	add := func(section string, list []reasoning.Sentence) {
		for _, s := range list {
			text := ClaimText(s.Text)
			if text == "" {
				continue
			}
			var cites []int
			for _, n := range s.Cites {
				if valid[n] {
					cites = append(cites, n)
				}
			}
			sort.Ints(cites)
			cites = compact(cites)
			id := ClaimID(text)
			if len(cites) == 0 || seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, rf.Claim{ID: id, Text: text, Cites: cites, Section: section})
		}
	}
	add(headingSummary, d.Summary)
	for _, sec := range d.Sections {
		add(clean(sec.Heading), sec.Sentences)
	}
	return out
}
