package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
)

// UsageFromError returns the model usage that an inference activity's final
// error carries: every attempt's calls, failed ones included. The workflow
// charges it to the run. It reads the error's details (an attempt that
// failed) or the last heartbeat's (an attempt that timed out).
func UsageFromError(err error) (rf.Usage, bool) {
	var p InferenceProgress
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.HasDetails() && appErr.Details(&p) == nil {
		return p.Usage, true
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) && timeoutErr.HasLastHeartbeatDetails() && timeoutErr.LastHeartbeatDetails(&p) == nil {
		return p.Usage, true
	}
	return rf.Usage{}, false
}
