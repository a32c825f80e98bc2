package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// ReflectorPromptVersion is the prompt of the reflection role, which runs on
// the planner's model.
const ReflectorPromptVersion = "reflector-v1"

var _ reasoning.Reflector = (*Engine)(nil)

type reflectAnswer struct {
	FollowUps *[]struct {
		Text   string `json:"text"`
		Reason string `json:"reason"`
	} `json:"followUps"`
}

// Reflect asks the planner's model for the knowledge gaps left after a
// round. An answer that cannot be used after one repair, or a spent budget,
// means no follow-ups (research goes on to writing with what it has); model
// server errors are returned classified.
func (e *Engine) Reflect(ctx context.Context, req reasoning.ReflectRequest) (reasoning.Reflection, error) {
	c := e.reflector
	if c == nil || req.MaxFollowUps <= 0 {
		return reasoning.Reflection{}, nil
	}
	t, err := c.newTurn(req.Budget, struct {
		reasoning.ReflectRequest
		Max int
	}{req, req.MaxFollowUps})
	if err != nil {
		return reasoning.Reflection{}, err
	}
	answer, err := t.ask(ctx)
	if err != nil {
		return reasoning.Reflection{}, err
	}
	known := map[string]bool{}
	for _, a := range req.Answered {
		known[normalizeKey(a.SubQuestion.Text)] = true
	}
	for _, u := range req.Unanswered {
		known[normalizeKey(u.SubQuestion.Text)] = true
	}
	var follow []reasoning.SubQuestion
	parse := func(text string) (err error) {
		follow, err = parseReflection(text, req.MaxFollowUps, known)
		return err
	}
	problem := t.read(ctx, answer, parse)
	if problem != nil {
		answer, err = t.askRepair(ctx, problem.Error())
		if fe, ok := fault.Classify(err); ok && fe.Kind == KindBudget {
			return reasoning.Reflection{Engine: c.engineName(), Usage: t.usage}, nil
		}
		if err != nil {
			return reasoning.Reflection{}, err
		}
		if problem = t.read(ctx, answer, parse); problem != nil {
			e.logger.Warn("reflection answer unusable after repair; no follow-ups", "model", c.cfg.Model, "problem", problem)
			follow = nil
		}
	}
	return reasoning.Reflection{FollowUps: follow, Engine: c.engineName(), Usage: t.usage}, nil
}

// parseReflection validates follow-ups: at most max, non-empty, none that
// repeats a sub-question already researched.
func parseReflection(answer string, max int, known map[string]bool) (out []reasoning.SubQuestion, err error) {
	err = decodeJSON(answer, "followUps", func(raw []byte) error {
		var a reflectAnswer
		if err := unmarshalShape(raw, &a); err != nil {
			return err
		}
		if a.FollowUps == nil {
			return errors.New(`the "followUps" array is missing; give "followUps":[] when nothing is missing`)
		}
		out, err = validateReflection(a, max, copyKnown(known))
		return err
	})
	return out, err
}

func copyKnown(known map[string]bool) map[string]bool {
	c := make(map[string]bool, len(known))
	for k, v := range known {
		c[k] = v
	}
	return c
}

func validateReflection(a reflectAnswer, max int, known map[string]bool) ([]reasoning.SubQuestion, error) {
	var out []reasoning.SubQuestion
	for i, f := range *a.FollowUps {
		text := strings.Join(strings.Fields(f.Text), " ")
		if text == "" {
			return nil, fmt.Errorf("followUps[%d] has an empty \"text\"", i)
		}
		key := normalizeKey(text)
		if known[key] {
			continue
		}
		known[key] = true
		out = append(out, reasoning.SubQuestion{Text: text, Reason: strings.TrimSpace(f.Reason)})
	}
	if len(out) > max {
		return nil, fmt.Errorf("%d follow-ups given; give at most %d", len(out), max)
	}
	return out, nil
}
