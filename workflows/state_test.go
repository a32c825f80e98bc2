package workflows

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
)

func TestStateProgress(t *testing.T) {
	st := ResearchState{
		Status: rf.StatusRunning, Stage: rf.StageAnalyze, Seq: 7, Engines: []string{"extractive", "llm:m"},
		Usage: rf.Usage{PromptTokens: 900, CompletionTokens: 200},
		SubQuestions: []SubQuestionState{
			{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "a"}, State: rf.SQDone,
				Retrieved: RetrieveResult{ChunkIDs: []string{"c1", "c2"}, SourceIDs: []string{"s1", "s2"}},
				Analysis:  &AnalyzeResult{Analysis: reasoning.Analysis{Findings: []reasoning.Finding{{Text: "x"}}}}},
			{SubQuestion: reasoning.SubQuestion{ID: "sq2", Text: "b"}, State: rf.SQFailed, Error: "no passage",
				Retrieved: RetrieveResult{}},
			{SubQuestion: reasoning.SubQuestion{ID: "sq3", Text: "c"}, State: rf.SQSearched,
				Retrieved: RetrieveResult{ChunkIDs: []string{"c3"}, SourceIDs: []string{"s2"}}},
		},
	}
	p := st.Progress("r1", rf.ResearchInput{Question: "q", Corpus: "go-docs", MaxTokens: 1000})
	if p.Passages != 3 || p.Sources != 2 || p.SubQuestions[0].Findings != 1 || p.SubQuestions[1].Error != "no passage" ||
		p.Engine != "extractive; llm:m" || !p.BudgetSpent || p.Seq != 7 || p.ResearchID != "r1" {
		t.Errorf("progress = %+v", p)
	}
	if gaps := st.Gaps(); len(gaps) != 1 || gaps[0] != (rf.Gap{SubQuestion: "b", Reason: "no passage"}) {
		t.Errorf("gaps = %+v", gaps)
	}
}

func TestRedriveInput(t *testing.T) {
	dead := rf.DeadLetter{SubQuestionID: "sq2", SubQuestion: "B?", Provider: "arxiv", Attempts: 4, LastError: "503", At: time.Unix(1, 0)}
	st := ResearchState{Status: rf.StatusCompleted, Stage: rf.StageDone, SubQuestions: []SubQuestionState{
		{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "A?"}, State: rf.SQDone, Searches: []SourceSearch{{Source: "web", State: rf.SQSearched}, {Source: "arxiv", State: rf.SQSearched}}},
		{SubQuestion: reasoning.SubQuestion{ID: "sq2", Text: "B?"}, State: rf.SQDone, Searches: []SourceSearch{{Source: "web", State: rf.SQSearched}, {Source: "arxiv", State: rf.SQFailed, Error: "503"}}},
	}, DeadLetters: []rf.DeadLetter{dead}}
	rec := RunRecord{ResearchID: "r1", Input: rf.ResearchInput{Question: "Q?", Sources: []string{"web", "arxiv"}}, State: st}
	id, in, err := RedriveInput(rec)
	if err != nil {
		t.Fatal(err)
	}
	next, ok, err := decodeState(in.Resume)
	if err != nil || !ok {
		t.Fatalf("the redrive input carries no state: %v", err)
	}
	if id != "r1-rev2" || in.RedriveOf != "r1" || next.Revision != 2 || next.Status != rf.StatusRunning || len(next.DeadLetters) != 0 || len(next.Redriven) != 1 {
		t.Fatalf("redrive %q of %q: %+v", id, in.RedriveOf, next)
	}
	if next.SubQuestions[0].State != rf.SQDone || next.SubQuestions[1].State != rf.SQPending ||
		next.SubQuestions[1].Searches[0].State != rf.SQSearched || next.SubQuestions[1].Searches[1].State != rf.SQPending {
		t.Errorf("reset = %+v", next.SubQuestions)
	}
	if rec.State.SubQuestions[1].Searches[1].State != rf.SQFailed || rec.State.SubQuestions[1].State != rf.SQDone {
		t.Error("RedriveInput changed the record it read")
	}
	// The next revision of a revision keeps the first run as its root.
	done := next
	done.Status, done.DeadLetters = rf.StatusCompleted, []rf.DeadLetter{dead}
	done.SubQuestions = slices.Clone(next.SubQuestions)
	done.SubQuestions[1].Searches = []SourceSearch{{Source: "web", State: rf.SQSearched}, {Source: "arxiv", State: rf.SQFailed}}
	in.Resume = nil
	id3, in3, err := RedriveInput(RunRecord{ResearchID: id, Input: in, State: done})
	st3, _, _ := decodeState(in3.Resume)
	if err != nil || id3 != "r1-rev3" || in3.RedriveOf != "r1" || st3.Revision != 3 {
		t.Errorf("third revision %q of %q: %v", id3, in3.RedriveOf, err)
	}
	for _, bad := range []ResearchState{
		{Status: rf.StatusRunning, DeadLetters: []rf.DeadLetter{dead}},
		{Status: rf.StatusFailed, DeadLetters: []rf.DeadLetter{dead}},
		{Status: rf.StatusCompleted},
	} {
		if _, _, err := RedriveInput(RunRecord{ResearchID: "r1", State: bad}); err == nil {
			t.Errorf("a %s run with %d dead letters was redriven", bad.Status, len(bad.DeadLetters))
		}
	}
}

