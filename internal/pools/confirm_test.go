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

// describeClient fails DescribeWorkflowExecution fails times (with err,
// default Unavailable), then answers.
type describeClient struct {
	client.Client
	mu           sync.Mutex
	fails, calls int
	err          error
}

func (c *describeClient) DescribeWorkflowExecution(context.Context, string, string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls <= c.fails {
		if c.err != nil {
			return nil, c.err
		}
		return nil, serviceerror.NewUnavailable("server restarting")
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{}, nil
}

// A successful activity's result is handed over only once the server
// answers; a failed activity does not wait.
func TestConfirmWaitsForTheServerAfterSuccess(t *testing.T) {
	tests := []struct {
		name      string
		fail      bool
		fails     int
		err       error
		wantCalls int
	}{
		{"server answers at once", false, 0, nil, 1},
		{"server back after three tries", false, 3, nil, 4},
		{"failed activity does not wait", true, 3, nil, 0},
		{"a refusal is an answer", false, 3, serviceerror.NewPermissionDenied("no describe", ""), 1},
		{"not found is an answer", false, 3, serviceerror.NewNotFound("gone"), 1},
		{"overloaded server is waited for", false, 2, serviceerror.NewResourceExhausted(0, "busy"), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &describeClient{fails: tt.fails, err: tt.err}
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
			if tt.fail != (err != nil) {
				t.Fatalf("err = %v, want failure %v", err, tt.fail)
			}
			if !tt.fail {
				var got string
				if err := v.Get(&got); err != nil || got != "done" {
					t.Fatalf("result %q, %v", got, err)
				}
			}
			if c.calls != tt.wantCalls {
				t.Errorf("describe calls = %d, want %d", c.calls, tt.wantCalls)
			}
		})
	}
}

// Workers beside an in-process server report at once; others confirm.
func TestConfirmOnlyForAServerElsewhere(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		c := &describeClient{}
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
		if c.calls != want {
			t.Errorf("server in process %v: describe calls = %d, want %d", inProcess, c.calls, want)
		}
	}
}
