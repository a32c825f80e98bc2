package changes

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	rf "github.com/researchflow/researchflow"
)

// Snapshot is what a scheduled run records of its report for the next run
// to compare with (ResearchResult.Snapshot): its findings and the sources
// its report lists. Texts are findings' sentences (a few kilobytes).
type Snapshot struct {
	Findings []rf.SnapshotFinding `json:"findings"`
	Sources  []rf.SnapshotSource  `json:"sources"`
	// Retrieved are the IDs of every source retrieval found, cited or not:
	// a finding of a source still retrieved but no longer stating it is
	// told apart from one whose source is gone.
	Retrieved []string `json:"retrieved,omitempty"`
}

// FindingKey identifies a finding across runs: the SHA-256 of its
// sub-question and its text, both with white space collapsed and
// lower-cased.
func FindingKey(subQuestion, text string) string {
	h := sha256.Sum256([]byte(FoldText(subQuestion) + "\x00" + FoldText(text)))
	return hex.EncodeToString(h[:12])
}

// FoldText lower-cases s and collapses its white space: the form in which
// texts are compared across runs.
func FoldText(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
