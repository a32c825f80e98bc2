package workflows

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
)

// rejectionRecorder keeps what an update's validator said.
type rejectionRecorder struct{ rejected, accepted []string }

func (r *rejectionRecorder) Accept()             { r.accepted = append(r.accepted, "accepted") }
func (r *rejectionRecorder) Reject(err error)    { r.rejected = append(r.rejected, err.Error()) }
func (r *rejectionRecorder) Complete(any, error) {}

// An approvePlan update without "approved" is refused by the validator, and
// the run goes on waiting for a decision: `temporal workflow update execute
// --name approvePlan --input '{}'` cancelled a trial's run for good ("the
// plan was rejected by an unnamed approver"). The inputs are raw JSON, as
// the Temporal CLI sends them.
func TestApprovalWithoutApprovedIsRefused(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	rec := &rejectionRecorder{}
	for i, in := range []string{`{}`, `{"subQuestions":["Edited one?"]}`, `{"approved":null,"by":"bob"}`} {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(rf.ApprovePlanUpdate, "bad"+string(rune('a'+i)), rec, json.RawMessage(in))
		}, time.Minute+time.Duration(i)*time.Second)
	}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(rf.ApprovePlanUpdate, "ok", &updateCallbacks{t: t}, json.RawMessage(`{"approved":true,"by":"alice"}`))
	}, 2*time.Minute)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", RequireApproval: true})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v (a refused approval must leave the run waiting)", err)
	}
	if len(rec.rejected) != 3 || len(rec.accepted) != 0 {
		t.Fatalf("rejected %q, accepted %d; want the 3 approvals without approved refused", rec.rejected, len(rec.accepted))
	}
	for _, msg := range rec.rejected {
		if !strings.Contains(msg, "approved: required") {
			t.Errorf("rejection %q does not name approved as required", msg)
		}
	}
	if f.called("synthesize") != 1 {
		t.Errorf("the approved run did not write its report: %v", f.snapshot())
	}
}

// pricePlan does not read approved: a plan priced without it is priced.
func TestPricePlanWithoutApproved(t *testing.T) {
	a, err := decodeApproval(`{"subQuestions":["Edited one?"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if a.Approved != nil {
		t.Fatalf("approved = %v, want nil for a body without it", *a.Approved)
	}
	if _, err := a.Normalize(); err != nil {
		t.Errorf("Normalize (the pricing rule) refused a plan without approved: %v", err)
	}
	var ie *rf.InputError
	if _, err := a.Decision(); !errors.As(err, &ie) || ie.Field != "approved" {
		t.Errorf("Decision = %v, want an InputError on approved", err)
	}
}

func decodeApproval(s string) (rf.PlanApproval, error) {
	var a rf.PlanApproval
	return a, json.Unmarshal([]byte(s), &a)
}

// An approvePlan update with a key that names no field is refused by name,
// and the run goes on waiting: "subQuestion" for "subQuestions" from the
// Temporal CLI approved a trial's original plan and lost the edit.
func TestApprovalWithAnUnknownKeyIsRefused(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	rec := &rejectionRecorder{}
	for i, in := range []string{`{"approved":true,"subQuestion":["Which engineer rolls back releases?"]}`, `{"approved":true,"bogus":1}`} {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(rf.ApprovePlanUpdate, "bad"+string(rune('a'+i)), rec, json.RawMessage(in))
		}, time.Minute+time.Duration(i)*time.Second)
	}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(rf.ApprovePlanUpdate, "ok", &updateCallbacks{t: t}, json.RawMessage(`{"approved":true,"SUBQUESTIONS":["Which engineer rolls back releases?"]}`))
	}, 2*time.Minute)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What is q?", RequireApproval: true})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v (a refused approval must leave the run waiting)", err)
	}
	if len(rec.rejected) != 2 || len(rec.accepted) != 0 {
		t.Fatalf("rejected %q, accepted %d; want both approvals with an unknown key refused", rec.rejected, len(rec.accepted))
	}
	for i, want := range []string{"subQuestion: unknown field", "bogus: unknown field"} {
		if !strings.Contains(rec.rejected[i], want) {
			t.Errorf("rejection %q does not say %q", rec.rejected[i], want)
		}
	}
	if f.called("synthesize") != 1 {
		t.Errorf("the approved run (keys in any case name their field) did not write its report: %v", f.snapshot())
	}
}
