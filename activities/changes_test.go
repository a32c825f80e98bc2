package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	rfclaims "github.com/researchflow/researchflow/claims"
)

// fakeRuns is a Temporal with one schedule's recent runs: by first run ID,
// their status, close time and result.
type fakeRuns struct {
	actions []client.ScheduleActionResult
	runs    map[string]fakeRun
	missing bool // the schedule is gone
	// byID are workflows asked for by workflow ID alone (revisions).
	byID map[string]fakeRun
	// unavailable is a workflow ID Temporal cannot answer for.
	unavailable string
}

type fakeRun struct {
	status enumspb.WorkflowExecutionStatus
	closed time.Time
	result rf.ResearchResult
	// review is the result of a claim's review (a revision's dispute);
	// undecodable a result that does not decode.
	review      *rfclaims.Review
	undecodable bool
}

func (f *fakeRuns) run(id, runID string) (fakeRun, bool) {
	if runID == "" {
		r, ok := f.byID[id]
		return r, ok
	}
	r, ok := f.runs[runID]
	return r, ok
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
	if id == f.unavailable {
		return nil, serviceerror.NewUnavailable("connection refused")
	}
	r, ok := f.run(id, runID)
	if !ok {
		return nil, serviceerror.NewNotFound("gone")
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{
		Status: r.status, CloseTime: timestamppb.New(r.closed)}}, nil
}

func (f *fakeRuns) GetWorkflow(ctx context.Context, id, runID string) client.WorkflowRun {
	r, _ := f.run(id, runID)
	return &fakeWorkflowRun{r: r}
}

type fakeWorkflowRun struct {
	client.WorkflowRun
	r fakeRun
}

