package pools

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
)

// encodingServer is away (describes fail Unavailable) and, like the SDK's
// client, encodes the result before sending it: a result the data
// converter cannot encode fails there, with a plain error, whatever the
// server.
type encodingServer struct{ fakeServer }

func (c *encodingServer) CompleteActivityWithOptions(ctx context.Context, o client.CompleteActivityOptions) error {
	if o.TaskToken == nil {
		return errors.New("invalid task token provided") // the SDK client's words
	}
	if _, err := converter.GetDefaultDataConverter().ToPayloads(o.Result); err != nil {
		c.mu.Lock()
		c.completes++
		c.mu.Unlock()
		return err
	}
	return c.fakeServer.CompleteActivityWithOptions(ctx, o)
}

// bounded gives the activity (and so the hand-over's tries) d: the tries
// stop with the activity's context.
type bounded struct {
	interceptor.WorkerInterceptorBase
	d time.Duration
}

func (b *bounded) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &boundedActivity{interceptor.ActivityInboundInterceptorBase{Next: next}, b.d}
}

type boundedActivity struct {
	interceptor.ActivityInboundInterceptorBase
	d time.Duration
}

func (a *boundedActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, a.d)
	defer cancel()
	return a.Next.ExecuteActivity(ctx, in)
}

// A hand-over that fails for another reason than the server's absence (a
// plain Go error: the result cannot be encoded, no task token) is not
// tried again: trying cannot help, and each try kept the activity, its
// slot and its failure for up to confirmFor (a minute). The SDK then
// reports as usual.
func TestConfirmDoesNotRetryALocalError(t *testing.T) {
	c := &encodingServer{fakeServer{describeFails: 1}}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{&bounded{d: 2 * time.Second}, &confirmInterceptor{c: c}}})
	// NaN: encoding/json refuses it.
	env.RegisterActivityWithOptions(func(context.Context) (map[string]any, error) {
		return map[string]any{"score": nanValue()}, nil
	}, activity.RegisterOptions{Name: "NaN"})
	start := time.Now()
	_, _ = env.ExecuteActivity("NaN")
	if c.completes != 1 {
		t.Errorf("%d hand-over tries of a result that cannot be encoded in %s, want 1", c.completes, time.Since(start).Round(time.Millisecond))
	}
	if !unreachable(serviceUnavailable()) {
		t.Error("Unavailable is no longer unreachable")
	}
	for _, err := range []error{errors.New("invalid task token provided"), errors.New("json: unsupported value: NaN")} {
		if unreachable(err) {
			t.Errorf("unreachable(%q) = true: a local error is not the server's absence", err)
		}
	}
}

// Local activities have no task token and are not completed
// asynchronously: the interceptor leaves them to the SDK, without a
// describe (their results go back with the workflow task).
func TestConfirmLeavesLocalActivitiesAlone(t *testing.T) {
	c := &encodingServer{fakeServer{describeFails: 100}}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{&bounded{d: 2 * time.Second}, &confirmInterceptor{c: c}}})
	start := time.Now()
	v, err := env.ExecuteLocalActivity(func(context.Context) (string, error) { return "done", nil })
	if err != nil {
		t.Fatalf("local activity: %v after %s", err, time.Since(start).Round(time.Millisecond))
	}
	var got string
	if err := v.Get(&got); err != nil || got != "done" {
		t.Fatalf("result %q, %v", got, err)
	}
	if c.describes != 0 {
		t.Errorf("%d describes for a local activity, want none", c.describes)
	}
}

func nanValue() float64 { z := 0.0; return z / z }

func serviceUnavailable() error { return (&fakeServer{}).fail() }
