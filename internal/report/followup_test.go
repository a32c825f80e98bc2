package report

import (
	"slices"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
)

// answerOf is a follow-up's answer as its workflow writes it: sources the
// report numbered keep their numbers, the others are numbered after the
// report's last (lastN), in the order cited.
func answerOf(question string, lastN int, cites []rf.Source, searched bool) rf.FollowUpResult {
	res := rf.FollowUpResult{Question: question, FromEvidence: !searched}
	if searched {
		res.Searches = []rf.FollowUpSearch{{SubQuestion: question, Source: rf.SourceCorpus, Passages: 1}}
	}
	for _, s := range cites {
		if s.N == 0 {
			lastN++
			s.N = lastN
			res.NewSources = append(res.NewSources, s)
		} else {
			res.Sources = append(res.Sources, s)
		}
		res.Findings = append(res.Findings, rf.FollowUpFinding{Text: s.Title + " says so.", N: s.N, SourceID: s.SourceID})
	}
	res.Confidence = FollowUpConfidence(res.Findings, nil, 0)
	res.Answer = FollowUp(question, question, res.Confidence, FollowUpSentences(res.Findings), slices.Concat(res.Sources, res.NewSources), nil, nil)
	return res
}

func TestNumberThreadGivesTheRunOneNumbering(t *testing.T) {
	reportSources := []rf.Source{{N: 1, SourceID: "s1", Title: "One"}, {N: 2, SourceID: "s2", Title: "Two"}}
	a, b := rf.Source{SourceID: "a", Title: "Alpha"}, rf.Source{SourceID: "b", Title: "Beta"}
	first := answerOf("First?", 2, []rf.Source{reportSources[0], a}, true)
	second := answerOf("Second?", 2, []rf.Source{b, a, reportSources[1]}, false) // b [3], a [4] on its own
	third := answerOf("Third?", 2, []rf.Source{a}, false)

	got := NumberThread(reportSources, []rf.FollowUpResult{first, second, third})
	if got[0].Answer != first.Answer || got[0].FromEvidence {
		t.Errorf("the first answer changed or claims the run's evidence alone:\n%s", got[0].Answer)
	}
	numbers := func(list []rf.Source) (out []string) {
		for _, s := range list {
			out = append(out, s.SourceID+"="+string(rune('0'+s.N)))
		}
		return out
	}
	if s, n := numbers(got[1].Sources), numbers(got[1].NewSources); !slices.Equal(s, []string{"s2=2", "a=3"}) || !slices.Equal(n, []string{"b=4"}) {
		t.Errorf("second: sources %v new %v, want s2=2 a=3, new b=4", s, n)
	}
	for _, want := range []string{"Beta says so [4].", "Alpha says so [3].", "Two says so [2].", "- [3] Alpha", "- [4] Beta"} {
		if !strings.Contains(got[1].Answer, want) {
			t.Errorf("second answer lacks %q:\n%s", want, got[1].Answer)
		}
	}
	if err := CheckCitations(got[1].Answer); err != nil {
		t.Errorf("second answer: %v", err)
	}
	if got[1].FromEvidence {
		t.Error("second: fromEvidence beside a new source")
	}
	if s, n := numbers(got[2].Sources), numbers(got[2].NewSources); !slices.Equal(s, []string{"a=3"}) || len(n) != 0 || !got[2].FromEvidence {
		t.Errorf("third: sources %v new %v fromEvidence %v, want a=3, none new, from evidence", s, n, got[2].FromEvidence)
	}
	if !strings.Contains(got[2].Answer, "Alpha says so [3].") {
		t.Errorf("third answer:\n%s", got[2].Answer)
	}
	// The input is not changed.
	if second.NewSources[0].N != 3 || second.Findings[0].N != 3 {
		t.Errorf("NumberThread changed its input: %+v", second)
	}
}

// An answer recorded before follow-ups left out the gaps their statements
// answer is shown in the thread without them, rendered again.
func TestNumberThreadListsNoGapAnAnswerAnswers(t *testing.T) {
	src := rf.Source{N: 1, SourceID: "oncall", Title: "oncall.md"}
	a := rf.FollowUpResult{Question: "Who do we escalate to?", Sources: []rf.Source{src},
		Findings: []rf.FollowUpFinding{{Text: "Escalation goes to the platform lead after 30 minutes.", N: 1, SourceID: "oncall"}},
		Gaps:     []rf.Gap{{SubQuestion: "Who do we escalate to?", Reason: "the retrieved passages did not answer it"}}}
	a.Answer = "recorded"
	got := NumberThread([]rf.Source{src}, []rf.FollowUpResult{a})[0]
	if len(got.Gaps) != 0 || got.Answer == "recorded" || strings.Contains(got.Answer, "## Gaps") || !strings.Contains(got.Answer, "platform lead after 30 minutes [1].") {
		t.Errorf("gaps %+v, answer:\n%s", got.Gaps, got.Answer)
	}
}

