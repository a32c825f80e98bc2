package workflows

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// fakeReview serves a claim review's activities: a run whose report has
// two claims; the analyst finds what found says.
type fakeReview struct {
	base     claims.Revision
	found    []reasoning.Finding
	calls    []string
	prepared []PrepareCorpusInput
	retrieve []RetrieveInput
	reviewed []ReviewClaimInput
	events   []rf.Event
	// byName: the run was started by corpus name, with no folder.
	byName bool
}

func newFakeReview() *fakeReview {
	return &fakeReview{base: claims.Revision{Revision: 1, Title: "Kilns", Report: "…",
		Claims: []rf.Claim{
			{ID: "claim-aaaaaaaaaaaa", Text: "Bees build wax comb.", Cites: []int{1}},
			{ID: "claim-bbbbbbbbbbbb", Text: "A kiln is fired to 1280 degrees.", Cites: []int{2}},
		},
		Sources: []rf.Source{{N: 1, SourceID: "s1"}, {N: 2, SourceID: "s2"}}}}
}

func (f *fakeReview) register(env *testsuite.TestWorkflowEnvironment) {
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, in RunEvidenceInput) (RunEvidence, error) {
		f.calls = append(f.calls, RunEvidenceActivity+":"+in.Claim)
		path := "/notes"
		if f.byName {
			path = ""
		}
		return RunEvidence{ResearchID: in.ResearchID, Question: "Kilns and bees?", Owner: "ann", Corpus: "notes", CorpusPath: path, MaxSources: 6,
			ClaimSubQuestion: &reasoning.SubQuestion{ID: "q2", Text: "How hot is a kiln fired?"}}, nil
	}, RunEvidenceActivity)
	reg(func(_ context.Context, in ReadRevisionInput) (claims.Revision, error) {
		f.calls = append(f.calls, ReadRevisionActivity)
		if in.Revision != f.base.Revision {
			return claims.Revision{}, temporal.NewNonRetryableApplicationError("no such revision", claims.ErrRevisionNotFound, nil)
		}
		return f.base, nil
	}, ReadRevisionActivity)
	reg(func(_ context.Context, in PrepareCorpusInput) (PrepareCorpusResult, error) {
		f.prepared = append(f.prepared, in)
		return PrepareCorpusResult{Corpus: in.Corpus, Chunks: 3}, nil
	}, PrepareCorpusActivity)
	reg(func(_ context.Context, in RetrieveInput) (RetrieveResult, error) {
		f.retrieve = append(f.retrieve, in)
		return RetrieveResult{ChunkIDs: []string{"k1"}}, nil
	}, RetrieveActivity)
	reg(func(_ context.Context, in AnalyzeInput) (AnalyzeResult, error) {
		f.calls = append(f.calls, AnalyzeActivity+":"+in.SubQuestion.Text)
		return AnalyzeResult{Analysis: reasoning.Analysis{Findings: f.found, Engine: "extractive"},
			Sources: []rf.Source{{SourceID: "s2", Title: "Kilns"}}}, nil
	}, AnalyzeActivity)
	reg(func(_ context.Context, in ReviewClaimInput) (ReviewClaimResult, error) {
		f.reviewed = append(f.reviewed, in)
		c := in.Check
		c.Outcome = claims.OutcomeCorrected
		return ReviewClaimResult{Check: c, Report: claims.Revision{Revision: in.Revision}}, nil
	}, ReviewClaimActivity)
	reg(func(_ context.Context, in PublishInput) error {
		f.events = append(f.events, in.Event)
		return nil
	}, PublishActivity)
}

func runReview(t *testing.T, f *fakeReview, in claims.ReviewInput) (claims.Review, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	f.register(env)
	env.ExecuteWorkflow(ResearchClaimReviewWorkflow, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("the review did not complete")
	}
	var res claims.Review
	err := env.GetWorkflowError()
	if err == nil {
		err = env.GetWorkflowResult(&res)
	}
	return res, err
}

