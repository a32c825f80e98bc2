// Package reasoning defines the thinking roles of a research run —
// planner, analyst, reflector and writer — as small interfaces. Engines live
// in sub-packages: reasoning/extractive is the offline default that needs no
// model; reasoning/llm drives any chat model through langchaingo.
//
// The values the roles exchange cross Temporal history (messages.go); the
// sources and usage they name are the contract's (researchflow.Source,
// researchflow.Usage), which callers read in reports and progress.
package reasoning

import (
	"context"

	rf "github.com/researchflow/researchflow"
)

// Planner splits a question into focused sub-questions.
type Planner interface {
	Plan(ctx context.Context, req PlanRequest) (Plan, error)
}

// Analyst extracts findings for one sub-question from retrieved passages.
type Analyst interface {
	Analyze(ctx context.Context, req AnalyzeRequest) (Analysis, error)
}

// Writer turns cited findings into a report draft.
type Writer interface {
	Write(ctx context.Context, req WriteRequest) (Draft, error)
}

// Reflector looks at a round of findings and names what is still missing.
type Reflector interface {
	Reflect(ctx context.Context, req ReflectRequest) (Reflection, error)
}

// Engine bundles the roles.
type Engine struct {
	Planner   Planner
	Analyst   Analyst
	Writer    Writer
	Reflector Reflector
}

type usageRecorderKey struct{}

// WithUsageRecorder returns a context whose engines call record with the
// usage of every model call as soon as it is known (a paid answer, or
// Usage{FailedCalls: 1} for a call that failed or whose answer could not be
// used), before the role returns or fails. Activities use it to account for
// the calls of attempts that end in an error.
func WithUsageRecorder(ctx context.Context, record func(rf.Usage)) context.Context {
	return context.WithValue(ctx, usageRecorderKey{}, record)
}

// RecordUsage hands u to the recorder of ctx, if any.
func RecordUsage(ctx context.Context, u rf.Usage) {
	if f, ok := ctx.Value(usageRecorderKey{}).(func(rf.Usage)); ok && f != nil {
		f(u)
	}
}

// RunLogger is where engines log what a reader of a run's log should see
// (an answer read from an unusual field, a fallback). Temporal's activity
// logger satisfies it, and tags each line with the run.
type RunLogger interface {
	Info(msg string, keyvals ...any)
	Warn(msg string, keyvals ...any)
}

type runLoggerKey struct{}

// WithRunLogger returns a context whose engines log run events to l.
func WithRunLogger(ctx context.Context, l RunLogger) context.Context {
	return context.WithValue(ctx, runLoggerKey{}, l)
}

// RunLoggerFrom returns the run logger of ctx, or nil.
func RunLoggerFrom(ctx context.Context) RunLogger {
	l, _ := ctx.Value(runLoggerKey{}).(RunLogger)
	return l
}

// Steps of a run that use models, as estimates and budget pauses name them
// (researchflow.Spend.Step).
const (
	StepPlan    = "plan"
	StepAnalyze = "analyze"
	StepReflect = "reflect"
	StepWrite   = "write"
)
