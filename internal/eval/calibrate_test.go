package eval_test

import (
	"testing"

	"github.com/researchflow/researchflow/internal/eval"
	"github.com/researchflow/researchflow/internal/report"
)

// answerModelFit is the results file report.AnswerModel was fitted on
// (its tune half only).
const answerModelFit = "../../testdata/eval/results/result-s27c-a.json"

// The answer model written into internal/report (report.Answer*) is what FitAnswerModel
// gives on the tune half of the results they say they were fitted on: a
// refit after an engine change starts here (go test -run
// TestAnswerModelIsRefittable -v ./internal/eval prints the fit).
func TestAnswerModelIsRefittable(t *testing.T) {
	res, err := eval.ReadJSON(answerModelFit)
	if err != nil {
		t.Fatal(err)
	}
	var tune []eval.Score
	for _, s := range res.Questions {
		if eval.Half(s.ID) == eval.HalfTune {
			tune = append(tune, s)
		}
	}
	got := eval.FitAnswerModel(tune)
	t.Logf("fit on %d tune answers: %+v", len(tune), got)
	want := eval.AnswerModel{Bias: report.AnswerBias, Best: report.AnswerBest, Support: report.AnswerSupport, Answered: report.AnswerAnswered, Floor: report.AnswerFloor}
	if got != want {
		t.Errorf("FitAnswerModel(tune half of %s) = %+v, internal/report has %+v", answerModelFit, got, want)
	}
}

// On answers where one signal separates the on-topic from the off-topic,
// the fit weighs it positively and the floor turns the off-topic ones low
// while keeping every on-topic one.
func TestFitAnswerModelSeparates(t *testing.T) {
	var scores []eval.Score
	for i := range 20 {
		on := i%2 == 0
		best := 0.3 + 0.01*float64(i)
		if on {
			best += 0.6
		}
		scores = append(scores, eval.Score{
			ID: "q", Answerable: true, GoldCited: on, Citations: 2, NuggetRecall: 1,
			Signals: &eval.Signals{SubQuestions: 1, Answered: 1, BestScore: best, Support: 0.5},
		})
	}
	m := eval.FitAnswerModel(scores)
	if m.Best <= 0 {
		t.Fatalf("best-score weight %v, want > 0", m.Best)
	}
	for _, s := range scores {
		if low := m.P(*s.Signals) < m.Floor; low == s.GoldCited {
			t.Errorf("best %.2f on topic %v: p %.3f floor %.3f", s.Signals.BestScore, s.GoldCited, m.P(*s.Signals), m.Floor)
		}
	}
}
