package report

import (
	"strings"
	"testing"

	researchflow "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
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
