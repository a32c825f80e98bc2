package activities

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"github.com/researchflow/researchflow/internal/changes"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"google.golang.org/protobuf/types/known/timestamppb"

	rf "github.com/researchflow/researchflow"
)

// fakeRuns is a Temporal with one schedule's recent runs: by first run ID,
// their status, close time and result.
type fakeRuns struct {
	actions []client.ScheduleActionResult
	runs    map[string]fakeRun
	missing bool // the schedule is gone
}

type fakeRun struct {
	status enumspb.WorkflowExecutionStatus
	closed time.Time
	result rf.ResearchResult
}

func (f *fakeRuns) ScheduleClient() client.ScheduleClient { return &fakeScheduleClient{f: f} }

type fakeScheduleClient struct {
	client.ScheduleClient
	f *fakeRuns
}

func (c *fakeScheduleClient) GetHandle(ctx context.Context, id string) client.ScheduleHandle {
	return &fakeHandle{f: c.f}
}

type fakeHandle struct {
	client.ScheduleHandle
	f *fakeRuns
}

func (h *fakeHandle) Describe(ctx context.Context) (*client.ScheduleDescription, error) {
	if h.f.missing {
		return nil, serviceerror.NewNotFound("schedule not found")
	}
	return &client.ScheduleDescription{Info: client.ScheduleInfo{RecentActions: h.f.actions}}, nil
}

func (f *fakeRuns) DescribeWorkflowExecution(ctx context.Context, id, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	r, ok := f.runs[runID]
	if !ok {
		return nil, serviceerror.NewNotFound("gone")
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{
		Status: r.status, CloseTime: timestamppb.New(r.closed)}}, nil
}

func (f *fakeRuns) GetWorkflow(ctx context.Context, id, runID string) client.WorkflowRun {
	return &fakeWorkflowRun{r: f.runs[runID]}
}

type fakeWorkflowRun struct {
	client.WorkflowRun
	r fakeRun
}

func (w *fakeWorkflowRun) Get(ctx context.Context, v any) error {
	b, _ := json.Marshal(w.r.result)
	return json.Unmarshal(b, v)
}

func snapshotOf(texts ...string) *changes.Snapshot {
	s := &changes.Snapshot{Sources: []rf.SnapshotSource{{SourceID: "a", Title: "A"}}}
	for _, t := range texts {
		s.Findings = append(s.Findings, rf.SnapshotFinding{Key: changes.FindingKey("q?", t), SubQuestion: "q?", Text: t, SourceID: "a"})
	}
	return s
}

// saved is s as a result carries it: an opaque JSON value.
func saved(s *changes.Snapshot) json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return b
}

func action(id, runID string) client.ScheduleActionResult {
	return client.ScheduleActionResult{StartWorkflowResult: &client.ScheduleWorkflowExecution{WorkflowID: id, FirstExecutionRunID: runID}}
}

func compare(t *testing.T, f *fakeRuns, in workflows.CompareRunsInput) (rf.Changes, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity((&Runs{Temporal: f}).CompareRuns)
	v, err := env.ExecuteActivity((&Runs{Temporal: f}).CompareRuns, in)
	if err != nil {
		return rf.Changes{}, err
	}
	var c rf.Changes
	if err := v.Get(&c); err != nil {
		t.Fatal(err)
	}
	return c, nil
}

// The previous run is the most recently closed completed run with a
// snapshot, never the run itself (found by first run ID: runs of one second
// share a workflow ID), nor a failed, running or pre-snapshot one.
func TestCompareRunsFindsThePreviousCompletedRun(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	completed := enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	f := &fakeRuns{
		actions: []client.ScheduleActionResult{
			action("r-1", "run-1"), action("r-2", "run-2"), action("r-3", "run-3"), action("r-4", "run-4"),
			action("r-5", "run-5"), action("r-5", "run-self"),
		},
		runs: map[string]fakeRun{
			"run-1": {status: completed, closed: t0, result: rf.ResearchResult{Snapshot: saved(snapshotOf("Old."))}},
			"run-2": {status: completed, closed: t0.Add(time.Hour), result: rf.ResearchResult{Snapshot: saved(snapshotOf("Kept."))}},
			"run-3": {status: enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, closed: t0.Add(2 * time.Hour)},
			"run-4": {status: completed, closed: t0.Add(3 * time.Hour), result: rf.ResearchResult{}}, // no snapshot
			// run-5 was deleted by retention: not found, skipped
			"run-self": {status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING},
		},
	}
	c, err := compare(t, f, workflows.CompareRunsInput{ScheduleID: "schedule-x", ResearchID: "r-5", FirstRunID: "run-self", Snapshot: *snapshotOf("Kept.", "New.")})
	if err != nil {
		t.Fatal(err)
	}
	if c.PreviousRun != "r-2" || !c.Since.Equal(t0.Add(time.Hour)) || len(c.New) != 1 || c.New[0].Text != "New." || len(c.Withdrawn) != 0 {
		t.Errorf("changes %+v", c)
	}
	if c.Markdown == "" {
		t.Error("no section")
	}
}

func TestCompareRunsFirstRunAndGoneSchedule(t *testing.T) {
	c, err := compare(t, &fakeRuns{actions: []client.ScheduleActionResult{action("r-1", "run-self")}, runs: map[string]fakeRun{}},
		workflows.CompareRunsInput{ScheduleID: "schedule-x", ResearchID: "r-1", FirstRunID: "run-self"})
	if err != nil || c.PreviousRun != "" || c.Markdown == "" {
		t.Errorf("first run: %+v %v", c, err)
	}
	_, err = compare(t, &fakeRuns{missing: true}, workflows.CompareRunsInput{ScheduleID: "schedule-x", FirstRunID: "run-self"})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != workflows.ErrInvalidInput || !appErr.NonRetryable() {
		t.Errorf("gone schedule: %v; want a non-retryable %s", err, workflows.ErrInvalidInput)
	}
}
