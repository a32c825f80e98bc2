package researchflow

// Budget bounds what model calls may spend: MaxTokens counts prompt plus
// completion tokens, MaxCostUSD US dollars priced by the inference workers'
// price table. Zero means no limit. A run carries its budget in its input;
// each inference activity gets the part it may spend in its own input, so
// the limit is part of history and never a hidden setting of a worker.
type Budget struct {
	MaxTokens  int     `json:"maxTokens,omitempty"`
	MaxCostUSD float64 `json:"maxCostUsd,omitempty"`
}

// Unlimited reports whether b sets no limit.
func (b Budget) Unlimited() bool { return b.MaxTokens == 0 && b.MaxCostUSD == 0 }

// Spent reports whether u uses up b.
func (b Budget) Spent(u Usage) bool {
	return (b.MaxTokens > 0 && u.Tokens() >= b.MaxTokens) ||
		(b.MaxCostUSD > 0 && u.CostUSD >= b.MaxCostUSD)
}

// Left is what remains of b after u (never below one token or zero
// dollars where a limit is set; zero where none is).
func (b Budget) Left(u Usage) Budget {
	var left Budget
	if b.MaxTokens > 0 {
		left.MaxTokens = max(b.MaxTokens-u.Tokens(), 1)
	}
	if b.MaxCostUSD > 0 {
		left.MaxCostUSD = max(b.MaxCostUSD-u.CostUSD, 0)
	}
	return left
}

// Share divides what is left of b after u between n calls still to make.
func (b Budget) Share(u Usage, n int) Budget {
	left := b.Left(u)
	if n <= 1 {
		return left
	}
	if left.MaxTokens > 0 {
		left.MaxTokens = max(left.MaxTokens/n, 1)
	}
	left.MaxCostUSD /= float64(n)
	return left
}