func (w *fakeWorkflowRun) Get(ctx context.Context, v any) error {
	if w.r.undecodable {
		return errors.New("payload converter: unable to decode")
	}
	var b []byte
	if w.r.review != nil {
		b, _ = json.Marshal(w.r.review)
	} else {
		b, _ = json.Marshal(w.r.result)
	}
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
	// A report never revised is named as before: the run alone.
	if want := "Compared with run r-2: 1 new finding.\n"; !strings.Contains(c.Markdown, want) {
		t.Errorf("section, want %q:\n%s", want, c.Markdown)
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

// A scheduled run's report whose claims a reader disputed: revision 2
// corrected "35 days" to "40 days" (the note was edited), a dispute that
// failed wrote nothing, revision 4 withdrew the vault claim (its note was
// deleted). The next run finds exactly what revision 4 states: nothing
// changed since what the reader last saw, neither the correction again
// nor the withdrawn finding and its source.
func TestCompareRunsComparesWithTheLatestRevision(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	completed := enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	const (
		kept35  = "Nightly database backups are retained for 35 days."
		kept40  = "Nightly database backups are retained for 40 days."
		vault   = "Offsite backup tapes are stored in the bank vault for 12 months."
		weekly  = "Weekly full backups are copied to a second region every Sunday."
		q       = "q?"
		retID   = "src-retention"
		vaultID = "src-vault"
		weekID  = "src-weekly"
	)
	finding := func(text, source string) rf.SnapshotFinding {
		return rf.SnapshotFinding{Key: changes.FindingKey(q, text), SubQuestion: q, Text: text, SourceID: source}
	}
	sources := []rf.Source{{N: 1, SourceID: retID, Title: "retention.md"}, {N: 2, SourceID: vaultID, Title: "vault.md"}, {N: 3, SourceID: weekID, Title: "weekly.md"}}
	snapSources := func(ss ...rf.Source) []rf.SnapshotSource {
		var out []rf.SnapshotSource
		for _, s := range ss {
			out = append(out, rf.SnapshotSource{SourceID: s.SourceID, Title: s.Title, N: s.N})
		}
		return out
	}
	prev := &changes.Snapshot{
		Findings: []rf.SnapshotFinding{finding(kept35, retID), finding(vault, vaultID), finding(weekly, weekID)},
		Sources:  snapSources(sources...),
	}
	claim := func(text string, n int) rf.Claim {
		return rf.Claim{ID: "claim-" + fmt.Sprintf("%012x", n), Text: text, Cites: []int{n}}
	}
	rev1Claims := []rf.Claim{claim(kept35, 1), claim(vault, 2), claim(weekly, 3)}
	rev2 := &rfclaims.Review{Revision: 2, Check: rfclaims.Check{ClaimID: rev1Claims[0].ID, Text: kept35, Verdict: rfclaims.VerdictDispute,
		Outcome: rfclaims.OutcomeCorrected, Correction: kept40, Cites: []int{1}},
		Report: &rfclaims.Revision{Revision: 2, Claims: []rf.Claim{claim(kept40, 1), rev1Claims[1], rev1Claims[2]}, Sources: sources}}
	rev4 := &rfclaims.Review{Revision: 4, Check: rfclaims.Check{ClaimID: rev1Claims[1].ID, Text: vault, Verdict: rfclaims.VerdictDispute,
		Outcome: rfclaims.OutcomeWithdrawn},
		Report: &rfclaims.Revision{Revision: 4, Claims: []rf.Claim{claim(kept40, 1), rev1Claims[2]}, Sources: []rf.Source{sources[0], sources[2]}}}
	f := &fakeRuns{
		actions: []client.ScheduleActionResult{action("r-1", "run-1"), action("r-2", "run-self")},
		runs: map[string]fakeRun{
			"run-1":    {status: completed, closed: t0, result: rf.ResearchResult{Snapshot: saved(prev), Claims: rev1Claims, Sources: sources}},
			"run-self": {status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING},
		},
		byID: map[string]fakeRun{
			rfclaims.RevisionWorkflowID("r-1", 2): {status: completed, review: rev2},
			rfclaims.RevisionWorkflowID("r-1", 3): {status: enumspb.WORKFLOW_EXECUTION_STATUS_FAILED},
			rfclaims.RevisionWorkflowID("r-1", 4): {status: completed, review: rev4},
		},
	}
	cur := changes.Snapshot{
		Findings: []rf.SnapshotFinding{finding(kept40, retID), finding(weekly, weekID)},
		Sources:  snapSources(sources[0], sources[2]),
	}
	in := workflows.CompareRunsInput{ScheduleID: "schedule-x", ResearchID: "r-2", FirstRunID: "run-self", Snapshot: cur}
	c, err := compare(t, f, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.PreviousRun != "r-1" || !c.Empty() {
		t.Errorf("compared with revision 1, not the latest: %s\n%s", c.Summary(), c.Markdown)
	}
	// The section says which revision it compared with (a trial's said
	// "run r-1" alone, the reader could not tell which of its reports).
	if want := "No change since 2026-12-01 07:00 UTC (run r-1, revision 4: 1 claim corrected, 1 claim withdrawn)."; !strings.Contains(c.Markdown, want) {
		t.Errorf("section does not name the revision, want %q:\n%s", want, c.Markdown)
	}

	// A real change since the correction is told against the correction.
	c, err = compare(t, f, workflows.CompareRunsInput{ScheduleID: in.ScheduleID, ResearchID: in.ResearchID, FirstRunID: in.FirstRunID,
		Snapshot: changes.Snapshot{Findings: []rf.SnapshotFinding{finding("Nightly database backups are retained for 45 days.", retID), cur.Findings[1]}, Sources: cur.Sources}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Changed) != 1 || c.Changed[0].From != "40 days" || c.Changed[0].To != "45 days" || len(c.Withdrawn)+len(c.New)+len(c.VanishedSources) != 0 {
		t.Errorf("after the correction: %s\n%s", c.Summary(), c.Markdown)
	}
	if want := "Compared with run r-1 (revision 4: 1 claim corrected, 1 claim withdrawn): 1 changed finding."; !strings.Contains(c.Markdown, want) {
		t.Errorf("section does not name the revision, want %q:\n%s", want, c.Markdown)
	}

	// Revision 4 still being written: compared with revision 2, which
	// still has the vault finding.
	running := f.byID[rfclaims.RevisionWorkflowID("r-1", 4)]
	running.status = enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	f.byID[rfclaims.RevisionWorkflowID("r-1", 4)] = running
	c, err = compare(t, f, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Changed) != 0 || len(c.Withdrawn) != 1 || c.Withdrawn[0].Text != vault || len(c.VanishedSources) != 1 {
		t.Errorf("revision 4 being written; want revision 2's baseline: %s\n%s", c.Summary(), c.Markdown)
	}
	if want := "Compared with run r-1 (revision 2: 1 claim corrected): "; !strings.Contains(c.Markdown, want) {
		t.Errorf("section does not name revision 2, want %q:\n%s", want, c.Markdown)
	}

	// Revision 4 does not decode: the same, logged.
	f.byID[rfclaims.RevisionWorkflowID("r-1", 4)] = fakeRun{status: completed, undecodable: true}
	c, err = compare(t, f, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Changed) != 0 || len(c.Withdrawn) != 1 {
		t.Errorf("revision 4 unreadable; want revision 2's baseline: %s", c.Summary())
	}

	// Temporal does not answer for a revision: a retryable error, never
	// a comparison with a stale revision.
	f.unavailable = rfclaims.RevisionWorkflowID("r-1", 2)
	_, err = compare(t, f, in)
	var appErr *temporal.ApplicationError
	if err == nil || errors.As(err, &appErr) && appErr.NonRetryable() {
		t.Errorf("unavailable Temporal: %v; want a retryable error", err)
	}
}
