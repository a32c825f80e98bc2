package extractive

import (
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning"
)

// A window grows over a neighbour that shares one question term even when
// that term is in most candidate sentences: on a page about snapshots,
// "snapshot" is everywhere, and the sentence after the selected one that
// speaks of snapshots still belongs to its answer.
func TestAnswerPassageGrowsOverNeighbourWithACommonTopicWord(t *testing.T) {
	pruning := reasoning.Passage{
		ChunkID: "chunk-prune", SourceID: "src-prune", Title: "Archiver manual", Location: "/doc/archiver/prune.md", Score: 0.9,
		Text: "## Pruning\n\n" +
			"The cleaner prunes expired snapshots every night.\n" +
			"A snapshot is kept while a newer snapshot still needs its files.\n" +
			"The web interface shows a small owl in its corner.\n",
	}
	more := reasoning.Passage{
		ChunkID: "chunk-snap2", SourceID: "src-concepts", Title: "Archiver concepts", Location: "/doc/archiver/concepts.md", Score: 0.8,
		Text: "## Snapshots\n\n" +
			"Each snapshot records the permissions and owners of your files.\n" +
			"A snapshot can be mounted as a read-only folder.\n" +
			"The hosted plan costs a monthly fee.\n",
	}
	fs := analyzeQ(t, "What does the cleaner do to a snapshot?", pruning, more)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	want := "The cleaner prunes expired snapshots every night. A snapshot is kept while a newer snapshot still needs its files."
	if !strings.HasPrefix(fs[0].Text, want) {
		t.Errorf("best finding %q, want it to begin with %q", fs[0].Text, want)
	}
	for _, f := range fs {
		if strings.Contains(f.Text, "owl") {
			t.Errorf("unrelated neighbour quoted: %q", f.Text)
		}
	}
}
