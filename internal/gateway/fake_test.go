package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/workflows"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}

// fakeRun is one run, ingestion or follow-up held by memRuns, in the
// client's terms (the client's own tests cover how it speaks Temporal).
type fakeRun struct {
	id, runID, typ string
	input          any
	hash           string // the request, for idempotent starts
	owner, corpus  string
	followUpOf     string
	question       string
	status         string // an rf.Status* value
	started        time.Time
	closed         time.Time
	// script is what successive progress reads answer; the last entry
	// repeats. A snapshot with a terminal status closes the run.
	script  []rf.Progress
	queries int
	result  *rf.ResearchResult
	err     error // the run's failure, once closed
	// record answers redrive (none: the run cannot say how).
	record *workflows.RunRecord
	// audit answers Audit (none: Audit fails).
	audit *rf.Audit
	// ingest answers an ingestion's progress query, and is its result once
	// it is closed.
	ingest *rf.IngestResult
	// answer is a follow-up's result once it is closed (answerFollowUp).
	answer *rf.FollowUpResult
	// review is a claim review's result once it is closed (writeRevision).
	review *claims.Review
}

// memRuns is the gateway's Runs kept in memory, with what *client.Client
// promises: normalized inputs, idempotent starts, owners and their
// errors (client.ErrNotFound, ErrNotRunning, ErrIdempotencyConflict,
// *RejectedError).
type memRuns struct {
	mu         sync.Mutex
	wfs        map[string]*fakeRun
	order      []string
	starts     int
	cancels    []string
	approvals  []rf.PlanApproval
	approveErr error
	// pricings are the edited plans priced (PricePlan): each sub-question
	// one search of 18 passages and one model call, plus plan and report.
	pricings []rf.PlanApproval
	// updates are the budget updates sent (extendBudget, finishNow);
	// updateErr is how the run refuses them (a *client.RejectedError).
	updates   []budgetUpdate
	updateErr error
	lists     []client.ListOptions
	healthErr error
	queryErr  error
	panicList bool
	// newRun scripts a new research run; by default it stays running.
	newRun func(w *fakeRun)
	// newIngest scripts a new ingestion (its ingest field); by default it
	// stays running with no progress to tell.
	newIngest func(w *fakeRun)
	seq       int
	// revisions are the report revisions written by disputes, by run:
	// revisions[id][0] is revision 2.
	revisions map[string][]claims.Revision
}

var _ Runs = (*memRuns)(nil)

func newMemRuns() *memRuns { return &memRuns{wfs: map[string]*fakeRun{}} }

// unavailable is how the client says Temporal did not answer in time.
func unavailable(what string) error { return fmt.Errorf("%s: %w", what, context.DeadlineExceeded) }