// A follow-up's answer is rated as a report is: nothing stated is low, a
// strong statement of its whole topic high; and, the follow-up's own
// rule, statements of two sources that each speak of a piece of the
// question only (a trial's "Which hotel do we stay at in Porto?" answered
// with the Lisbon hotel of one note and the move to Porto of another)
// are low.
func TestFollowUpConfidence(t *testing.T) {
	alfama := rf.FollowUpFinding{Text: "We stay at the Hotel Alfama.", N: 1, SourceID: "offsite", Score: 0.56, Support: 0.67}
	porto := rf.FollowUpFinding{Text: "The offsite moves to Porto, because the Lisbon hotel was fully booked.", N: 2, SourceID: "meeting", Score: 0.51, Support: 0.67}
	lisbon := rf.FollowUpFinding{Text: "The offsite takes place in Lisbon.", N: 1, SourceID: "offsite", Score: 1.28, Support: 1}
	gap := rf.Gap{SubQuestion: "Is there a dress code?", Reason: "no passage answers it"}
	for _, tc := range []struct {
		name     string
		findings []rf.FollowUpFinding
		gaps     []rf.Gap
		parts    int
		want     string
	}{
		{"nothing answers it", nil, []rf.Gap{gap}, 0, ConfidenceLow},
		{"a strong statement of its whole topic", []rf.FollowUpFinding{lisbon}, nil, 1, ConfidenceHigh},
		{"pieces of its topic from two sources", []rf.FollowUpFinding{alfama, porto}, nil, 1, ConfidenceLow},
		{"pieces of its topic from one source", []rf.FollowUpFinding{alfama}, nil, 1, ConfidenceMedium},
		{"a statement of its whole topic beside a piece", []rf.FollowUpFinding{lisbon, porto}, nil, 1, ConfidenceHigh},
		{"a model's statements, which carry no support", []rf.FollowUpFinding{{Text: "A.", N: 1, SourceID: "a"}, {Text: "B.", N: 2, SourceID: "b"}}, nil, 0, ConfidenceHigh},
		{"one part of two answered strongly", []rf.FollowUpFinding{lisbon}, []rf.Gap{gap}, 2, ConfidenceMedium},
		{"one part of three answered weakly", []rf.FollowUpFinding{alfama}, []rf.Gap{gap, gap}, 3, ConfidenceLow},
	} {
		if got := FollowUpConfidence(tc.findings, tc.gaps, tc.parts); got != tc.want {
			t.Errorf("%s: confidence %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The thread rates an answer recorded before answers were rated, and
// states it in the answer: a recorded answer that stated nothing opens
// with the report's low-confidence banner.
func TestNumberThreadRatesAnswersRecordedWithoutConfidence(t *testing.T) {
	reportSources := []rf.Source{{N: 1, SourceID: "s1", Title: "One"}}
	answered := answerOf("First?", 1, []rf.Source{reportSources[0]}, false)
	answered.Confidence = ""
	answered.Answer = FollowUp(answered.Question, answered.Question, "", FollowUpSentences(answered.Findings), answered.Sources, nil, nil)
	gap := rf.Gap{SubQuestion: "Second?", Reason: "neither the run's passages nor a new search of its sources answered it"}
	unanswered := rf.FollowUpResult{Question: "Second?", Gaps: []rf.Gap{gap}}
	unanswered.Answer = FollowUp("Second?", "Second?", "", nil, nil, unanswered.Gaps, nil)

	got := NumberThread(reportSources, []rf.FollowUpResult{answered, unanswered})
	if got[0].Confidence == "" || got[0].Confidence == ConfidenceLow || !strings.Contains(got[0].Answer, "**Confidence:** "+got[0].Confidence) {
		t.Errorf("an answer that states a finding: confidence %q, answer:\n%s", got[0].Confidence, got[0].Answer)
	}
	if got[1].Confidence != ConfidenceLow || !strings.Contains(got[1].Answer, LowConfidenceBanner) {
		t.Errorf("an answer that states nothing: confidence %q, want low with the banner; answer:\n%s", got[1].Confidence, got[1].Answer)
	}
}
