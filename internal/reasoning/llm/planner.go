package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// defaultMaxSubQuestions applies when a PlanRequest gives none.
const defaultMaxSubQuestions = 4

type planAnswer struct {
	SubQuestions []struct {
		Text   string `json:"text"`
		Reason string `json:"reason"`
	} `json:"subQuestions"`
}

// Plan asks the planner model for sub-questions. An unusable answer is
// repaired once; if the repair fails too, the fallback planner answers and
// the plan's Engine says so ("extractive (fallback: …)"). Errors of the model
// server are returned classified (package fault), without falling back.
func (e *Engine) Plan(ctx context.Context, req reasoning.PlanRequest) (reasoning.Plan, error) {
	if e.planner == nil {
		if e.fallback == nil {
			return reasoning.Plan{}, e.notServed(RolePlanner)
		}
		return e.fallback.Plan(ctx, req)
	}
	c := e.planner
	maxSQ := req.MaxSubQuestions
	if maxSQ <= 0 {
		maxSQ = defaultMaxSubQuestions
	}
	t, err := c.newTurn(req.Budget, struct {
		Question string
		Max      int
	}{req.Question, maxSQ})
	if err != nil {
		return reasoning.Plan{}, err
	}

	var subs []reasoning.SubQuestion
	parse := func(text string) (err error) {
		subs, err = parsePlan(text, maxSQ)
		return err
	}
	answer, err := t.ask(ctx)
	if err != nil {
		return reasoning.Plan{}, err
	}
	problem := t.read(ctx, answer, parse)
	if problem != nil {
		c.logger.Info("planner answer unusable, asking to repair", "model", c.cfg.Model, "problem", problem)
		answer, err = t.askRepair(ctx, problem.Error())
		if fe, ok := fault.Classify(err); ok && fe.Kind == KindBudget {
			return e.fallbackPlan(ctx, req, t.usage, fmt.Sprintf("%s/%s answer unusable (%v) and no token budget left to repair it", c.cfg.Provider, c.cfg.Model, problem))
		}
		if err != nil {
			return reasoning.Plan{}, err
		}
		problem = t.read(ctx, answer, parse)
	}
	if problem != nil {
		return e.fallbackPlan(ctx, req, t.usage, fmt.Sprintf("%s/%s answer unusable after repair: %v", c.cfg.Provider, c.cfg.Model, problem))
	}
	return reasoning.Plan{SubQuestions: subs, Engine: c.engineName(), Usage: t.usage}, nil
}

func (e *Engine) fallbackPlan(ctx context.Context, req reasoning.PlanRequest, spent rf.Usage, reason string) (reasoning.Plan, error) {
	e.logger.Warn("llm planner falls back to the offline planner", "reason", reason)
	p, err := e.fallback.Plan(ctx, req)
	if err != nil {
		return reasoning.Plan{}, fmt.Errorf("fallback planner after %s: %w", reason, err)
	}
	name := p.Engine
	if name == "" {
		name = "extractive"
	}
	p.Engine = fmt.Sprintf("%s (fallback: %s)", name, reason)
	p.Usage = spent.Add(p.Usage)
	return p, nil
}

// parsePlan validates a planner answer: 1..maxSQ distinct, non-empty
// sub-questions. Exact repeats (ignoring case and punctuation) are dropped.
func parsePlan(answer string, maxSQ int) (out []reasoning.SubQuestion, err error) {
	err = decodeJSON(answer, "subQuestions", func(raw []byte) error {
		var a planAnswer
		if err := unmarshalShape(raw, &a); err != nil {
			return err
		}
		out, err = validatePlan(a, maxSQ)
		return err
	})
	return out, err
}

func validatePlan(a planAnswer, maxSQ int) ([]reasoning.SubQuestion, error) {
	var out []reasoning.SubQuestion
	seen := map[string]bool{}
	for i, sq := range a.SubQuestions {
		text := strings.Join(strings.Fields(sq.Text), " ")
		if text == "" {
			return nil, fmt.Errorf("subQuestions[%d] has an empty \"text\"", i)
		}
		key := normalizeKey(text)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, reasoning.SubQuestion{
			ID:     fmt.Sprintf("sq%d", len(out)+1),
			Text:   text,
			Reason: strings.TrimSpace(sq.Reason),
		})
	}
	switch {
	case len(out) == 0:
		return nil, errors.New(`"subQuestions" is missing or empty; give at least one sub-question`)
	case len(out) > maxSQ:
		return nil, fmt.Errorf("%d sub-questions given; give at most %d", len(out), maxSQ)
	}
	return out, nil
}
