package workflows

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
)

// A run started without the question in its memo (`temporal workflow
// start --input '{"question":…}'`) writes it there, so GET /v1/research
// lists it with its question; a run started with it (the client's) asks
// nothing and writes nothing more.
func TestRunWithoutMemoSetsItsQuestion(t *testing.T) {
	long := "How does the on-call person acknowledge a page, " + strings.Repeat("and then what, ", 20) + "exactly?"
	tests := []struct {
		name      string
		question  string
		startMemo map[string]any
		want      []map[string]any
	}{
		{"started without a memo", "What does the memory model guarantee?", nil,
			[]map[string]any{{rf.MemoQuestion: "What does the memory model guarantee?"}}},
		{"a long question, cut as the client cuts it", long, nil,
			[]map[string]any{{rf.MemoQuestion: rf.MemoQuestionText(long)}}},
		{"started with a memo of another field only", "What does the memory model guarantee?", map[string]any{"note": "x"},
			[]map[string]any{{rf.MemoQuestion: "What does the memory model guarantee?"}}},
		{"started by the client", "What does the memory model guarantee?",
			map[string]any{rf.MemoQuestion: "What does the memory model guarantee?", "requestHash": "abc"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, &fakeActivities{})
			if tt.startMemo != nil {
				if err := env.SetMemoOnStart(tt.startMemo); err != nil {
					t.Fatal(err)
				}
			}
			var upserts []map[string]any
			env.OnUpsertMemo(mock.Anything).Return(nil).Run(func(args mock.Arguments) {
				upserts = append(upserts, args.Get(0).(map[string]any))
			})
			asked := false
			env.OnGetVersion(questionMemoChange, workflow.DefaultVersion, 1).Return(workflow.Version(1)).Run(func(mock.Arguments) { asked = true })
			env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: tt.question})
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("workflow failed: %v", err)
			}
			if len(upserts) != len(tt.want) {
				t.Fatalf("memo upserts = %v, want %v", upserts, tt.want)
			}
			for i := range upserts {
				if upserts[i][rf.MemoQuestion] != tt.want[i][rf.MemoQuestion] || len(upserts[i]) != 1 {
					t.Errorf("memo upsert %d = %v, want %v", i, upserts[i], tt.want[i])
				}
			}
			if asked != (tt.want != nil) {
				t.Errorf("the run asked %s: %v, want %v (only a run without the memo asks)", questionMemoChange, asked, tt.want != nil)
			}
		})
	}
}

// A run of a worker from before the change (the version it recorded is
// DefaultVersion, as a replayed history without the marker is) writes no
// memo.
func TestRunRecordedBeforeTheMemoChangeWritesNone(t *testing.T) {
	env := newEnv(t, &fakeActivities{})
	upserts := 0
	env.OnUpsertMemo(mock.Anything).Return(nil).Run(func(mock.Arguments) { upserts++ })
	env.OnGetVersion(questionMemoChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.ExecuteWorkflow(rf.ResearchWorkflowType, rf.ResearchInput{Question: "What does the memory model guarantee?"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if upserts != 0 {
		t.Errorf("a run of version DefaultVersion upserted its memo %d times", upserts)
	}
}

// A follow-up started without its question in the memo (`temporal workflow
// start --type ResearchFollowUpWorkflow`) writes it there too, so that its
// run's thread lists the question while it runs; one started by the client
// asks nothing.
func TestFollowUpWithoutMemoSetsItsQuestion(t *testing.T) {
	const q = "What do worker bees build?"
	for _, tt := range []struct {
		name      string
		startMemo map[string]any
		want      int
	}{
		{"started without a memo", nil, 1},
		{"started by the client", map[string]any{rf.MemoQuestion: q}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeFollowUp()
			f.answers["c2"] = "Worker bees build wax comb."
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			env.RegisterWorkflowWithOptions(ResearchFollowUpWorkflow, workflow.RegisterOptions{Name: rf.ResearchFollowUpWorkflowType})
			f.register(env)
			if tt.startMemo != nil {
				if err := env.SetMemoOnStart(tt.startMemo); err != nil {
					t.Fatal(err)
				}
			}
			var upserts []map[string]any
			env.OnUpsertMemo(mock.Anything).Return(nil).Run(func(args mock.Arguments) {
				upserts = append(upserts, args.Get(0).(map[string]any))
			})
			asked := false
			env.OnGetVersion(followUpQuestionMemoChange, workflow.DefaultVersion, 1).Return(workflow.Version(1)).Run(func(mock.Arguments) { asked = true })
			env.ExecuteWorkflow(rf.ResearchFollowUpWorkflowType, rf.FollowUpInput{ResearchID: "research-1", Question: q})
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			if len(upserts) != tt.want || tt.want == 1 && upserts[0][rf.MemoQuestion] != q {
				t.Errorf("memo upserts = %v, want %d with the question", upserts, tt.want)
			}
			if asked != (tt.want == 1) {
				t.Errorf("asked %s: %v, want %v", followUpQuestionMemoChange, asked, tt.want == 1)
			}
		})
	}
}

// A follow-up recorded without a memo before the change (as the Temporal
// CLI starts one) replays as it ran: the recorded follow-up histories,
// their memo taken out, replay without a nondeterminism error.
func TestReplayFollowUpHistoryWithoutMemo(t *testing.T) {
	paths, err := filepath.Glob("testdata/followup_*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no recorded follow-up history: %v", err)
	}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		h, err := client.HistoryFromJSON(bytes.NewReader(b), client.HistoryJSONOptions{})
		if err != nil {
			t.Fatal(err)
		}
		start := h.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes()
		if start.GetMemo() == nil {
			t.Fatalf("%s was recorded without a memo; this test takes it out", path)
		}
		start.Memo = nil
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(ResearchFollowUpWorkflow, workflow.RegisterOptions{Name: rf.ResearchFollowUpWorkflowType})
		logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err := r.ReplayWorkflowHistory(logger, h); err != nil {
			t.Errorf("replay %s without its memo: %v", path, err)
		}
	}
}
