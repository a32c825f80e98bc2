package stack

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/researchflow/researchflow/internal/pools"
)

// awayClient is the stack's client whose describes find the server away:
// the confirm interceptor then hands results over itself.
type awayClient struct {
	client.Client
	handed *atomic.Int32
	// refused keeps what the server answered to hand-overs it did not
	// take, for the test's failure message.
	refused *refusals
}

// refusals are errors of refused hand-overs.
type refusals struct {
	mu   sync.Mutex
	errs []string
}

func (r *refusals) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "; ")
}

func (c awayClient) CompleteActivityWithOptions(ctx context.Context, o client.CompleteActivityOptions) error {
	err := c.Client.CompleteActivityWithOptions(ctx, o)
	if err == nil {
		c.handed.Add(1)
	} else {
		c.refused.mu.Lock()
		c.refused.errs = append(c.refused.errs, fmt.Sprintf("%T: %v", err, err))
		c.refused.mu.Unlock()
	}
	return err
}

func (awayClient) DescribeWorkflowExecution(context.Context, string, string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return nil, serviceerror.NewUnavailable("server away (test)")
}

type handOverResult struct {
	Answer string   `json:"answer"`
	Chunks []string `json:"chunks"`
}

// A result the confirm interceptor hands over itself (the describe found
// the server away) reaches the workflow as the SDK's report would: the
// real server takes the asynchronous completion, through the stack's data
// converter, and the SDK reports nothing more.
func TestHandedOverResultReachesTheWorkflow(t *testing.T) {
	endToEnd(t)
	queue := fmt.Sprintf("handover-%d", time.Now().UnixNano())
	var handed atomic.Int32
	refused := &refusals{}
	w := worker.New(shared.Client, queue, worker.Options{
		Interceptors: []interceptor.WorkerInterceptor{pools.ConfirmInterceptor(awayClient{shared.Client, &handed, refused})},
	})
	calls := 0
	w.RegisterActivityWithOptions(func(context.Context, string) (handOverResult, error) {
		calls++
		return handOverResult{Answer: "a send happens before the receive", Chunks: []string{"c1", "c2"}}, nil
	}, activity.RegisterOptions{Name: "handOverWork"})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) (handOverResult, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute, HeartbeatTimeout: 20 * time.Second})
		var r handOverResult
		err := workflow.ExecuteActivity(ctx, "handOverWork", "q").Get(ctx, &r)
		return r, err
	}, workflow.RegisterOptions{Name: "handOverFlow"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := shared.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: queue}, "handOverFlow")
	if err != nil {
		t.Fatal(err)
	}
	var got handOverResult
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if handed.Load() != 1 {
		t.Errorf("%d results handed over, want 1 (the server refused: %s)", handed.Load(), refused)
	}
	if got.Answer != "a send happens before the receive" || len(got.Chunks) != 2 || calls != 1 {
		t.Errorf("result %+v after %d calls, want the activity's result after one", got, calls)
	}
	// One attempt, completed: the hand-over was the report.
	it := shared.Client.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	completed := 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil {
			completed++
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() != 1 {
			t.Errorf("attempt %d: the hand-over did not take", a.GetAttempt())
		}
	}
	if completed != 1 {
		t.Errorf("%d activity completions in the history, want 1", completed)
	}
}
