package extractive

import (
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning"
)

// A sentence that speaks of most of the question's topic is evidence even
// when it lacks the two words rarest among the candidates: those can be
// the asker's phrasing ("carry", "whole") that a few unrelated sentences
// happen to use, while the answer says "copies" and "archive".
func TestSentenceCoveringMostOfTheTopicIsEvidence(t *testing.T) {
	migrate := reasoning.Passage{
		ChunkID: "chunk-migrate", SourceID: "src-migrate", Title: "Archiver manual", Location: "/doc/archiver/migrate.md", Score: 0.9,
		Text: "## Servers\n\n" +
			"The migrate command copies an archive and its snapshots to another server.\n" +
			"The archive server listens on port 7400 unless told otherwise.\n" +
			"Each server command prints the archive it works on.\n",
	}
	other := reasoning.Passage{
		ChunkID: "chunk-other", SourceID: "src-other", Title: "Archiver tips", Location: "/doc/archiver/tips.md", Score: 0.8,
		Text: "## Tips\n\n" +
			"Students carry their laptops between the library and the lab.\n" +
			"The whole team reads the release notes of every version.\n" +
			"The release notes list each new version of the tool.\n",
	}
	fs := analyzeQ(t, "Which command should I use to carry the whole archive over to a new server?", migrate, other)
	found := false
	for _, f := range fs {
		found = found || strings.Contains(f.Text, "The migrate command copies an archive")
		if strings.Contains(f.Text, "laptops") {
			t.Errorf("a sentence sharing only the asker's phrasing is a finding: %q", f.Text)
		}
	}
	if !found {
		t.Errorf("findings %v, want the migrate sentence", fs)
	}
}
