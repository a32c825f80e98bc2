package workflows

import (
	"testing"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// A change that joins research-shape at a later shape version (as
// shape.go tells a change every run asks to do) is implied only for runs
// of that shape or later: a run of an earlier shape, in flight when it is
// deployed, asks it as before (the marker it recorded, or none).
func TestShapeImpliesOnlyTheChangesBeforeIt(t *testing.T) {
	const later = "test-later-change"
	shapeVersions[later] = shapeVersion{shape: 2, version: 1}
	defer delete(shapeVersions, later)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	got := map[workflow.Version]workflow.Version{}
	wf := func(ctx workflow.Context) error {
		for _, shape := range []workflow.Version{1, 2} {
			got[shape] = (&research{shape: shape}).version(ctx, later)
		}
		return nil
	}
	env.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: "shape-test"})
	env.OnGetVersion(later, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.ExecuteWorkflow("shape-test")
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got[1] != workflow.DefaultVersion || got[2] != 1 {
		t.Errorf("a shape 1 run took version %d of a change that joined at shape 2 (want %d: asked), a shape 2 run %d (want 1)", got[1], workflow.DefaultVersion, got[2])
	}
}
