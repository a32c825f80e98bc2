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
// asks raises maxShape and joins the table with that shape: runs of an
// earlier shape, in flight meanwhile, still ask it (and take what they
// recorded, or DefaultVersion).
const shapeChange = "research-shape"

// maxShape is the newest version of shapeChange.
const maxShape workflow.Version = 1

// shapeVersion is the version of a change that runs of shape (or later)
// take without asking.
type shapeVersion struct {
	shape   workflow.Version
	version workflow.Version
}

// shapeVersions are the versions a run takes without asking, by the shape
// from which each is implied.
var shapeVersions = map[string]shapeVersion{
	deliveryChange:      {shape: 1, version: 1},
	asyncDeliveryChange: {shape: 1, version: 1},
	deliverySinksChange: {shape: 1, version: 1},
	budgetChange:        {shape: 1, version: 1},
	estimateChange:      {shape: 1, version: 1},
	sourcesVersion:      {shape: 1, version: 1},
	whatChangedChange:   {shape: 1, version: 1},
}

// version returns the run's version of change (whose newest version is 1):
// from its shape when the shape implies it, else by asking.
func (r *research) version(ctx workflow.Context, change string) workflow.Version {
	if v, ok := shapeVersions[change]; ok && r.shape >= v.shape {
		return v.version
	}
	return workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1)
}