// A dispute re-reads the folder (pruning deleted notes), searches and
// analyzes the claim's own sub-question again, has the claim judged against
// what was found, and announces the revision.
func TestClaimReviewDisputeRechecksTheClaimsSubQuestion(t *testing.T) {
	f := newFakeReview()
	f.found = []reasoning.Finding{{Text: "A kiln is fired to 1310 degrees.", ChunkID: "k1", SourceID: "s2"}}
	res, err := runReview(t, f, claims.ReviewInput{ResearchID: "r1", ClaimID: "claim-bbbbbbbbbbbb", Verdict: "dispute", Reason: "changed", Revision: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.prepared) != 1 || !f.prepared[0].Prune || f.prepared[0].Path != "/notes" {
		t.Errorf("corpus prepared %+v, want the run's folder re-read with deleted notes pruned", f.prepared)
	}
	if len(f.retrieve) != 1 || f.retrieve[0].SubQuestion.Text != "How hot is a kiln fired?" {
		t.Errorf("retrieved %+v, want the claim's sub-question", f.retrieve)
	}
	if !slices.Contains(f.calls, AnalyzeActivity+":How hot is a kiln fired?") || !slices.Contains(f.calls, RunEvidenceActivity+":A kiln is fired to 1280 degrees.") {
		t.Errorf("calls %v", f.calls)
	}
	if len(f.reviewed) != 1 || f.reviewed[0].Revision != 2 || f.reviewed[0].Check.Number != 2 || f.reviewed[0].Check.By != "ann" ||
		len(f.reviewed[0].Findings) != 1 || f.reviewed[0].Base.Revision != 1 {
		t.Errorf("reviewed %+v", f.reviewed)
	}
	if len(f.reviewed) == 1 && f.reviewed[0].RevisedAt.IsZero() {
		t.Errorf("the revision is written with no time: its footer cannot say when it was revised")
	}
	if res.Check.Outcome != claims.OutcomeCorrected || res.Report == nil || res.Report.Revision != 2 || res.Revision != 2 {
		t.Errorf("result %+v", res)
	}
	if len(f.events) != 1 || f.events[0].Type != claims.EventRevised || f.events[0].Data.Revision != 2 || f.events[0].Data.ClaimID != "claim-bbbbbbbbbbbb" {
		t.Errorf("events %+v", f.events)
	}
}

// A confirmation is recorded on the revision confirmed: nothing is
// searched, no revision written, no event published.
func TestClaimReviewConfirmRecordsOnly(t *testing.T) {
	f := newFakeReview()
	res, err := runReview(t, f, claims.ReviewInput{ResearchID: "r1", ClaimID: "claim-aaaaaaaaaaaa", Verdict: "confirm", Owner: "bob", Revision: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Check.Outcome != claims.OutcomeConfirmed || res.Report != nil || res.Check.By != "bob" || res.Check.Number != 1 {
		t.Errorf("result %+v", res)
	}
	if len(f.prepared)+len(f.retrieve)+len(f.reviewed)+len(f.events) != 0 {
		t.Errorf("a confirmation searched or revised: %+v", f)
	}
}

// A claim the revision does not hold, and a revision never written, fail
// for good with their own error types.
func TestClaimReviewUnknownClaimOrRevision(t *testing.T) {
	for _, c := range []struct {
		in   claims.ReviewInput
		want string
	}{
		{claims.ReviewInput{ResearchID: "r1", ClaimID: "claim-cccccccccccc", Verdict: "dispute", Revision: 2}, claims.ErrClaimNotFound},
		{claims.ReviewInput{ResearchID: "r1", ClaimID: "claim-aaaaaaaaaaaa", Verdict: "dispute", Revision: 5}, claims.ErrRevisionNotFound},
		{claims.ReviewInput{ResearchID: "r1", ClaimID: "claim-aaaaaaaaaaaa", Verdict: "dispute", Revision: 1}, ErrInvalidInput},
		{claims.ReviewInput{ResearchID: "r1", ClaimID: "claim-aaaaaaaaaaaa", Verdict: "maybe", Revision: 2}, ErrInvalidInput},
	} {
		_, err := runReview(t, newFakeReview(), c.in)
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != c.want {
			t.Errorf("%+v: %v, want %s", c.in, err, c.want)
		}
	}
}

// TestReplayClaimReviewHistory replays every ResearchClaimReviewWorkflow
// history recorded on the embedded server (RESEARCHFLOW_RECORD_HISTORY with
// TestDisputedClaimsAreCorrectedAndWithdrawnInNewRevisions).
func TestReplayClaimReviewHistory(t *testing.T) {
	paths, err := filepath.Glob("testdata/claims_*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"testdata/claims_v1_corrected.json", "testdata/claims_v1_withdrawn.json"} {
		if !slices.Contains(paths, want) {
			t.Errorf("recorded history %s is missing", want)
		}
	}
	for _, path := range paths {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(ResearchClaimReviewWorkflow, workflow.RegisterOptions{Name: claims.WorkflowType})
		logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err := r.ReplayWorkflowHistoryFromJSONFile(logger, path); err != nil {
			t.Errorf("replay %s: %v", path, err)
		}
	}
}

// A run started by corpus name has no folder to read again: its dispute
// checks the stored copy, reads no folder, and asks the check to say so
// (ReviewClaimInput.Stored); a run with a folder reads it again first.
func TestClaimReviewOfACorpusByNameChecksTheStoredCopy(t *testing.T) {
	for _, byName := range []bool{true, false} {
		f := newFakeReview()
		f.byName = byName
		if _, err := runReview(t, f, claims.ReviewInput{ResearchID: "research-k", ClaimID: "claim-bbbbbbbbbbbb", Verdict: claims.VerdictDispute, Revision: 2}); err != nil {
			t.Fatal(err)
		}
		if len(f.reviewed) != 1 || f.reviewed[0].Stored != byName || (len(f.prepared) == 0) != byName {
			t.Errorf("by name %v: stored %v, folder read %d times", byName, len(f.reviewed) == 1 && f.reviewed[0].Stored, len(f.prepared))
		}
	}
}
