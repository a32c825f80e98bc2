package report

import (
	"math"

	researchflow "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// LowConfidenceBanner is shown above the summary of a low-confidence report.
const LowConfidenceBanner = "The sources found do not clearly answer this question."

// Confidence levels of a report (ResearchResult.Confidence).
const (
	ConfidenceHigh   = "high"
	ConfidenceMedium = "medium"
	ConfidenceLow    = "low"
)

// Thresholds of Confidence, calibrated on the tune half of the development
// sets (README "Evaluation"): the share of sub-questions answered with a
// cited finding, and the score of the best finding (the offline analyst's
// relevance; a model's findings carry none, and then only the share
// counts).
const (
	// highAnswered and highScore: every sub-question answered, by a
	// finding at least this relevant.
	highAnswered = 1.0
	highScore    = 0.55
	// lowAnswered: fewer than this share of sub-questions answered is low
	// confidence, as is a best finding below lowScore.
	lowAnswered = 0.5
	lowScore    = 0.2
)

// The answer model: a logistic model of whether the cited findings answer
// the question (cite a source that does), from the best finding's score
// (capped at 2), the weakest answered sub-question's best support and the
// share of sub-questions answered; below AnswerFloor the report is low
// confidence. Fitted by eval.FitAnswerModel on the tune half of
// testdata/eval/results/result-s27c-a.json (labels: answerable and a gold
// source cited; floor: most off-topic answers turned low for the least
// nugget recall lost); TestAnswerModelIsRefittable in internal/eval
// refits them and fails when these differ (go test -run
// TestAnswerModelIsRefittable -v ./internal/eval prints the fit). Nearly
// every tune answer has all its sub-questions answered, so the share's
// weight says little; the best score and the support carry the model.
const (
	AnswerBias     = 0.241
	AnswerBest     = 3.132
	AnswerSupport  = 1.45
	AnswerAnswered = -1.357
	AnswerFloor    = 0.703
)

// answerP is the answer model's probability for these signals.
func answerP(best, support, share float64) float64 {
	z := AnswerBias + AnswerBest*min(best, 2) + AnswerSupport*support + AnswerAnswered*share
	return 1 / (1 + math.Exp(-z))
}

// Confidence rates how clearly the cited findings answer the question,
// from the sections (sub-questions with findings) and the gaps (those
// without): high when every sub-question is answered by a strong finding,
// low when nothing is cited, fewer than half are answered, the best
// finding is weak or (scored findings only) the answer model puts the
// chance that they answer below AnswerFloor; medium otherwise.
func Confidence(sections []reasoning.SectionInput, gaps []researchflow.Gap) string {
	answered, best, scored := 0, 0.0, false
	support := -1.0 // the weakest answered sub-question's best support
	for _, s := range sections {
		if len(s.Findings) > 0 {
			answered++
		}
		sup := 0.0
		for _, f := range s.Findings {
			if f.Score > 0 {
				scored = true
			}
			best = max(best, f.Score)
			sup = max(sup, f.Support)
		}
		if len(s.Findings) > 0 && (support < 0 || sup < support) {
			support = sup
		}
	}
	total := len(sections) + len(gaps)
	if answered == 0 || total == 0 {
		return ConfidenceLow
	}
	share := float64(answered) / float64(total)
	switch {
	case share < lowAnswered || (scored && best < lowScore):
		return ConfidenceLow
	case scored && answerP(best, max(support, 0), share) < AnswerFloor:
		return ConfidenceLow
	case share >= highAnswered && (!scored || best >= highScore):
		return ConfidenceHigh
	}
	return ConfidenceMedium
}
