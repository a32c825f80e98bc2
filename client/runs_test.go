package client

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/workflows"
)

// The Client over a hand-written Temporal (fakeTemporal): what it starts,
// how it reads runs back, and how it maps Temporal's answers to its errors.
// The gateway's tests use a fake of the client instead (gateway.Runs).

func newTestClient(t *testing.T) (*Client, *fakeTemporal) {
	t.Helper()
	f := newFakeTemporal()
	return New(f, "default"), f
}

func TestStartNamesTheRunForTemporalUsers(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx := t.Context()
	in := rf.ResearchInput{Question: "  How are backups kept? ", Owner: "alice", Corpus: "notes"}
	run, err := c.Start(ctx, "r1", in)
	if err != nil {
		t.Fatal(err)
	}
	if run.ID != "r1" || run.RunID == "" || run.Status != rf.StatusRunning {
		t.Errorf("Start = %+v", run)
	}
	w := f.get("r1")
	if w.typ != rf.ResearchWorkflowType || w.opts.TaskQueue != rf.TaskQueueWorkflow {
		t.Errorf("started %s on %s, want %s on %s", w.typ, w.opts.TaskQueue, rf.ResearchWorkflowType, rf.TaskQueueWorkflow)
	}
	if got := w.input.(rf.ResearchInput); got.Question != "How are backups kept?" || got.MaxSubQuestions == 0 {
		t.Errorf("the input is not normalized: %+v", got)
	}
	for name, want := range map[string]string{rf.SearchAttrOwner: "alice", rf.SearchAttrCorpus: "notes", rf.SearchAttrStatus: rf.StatusRunning, rf.SearchAttrStage: rf.StageCorpus} {
		if got, _ := w.opts.TypedSearchAttributes.GetKeyword(keyword(name)); got != want {
			t.Errorf("search attribute %s = %q, want %q", name, got, want)
		}
	}

	// The same ID and request is the same run; another request under the ID is a conflict.
	again, err := c.Start(ctx, "r1", in)
	if err != nil || again.RunID != run.RunID || f.starts != 1 {
		t.Errorf("second Start = %+v, %v (%d starts), want the same run", again, err, f.starts)
	}
	if _, err := c.Start(ctx, "r1", rf.ResearchInput{Question: "Another question?"}); !errors.Is(err, ErrIdempotencyConflict) {
		t.Errorf("Start with another request = %v, want ErrIdempotencyConflict", err)
	}
	var bad *rf.InputError
	if _, err := c.Start(ctx, "r2", rf.ResearchInput{Question: "?"}); !errors.As(err, &bad) || f.starts != 1 {
		t.Errorf("Start with a bad question = %v (%d starts), want an InputError and no start", err, f.starts)
	}
}

