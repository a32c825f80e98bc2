package telemetry

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
)

// handOver stands for the pools' confirm interceptor handing a result over
// itself: the activity succeeded, and activity.ErrResultPending tells the
// SDK the server has its result already.
type handOver struct {
	interceptor.WorkerInterceptorBase
}

func (*handOver) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &handOverActivity{interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type handOverActivity struct {
	interceptor.ActivityInboundInterceptorBase
}

func (a *handOverActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	if _, err := a.Next.ExecuteActivity(ctx, in); err != nil {
		return nil, err
	}
	return nil, activity.ErrResultPending
}

// An activity whose result was handed over (activity.ErrResultPending: "not
// error", the SDK says) succeeded: its RunActivity span is not an error.
// The client's tracing interceptor wraps the workers' own (the pools'
// confirm interceptor among them), so it sees ErrResultPending; the SDK's
// tracing interceptor marks a span with whatever error it sees (its v2 in
// interceptor/tracing leaves ErrResultPending out, the one used here does
// not). A failed activity's span stays an error.
func TestHandedOverActivitySpanIsNoError(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	tracing, err := TemporalInterceptor()
	if err != nil {
		t.Fatal(err)
	}
	for _, fail := range []bool{false, true} {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestActivityEnvironment()
		env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{tracing, &handOver{}}})
		env.RegisterActivityWithOptions(func(ctx context.Context) (string, error) {
			activity.GetLogger(ctx).Info("working") // the span's logger
			if fail {
				return "", errors.New("boom")
			}
			return "done", nil
		}, activity.RegisterOptions{Name: "Work"})
		_, err := env.ExecuteActivity("Work")
		if fail && (err == nil || errors.Is(err, activity.ErrResultPending)) || !fail && !errors.Is(err, activity.ErrResultPending) {
			t.Fatalf("fail %v: err %v", fail, err)
		}
		var run sdktrace.ReadOnlySpan
		for _, sp := range rec.Ended() {
			if sp.Name() == "RunActivity:Work" {
				run = sp
			}
		}
		if run == nil {
			t.Fatalf("no RunActivity span among %d", len(rec.Ended()))
		}
		if got := run.Status().Code; fail && got != codes.Error || !fail && got == codes.Error {
			t.Errorf("failed %v: span status %v %q", fail, got, run.Status().Description)
		}
		rec.Reset()
	}
}
