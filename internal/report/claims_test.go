package report

import (
	"slices"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// Claims are the sentences Render keeps with a valid citation, once each,
// with IDs that do not change when the numbers or the spacing do.
func TestClaims(t *testing.T) {
	sources := []rf.Source{{N: 1, SourceID: "a", Title: "A"}, {N: 2, SourceID: "b", Title: "B"}}
	d := reasoning.Draft{
		Title:   "T",
		Summary: []reasoning.Sentence{{Text: "Bees build comb.", Cites: []int{2, 1, 2}}, {Text: "Uncited claim.", Cites: nil}},
		Sections: []reasoning.DraftSection{{Heading: "Bread", Sentences: []reasoning.Sentence{
			{Text: "Starters are fed daily.", Cites: []int{1}},
			{Text: "Cites a number not listed.", Cites: []int{7}},
			{Text: "bees  build comb.", Cites: []int{1}}, // the same statement again
		}}},
	}
	got := Claims(d, sources)
	if len(got) != 2 {
		t.Fatalf("claims %+v, want 2", got)
	}
	if got[0].Text != "Bees build comb." || !slices.Equal(got[0].Cites, []int{1, 2}) || got[0].Section != "Summary" {
		t.Errorf("claim 0 = %+v", got[0])
	}
	if got[1].Text != "Starters are fed daily." || got[1].Section != "Bread" {
		t.Errorf("claim 1 = %+v", got[1])
	}
	if !strings.HasPrefix(got[0].ID, "claim-") || len(got[0].ID) != len("claim-")+12 || got[0].ID == got[1].ID {
		t.Errorf("IDs %q %q", got[0].ID, got[1].ID)
	}
	// Renumbered sources, another order: the same IDs.
	d.Summary[0].Cites = []int{1}
	again := Claims(reasoning.Draft{Sections: []reasoning.DraftSection{{Heading: "X", Sentences: []reasoning.Sentence{d.Sections[0].Sentences[0], d.Summary[0]}}}}, sources)
	if len(again) != 2 || again[0].ID != got[1].ID || again[1].ID != got[0].ID {
		t.Errorf("IDs changed: %+v vs %+v", again, got)
	}
	// Every claim's statement is in the rendered report with its citations.
	md, _ := Render(Report{Draft: d, Sources: sources})
	for _, c := range Claims(d, sources) {
		if !strings.Contains(md, strings.TrimSuffix(c.Text, ".")) {
			t.Errorf("claim %q is not in the report:\n%s", c.Text, md)
		}
	}
}
