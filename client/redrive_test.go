package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	rf "github.com/researchflow/researchflow"
)

// queryTemporal answers queries with answer (or err) and records the one
// start it is asked for, which it refuses with errStartRecorded. Every
// other method panics through the nil embedded interface.
type queryTemporal struct {
	Temporal
	answer  any
	err     error
	queried string
	opts    sdkclient.StartWorkflowOptions
	args    []any
}

var errStartRecorded = errors.New("start recorded")

func (q *queryTemporal) QueryWorkflow(_ context.Context, id, _, queryType string, _ ...any) (converter.EncodedValue, error) {
	q.queried = queryType
	if q.err != nil {
		return nil, q.err
	}
	b, err := json.Marshal(q.answer)
	if err != nil {
		return nil, err
	}
	return jsonValue(b), nil
}

func (q *queryTemporal) ExecuteWorkflow(_ context.Context, opts sdkclient.StartWorkflowOptions, _ any, args ...any) (sdkclient.WorkflowRun, error) {
	q.opts, q.args = opts, args
	return nil, errStartRecorded
}

type jsonValue []byte

func (j jsonValue) HasValue() bool    { return len(j) > 0 }
func (j jsonValue) Get(ptr any) error { return json.Unmarshal(j, ptr) }

// TestRedriveStartsWhatTheRunSays: the client asks the run (RedriveQuery)
// and starts its answer as it is, the saved state untouched; a refusal is
// a *RejectedError with the run's reason; an unknown run is ErrNotFound.
func TestRedriveStartsWhatTheRunSays(t *testing.T) {
	saved := json.RawMessage(`{"status":"running","revision":2,"subQuestions":[{"subQuestion":{"id":"sq1","text":"a"},"state":"pending"}]}`)
	in := rf.ResearchInput{Question: "What changed?", RedriveOf: "r1", Resume: saved}
	tc := &queryTemporal{answer: rf.Redrive{WorkflowID: "r1-rev2", Input: in}}
	_, err := New(tc, "").Redrive(context.Background(), "r1")
	if !errors.Is(err, errStartRecorded) {
		t.Fatalf("Redrive = %v: want it to start the answer", err)
	}
	if tc.queried != rf.RedriveQuery || tc.opts.ID != "r1-rev2" || len(tc.args) != 1 {
		t.Fatalf("asked %q, started %q with %d arguments", tc.queried, tc.opts.ID, len(tc.args))
	}
	got := tc.args[0].(rf.ResearchInput)
	if got.RedriveOf != "r1" || string(got.Resume) != string(saved) {
		t.Errorf("started %+v (resume %s): want the run's answer unchanged", got, got.Resume)
	}

	tc = &queryTemporal{answer: rf.Redrive{Refused: "the run has no dead letters: nothing to redrive"}}
	_, err = New(tc, "").Redrive(context.Background(), "r1")
	var rejected *RejectedError
	if !errors.As(err, &rejected) || rejected.Reason != "the run has no dead letters: nothing to redrive" || tc.opts.ID != "" {
		t.Errorf("refused redrive = %v (started %q)", err, tc.opts.ID)
	}

	tc = &queryTemporal{err: serviceerror.NewNotFound("workflow not found")}
	if _, err := New(tc, "").Redrive(context.Background(), "nope"); !errors.Is(err, ErrNotFound) || !IsNotFound(err) {
		t.Errorf("unknown run = %v, want ErrNotFound", err)
	}
	tc = &queryTemporal{err: serviceerror.NewQueryFailed("unknown queryType redrive")}
	if _, err := New(tc, "").Redrive(context.Background(), "old"); !errors.As(err, &rejected) {
		t.Errorf("a run that cannot answer = %v, want a *RejectedError", err)
	}
}

func TestErrorClasses(t *testing.T) {
	for _, tt := range []struct {
		err                   error
		notFound, unavailable bool
	}{
		{fmt.Errorf("x: %w", ErrNotFound), true, false},
		{serviceerror.NewNotFound("gone"), true, false},
		{fmt.Errorf("x: %w", serviceerror.NewUnavailable("down")), false, true},
		{serviceerror.NewDeadlineExceeded("slow"), false, true},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), false, true},
		{errors.New("other"), false, false},
	} {
		if IsNotFound(tt.err) != tt.notFound || IsUnavailable(tt.err) != tt.unavailable {
			t.Errorf("%v: IsNotFound %v, IsUnavailable %v; want %v, %v", tt.err, IsNotFound(tt.err), IsUnavailable(tt.err), tt.notFound, tt.unavailable)
		}
	}
}