func TestDescribeProgressAuditAndResult(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx := t.Context()
	if _, err := c.Describe(ctx, "nope"); !errors.Is(err, ErrNotFound) || !IsNotFound(err) {
		t.Errorf("Describe(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := c.Start(ctx, "r1", rf.ResearchInput{Question: "How are backups kept?", Owner: "bob"}); err != nil {
		t.Fatal(err)
	}
	info, err := c.Describe(ctx, "r1")
	if err != nil || info.ID != "r1" || info.Owner != "bob" || info.Status != rf.StatusRunning || info.Closed || info.Type != rf.ResearchWorkflowType {
		t.Errorf("Describe = %+v, %v", info, err)
	}
	p, err := c.Progress(ctx, "r1")
	if err != nil || p.Question != "How are backups kept?" || p.Stage != rf.StageCorpus {
		t.Errorf("Progress = %+v, %v", p, err)
	}
	if _, err := c.Audit(ctx, "r1"); err == nil {
		t.Error("Audit of a run whose audit query fails succeeded")
	}
	f.mu.Lock()
	f.wfs["r1"].audit = &rf.Audit{ResearchID: "r1", Question: "How are backups kept?"}
	f.mu.Unlock()
	if a, err := c.Audit(ctx, "r1"); err != nil || a.ResearchID != "r1" {
		t.Errorf("Audit = %+v, %v", a, err)
	}

	f.complete("r1", rf.ResearchResult{ResearchID: "r1", Report: "# Backups"})
	res, err := c.Result(ctx, "r1")
	if err != nil || res.Report != "# Backups" {
		t.Errorf("Result = %+v, %v", res, err)
	}
	if info, _ := c.Describe(ctx, "r1"); info.Status != rf.StatusCompleted || !info.Closed || info.ClosedAt.IsZero() {
		t.Errorf("Describe after completion = %+v", info)
	}

	if _, err := c.Start(ctx, "r2", rf.ResearchInput{Question: "How are logs kept?"}); err != nil {
		t.Fatal(err)
	}
	f.fail("r2", temporal.NewApplicationError("corpus notes is empty", "CorpusEmpty"))
	_, err = c.Result(ctx, "r2")
	if failed, ok := errors.AsType[*FailedError](err); !ok || failed.Message != "corpus notes is empty" || FailureMessage(err) != "corpus notes is empty" {
		t.Errorf("Result of a failed run = %v (%q), want a *FailedError with the run's message", err, FailureMessage(err))
	}
	if _, ok := errors.AsType[*temporal.ApplicationError](err); !ok {
		t.Errorf("the failure %v does not wrap Temporal's error", err)
	}
	if info, _ := c.Describe(ctx, "r2"); info.Status != rf.StatusFailed {
		t.Errorf("a failed run is %q", info.Status)
	}
}

func TestCancelAndApprove(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx := t.Context()
	if _, err := c.Start(ctx, "r1", rf.ResearchInput{Question: "How are backups kept?", RequireApproval: true}); err != nil {
		t.Fatal(err)
	}
	p, err := c.Approve(ctx, "r1", rf.PlanApproval{Approved: new(true), SubQuestions: []string{" Where are backups stored? "}})
	if err != nil || p.Seq != 7 {
		t.Errorf("Approve = %+v, %v", p, err)
	}
	u := f.updates[0]
	if u.UpdateName != rf.ApprovePlanUpdate || u.WorkflowID != "r1" || u.WaitForStage != sdkclient.WorkflowUpdateStageCompleted {
		t.Errorf("update %+v", u)
	}
	if a := u.Args[0].(rf.PlanApproval); a.SubQuestions[0] != "Where are backups stored?" {
		t.Errorf("the approval is not normalized: %+v", a)
	}
	// An approval that does not say approved is never sent: the run would
	// read nothing as a rejection.
	var ie *rf.InputError
	if _, err := c.Approve(ctx, "r1", rf.PlanApproval{SubQuestions: []string{"Where are backups stored?"}}); !errors.As(err, &ie) || ie.Field != "approved" || len(f.updates) != 1 {
		t.Errorf("Approve without Approved = %v (%d updates sent), want an InputError on approved and nothing sent", err, len(f.updates))
	}
	f.updateErr = temporal.NewApplicationError("the run is not awaiting approval", "NotAwaitingApproval")
	var rejected *RejectedError
	if _, err := c.Approve(ctx, "r1", rf.PlanApproval{Approved: new(true)}); !errors.As(err, &rejected) || rejected.Reason != "the run is not awaiting approval" {
		t.Errorf("Approve refused by the run = %v, want a RejectedError with its reason", err)
	}
	if _, err := c.Approve(ctx, "nope", rf.PlanApproval{Approved: new(true)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Approve(unknown) = %v, want ErrNotFound", err)
	}

	if err := c.Cancel(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if got := f.get("r1").status; got != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
		t.Errorf("status after Cancel = %v", got)
	}
	if err := c.Cancel(ctx, "r1"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("second Cancel = %v, want ErrNotRunning", err)
	}
	if _, err := c.Result(ctx, "r1"); FailureMessage(err) != "the run was cancelled" {
		t.Errorf("Result of a cancelled run = %v, want the run was cancelled", err)
	}
	if _, err := c.Result(ctx, "nope"); err == nil || errors.As(err, new(*FailedError)) {
		t.Errorf("Result of no run = %v, want an error that is not a run's failure", err)
	}
}

func TestListFiltersByOwnerAndPages(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx := t.Context()
	for i, owner := range []string{"alice", "bob", "alice", "alice"} {
		if _, err := c.Start(ctx, "r"+string(rune('1'+i)), rf.ResearchInput{Question: "How are backups kept?", Owner: owner}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := c.List(ctx, ListOptions{Owner: "alice", PageSize: 2})
	if err != nil || len(page.Runs) != 2 || page.Runs[0].ID != "r4" || page.NextPageToken == nil {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	if q := f.lists[0].Query; q != "WorkflowType = 'ResearchWorkflow' AND ResearchOwner = 'alice'" {
		t.Errorf("list query %q", q)
	}
	next, err := c.List(ctx, ListOptions{Owner: "alice", PageSize: 2, PageToken: page.NextPageToken})
	if err != nil || len(next.Runs) != 1 || next.Runs[0].ID != "r1" || next.NextPageToken != nil {
		t.Errorf("second page = %+v, %v", next, err)
	}
	var bad *rf.InputError
	for _, tok := range [][]byte{[]byte("garbage"), {0, 0, 0}, page.NextPageToken[1:], append([]byte("9"), page.NextPageToken[1:]...)} {
		if _, err := c.List(ctx, ListOptions{PageToken: tok}); !errors.As(err, &bad) || bad.Field != "pageToken" {
			t.Errorf("List with the bad token %q = %v, want an InputError on pageToken", tok, err)
		}
	}
	if _, err := c.List(ctx, ListOptions{PageSize: 101}); !errors.As(err, &bad) || bad.Field != "pageSize" {
		t.Errorf("List with 101 per page = %v, want an InputError on pageSize", err)
	}
}

func TestWatchFollowsARunToItsResult(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	f.newRun = func(w *fakeWorkflow) {
		w.script = []rf.Progress{
			{ResearchID: w.id, Status: rf.StatusRunning, Stage: rf.StagePlan, Seq: 1},
			{ResearchID: w.id, Status: rf.StatusRunning, Stage: rf.StagePlan, Seq: 1},
			{ResearchID: w.id, Status: rf.StatusRunning, Stage: rf.StageSearch, Seq: 2},
			{ResearchID: w.id, Status: rf.StatusCompleted, Stage: rf.StageDone, Seq: 3},
		}
		w.result = &rf.ResearchResult{ResearchID: w.id, Report: "# Done"}
	}
	if _, err := c.Start(ctx, "r1", rf.ResearchInput{Question: "How are backups kept?"}); err != nil {
		t.Fatal(err)
	}
	var seen []int64
	out, err := c.Watch(ctx, "r1", WatchOptions{After: 1, Poll: time.Millisecond}, func(p rf.Progress) error {
		seen = append(seen, p.Seq)
		return nil
	})
	if err != nil || out.Status != rf.StatusCompleted || out.Result == nil || out.Result.Report != "# Done" {
		t.Fatalf("Watch = %+v, %v", out, err)
	}
	if len(seen) != 2 || seen[0] != 2 || seen[1] != 3 {
		t.Errorf("progress seen %v, want each new Seq after 1 once: [2 3]", seen)
	}
}

func TestRedriveStartsTheRunsNextRevision(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx := t.Context()
	in := rf.ResearchInput{Question: "How are backups kept?"}
	if _, err := c.Start(ctx, "r1", in); err != nil {
		t.Fatal(err)
	}
	f.complete("r1", rf.ResearchResult{ResearchID: "r1"})
	norm, _ := in.Normalize()
	f.mu.Lock()
	f.wfs["r1"].record = &workflows.RunRecord{ResearchID: "r1", Input: norm, State: workflows.ResearchState{Status: rf.StatusCompleted}}
	f.mu.Unlock()
	var rejected *RejectedError
	if _, err := c.Redrive(ctx, "r1"); !errors.As(err, &rejected) {
		t.Errorf("Redrive of a run without dead letters = %v, want a RejectedError", err)
	}
	st := workflows.ResearchState{Status: rf.StatusCompleted, DeadLetters: []rf.DeadLetter{{SubQuestionID: "sq1", SubQuestion: "How long?", Provider: "arxiv", Attempts: 4, LastError: "503", At: time.Unix(1, 0)}}}
	f.mu.Lock()
	f.wfs["r1"].record = &workflows.RunRecord{ResearchID: "r1", Input: norm, State: st}
	f.mu.Unlock()
	run, err := c.Redrive(ctx, "r1")
	if err != nil || run.ID == "r1" || run.Status != rf.StatusRunning {
		t.Fatalf("Redrive = %+v, %v", run, err)
	}
	if next := f.get(run.ID).input.(rf.ResearchInput); next.RedriveOf != "r1" || len(next.Resume) == 0 {
		t.Errorf("the next revision's input %+v does not resume r1", next)
	}
	if _, err := c.Redrive(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Redrive(unknown) = %v, want ErrNotFound", err)
	}
}

func TestFollowUpsOfARun(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx := t.Context()
	if _, err := c.Start(ctx, "r1", rf.ResearchInput{Question: "How are backups kept?", Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartFollowUp(ctx, "k1", rf.FollowUpInput{ResearchID: "r1", Question: "Where are they stored?", Owner: "bob"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another owner's follow-up = %v, want ErrNotFound", err)
	}
	run, err := c.StartFollowUp(ctx, "k1", rf.FollowUpInput{ResearchID: "r1", Question: "Where are they stored?", Owner: "alice"})
	if err != nil || run.ID != FollowUpWorkflowID("r1", "k1") {
		t.Fatalf("StartFollowUp = %+v, %v", run, err)
	}
	w := f.get(run.ID)
	if w.typ != rf.ResearchFollowUpWorkflowType {
		t.Errorf("follow-up type %s", w.typ)
	}
	if got, _ := w.opts.TypedSearchAttributes.GetKeyword(keyword(rf.SearchAttrFollowUpOf)); got != "r1" {
		t.Errorf("%s = %q, want r1", rf.SearchAttrFollowUpOf, got)
	}
	if again, err := c.StartFollowUp(ctx, "k1", rf.FollowUpInput{ResearchID: "r1", Question: "Where are they stored?", Owner: "alice"}); err != nil || again.RunID != run.RunID {
		t.Errorf("the same key again = %+v, %v, want the same follow-up", again, err)
	}
	thread, err := c.Thread(ctx, "r1", "alice")
	if err != nil || len(thread) != 1 || thread[0].ID != run.ID || thread[0].Question == "" {
		t.Errorf("Thread = %+v, %v", thread, err)
	}
	if q := f.lists[len(f.lists)-1].Query; q != "WorkflowType = 'ResearchFollowUpWorkflow' AND ResearchFollowUpOf = 'r1' AND ResearchOwner = 'alice'" {
		t.Errorf("thread query %q", q)
	}
}

func TestTemporalErrorsMapToTheClientsErrors(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx := t.Context()
	f.healthErr = serviceerror.NewUnavailable("connection refused")
	if err := c.CheckHealth(ctx); !IsUnavailable(err) {
		t.Errorf("CheckHealth = %v, want IsUnavailable", err)
	}
	if _, err := c.Start(ctx, "r1", rf.ResearchInput{Question: "How are backups kept?"}); err != nil {
		t.Fatal(err)
	}
	f.queryErr = serviceerror.NewUnavailable("down")
	if _, err := c.Progress(ctx, "r1"); !IsUnavailable(err) {
		t.Errorf("Progress while Temporal is down = %v, want IsUnavailable", err)
	}
	if _, err := c.Progress(ctx, "nope"); !IsNotFound(err) {
		t.Errorf("Progress(unknown) = %v, want IsNotFound", err)
	}
	if _, err := c.Result(ctx, "nope"); !IsNotFound(err) {
		t.Errorf("Result(unknown) = %v, want IsNotFound", err)
	}
}

// Delete removes a run; a run Temporal does not know is ErrNotFound.
func TestDeleteRun(t *testing.T) {
	f := newFakeTemporal()
	c := New(f, "default")
	ctx := context.Background()
	if _, err := c.Start(ctx, "research-del", rf.ResearchInput{Question: "What is a channel?"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "research-del"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "research-del"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v, want ErrNotFound", err)
	}
}

// An ID no run can have (not printable ASCII: "é", a control character)
// is a run that does not exist, in every call that takes one, and an
// input error when starting: Temporal's client refuses to send such an
// ID, and the gateway answered GET /v1/research/%C3%A9 with 502
// upstream_error, the starter "header key temporal-resource-id contains
// value with non-printable ASCII characters".
func TestIDsNoRunCanHave(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t)
	ctx := t.Context()
	for _, id := range []string{"é", "run\x00", "a\x01b", "\xff", strings.Repeat("a", 256)} {
		if _, err := c.Describe(ctx, id); !IsNotFound(err) {
			t.Errorf("Describe(%q) = %v, want IsNotFound", id, err)
		}
		if _, err := c.DescribeIngestion(ctx, id); !IsNotFound(err) {
			t.Errorf("DescribeIngestion(%q) = %v, want IsNotFound", id, err)
		}
		if _, err := c.Progress(ctx, id); !IsNotFound(err) {
			t.Errorf("Progress(%q) = %v, want IsNotFound", id, err)
		}
		if _, err := c.Result(ctx, id); !IsNotFound(err) {
			t.Errorf("Result(%q) = %v, want IsNotFound", id, err)
		}
		if err := c.Cancel(ctx, id); !IsNotFound(err) {
			t.Errorf("Cancel(%q) = %v, want IsNotFound", id, err)
		}
		if _, err := c.FinishNow(ctx, id, rf.BudgetRequest{}); !IsNotFound(err) {
			t.Errorf("FinishNow(%q) = %v, want IsNotFound", id, err)
		}
		if _, err := c.Approve(ctx, id, rf.PlanApproval{Approved: new(true)}); !IsNotFound(err) {
			t.Errorf("Approve(%q) = %v, want IsNotFound", id, err)
		}
		if _, err := c.Redrive(ctx, id); !IsNotFound(err) {
			t.Errorf("Redrive(%q) = %v, want IsNotFound", id, err)
		}
		var input *rf.InputError
		if _, err := c.Start(ctx, id, rf.ResearchInput{Question: "What is a channel?"}); !errors.As(err, &input) || input.Field != "id" {
			t.Errorf("Start(%q) = %v, want an input error on field id", id, err)
		}
		if _, err := c.StartIngest(ctx, id, rf.IngestInput{Corpus: "notes", Path: "/srv/notes"}); !errors.As(err, &input) || input.Field != "id" {
			t.Errorf("StartIngest(%q) = %v, want an input error on field id", id, err)
		}
	}
	for _, id := range []string{"research-1", "my run 1", strings.Repeat("a", 255)} {
		if _, err := c.Start(ctx, id, rf.ResearchInput{Question: "What is a channel?"}); err != nil {
			t.Errorf("Start(%q) = %v", id, err)
		}
	}
}

// A rejected plan ends the run cancelled, as the workflow records it
// (workflows.RunStatus, its ResearchStatus search attribute), though its
// Temporal execution fails with PlanRejected: Describe and Watch say
// cancelled, with why.
func TestRejectedPlanIsCancelled(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := c.Start(ctx, "r1", rf.ResearchInput{Question: "How are backups kept?", RequireApproval: true}); err != nil {
		t.Fatal(err)
	}
	f.fail("r1", temporal.NewNonRetryableApplicationError("the plan was rejected by alice", "PlanRejected", nil))
	f.mu.Lock()
	f.wfs["r1"].upserted = map[string]string{rf.SearchAttrStatus: rf.StatusCancelled}
	f.mu.Unlock()
	if info, _ := c.Describe(ctx, "r1"); info.Status != rf.StatusCancelled || !info.Closed {
		t.Errorf("a rejected plan's run is %q (closed %v), want cancelled", info.Status, info.Closed)
	}
	out, err := c.outcome(ctx, "r1")
	if err != nil || out.Status != rf.StatusCancelled || out.Failure != "the plan was rejected by alice" {
		t.Errorf("outcome = %+v, %v; want cancelled, with the rejection", out, err)
	}
}

// An update to a run that does not exist says "no such run", and one to a
// closed run says it is not running, neither naming the update: `starter
// budget nosuch-id` said "extendBudget nosuch-id: the run is not running".
func TestUpdatesSayNoSuchRun(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx := t.Context()
	if _, err := c.Start(ctx, "done", rf.ResearchInput{Question: "How are backups kept?"}); err != nil {
		t.Fatal(err)
	}
	f.complete("done", rf.ResearchResult{ResearchID: "done"})
	for _, tt := range []struct {
		id   string
		want error
	}{{"nosuch-id", ErrNotFound}, {"done", ErrNotRunning}} {
		calls := map[string]error{}
		_, calls["ExtendBudget"] = c.ExtendBudget(ctx, tt.id, rf.BudgetRequest{MaxTokens: 60000})
		_, calls["FinishNow"] = c.FinishNow(ctx, tt.id, rf.BudgetRequest{})
		_, calls["Approve"] = c.Approve(ctx, tt.id, rf.PlanApproval{Approved: new(true)})
		_, calls["PricePlan"] = c.PricePlan(ctx, tt.id, rf.PlanApproval{SubQuestions: []string{"Where?"}})
		calls["Cancel"] = c.Cancel(ctx, tt.id)
		for name, err := range calls {
			if !errors.Is(err, tt.want) {
				t.Errorf("%s(%s) = %v, want %v", name, tt.id, err, tt.want)
				continue
			}
			for _, internal := range []string{rf.ExtendBudgetUpdate, rf.FinishNowUpdate, rf.ApprovePlanUpdate, rf.PricePlanUpdate, "approve ", "cancel "} {
				if strings.Contains(err.Error(), internal) {
					t.Errorf("%s(%s) = %q names %q", name, tt.id, err, internal)
				}
			}
			if !strings.Contains(err.Error(), tt.id) {
				t.Errorf("%s(%s) = %q does not name the run", name, tt.id, err)
			}
		}
	}
}

// A request to a run that has ended says how it ended, and what it would
// have done: a trial's `starter finish my-run-1` on a completed run said
// only "the run is not running".
func TestUpdatesToAnEndedRunSayHowItEnded(t *testing.T) {
	t.Parallel()
	c, f := newTestClient(t)
	ctx := t.Context()
	for _, id := range []string{"done", "gone"} {
		if _, err := c.Start(ctx, id, rf.ResearchInput{Question: "How are backups kept?"}); err != nil {
			t.Fatal(err)
		}
	}
	f.complete("done", rf.ResearchResult{ResearchID: "done"})
	if err := c.Cancel(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id, ended string
	}{{"done", `run "done" is already completed`}, {"gone", `run "gone" is already cancelled`}} {
		calls := map[string]error{}
		_, calls["given more budget"] = c.ExtendBudget(ctx, tt.id, rf.BudgetRequest{MaxTokens: 60000})
		_, calls["finished"] = c.FinishNow(ctx, tt.id, rf.BudgetRequest{})
		_, calls["approved"] = c.Approve(ctx, tt.id, rf.PlanApproval{Approved: new(true)})
		_, calls["priced"] = c.PricePlan(ctx, tt.id, rf.PlanApproval{SubQuestions: []string{"Where?"}})
		if tt.id == "done" {
			calls["cancelled"] = c.Cancel(ctx, tt.id)
		}
		for action, err := range calls {
			var closed *ClosedError
			if !errors.As(err, &closed) || !errors.Is(err, ErrNotRunning) {
				t.Errorf("%s %s: %v, want a *ClosedError that is ErrNotRunning", tt.id, action, err)
				continue
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.ended) || !strings.Contains(msg, "(it ended ") || !strings.HasSuffix(msg, "so it cannot be "+action) {
				t.Errorf("%s %s: %q, want %q, when, and that it cannot be %s", tt.id, action, msg, tt.ended, action)
			}
		}
	}
}
