package llm

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Price is what a model costs, in USD per million tokens.
type Price struct {
	Input  float64 `json:"input"`
	Output float64 `json:"output"`
}

// PriceTable maps a model ("gpt-4o-mini") or a provider-qualified model
// ("openai/gpt-4o-mini") to its price. Models not in the table cost 0.
type PriceTable map[string]Price

// Cost returns the USD cost of a call to provider/model.
func (t PriceTable) Cost(provider, model string, promptTokens, completionTokens int) float64 {
	p, ok := t[provider+"/"+model]
	if !ok {
		p, ok = t[model]
	}
	if !ok {
		return 0
	}
	return (float64(promptTokens)*p.Input + float64(completionTokens)*p.Output) / 1e6
}

// ParsePrices reads a price table from JSON text or, when s does not start
// with '{', from the JSON file named s. The JSON maps model to
// {"input": USD per million input tokens, "output": USD per million output tokens}.
func ParsePrices(s string) (PriceTable, error) {
	data := []byte(s)
	if !strings.HasPrefix(strings.TrimSpace(s), "{") {
		b, err := os.ReadFile(s)
		if err != nil {
			return nil, fmt.Errorf("read prices: %w", err)
		}
		data = b
	}
	var t PriceTable
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("parse prices: %w", err)
	}
	for model, p := range t {
		if p.Input < 0 || p.Output < 0 {
			return nil, fmt.Errorf("price of %s is negative", model)
		}
	}
	return t, nil
}
