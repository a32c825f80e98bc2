package pools

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
)

// completeClient refuses CompleteActivityWithOptions fails times (with err,
// default Unavailable), then takes the result.
type completeClient struct {
	client.Client
	mu           sync.Mutex
	fails, calls int
	err          error
	got          client.CompleteActivityOptions
}

func (c *completeClient) CompleteActivityWithOptions(_ context.Context, o client.CompleteActivityOptions) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls <= c.fails {
		if c.err != nil {
			return c.err
		}
		return serviceerror.NewUnavailable("server restarting")
	}
	c.got = o
	return nil
}

// A successful activity's result is handed to the server by the
// interceptor, tried again while the server is unreachable (a restart, then
// a database restart: more than the SDK's one 10-second budget); a refusal
// for another reason leaves the report to the SDK; a failed activity is
// reported by the SDK.
func TestConfirmHandsTheResultOverUntilTheServerTakesIt(t *testing.T) {
	tests := []struct {
		name       string
		fail       bool
		fails      int
		err        error
		wantCalls  int
		wantHanded bool
	}{
		{"server takes it at once", false, 0, nil, 1, true},
		{"server back after three tries", false, 3, nil, 4, true},
		{"failed activity is the SDK's to report", true, 3, nil, 0, false},
		{"attempt gone: the SDK reports", false, 3, serviceerror.NewNotFound("activity not found"), 1, false},
		{"a refusal: the SDK reports", false, 3, serviceerror.NewPermissionDenied("no", ""), 1, false},
		{"overloaded server is waited for", false, 2, serviceerror.NewResourceExhausted(0, "busy"), 3, true},
		{"a try that timed out is tried again", false, 2, context.DeadlineExceeded, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &completeClient{fails: tt.fails, err: tt.err}
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{&confirmInterceptor{c: c}}})
			env.RegisterActivityWithOptions(func(context.Context) (string, error) {
				if tt.fail {
					return "", errors.New("boom")
				}
				return "done", nil
			}, activity.RegisterOptions{Name: "Work"})
			v, err := env.ExecuteActivity("Work")
			switch {
			case tt.fail:
				if err == nil {
					t.Fatal("a failed activity succeeded")
				}
			case tt.wantHanded:
				// The SDK is told the result is on its way (and sends
				// nothing): the server has it already.
				if !errors.Is(err, activity.ErrResultPending) {
					t.Fatalf("err = %v, want the result pending for the SDK", err)
				}
				if c.got.Result != "done" || c.got.ActivityType != "Work" {
					t.Errorf("handed over %+v", c.got)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				var got string
				if err := v.Get(&got); err != nil || got != "done" {
					t.Fatalf("result %q, %v", got, err)
				}
			}
			if c.calls != tt.wantCalls {
				t.Errorf("completion tries = %d, want %d", c.calls, tt.wantCalls)
			}
		})
	}
}

// Workers beside an in-process server report at once; others confirm.
func TestConfirmOnlyForAServerElsewhere(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		c := &completeClient{}
		var s testsuite.WorkflowTestSuite
		env := s.NewTestActivityEnvironment()
		env.SetWorkerOptions(worker.Options{Interceptors: withConfirm(c, Options{ServerInProcess: inProcess}, nil)})
		env.RegisterActivityWithOptions(func(context.Context) (string, error) { return "done", nil }, activity.RegisterOptions{Name: "Work"})
		if _, err := env.ExecuteActivity("Work"); err != nil && !errors.Is(err, activity.ErrResultPending) {
			t.Fatal(err)
		}
		want := 1
		if inProcess {
			want = 0
		}
		if c.calls != want {
			t.Errorf("server in process %v: completion tries = %d, want %d", inProcess, c.calls, want)
		}
	}
}
