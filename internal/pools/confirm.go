package pools

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// confirmFor bounds how long a finished activity keeps trying to hand its
// result to an unreachable Temporal server before the SDK is left to
// report it.
const confirmFor = time.Minute

// confirmInterceptor makes sure a successful activity's result reaches the
// server. The SDK reports a completion with one 10-second budget, retries
// included, and then drops it: a result finished just as the server went
// down (a restart, a database failover) was lost, the attempt timed out
// later, and a retry did the work again: a model call paid twice, a webhook
// delivered twice (the chaos suite, internal/chaos, showed both).
//
// So after a success the interceptor asks the server about the activity's
// workflow (DescribeWorkflowExecution, which needs the workflow's history
// shard, as the completion does). When it answers (or refuses for another
// reason than reachability), the SDK reports the result as usual. When it
// does not, the interceptor hands the result over itself (asynchronous
// completion: client.CompleteActivityWithOptions with the task token, then
// activity.ErrResultPending so that the SDK reports nothing), trying again
// while the server is unreachable or overloaded, up to confirmFor. (An
// earlier form waited for the describe to be answered and then let the
// SDK report: a short chaos run of 2026-12-07 paid an analysis twice whose
// call finished 0.06 s after the server's kill, with a PostgreSQL restart
// 6 s later.) The hand-over is kept for the outage: after it, the SDK
// flushes the activity's last batched heartbeat to a server that has
// closed the attempt and logs a warning, once per activity. A refusal
// that is not about reachability (the attempt timed out meanwhile, the run
// is gone) ends the tries: the SDK reports as usual. Failures are reported
// by the SDK.
//
// What no hand-over can save: the server times an attempt out a heartbeat
// timeout after the last heartbeat it recorded, and the SDK sends
// heartbeats only 0.8 × that timeout apart (16 s of the 20 s of an
// inference call), so a result finished in an outage may find its attempt
// timed out when the server is back. A shorter throttle is no cure: the
// SDK gives a heartbeat the throttle interval to get through and cancels
// the activity when it does not (with a 2 s throttle, a trial run's
// server restart cancelled the model calls in flight, and one whose
// answer had just arrived was paid again).
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
	if err != nil || a.c == nil {
		return res, err
	}
	info := activity.GetInfo(ctx)
	if info.IsLocalActivity {
		// No task token, no asynchronous completion: its result goes
		// back with the workflow task.
		return res, nil
	}
	if answers(ctx, a.c, info) {
		return res, nil
	}
	if handOver(ctx, a.c, info, res) {
		return nil, activity.ErrResultPending
	}
	return res, nil
}

// answers reports whether the server answers a describe of the activity's
// workflow within 2 s (an answer that refuses, such as PermissionDenied
// for a worker not allowed to describe, or NotFound, shows it reachable).
func answers(ctx context.Context, c client.Client, info activity.Info) bool {
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := c.DescribeWorkflowExecution(dctx, info.WorkflowExecution.ID, info.WorkflowExecution.RunID)
	return err == nil || !unreachable(err)
}

// handOver completes the activity of info with res and reports whether the
// server took it. It tries again, 250 ms apart, while the server is
// unreachable (see unreachable), for up to confirmFor or until ctx is
// done; each try has 5 s.
func handOver(ctx context.Context, c client.Client, info activity.Info, res any) bool {
	opts := client.CompleteActivityOptions{
		TaskToken:    info.TaskToken,
		Result:       res,
		WorkflowID:   info.WorkflowExecution.ID,
		ActivityType: info.ActivityType.Name,
		WorkflowType: workflowType(info),
		TaskQueue:    info.TaskQueue,
	}
	start := time.Now()
	deadline := start.Add(confirmFor)
	for tries := 1; ; tries++ {
		// The result is reported even while ctx is being cancelled (a
		// worker stopping): only the tries stop then.
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err := c.CompleteActivityWithOptions(tctx, opts)
		cancel()
		if err == nil {
			if tries > 1 {
				activity.GetLogger(ctx).Info("result handed over once the server was back", "tries", tries, "waited", time.Since(start).Round(time.Millisecond))
			}
			return true
		}
		if !unreachable(err) || ctx.Err() != nil || time.Now().After(deadline) {
			activity.GetLogger(ctx).Warn("server did not take the result; the SDK reports it", "tries", tries, "waited", time.Since(start).Round(time.Millisecond), "err", err)
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func workflowType(info activity.Info) string {
	if info.WorkflowType == nil {
		return ""
	}
	return info.WorkflowType.Name
}

// unreachable reports whether err means the server did not answer (or could
// not serve the request now): the gRPC codes a restarting or overloaded
// server and a broken connection give. An error that is no answer of the server at all (the result could not
// be encoded) is not: no later try would do better.
func unreachable(err error) bool {
	var svc serviceerror.ServiceError
	if _, isStatus := status.FromError(err); !isStatus && !errors.As(err, &svc) &&
		!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return false
	}
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
