package llm

import "context"

type budgetKey struct{}
type heartbeatKey struct{}

// WithBudget returns a context that lets the next Plan, Analyze or Write call
// spend at most maxTokens tokens (prompt + completion, repair calls
// included). The call lowers each request's completion cap to what is left
// after the estimated prompt, and fails with a permanent "llm.budget" error
// when too little is left to ask at all.
func WithBudget(ctx context.Context, maxTokens int) context.Context {
	return context.WithValue(ctx, budgetKey{}, maxTokens)
}

func budgetFrom(ctx context.Context) (int, bool) {
	n, ok := ctx.Value(budgetKey{}).(int)
	return n, ok
}

// WithHeartbeat returns a context whose model calls stream their answer and
// call beat (throttled, see Options.HeartbeatInterval) while chunks arrive,
// so that a long generation keeps its Temporal activity alive. Pass
// func() { activity.RecordHeartbeat(ctx) } from the activity.
func WithHeartbeat(ctx context.Context, beat func()) context.Context {
	return context.WithValue(ctx, heartbeatKey{}, beat)
}

func heartbeatFrom(ctx context.Context) func() {
	f, _ := ctx.Value(heartbeatKey{}).(func())
	return f
}