// TestSavedStateKeepsItsBytes: a ResearchInput whose Resume was written by
// the contract before the state moved here (testdata/resumed_input.json,
// encoded when Resume was a *ResearchState of the root package) decodes,
// and the state re-encoded into Resume gives the same input, byte for byte:
// runs continued as new and redrives recorded before the move replay.
func TestSavedStateKeepsItsBytes(t *testing.T) {
	recorded, err := os.ReadFile("testdata/resumed_input.json")
	if err != nil {
		t.Fatal(err)
	}
	var in rf.ResearchInput
	if err := json.Unmarshal(recorded, &in); err != nil {
		t.Fatal(err)
	}
	st, ok, err := decodeState(in.Resume)
	if err != nil || !ok {
		t.Fatalf("saved state: ok %v, %v", ok, err)
	}
	if st.Revision != 2 || len(st.SubQuestions) != 2 || st.SubQuestions[0].Analysis == nil ||
		st.SubQuestions[0].Searches[1].Breaker != BreakerOpen || len(st.DeadLetters) != 1 || st.Usage.FailedCalls != 1 {
		t.Errorf("decoded state = %+v", st)
	}
	if in.Resume, err = st.encode(); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, recorded) {
		t.Errorf("re-encoded input differs from the recorded one:\n got %s\nwant %s", again, recorded)
	}
	for _, empty := range []string{"", "null"} {
		if _, ok, err := decodeState(json.RawMessage(empty)); ok || err != nil {
			t.Errorf("decodeState(%q) = %v, %v: want no state", empty, ok, err)
		}
	}
	if _, _, err := decodeState(json.RawMessage(`{"subQuestions":7}`)); err == nil {
		t.Error("a malformed saved state decoded")
	}
}

// TestUnreadPagesInProgressAndAudit is issue 19 item 8: why a result page
// was not read is visible in progress and in the audit, not only counted.
func TestUnreadPagesInProgressAndAudit(t *testing.T) {
	unread := []rf.UnreadPage{
		{URL: "https://a.example/report", Reason: UnreadContentType, Detail: `content type "application/zip" is not read`},
		{URL: "https://a.example/private", Reason: UnreadRobots, Detail: "robots.txt disallows it"},
	}
	st := ResearchState{SubQuestions: []SubQuestionState{{
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How long are backups kept?"}, State: rf.SQDone,
		Searches: []SourceSearch{{Source: rf.SourceWeb, State: rf.SQSearched, Unread: unread}},
	}}}
	p := st.Progress("r1", rf.ResearchInput{Question: "q"})
	if got := p.SubQuestions[0].Searches[0].Unread; !reflect.DeepEqual(got, unread) {
		t.Errorf("progress unread = %+v, want %+v", got, unread)
	}
	a := st.Audit("r1", rf.ResearchInput{Question: "q"})
	got := a.SubQuestions[0].Unread
	if len(got) != 2 || got[0].Source != rf.SourceWeb || got[1].Reason != UnreadRobots || got[1].URL != unread[1].URL {
		t.Errorf("audit unread = %+v", got)
	}
	blob, _ := json.Marshal(a.SubQuestions[0])
	if !strings.Contains(string(blob), `"reason":"robots_disallowed"`) || !strings.Contains(string(blob), `"source":"web"`) {
		t.Errorf("audit JSON %s", blob)
	}
}

