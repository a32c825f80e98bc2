package llm

import "context"

type heartbeatKey struct{}

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
