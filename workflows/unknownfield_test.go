package workflows

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// A start input typed by hand (`temporal workflow start --input`) with a
// key that names no field is refused by name before anything runs: before,
// "maxSource" was dropped and the run went on with the default.
func TestStartInputsWithUnknownFieldsAreRefused(t *testing.T) {
	for _, c := range []struct {
		name    string
		wf      any
		input   string
		unknown string
	}{
		{rf.ResearchWorkflowType, ResearchWorkflow, `{"question":"What is q?","maxSource":3}`, "maxSource"},
		{rf.ResearchWorkflowType, ResearchWorkflow, `{"question":"What is q?","notify":{"emails":["a@example.org"]}}`, "notify.emails"},
		{rf.ResearchWorkflowType, ResearchWorkflow, `{"question":"What is q?","schedule":{"id":"schedule-a","evry":"1h"}}`, "schedule.evry"},
		{rf.ResearchWorkflowType, ResearchWorkflow, `{"question":"What is q?","corpus":"go-docs","Depth ":1}`, "Depth "},
		{rf.ResearchFollowUpWorkflowType, ResearchFollowUpWorkflow, `{"researchId":"r1","question":"And why?","maxToken":5}`, "maxToken"},
		{claims.WorkflowType, ResearchClaimReviewWorkflow, `{"researchId":"r1","claimId":"claim-aaaaaaaaaaaa","verdict":"dispute","revision":2,"reasons":"x"}`, "reasons"},
		{rf.IngestWorkflowType, IngestWorkflow, `{"corpus":"notes","path":"/srv/notes","purge":true}`, "purge"},
		{rf.IngestWorkflowType, IngestWorkflow, `{"corpus":"notes","path":"/srv/notes","resume":{"skipped":[{"path":"a"},{"pth":"b"}]}}`, "resume.skipped[1].pth"},
	} {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.RegisterWorkflowWithOptions(c.wf, workflow.RegisterOptions{Name: c.name})
		env.SetTestTimeout(10 * time.Second)
		// No activity is registered: an input that got past the check
		// would fail on its first activity, with another error.
		env.ExecuteWorkflow(c.name, json.RawMessage(c.input))
		var app *temporal.ApplicationError
		err := env.GetWorkflowError()
		if !errors.As(err, &app) || app.Type() != ErrInvalidInput || !app.NonRetryable() {
			t.Errorf("%s %s: error %v, want a non-retryable %s", c.name, c.input, err, ErrInvalidInput)
			continue
		}
		// Named whole: a nested key by its path ("notify.emails", never
		// "emails").
		if !strings.HasPrefix(app.Message(), c.unknown+": unknown field") {
			t.Errorf("%s %s: error %q does not name %q", c.name, c.input, app.Error(), c.unknown)
		}
	}
}

// Keys that name a field, in any case as encoding/json matches them, are
// no unknown field: the run goes on to its activities.
func TestStartInputsInAnyCaseAreKnown(t *testing.T) {
	f := &fakeActivities{}
	env := newEnv(t, f)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, json.RawMessage(`{"Question":"What is q?","MAXSOURCES":3}`))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	if len(f.snapshot()) == 0 {
		t.Error("no activity ran")
	}
}

// A run recorded before unknownFieldChange with an unknown key in its input
// ran without it; it replays as it ran (the version asked is DefaultVersion).
func TestReplayRunWithUnknownFieldRecordedBeforeTheChange(t *testing.T) {
	f, err := os.Open("testdata/research_v7.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()[0]
	var in map[string]any
	if err := json.Unmarshal(p.Data, &in); err != nil {
		t.Fatalf("input %s: %v", base64.StdEncoding.EncodeToString(p.Data), err)
	}
	in["maxSource"] = 3
	if p.Data, err = json.Marshal(in); err != nil {
		t.Fatal(err)
	}
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(ResearchWorkflow, workflow.RegisterOptions{Name: rf.ResearchWorkflowType})
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := r.ReplayWorkflowHistory(logger, h); err != nil {
		t.Errorf("replay with an unknown input field: %v", err)
	}
}