func TestProgressApprovalDeadlineFollowsTheRunsTimeout(t *testing.T) {
	since := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	st := ResearchState{Status: rf.StatusAwaitingApproval, Stage: rf.StageApproval,
		Timings: []rf.StageTiming{{Stage: rf.StagePlan, StartedAt: since.Add(-time.Minute), EndedAt: since}, {Stage: rf.StageApproval, StartedAt: since}}}
	p := st.Progress("r", rf.ResearchInput{Question: "q", RequireApproval: true, ApprovalTimeoutSeconds: 90 * 60, OnApprovalTimeout: rf.OnTimeoutCancel})
	if p.ApprovalDeadline == nil || !p.ApprovalDeadline.Equal(since.Add(90*time.Minute)) || p.OnApprovalTimeout != rf.OnTimeoutCancel {
		t.Errorf("deadline %v then %q, want %v then cancel", p.ApprovalDeadline, p.OnApprovalTimeout, since.Add(90*time.Minute))
	}
	p = st.Progress("r", rf.ResearchInput{Question: "q", RequireApproval: true})
	if p.ApprovalDeadline == nil || !p.ApprovalDeadline.Equal(since.Add(24*time.Hour)) || p.OnApprovalTimeout != rf.OnTimeoutApprove {
		t.Errorf("default: deadline %v then %q, want %v then approve", p.ApprovalDeadline, p.OnApprovalTimeout, since.Add(24*time.Hour))
	}
	st.Status = rf.StatusRunning
	if p := st.Progress("r", rf.ResearchInput{Question: "q"}); p.ApprovalDeadline != nil {
		t.Errorf("running: deadline %v, want none", p.ApprovalDeadline)
	}
}

func TestAddUsageChargesTheCurrentStage(t *testing.T) {
	r := &research{st: ResearchState{Timings: []rf.StageTiming{{Stage: rf.StagePlan}, {Stage: rf.StageAnalyze}}}}
	r.addUsage("llm:m", rf.Usage{PromptTokens: 100, CompletionTokens: 20, Calls: 1})
	r.addUsage("llm:m", rf.Usage{PromptTokens: 50, Calls: 1})
	if got := r.st.Timings[1].Usage; got.Tokens() != 170 || got.Calls != 2 {
		t.Errorf("analyze stage usage = %+v, want 170 tokens in 2 calls", got)
	}
	if got := r.st.Timings[0].Usage; got != (rf.Usage{}) {
		t.Errorf("plan stage usage = %+v, want none", got)
	}
	p := r.st.Progress("r", rf.ResearchInput{Question: "q"})
	b, _ := json.Marshal(p.Timings)
	if !strings.Contains(string(b), `"usage":{"promptTokens":150,"completionTokens":20`) || strings.Count(string(b), `"usage"`) != 1 {
		t.Errorf("timings JSON = %s, want the analyze stage's usage only", b)
	}
}

// The progress of a priced run carries its use counted as its estimate is
// (searches, passages, model calls), so that a reader can put them side
// by side while it runs and once it is done.
func TestProgressCarriesActualBesideEstimate(t *testing.T) {
	st := ResearchState{Status: rf.StatusCompleted, ModelSteps: 6, Usage: rf.Usage{PromptTokens: 10},
		Estimate: &rf.Spend{Searches: 4, Passages: 72, ModelCalls: 7},
		SubQuestions: []SubQuestionState{
			{SubQuestion: reasoning.SubQuestion{ID: "sq1"}, State: rf.SQDone, Retrieved: RetrieveResult{ChunkIDs: make([]string, 18)}},
			{SubQuestion: reasoning.SubQuestion{ID: "sq2"}, State: rf.SQDone, Retrieved: RetrieveResult{ChunkIDs: make([]string, 18)}},
			{SubQuestion: reasoning.SubQuestion{ID: "sq3"}, State: rf.SQDone, Retrieved: RetrieveResult{ChunkIDs: make([]string, 18)}},
		}}
	p := st.Progress("r", rf.ResearchInput{Question: "q"})
	if p.Actual == nil || p.Actual.Searches != 3 || p.Actual.Passages != 54 || p.Actual.ModelCalls != 6 || p.Actual.Usage.Tokens() != 10 {
		t.Errorf("actual = %+v, want 3 searches, 54 passages, 6 model calls, 10 tokens", p.Actual)
	}
	st.Estimate = nil
	if p := st.Progress("r", rf.ResearchInput{Question: "q"}); p.Actual != nil {
		t.Errorf("unpriced run: actual %+v, want none (as the audit)", p.Actual)
	}
}
