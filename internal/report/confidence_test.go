package report

import (
	"strings"
	"testing"

	researchflow "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/conflict"
)

func finding(text string, n int, score float64) reasoning.CitedFinding {
	return reasoning.CitedFinding{Finding: reasoning.Finding{Text: text, ChunkID: "c", SourceID: "s", Score: score}, N: n}
}

func supported(f reasoning.CitedFinding, support float64) reasoning.CitedFinding {
	f.Support = support
	return f
}

func TestConfidence(t *testing.T) {
	sq := func(id string) reasoning.SubQuestion { return reasoning.SubQuestion{ID: id, Text: id + "?"} }
	gap := researchflow.Gap{SubQuestion: "b?", Reason: "no passage answers it"}
	for _, tc := range []struct {
		name     string
		sections []reasoning.SectionInput
		gaps     []researchflow.Gap
		want     string
	}{
		{"nothing found", nil, []researchflow.Gap{gap}, ConfidenceLow},
		{"every part answered strongly", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{finding("A is 3.", 1, 0.9)}}}, nil, ConfidenceHigh},
		{"half answered", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{finding("A is 3.", 1, 0.9)}}}, []researchflow.Gap{gap}, ConfidenceMedium},
		{"weak evidence", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{finding("A is 3.", 1, 0.1)}}}, nil, ConfidenceLow},
		{"every part answered, not strongly", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{finding("A is 3.", 1, 0.7)}}}, nil, ConfidenceMedium},
		{"a model's findings carry no score", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{finding("A is 3.", 1, 0)}}}, nil, ConfidenceHigh},
		{"one of three answered", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{finding("A is 3.", 1, 0.9)}}}, []researchflow.Gap{gap, gap}, ConfidenceLow},
		// "Where is the offsite and is there a dress code?": the place
		// stated by a strong finding on the whole of its topic.
		{"one of three answered beyond doubt", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{supported(finding("A is 3.", 1, 0.9), 1)}}}, []researchflow.Gap{gap, gap}, ConfidenceMedium},
		{"one of three answered on half its topic", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{supported(finding("A is 3.", 1, 0.9), 0.5)}}}, []researchflow.Gap{gap, gap}, ConfidenceLow},
		{"one of three answered, not strongly", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{supported(finding("A is 3.", 1, 0.7), 1)}}}, []researchflow.Gap{gap, gap}, ConfidenceLow},
		// "… stash brand-new files … with the rest of my changes?" answered
		// by "… the rest of the commit in the body." (one of six topic
		// words; a users'-words tune question).
		{"one topic word in common", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{supported(finding("The rest of the commit is the body.", 1, 0.5), 1.0/6)}}}, nil, ConfidenceLow},
		{"a quarter of the topic", []reasoning.SectionInput{{SubQuestion: sq("a"), Findings: []reasoning.CitedFinding{supported(finding("A is 3.", 1, 0.5), 0.1), supported(finding("A is 4.", 1, 0.4), 0.25)}}}, nil, ConfidenceMedium},
	} {
		if got := Confidence(tc.sections, tc.gaps); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// An unanswerable question: no findings, low confidence, the banner above
// the summary, the gap listed.
func TestLowConfidenceReport(t *testing.T) {
	gaps := []researchflow.Gap{{SubQuestion: "What is the name of Git's official mascot?", Reason: "no passage answers it"}}
	conf := Confidence(nil, gaps)
	md, st := Render(Report{Question: "What is the name of Git's official mascot?", Gaps: gaps, Confidence: conf})
	if conf != ConfidenceLow || st.Sentences != 0 {
		t.Fatalf("confidence %s, %d sentences", conf, st.Sentences)
	}
	banner := strings.Index(md, LowConfidenceBanner)
	summary := strings.Index(md, "## Summary")
	if banner < 0 || summary < 0 || banner > summary || !strings.Contains(md, "**Confidence:** low") || !strings.Contains(md, "## Gaps") {
		t.Errorf("report:\n%s", md)
	}
	md, _ = Render(Report{Question: "q", Confidence: ConfidenceHigh})
	if strings.Contains(md, LowConfidenceBanner) || !strings.Contains(md, "**Confidence:** high") {
		t.Errorf("high-confidence report:\n%s", md)
	}
}

// AddGaps lists gaps under the report's Gaps section, after those it
// lists, or writes the section where Render does: before the changelog
// and the sources.
func TestAddGaps(t *testing.T) {
	g := researchflow.Gap{SubQuestion: "How long are backups kept?", Reason: ClaimWithdrawn(2, NoSourceStates)}
	line := "- **How long are backups kept?** — its claim was withdrawn in re-verification (revision 2): no source states it\n"
	for _, c := range []struct{ name, md, want string }{
		{"after the run's gaps", "# R\n\n## Summary\n\nA [1].\n\n## Gaps\n\n- **Q?** — not found\n\n## Changelog\n\n- x\n\n## Sources\n\n- [1] A\n",
			"# R\n\n## Summary\n\nA [1].\n\n## Gaps\n\n- **Q?** — not found\n" + line + "\n## Changelog\n\n- x\n\n## Sources\n\n- [1] A\n"},
		{"before the changelog", "# R\n\n## Summary\n\nA [1].\n\n## Changelog\n\n- x\n\n## Sources\n\n- [1] A\n",
			"# R\n\n## Summary\n\nA [1].\n\n## Gaps\n\n" + line + "\n## Changelog\n\n- x\n\n## Sources\n\n- [1] A\n"},
		{"before the sources", "# R\n\n## Summary\n\nA [1].\n\n## Sources\n\n- [1] A\n",
			"# R\n\n## Summary\n\nA [1].\n\n## Gaps\n\n" + line + "\n## Sources\n\n- [1] A\n"},
	} {
		if got := AddGaps(c.md, []researchflow.Gap{g}); got != c.want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.name, got, c.want)
		}
	}
	if md := "# R\n"; AddGaps(md, nil) != md {
		t.Error("no gaps changed the report")
	}
}

