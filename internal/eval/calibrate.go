package eval

import (
	"math"
	"sort"
)

// AnswerModel is a logistic model of whether a report's cited findings
// answer its question, from the evidence signals (see Signals):
//
//	p = 1 / (1 + exp(-(Bias + Best·min(BestScore, 2) + Support·Support + Answered·Answered/SubQuestions)))
//
// and the floor below which the report is stated with low confidence.
type AnswerModel struct {
	Bias, Best, Support, Answered float64
	Floor                         float64
}

// Features are the model's inputs from s (best score capped at 2: above
// it a finding is plainly on topic, and an outlier must not steer the fit).
func (s Signals) Features() [3]float64 {
	share := 0.0
	if s.SubQuestions > 0 {
		share = float64(s.Answered) / float64(s.SubQuestions)
	}
	return [3]float64{min(s.BestScore, 2), s.Support, share}
}

// P is the model's probability that a report with signals s answers.
func (m AnswerModel) P(s Signals) float64 {
	x := s.Features()
	return 1 / (1 + math.Exp(-(m.Bias + m.Best*x[0] + m.Support*x[1] + m.Answered*x[2])))
}

// Fitting settings of FitAnswerModel: batch gradient descent from zero,
// a fixed number of steps and a small ridge, so that the same scores give
// the same coefficients on every machine.
const (
	fitSteps = 20000
	fitRate  = 0.5
	fitRidge = 1e-3
)

// FitAnswerModel fits an AnswerModel on the scored answers that cite
// something and carry signals of a scoring analyst (BestScore > 0): a
// report that cites nothing is not changed by a confidence floor. An
// answer is labelled on topic when its question is answerable and a gold
// source is cited. The floor is the probability that maximizes, over
// these answers, the off-topic ones it would turn low (abstentions) minus
// the nugget recall it would take from on-topic ones; of equal floors the
// lowest wins. Fit on the tune half only.
func FitAnswerModel(scores []Score) AnswerModel {
	type row struct {
		x      [3]float64
		y      float64
		recall float64
		s      Signals
	}
	var rows []row
	for _, sc := range scores {
		if sc.Signals == nil || sc.Signals.BestScore <= 0 || sc.Citations == 0 {
			continue
		}
		y := 0.0
		if sc.Answerable && sc.GoldCited {
			y = 1
		}
		rows = append(rows, row{x: sc.Signals.Features(), y: y, recall: sc.NuggetRecall, s: *sc.Signals})
	}
	var m AnswerModel
	if len(rows) == 0 {
		return m
	}
	w := [4]float64{} // bias, best, support, answered
	n := float64(len(rows))
	for range fitSteps {
		var g [4]float64
		for _, r := range rows {
			z := w[0] + w[1]*r.x[0] + w[2]*r.x[1] + w[3]*r.x[2]
			d := 1/(1+math.Exp(-z)) - r.y
			g[0] += d
			for j := range 3 {
				g[j+1] += d * r.x[j]
			}
		}
		for j := range 4 {
			reg := 0.0
			if j > 0 {
				reg = fitRidge * w[j]
			}
			w[j] -= fitRate * (g[j]/n + reg)
		}
	}
	m = AnswerModel{Bias: round3(w[0]), Best: round3(w[1]), Support: round3(w[2]), Answered: round3(w[3])}
	// Candidate floors: just above each answer's probability (with the
	// rounded coefficients, as the report will compute it).
	ps := make([]float64, len(rows))
	for i, r := range rows {
		ps[i] = m.P(r.s)
	}
	cands := append([]float64(nil), ps...)
	sort.Float64s(cands)
	best, bestGain := 0.0, 0.0
	for _, c := range cands {
		floor := round3(c + 0.0005)
		gain := 0.0
		for i, r := range rows {
			if ps[i] < floor {
				if r.y == 0 {
					gain++
				} else {
					gain -= r.recall
				}
			}
		}
		if gain > bestGain+1e-9 {
			best, bestGain = floor, gain
		}
	}
	m.Floor = best
	return m
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
