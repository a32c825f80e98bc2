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

// `starter --follow-up` says how far to trust the answer, as it does a
// report's: a follow-up the run's notes answer only in pieces (a trial's
// "Which hotel do we stay at in Porto?") is low, with the warning; a
// confident one says its confidence.
func TestPrintFollowUpShowsConfidence(t *testing.T) {
	q := "Which hotel do we stay at in Porto?"
	findings := []rf.FollowUpFinding{
		{Text: "We stay at the Hotel Alfama.", N: 1, SourceID: "offsite", Score: 0.56, Support: 0.67},
		{Text: "The offsite moves to Porto, because the Lisbon hotel was fully booked.", N: 2, SourceID: "meeting", Score: 0.51, Support: 0.67},
	}
	sources := []rf.Source{{N: 1, SourceID: "offsite", Title: "offsite.txt"}, {N: 2, SourceID: "meeting", Title: "meeting-2025-03-04.md"}}
	conf := report.FollowUpConfidence(findings, nil, 1)
	res := rf.FollowUpResult{Question: q, Findings: findings, Sources: sources, FromEvidence: true, Confidence: conf,
		Answer: report.FollowUp(q, q, conf, report.FollowUpSentences(findings), sources, nil, nil)}
	var stdout, stderr strings.Builder
	printFollowUp(res, &stdout, &stderr)
	if !strings.Contains(stdout.String(), "**Confidence:** low") || !strings.Contains(stdout.String(), report.LowConfidenceBanner) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	if got, want := stderr.String(), "confidence: low ("+report.LowConfidenceBanner+")\n"; !strings.HasPrefix(got, want) {
		t.Errorf("stderr %q, want it to open with %q", got, want)
	}

	stderr.Reset()
	res.Confidence = report.ConfidenceMedium
	printFollowUp(res, &stdout, &stderr)
	if got := stderr.String(); !strings.HasPrefix(got, "confidence: medium\n") {
		t.Errorf("stderr %q, want the confidence", got)
	}
}
