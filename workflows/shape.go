package workflows

import "go.temporal.io/sdk/workflow"

// shapeChange is the workflow.GetVersion change ID of the research run's
// shape as a whole. The SDK records every GetVersion a run asks with a
// version marker and an upsert of the TemporalChangeVersion search
// attribute, each upsert one more visibility write on the server; a new
// run asked five of them. From version 1 a run asks only this one and
// takes the version of every change before it from shapeVersions; runs
// recorded before it (no such marker) ask each change as they did.
//
// Version 1 also writes the run's first search attributes with its first
// stage, and its last stage with its final status, in one upsert each.
//
// A later change that only some runs ask (as sourcesVersion and
// whatChangedChange are) may keep its own change ID; one that every run
// asks raises this version and joins the table.
const shapeChange = "research-shape"

// shapeVersions are the versions a run of shape 1 takes without asking.
var shapeVersions = map[string]workflow.Version{
	deliveryChange:      1,
	asyncDeliveryChange: 1,
	deliverySinksChange: 1,
	budgetChange:        1,
	estimateChange:      1,
	sourcesVersion:      1,
	whatChangedChange:   1,
}

// version returns the run's version of change (whose newest version is 1):
// from its shape when the run has shape 1, else by asking.
func (r *research) version(ctx workflow.Context, change string) workflow.Version {
	if r.shape >= 1 {
		if v, ok := shapeVersions[change]; ok {
			return v
		}
	}
	return workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1)
}
