package pools

import (
	"context"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"google.golang.org/grpc/codes"
)

// confirmFor bounds how long a finished activity waits for the Temporal
// server before its result is reported anyway.
const confirmFor = 15 * time.Second

// confirmInterceptor makes a successful activity wait until the Temporal
// server answers for the activity's workflow before the SDK reports the
// result. The SDK reports a completion with one 10-second budget, retries
// included, and then drops it: a result finished just as the server went
// down (a restart, a database failover) was lost, the attempt timed out
// later, and a retry did the work again: a model call paid twice, a
// webhook delivered twice (the chaos suite, internal/chaos, showed both).
// Waiting for an answer from the server (DescribeWorkflowExecution, which
// needs the workflow's history shard, as the completion does) before
// reporting makes the report start on a working connection.
type confirmInterceptor struct {
	interceptor.WorkerInterceptorBase
	c client.Client
}

func (i *confirmInterceptor) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	a := &confirmActivity{c: i.c}
	a.Next = next
	return a
}

type confirmActivity struct {
	interceptor.ActivityInboundInterceptorBase
	c client.Client
}

func (a *confirmActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := a.Next.ExecuteActivity(ctx, in)
	if err == nil && a.c != nil {
		waitForServer(ctx, a.c, activity.GetInfo(ctx))
	}
	return res, err
}

// waitForServer returns once the server answers a describe of the
// activity's workflow (an answer that refuses, such as PermissionDenied for
// a worker not allowed to describe, or NotFound, also shows the server
// reachable), or after confirmFor, or when ctx is done. Only errors of an
// unreachable or overloaded server make it try again (see unreachable).
func waitForServer(ctx context.Context, c client.Client, info activity.Info) {
	deadline := time.Now().Add(confirmFor)
	for {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := c.DescribeWorkflowExecution(dctx, info.WorkflowExecution.ID, info.WorkflowExecution.RunID)
		cancel()
		if err == nil || !unreachable(err) || ctx.Err() != nil || time.Now().After(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// unreachable reports whether err means the server did not answer (or could
// not serve the request now): the gRPC codes a restarting or overloaded
// server and a broken connection give.
func unreachable(err error) bool {
	switch serviceerror.ToStatus(err).Code() {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.Aborted,
		codes.Internal, codes.Unknown, codes.ResourceExhausted:
		return true
	}
	return false
}

// ConfirmInterceptor returns the interceptor every pool's workers carry
// (see confirmInterceptor), for benchmarks that measure its cost beside
// workers without it.
func ConfirmInterceptor(c client.Client) interceptor.WorkerInterceptor {
	return &confirmInterceptor{c: c}
}
