package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// unknownFieldChange is the workflow.GetVersion change from which a start
// input holding a key that names none of its fields (rf.DecodeInputJSON:
// "maxSource" typed for "maxSources" in `temporal workflow start
// --input`) is refused as invalid input. Only such inputs ask it, so other
// runs record nothing new; a run recorded before it ran without the
// field, and replays so.
const unknownFieldChange = "refuse-unknown-input-fields"

// refuseUnknownField is the non-retryable invalid-input error of a start
// input's unknown key (err, from its UnknownField), or nil when it has none
// or the run was recorded before unknownFieldChange.
func refuseUnknownField(ctx workflow.Context, err error) error {
	if err == nil || workflow.GetVersion(ctx, unknownFieldChange, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
}
