package llm

import (
	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// completionShare is the part of a role's completion cap (MaxTokens) one
// answer is expected to use. The estimate is made before any call, so it
// cannot know the answer's length; the cap is what the budget must allow.
const completionShare = 0.5

// CallEstimate is what one call of step ("plan", "analyze", "reflect",
// "write") is expected to spend when its prompt carries inputTokens tokens
// of material (question, passages, findings): the role's prompt text plus
// the material, counted as the engine counts a prompt before sending it
// (four bytes a token), and half the role's completion cap, priced by the
// price table. ok is false when the step's role is not served by a model
// (the offline engine makes no paid call).
func (e *Engine) CallEstimate(step string, inputTokens int) (rf.Usage, bool) {
	var c *client
	switch step {
	case reasoning.StepPlan:
		c = e.planner
	case reasoning.StepReflect:
		c = e.reflector
	case reasoning.StepAnalyze:
		c = e.analyst
	case reasoning.StepWrite:
		c = e.writer
	}
	if c == nil {
		return rf.Usage{}, false
	}
	prompt := 8 + inputTokens + c.prompt.textTokens()
	completion := int(float64(c.cfg.MaxTokens) * completionShare)
	return rf.Usage{
		PromptTokens: prompt, CompletionTokens: completion, Calls: 1,
		CostUSD: c.prices.Cost(c.cfg.Provider, c.cfg.Model, prompt, completion),
	}, true
}

// textTokens estimates the tokens of the prompt's own text: its system and
// user templates as written, without the data they are rendered with.
func (p *prompt) textTokens() int {
	n := 0
	for _, part := range []string{"system", "user"} {
		if t := p.tmpl.Lookup(part); t != nil && t.Tree != nil {
			n += len(t.Tree.Root.String())
		}
	}
	return (n + 3) / 4
}
