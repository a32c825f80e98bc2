package extractive

import (
	"strings"
	"testing"
)

// A light verb of the question ("take away", "bring back"), a particle
// ("go back") or a word of possibility ("when is that possible") is no
// topic: the topic word the passages repeat still decides which sentences
// answer, though those words are rarer among them.
func TestLightVerbsAreNoTopic(t *testing.T) {
	for _, tc := range []struct {
		q, want string
		notes   []string
	}{
		{
			q:    "How can I check which snapshots prune would take away for real?",
			want: "vaultctl prune --dry-run",
			notes: []string{
				"Snapshots are kept until prune removes them. Prune reads the retention policy of each volume.",
				"Start \"vaultctl prune --dry-run\" to list the snapshots prune would delete.",
				"The prune command logs every snapshot it deletes. Prune never touches pinned snapshots.",
				"Take the backup disk offline before you move it. A real disk needs a label.",
			},
		},
		{
			// A particle and a word of possibility.
			q:    "My import has errors and I want to go back to before it; how, and when is that possible?",
			want: "importer --rollback",
			notes: []string{
				"An import reads every row of the file. An import with errors keeps the rows it could read.",
				"If an import ended with errors and you want to start over, undo it with importer --rollback.",
				"The import log lists the errors of each row.",
				"Back up the database before large changes. It is possible to schedule backups.",
			},
		},
		{
			q:    "Which setting brings the hidden dashboard back for good?",
			want: "dashboard.visible",
			notes: []string{
				"The dashboard shows the queue length. The dashboard refreshes every minute.",
				"Set dashboard.visible to true to show the dashboard after hiding it.",
				"Hiding the dashboard keeps its layout. The dashboard layout is stored per user.",
				"Bring a charger to the workshop. Good chargers are labelled.",
			},
		},
	} {
		got := researchNotes(t, tc.q, tc.notes...)
		found := false
		for _, fs := range got {
			for _, f := range fs {
				if strings.Contains(f, tc.want) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%q: no finding names %q: %q", tc.q, tc.want, got)
		}
	}
}