func requestHash(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// startLocked starts a run of typ unless id exists: the same request is
// the same run, another one a conflict.
func (f *memRuns) startLocked(id, typ string, in any, owner, corpus, question string) (*fakeRun, error) {
	hash := requestHash(in)
	if w, ok := f.wfs[id]; ok {
		if w.typ == rf.ResearchWorkflowType && w.hash != hash {
			return nil, fmt.Errorf("research %s: %w", id, client.ErrIdempotencyConflict)
		}
		return w, nil
	}
	f.seq++
	w := &fakeRun{
		id: id, runID: fmt.Sprintf("run-%d", f.seq), typ: typ, input: in, hash: hash,
		owner: owner, corpus: corpus, question: question,
		status: rf.StatusRunning, started: time.Unix(1700000000+int64(f.seq), 0).UTC(),
	}
	if typ == rf.ResearchWorkflowType {
		w.script = []rf.Progress{{ResearchID: id, Question: question, Status: rf.StatusRunning, Stage: rf.StageCorpus, Seq: 1}}
		if f.newRun != nil {
			f.newRun(w)
		}
	}
	if typ == rf.IngestWorkflowType && f.newIngest != nil {
		f.newIngest(w)
	}
	f.wfs[id] = w
	f.order = append(f.order, id)
	f.starts++
	return w, nil
}

func (f *memRuns) Start(ctx context.Context, id string, in rf.ResearchInput) (client.Run, error) {
	in, err := in.Normalize()
	if err != nil {
		return client.Run{}, err
	}
	if id == "" {
		id = client.NewResearchID()
	}
	owner := in.Owner
	if owner == "" {
		owner = rf.LocalOwner
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.startLocked(id, rf.ResearchWorkflowType, in, owner, in.Corpus, in.Question)
	if err != nil {
		return client.Run{}, err
	}
	return client.Run{ID: w.id, RunID: w.runID, Status: w.status}, nil
}

func (f *memRuns) StartIngest(ctx context.Context, id string, in rf.IngestInput) (client.Run, error) {
	in, err := in.Normalize()
	if err != nil {
		return client.Run{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.startLocked(id, rf.IngestWorkflowType, in, in.Owner, in.Corpus, "")
	if err != nil {
		return client.Run{}, err
	}
	return client.Run{ID: w.id, RunID: w.runID, Status: rf.StatusRunning}, nil
}

func (w *fakeRun) info() client.Info {
	return client.Info{ID: w.id, RunID: w.runID, Type: w.typ, Owner: w.owner, Corpus: w.corpus, Status: w.status,
		Closed: rf.IsTerminal(w.status), Question: w.question, Started: w.started, ClosedAt: w.closed}
}

// page lists the runs that keep, newest first, from the offset in token.
func (f *memRuns) page(token []byte, size int, keep func(*fakeRun) bool) ([]client.Info, []byte, error) {
	var infos []client.Info
	for i := len(f.order) - 1; i >= 0; i-- {
		if w := f.wfs[f.order[i]]; keep(w) {
			infos = append(infos, w.info())
		}
	}
	off := 0
	if len(token) > 0 {
		n, err := strconv.Atoi(string(token))
		if err != nil {
			return nil, nil, &rf.InputError{Field: "pageToken", Message: "not a token from a previous page"}
		}
		off = n
	}
	end := min(off+size, len(infos))
	var next []byte
	if end < len(infos) {
		next = []byte(strconv.Itoa(end))
	}
	return append([]client.Info{}, infos[min(off, len(infos)):end]...), next, nil
}

func (f *memRuns) Ingestions(ctx context.Context, pageToken []byte, pageSize int) ([]client.Info, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.page(pageToken, pageSize, func(w *fakeRun) bool { return w.typ == rf.IngestWorkflowType })
}

func (f *memRuns) CorpusRuns(ctx context.Context, pageToken []byte, pageSize int) ([]client.Info, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.page(pageToken, pageSize, func(w *fakeRun) bool {
		return w.typ == rf.ResearchWorkflowType && w.corpus != rf.DefaultCorpus
	})
}

func (f *memRuns) lookup(id string) (*fakeRun, error) {
	w, ok := f.wfs[id]
	if !ok {
		return nil, fmt.Errorf("run %q: %w", id, client.ErrNotFound)
	}
	return w, nil
}

func (f *memRuns) Describe(ctx context.Context, id string) (client.Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.lookup(id)
	if err != nil {
		return client.Info{}, err
	}
	if w.typ != rf.ResearchWorkflowType { // as the client: research runs only
		return client.Info{}, fmt.Errorf("run %q: %w", id, client.ErrNotFound)
	}
	return w.info(), nil
}

func (f *memRuns) DescribeIngestion(ctx context.Context, id string) (client.Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.lookup(id)
	if err != nil {
		return client.Info{}, err
	}
	if w.typ != rf.IngestWorkflowType {
		return client.Info{}, fmt.Errorf("ingestion %q: %w", id, client.ErrNotFound)
	}
	return w.info(), nil
}

func (f *memRuns) IngestProgress(ctx context.Context, id string) (rf.IngestResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.lookup(id)
	if err != nil {
		return rf.IngestResult{}, err
	}
	if w.ingest == nil {
		return rf.IngestResult{}, fmt.Errorf("query progress of %s: no progress yet", id)
	}
	return *w.ingest, nil
}

// IngestResult waits for the ingestion to close, as the client does.
func (f *memRuns) IngestResult(ctx context.Context, id string) (rf.IngestResult, error) {
	for {
		f.mu.Lock()
		w, err := f.lookup(id)
		if err != nil {
			f.mu.Unlock()
			return rf.IngestResult{}, err
		}
		if w.status != rf.StatusRunning {
			ing, err := w.ingest, w.err
			f.mu.Unlock()
			switch {
			case err != nil:
				return rf.IngestResult{}, err
			case ing == nil:
				return rf.IngestResult{}, errors.New("no result")
			}
			return *ing, nil
		}
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			return rf.IngestResult{}, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// Delete removes a run, as Temporal deletes an execution.
func (f *memRuns) Delete(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.lookup(id); err != nil {
		return fmt.Errorf("delete %s: %w", id, client.ErrNotFound)
	}
	delete(f.wfs, id)
	f.order = slices.DeleteFunc(f.order, func(o string) bool { return o == id })
	return nil
}

// closeLocked ends w with res or err.
func (w *fakeRun) closeLocked(res *rf.ResearchResult, err error, status string) {
	w.status, w.result, w.err, w.closed = status, res, err, w.started.Add(time.Minute)
}

func (f *memRuns) Progress(ctx context.Context, id string) (rf.Progress, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.lookup(id)
	if err != nil {
		return rf.Progress{}, err
	}
	if f.queryErr != nil {
		return rf.Progress{}, f.queryErr
	}
	if len(w.script) == 0 {
		return rf.Progress{}, fmt.Errorf("run %s has no progress", id)
	}
	p := w.script[min(w.queries, len(w.script)-1)]
	w.queries++
	if w.status == rf.StatusRunning && rf.IsTerminal(p.Status) {
		switch p.Status {
		case rf.StatusCompleted:
			w.closeLocked(w.result, nil, rf.StatusCompleted)
		case rf.StatusCancelled:
			w.closeLocked(nil, nil, rf.StatusCancelled)
		default:
			w.closeLocked(nil, w.err, rf.StatusFailed)
		}
	}
	return p, nil
}

func (f *memRuns) Audit(ctx context.Context, id string) (rf.Audit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.lookup(id)
	if err != nil {
		return rf.Audit{}, err
	}
	if w.audit == nil {
		return rf.Audit{}, fmt.Errorf("audit %s: the run answers no audit", id)
	}
	return *w.audit, nil
}

// Result waits for the run to close, as the client does.
func (f *memRuns) Result(ctx context.Context, id string) (rf.ResearchResult, error) {
	for {
		f.mu.Lock()
		w, err := f.lookup(id)
		if err != nil {
			f.mu.Unlock()
			return rf.ResearchResult{}, err
		}
		if w.status != rf.StatusRunning && w.status != rf.StatusAwaitingApproval {
			res, err, status := w.result, w.err, w.status
			f.mu.Unlock()
			switch {
			case status == rf.StatusCancelled:
				return rf.ResearchResult{}, &client.FailedError{Message: "the run was cancelled"}
			case err != nil:
				return rf.ResearchResult{}, &client.FailedError{Message: err.Error(), Err: err}
			case res == nil:
				return rf.ResearchResult{}, errors.New("no result")
			}
			var out rf.ResearchResult // a copy, as decoding one is
			if err := json.Unmarshal([]byte(requestHash(res)), &out); err != nil {
				return rf.ResearchResult{}, err
			}
			return out, nil
		}
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			return rf.ResearchResult{}, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func (f *memRuns) Cancel(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.wfs[id]
	if !ok || w.status != rf.StatusRunning {
		return fmt.Errorf("cancel %s: %w", id, client.ErrNotRunning)
	}
	f.cancels = append(f.cancels, id)
	w.closeLocked(nil, nil, rf.StatusCancelled)
	return nil
}

func (f *memRuns) Approve(ctx context.Context, id string, a rf.PlanApproval) (rf.Progress, error) {
	a, err := a.Normalize()
	if err != nil {
		return rf.Progress{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.wfs[id]; !ok {
		return rf.Progress{}, fmt.Errorf("approve %s: %w", id, client.ErrNotRunning)
	}
	f.approvals = append(f.approvals, a)
	if f.approveErr != nil {
		return rf.Progress{}, f.approveErr
	}
	return rf.Progress{ResearchID: id, Status: rf.StatusRunning, Stage: rf.StageSearch, Seq: 7}, nil
}

func (f *memRuns) PricePlan(ctx context.Context, id string, a rf.PlanApproval) (rf.Spend, error) {
	a, err := a.Normalize()
	if err != nil {
		return rf.Spend{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.wfs[id]; !ok {
		return rf.Spend{}, fmt.Errorf("pricePlan %s: %w", id, client.ErrNotRunning)
	}
	f.pricings = append(f.pricings, a)
	e := rf.Spend{Engine: "offline extractive engine (no paid model call)", ModelCalls: 2,
		Steps: []rf.Spend{{Step: "plan", ModelCalls: 1}, {Step: "analyze", ModelCalls: 1}, {Step: "write", ModelCalls: 1}}}
	for i, q := range a.SubQuestions {
		e.SubQuestions = append(e.SubQuestions, rf.Spend{ID: fmt.Sprintf("sq%d", i+1), Text: q, Searches: 1, Passages: 18, ModelCalls: 1})
		e.Searches++
		e.Passages += 18
		e.ModelCalls++
	}
	return e, nil
}

// budgetUpdate is an extendBudget or finishNow update sent to a run.
type budgetUpdate struct {
	Name, ID string
	Req      rf.BudgetRequest
}

func (f *memRuns) ExtendBudget(ctx context.Context, id string, e rf.BudgetRequest) (rf.Progress, error) {
	e, err := e.Normalize()
	if err != nil {
		return rf.Progress{}, err
	}
	return f.update(rf.ExtendBudgetUpdate, id, e)
}

func (f *memRuns) FinishNow(ctx context.Context, id string, r rf.BudgetRequest) (rf.Progress, error) {
	return f.update(rf.FinishNowUpdate, id, r)
}

// update records a budget update to a running run, as the client sends it.
func (f *memRuns) update(name, id string, r rf.BudgetRequest) (rf.Progress, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.wfs[id]
	if !ok || w.status != rf.StatusRunning {
		return rf.Progress{}, fmt.Errorf("%s %s: %w", name, id, client.ErrNotRunning)
	}
	f.updates = append(f.updates, budgetUpdate{Name: name, ID: id, Req: r})
	if f.updateErr != nil {
		return rf.Progress{}, f.updateErr
	}
	return rf.Progress{ResearchID: id, Status: rf.StatusRunning, Stage: rf.StageAnalyze, Seq: 7}, nil
}

// updateList copies the updates sent so far (the web app sends them from
// another goroutine).
func (f *memRuns) updateList() []budgetUpdate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]budgetUpdate(nil), f.updates...)
}

func (f *memRuns) List(ctx context.Context, o client.ListOptions) (client.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panicList {
		panic("secret internal detail")
	}
	if o.PageSize == 0 {
		o.PageSize = 20
	}
	if o.PageSize < 1 || o.PageSize > 100 {
		return client.Page{}, &rf.InputError{Field: "pageSize", Message: "want 1 to 100"}
	}
	f.lists = append(f.lists, o)
	runs, next, err := f.page(o.PageToken, o.PageSize, func(w *fakeRun) bool {
		return w.typ == rf.ResearchWorkflowType && (o.Owner == "" || w.owner == o.Owner)
	})
	if err != nil {
		return client.Page{}, err
	}
	return client.Page{Runs: runs, NextPageToken: next}, nil
}

// Watch calls fn with each new snapshot (by Seq) until the run closes, as
// the client does, then says how it ended.
func (f *memRuns) Watch(ctx context.Context, id string, o client.WatchOptions, fn func(rf.Progress) error) (client.Outcome, error) {
	if o.Poll <= 0 {
		o.Poll = 300 * time.Millisecond
	}
	var beat <-chan time.Time
	if o.Idle != nil && o.Heartbeat > 0 {
		t := time.NewTicker(o.Heartbeat)
		defer t.Stop()
		beat = t.C
	}
	last := o.After
	for {
		p, err := f.Progress(ctx, id)
		if err != nil {
			return client.Outcome{}, fmt.Errorf("watch %s: %w: %v", id, client.ErrProgressUnavailable, err)
		}
		if p.Seq > last {
			if err := fn(p); err != nil {
				return client.Outcome{}, err
			}
			last = p.Seq
		}
		if info, err := f.Describe(ctx, id); err == nil && info.Closed {
			res, err := f.Result(ctx, id)
			switch {
			case err == nil:
				return client.Outcome{Status: rf.StatusCompleted, Result: &res}, nil
			case info.Status == rf.StatusCancelled && p.Error != "":
				// Cancelled by the workflow (a rejected plan), with why.
				return client.Outcome{Status: rf.StatusCancelled, Failure: p.Error}, nil
			case info.Status == rf.StatusCancelled:
				return client.Outcome{Status: rf.StatusCancelled, Failure: "the run was cancelled"}, nil
			default:
				return client.Outcome{Status: rf.StatusFailed, Failure: client.FailureMessage(err)}, nil
			}
		}
		select {
		case <-ctx.Done():
			return client.Outcome{}, ctx.Err()
		case <-time.After(o.Poll):
		case <-beat:
			if err := o.Idle(); err != nil {
				return client.Outcome{}, err
			}
		}
	}
}

// Redrive starts what the run's record says (workflows.RedriveInput is
// the workflow's rule), as the client does with the run's answer.
func (f *memRuns) Redrive(ctx context.Context, id string) (client.Run, error) {
	f.mu.Lock()
	w, err := f.lookup(id)
	var rec *workflows.RunRecord
	if err == nil {
		rec = w.record
	}
	f.mu.Unlock()
	if err != nil {
		return client.Run{}, err
	}
	if rec == nil {
		return client.Run{}, &client.RejectedError{Reason: "the run cannot say how to redrive it"}
	}
	next, in, err := workflows.RedriveInput(*rec)
	var refused *rf.InputError
	if errors.As(err, &refused) {
		return client.Run{}, &client.RejectedError{Reason: refused.Message}
	}
	if err != nil {
		return client.Run{}, err
	}
	return f.Start(ctx, next, in)
}

func (f *memRuns) StartFollowUp(ctx context.Context, key string, in rf.FollowUpInput) (client.Run, error) {
	in, err := in.Normalize()
	if err != nil {
		return client.Run{}, err
	}
	run, err := f.Describe(ctx, in.ResearchID)
	if err != nil {
		return client.Run{}, err
	}
	if in.Owner != "" && run.Owner != "" && run.Owner != in.Owner {
		return client.Run{}, fmt.Errorf("run %q: %w", in.ResearchID, client.ErrNotFound)
	}
	if key == "" {
		key = client.NewResearchID()
	}
	owner := in.Owner
	if owner == "" {
		owner = run.Owner
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.startLocked(client.FollowUpWorkflowID(in.ResearchID, key), rf.ResearchFollowUpWorkflowType, in, owner, "", in.Question)
	if err != nil {
		return client.Run{}, err
	}
	w.followUpOf = in.ResearchID
	return client.Run{ID: w.id, RunID: w.runID, Status: rf.StatusRunning}, nil
}

func (f *memRuns) Thread(ctx context.Context, researchID, owner string) ([]client.FollowUp, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	thread := []client.FollowUp{}
	for _, id := range f.order {
		w := f.wfs[id]
		if w.typ != rf.ResearchFollowUpWorkflowType || w.followUpOf != researchID || owner != "" && w.owner != owner {
			continue
		}
		thread = append(thread, client.FollowUp{ID: w.id, Question: w.question, Status: w.status, StartedAt: w.started, ClosedAt: w.closed, Result: w.answer})
	}
	return thread, nil
}

func (f *memRuns) CheckHealth(ctx context.Context) error { return f.healthErr }

// get returns a copy of run id.
func (f *memRuns) get(id string) fakeRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.wfs[id]
}

// started returns copies of the runs started, in order.
func (f *memRuns) started() []fakeRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]fakeRun, 0, len(f.order))
	for _, id := range f.order {
		out = append(out, *f.wfs[id])
	}
	return out
}

// complete closes run id with res.
func (f *memRuns) complete(id string, res rf.ResearchResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wfs[id].closeLocked(&res, nil, rf.StatusCompleted)
}

// answerFollowUp closes follow-up id at closed with res, its answer, as
// the follow-up workflow returns it.
func (f *memRuns) answerFollowUp(id string, closed time.Time, res rf.FollowUpResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := f.wfs[id]
	res.FollowUpID, res.Question = id, w.question
	w.status, w.answer, w.closed = rf.StatusCompleted, &res, closed
}

// fail closes run id with err, the run's failure.
func (f *memRuns) fail(id string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wfs[id].closeLocked(nil, err, rf.StatusFailed)
}

// fakeChunks is a ChunkGetter over a map.
type fakeChunks struct {
	mu     sync.Mutex
	chunks map[string]memory.Chunk
	asked  [][]string
}

func (c *fakeChunks) Get(ctx context.Context, ids []string) ([]memory.Chunk, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, ids)
	var out []memory.Chunk
	for _, id := range ids {
		if ch, ok := c.chunks[id]; ok {
			out = append(out, ch)
		}
	}
	return out, nil
}

// ---- harness -----------------------------------------------------------

const (
	aliceKey = "alice-key-0123456789abcdef"
	bobKey   = "bob-key-0123456789abcdef00"
)

type harness struct {
	t      testing.TB
	fake   *memRuns
	chunks *fakeChunks
	cfg    Config
	h      http.Handler
}

func testConfig(t testing.TB, env map[string]string) Config {
	t.Helper()
	base := map[string]string{
		"RESEARCHFLOW_API_KEYS":   "alice:" + aliceKey + ",bob:" + bobKey,
		"RESEARCHFLOW_RATE_LIMIT": "0",
	}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := configFromEnv(func(k string) (string, bool) { v, ok := base[k]; return v, ok })
	if err != nil {
		t.Fatalf("configFromEnv: %v", err)
	}
	cfg.EventsPoll = 5 * time.Millisecond
	cfg.DataDir = t.TempDir()
	return cfg
}

func newHarness(t testing.TB, env map[string]string) *harness {
	t.Helper()
	h := &harness{t: t, fake: newMemRuns(), chunks: &fakeChunks{chunks: map[string]memory.Chunk{}}, cfg: testConfig(t, env)}
	h.build()
	return h
}

func (h *harness) build() {
	h.t.Helper()
	handler, err := New(h.cfg, Deps{Runs: h.fake, Chunks: h.chunks, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ReadDocument: readAsText})
	if err != nil {
		h.t.Fatalf("New: %v", err)
	}
	h.h = handler
}

// readAsText stands in for ingestion's readers (corpus.Usable, which the
// gateway does not link; the uploads and stack tests use it): a file is
// usable when it has text other than blanks.
func readAsText(_ context.Context, _ string, raw []byte) error {
	if strings.TrimSpace(string(raw)) == "" {
		return errors.New("no extractable text")
	}
	return nil
}

// do serves one request; hdr holds header name/value pairs.
func (h *harness) do(method, path, key, body string, hdr ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

// start creates a run as key and returns its ID.
func (h *harness) start(key, question string) string {
	h.t.Helper()
	rec := h.do("POST", "/v1/research", key, `{"question":"`+question+`"}`)
	if rec.Code != http.StatusAccepted {
		h.t.Fatalf("POST /v1/research = %d %s", rec.Code, rec.Body)
	}
	var out CreateResearchResponse
	decode(h.t, rec, &out)
	return out.ID
}

func decode(t testing.TB, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
}

// errorCode returns the code of a JSON error answer.
func errorCode(t testing.TB, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var b errorBody
	decode(t, rec, &b)
	return b.Error.Code
}