// A report that says where its sources disagree gives two answers: it is
// at most medium, a medium or low one staying as it is.
func TestDisputedConfidence(t *testing.T) {
	sources := []researchflow.Source{{N: 1, SourceID: "s1", Title: "budget.md", Location: "budget.md"}, {N: 2, SourceID: "s2", Title: "meeting.md", Location: "meeting.md"}}
	a := "Expenses above 500 EUR need approval from the engineering manager before purchase."
	b := "Expenses above 250 EUR now need approval from the engineering manager."
	d := reasoning.Draft{Title: "Expenses", Summary: []reasoning.Sentence{{Text: a, Cites: []int{1}}, {Text: b, Cites: []int{2}}}}
	cs := conflict.Detect([]conflict.Claim{{Text: a, SourceID: "s1", N: 1}, {Text: b, SourceID: "s2", N: 2}})
	disputed, _ := Render(Report{Question: "Above what amount do expenses need approval?", Confidence: ConfidenceHigh, Draft: d, Sources: sources, Conflicts: cs})
	agreed, _ := Render(Report{Question: "Above what amount do expenses need approval?", Confidence: ConfidenceHigh, Draft: d, Sources: sources})
	for _, tt := range []struct {
		md, c, want string
	}{
		{disputed, ConfidenceHigh, ConfidenceMedium},
		{disputed, ConfidenceMedium, ConfidenceMedium},
		{disputed, ConfidenceLow, ConfidenceLow},
		{agreed, ConfidenceHigh, ConfidenceHigh},
	} {
		if got := DisputedConfidence(tt.md, tt.c); got != tt.want {
			t.Errorf("DisputedConfidence(%s, disputed %v) = %s, want %s", tt.c, tt.md == disputed, got, tt.want)
		}
	}
	if md := StateConfidence(disputed, DisputedConfidence(disputed, ConfidenceHigh)); !strings.Contains(md, "**Confidence:** medium\n") {
		t.Errorf("the report does not state medium:\n%s", md)
	}
}
