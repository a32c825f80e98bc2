package main

import (
	"slices"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/report"
)

// Issue 18 item 6 at the command line: an unanswerable question's report
// has no findings and low confidence, and the starter says so beside the
// report, with the warning; a confident report says its confidence.
func TestPrintResultShowsConfidence(t *testing.T) {
	q := "What is the name of Git's official mascot?"
	gaps := []rf.Gap{{SubQuestion: q, Reason: "the retrieved passages did not answer it"}}
	conf := report.Confidence(nil, gaps)
	md, st := report.Render(report.Report{Question: q, Gaps: gaps, Confidence: conf})
	var stdout, stderr strings.Builder
	printResult(rf.ResearchResult{Question: q, Report: md, Confidence: conf, Gaps: gaps}, &stdout, &stderr)
	if conf != report.ConfidenceLow || st.Sentences != 0 {
		t.Fatalf("confidence %q with %d stated sentences, want low and none", conf, st.Sentences)
	}
	if !strings.Contains(stdout.String(), "## Gaps") || !strings.Contains(stdout.String(), report.LowConfidenceBanner) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	if got, want := stderr.String(), "confidence: low ("+report.LowConfidenceBanner+")\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}

	stderr.Reset()
	printResult(rf.ResearchResult{Question: q, Report: "# r", Confidence: report.ConfidenceHigh}, &stdout, &stderr)
	if got := stderr.String(); got != "confidence: high\n" {
		t.Errorf("stderr %q, want the confidence", got)
	}
}

func TestParseSources(t *testing.T) {
	if got, err := parseSources("web, Arxiv,,"); err != nil || !slices.Equal(got, []string{"web", "arxiv"}) {
		t.Errorf("parseSources = %q, %v", got, err)
	}
	if _, err := parseSources("web,google"); err == nil || !strings.Contains(err.Error(), `"google"`) {
		t.Errorf("parseSources(web,google) = %v, want the unknown name", err)
	}
}
