package pools

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
)

// fakeServer fails DescribeWorkflowExecution describeFails times and
// CompleteActivityWithOptions completeFails times (with err, default
// Unavailable), then answers, and takes the result.
type fakeServer struct {
	client.Client
	mu                           sync.Mutex
	describeFails, completeFails int
	describes, completes         int
	err                          error
	// completeErr, if set, is the completion's error instead of err.
	completeErr error
	got         client.CompleteActivityOptions
}

func (c *fakeServer) fail() error {
	if c.err != nil {
		return c.err
	}
	return serviceerror.NewUnavailable("server restarting")
}

func (c *fakeServer) DescribeWorkflowExecution(context.Context, string, string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.describes++
	if c.describes <= c.describeFails {
		return nil, c.fail()
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{}, nil
}

func (c *fakeServer) CompleteActivityWithOptions(_ context.Context, o client.CompleteActivityOptions) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.completes++
	if c.completes <= c.completeFails {
		if c.completeErr != nil {
			return c.completeErr
		}
		return c.fail()
	}
	c.got = o
	return nil
}

// A successful activity's result is reported by the SDK when the server
// answers; when it does not, the interceptor hands the result over
// itself, trying again while the server is unreachable (a restart, then a
// database restart: more than the SDK's one 10-second budget); a refusal
// for another reason leaves the report to the SDK; a failed activity is
// reported by the SDK.
func TestConfirmHandsTheResultOverWhileTheServerIsAway(t *testing.T) {
	tests := []struct {
		name                         string
		fail                         bool
		describeFails, completeFails int
		err                          error
		wantDescribes, wantCompletes int
		wantHanded                   bool
	}{
		{"server answers: the SDK reports", false, 0, 0, nil, 1, 0, false},
		{"a refusal is an answer", false, 1, 0, serviceerror.NewPermissionDenied("no describe", ""), 1, 0, false},
		{"not found is an answer", false, 1, 0, serviceerror.NewNotFound("gone"), 1, 0, false},
		{"server away: handed over at once", false, 1, 0, nil, 1, 1, true},
		{"server back after three tries", false, 1, 3, nil, 1, 4, true},
		{"failed activity is the SDK's to report", true, 3, 3, nil, 0, 0, false},
		{"overloaded server is waited for", false, 1, 2, serviceerror.NewResourceExhausted(0, "busy"), 1, 3, true},
		{"a describe that timed out, then tries that timed out", false, 1, 2, context.DeadlineExceeded, 1, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeServer{describeFails: tt.describeFails, completeFails: tt.completeFails, err: tt.err}
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
			if c.describes != tt.wantDescribes || c.completes != tt.wantCompletes {
				t.Errorf("describes %d, completion tries %d; want %d, %d", c.describes, c.completes, tt.wantDescribes, tt.wantCompletes)
			}
		})
	}
}

// A result that cannot be sent at all (its encoding failed) is not tried
// again for a minute: the SDK reports it (and its failure).
func TestConfirmDoesNotRetryAResultThatCannotBeSent(t *testing.T) {
	c := &fakeServer{describeFails: 1, completeFails: 3, completeErr: errors.New("payload codec: key unavailable")}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{&confirmInterceptor{c: c}}})
	env.RegisterActivityWithOptions(func(context.Context) (string, error) { return "done", nil }, activity.RegisterOptions{Name: "Work"})
	if _, err := env.ExecuteActivity("Work"); err != nil {
		t.Fatal(err)
	}
	if c.completes != 1 {
		t.Errorf("completion tries = %d, want 1", c.completes)
	}
}

// Workers beside an in-process server report at once; others confirm.
func TestConfirmOnlyForAServerElsewhere(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		c := &fakeServer{}
		var s testsuite.WorkflowTestSuite
		env := s.NewTestActivityEnvironment()
		env.SetWorkerOptions(worker.Options{Interceptors: withConfirm(c, Options{ServerInProcess: inProcess}, nil)})
		env.RegisterActivityWithOptions(func(context.Context) (string, error) { return "done", nil }, activity.RegisterOptions{Name: "Work"})
		if _, err := env.ExecuteActivity("Work"); err != nil {
			t.Fatal(err)
		}
		want := 1
		if inProcess {
			want = 0
		}
		if c.describes != want {
			t.Errorf("server in process %v: describes = %d, want %d", inProcess, c.describes, want)
		}
	}
}
