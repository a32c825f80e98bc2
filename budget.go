package researchflow

import (
	"math"
	"time"
)

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

// Asking before overspending: a run whose next model step would exceed its
// budget pauses in StatusAwaitingBudget, publishes EventBudgetExhausted,
// and waits for one of two updates, sent by name from the HTTP gateway
// (POST /v1/research/{id}/budget, POST /v1/research/{id}/finish), the
// starter (budget, finish) or the Temporal CLI:
//
//	temporal workflow update execute --workflow-id <id> --name extendBudget --input '{"maxTokens":50000}'
//	temporal workflow update execute --workflow-id <id> --name finishNow --input '{}'
//
// When neither comes within the run's budget timeout
// (ResearchInput.BudgetTimeoutSeconds), the run finishes now.
const (
	// ExtendBudgetUpdate sets new limits (a BudgetRequest with at least one
	// limit) on a running run; its result is the run's Progress. A paused run resumes where it
	// stopped: no step already done is done again.
	ExtendBudgetUpdate = "extendBudget"
	// FinishNowUpdate (a BudgetRequest without limits) makes the run write its report from
	// what it has, with the offline writer, naming what it skipped; its
	// result is the run's Progress.
	FinishNowUpdate = "finishNow"

	// StatusAwaitingBudget: the run waits for ExtendBudgetUpdate or
	// FinishNowUpdate (Progress.BudgetPause says why).
	StatusAwaitingBudget = "awaiting_budget"

	// EventBudgetExhausted: the run paused because its next step would
	// exceed its budget; data carries the pause (EventData.BudgetPause).
	// Its ID ends with the pause's number: "<research ID>:research.budget.exhausted:<n>".
	EventBudgetExhausted = "research.budget.exhausted"

	// defaultBudgetTimeout is how long a paused run waits before it
	// finishes with what it has.
	defaultBudgetTimeout = 24 * time.Hour
)

// BudgetRequest is the argument of the budget updates. For
// ExtendBudgetUpdate it holds the run's new limits: a zero field keeps that
// limit as it is; a set one replaces it and must be above what the run has
// already used. FinishNowUpdate takes one without limits.
type BudgetRequest struct {
	MaxTokens  int     `json:"maxTokens,omitempty"`
	MaxCostUSD float64 `json:"maxCostUsd,omitempty"`
	// By names who asked, for the record (the HTTP gateway sets it from
	// the API key).
	By string `json:"by,omitempty"`
	// unknownField is the first key of the JSON the request was decoded
	// from that names none of its fields (see DecodeInputJSON).
	unknownField string
}

// UnmarshalJSON decodes e, noting the first unknown key (see
// DecodeInputJSON): an extendBudget update with "maxToken" is refused, not
// read as no extension.
func (e *BudgetRequest) UnmarshalJSON(b []byte) error {
	type plain BudgetRequest
	return DecodeInput(b, (*plain)(e), &e.unknownField)
}

// UnknownField is the error of the first key of the JSON e was decoded
// from that names no field of BudgetRequest (nil when none).
func (e BudgetRequest) UnknownField() error { return UnknownFieldError(e.unknownField) }

// Normalize checks e as an extension, on its own (the run checks it
// against its usage). Errors are *InputError.
func (e BudgetRequest) Normalize() (BudgetRequest, error) {
	switch {
	case e.MaxTokens < 0:
		return e, inputError("maxTokens", "want a positive number of tokens (0 keeps the limit)")
	case e.MaxCostUSD < 0 || e.MaxCostUSD > maxCostUSDLimit || math.IsNaN(e.MaxCostUSD):
		return e, inputError("maxCostUsd", "want a positive amount of US dollars up to %.0f (0 keeps the limit)", float64(maxCostUSDLimit))
	case e.MaxTokens == 0 && e.MaxCostUSD == 0:
		return e, inputError("maxTokens", "give maxTokens or maxCostUsd: the new limit")
	}
	return e, nil
}

// Extend returns b with the limits e sets, and an *InputError when a new
// limit is not above what u has used already.
func (b Budget) Extend(e BudgetRequest, u Usage) (Budget, error) {
	if e.MaxTokens > 0 {
		if e.MaxTokens <= u.Tokens() {
			return b, inputError("maxTokens", "%d is not above the %d tokens the run has used", e.MaxTokens, u.Tokens())
		}
		b.MaxTokens = e.MaxTokens
	}
	if e.MaxCostUSD > 0 {
		if e.MaxCostUSD <= u.CostUSD {
			return b, inputError("maxCostUsd", "$%.4f is not above the $%.4f the run has used", e.MaxCostUSD, u.CostUSD)
		}
		b.MaxCostUSD = e.MaxCostUSD
	}
	return b, nil
}

// Exceeds reports whether using u and then need more would pass a limit of
// b (never for a budget without limits).
func (b Budget) Exceeds(u, need Usage) bool {
	t := u.Add(need)
	return (b.MaxTokens > 0 && (u.Tokens() >= b.MaxTokens || t.Tokens() > b.MaxTokens)) ||
		(b.MaxCostUSD > 0 && (u.CostUSD >= b.MaxCostUSD || t.CostUSD > b.MaxCostUSD))
}

// Spend is what a run is expected to use (its estimate, made before it
// runs and shown at approval) or has used (counted the same way), so that
// the two can be read side by side: searches, passages, model steps (the
// plan, analyses, reflections, the report) and their tokens and cost from
// the configured models' prices (the offline engine: 0 tokens, cost 0).
//
// An estimate is an upper bound over the first round, every reflection
// round the run's depth allows (with Breadth follow-ups each) and the
// report. It lists its parts: one per sub-question (ID, Text) and one per
// reflection round (ID "round<n>"), and in Steps the expected cost of one
// call of each model step (Step "plan", "analyze", "reflect", "write";
// ModelCalls 1). Its ModelCalls and Usage are those of its parts plus one
// call each of planning (made already, at what it cost) and the report,
// which have no part of their own.
// A budget pause is a Spend too: the step that would exceed the budget
// (Step, and ID of its sub-question), what it needs (Usage) and Until.
type Spend struct {
	ID         string `json:"id,omitempty"`
	Text       string `json:"text,omitempty"`
	Step       string `json:"step,omitempty"`
	Searches   int    `json:"searches"`
	Passages   int    `json:"passages"`
	ModelCalls int    `json:"modelCalls"`
	// Usage is the tokens and cost (an actual Spend: the models' own
	// count; Usage.Calls counts paid calls and repairs).
	Usage Usage `json:"usage"`
	// Estimates only.
	SubQuestions []Spend `json:"subQuestions,omitempty"`
	Steps        []Spend `json:"steps,omitempty"`
	Rounds       int     `json:"rounds,omitempty"`
	FollowUps    int     `json:"followUps,omitempty"`
	Engine       string  `json:"engine,omitempty"`
	// Until, on a budget pause (Progress.BudgetPause), is when the run
	// stops waiting and finishes with what it has.
	Until *time.Time `json:"until,omitempty"`
}

// StepUsage returns the expected cost of one call of step (zero when
// unknown).
func (s *Spend) StepUsage(step string) Usage {
	if s == nil {
		return Usage{}
	}
	for _, st := range s.Steps {
		if st.Step == step {
			return st.Usage
		}
	}
	return Usage{}
}
