package workflows

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
)

// fakeFollowUp serves the activities of a follow-up: a finished run with
// two numbered sources (s1 as [1], s2 as [2]) and three passages (c1, c2 of
// s2, c3 of an uncited s3); each chunk "answers" when its text is listed in
// answers.
type fakeFollowUp struct {
	mu sync.Mutex
	ev RunEvidence
	// evidenceErr fails RunEvidence.
	evidenceErr error
	// answers maps chunk IDs to the finding they give.
	answers map[string]string
	// evidenceGone fails the analysis of the run's passages as when they
	// are no longer in memory.
	evidenceGone bool
	// retrieved is what the targeted search returns.
	retrieved []string
	// unmentioned is what an analysis that finds nothing says no passage
	// mentions.
	unmentioned []string
	// parts is what an analysis asked for parts says of them; the
	// findings of the parts with findings are answers' (partFindings).
	parts        []AnalyzedPart
	partFindings map[string]string
	// calls and analyzed record what ran.
	calls     []string
	asked     []AnalyzeInput
	analyzed  [][]string
	onTopic   []bool
	retrieves []RetrieveInput
	published []rf.Event
}

func newFakeFollowUp() *fakeFollowUp {
	return &fakeFollowUp{
		ev: RunEvidence{
			ResearchID: "research-1", Question: "What about bees and bread?", Corpus: "notes", CorpusPath: "/notes",
			MaxSources: 6,
			Numbered: []rf.Source{
				{N: 1, SourceID: "s1", Title: "Bread", Location: "/notes/bread.md", ChunkIDs: []string{"c1"}},
				{N: 2, SourceID: "s2", Title: "Bees", Location: "/notes/bees.md", ChunkIDs: []string{"c2"}},
			},
			ChunkIDs: []string{"c1", "c2", "c3"},
		},
		answers: map[string]string{},
	}
}

func sourceOf(chunk string) string {
	switch chunk {
	case "c1":
		return "s1"
	case "c2":
		return "s2"
	}
	return "s" + strings.TrimPrefix(chunk, "c")
}

func (f *fakeFollowUp) register(env *testsuite.TestWorkflowEnvironment) {
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	note := func(s string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls = append(f.calls, s)
	}
	reg(func(ctx context.Context, in RunEvidenceInput) (RunEvidence, error) {
		note("evidence")
		return f.ev, f.evidenceErr
	}, RunEvidenceActivity)
	reg(func(ctx context.Context, in PrepareCorpusInput) (PrepareCorpusResult, error) {
		note("prepare")
		return PrepareCorpusResult{Corpus: in.Corpus}, nil
	}, PrepareCorpusActivity)
	reg(func(ctx context.Context, in RetrieveInput) (RetrieveResult, error) {
		note("retrieve")
		f.mu.Lock()
		f.retrieves = append(f.retrieves, in)
		f.mu.Unlock()
		return RetrieveResult{ChunkIDs: f.retrieved}, nil
	}, RetrieveActivity)
	reg(func(ctx context.Context, in AnalyzeInput) (AnalyzeResult, error) {
		note("analyze")
		f.mu.Lock()
		f.analyzed = append(f.analyzed, slices.Clone(in.ChunkIDs))
		f.onTopic = append(f.onTopic, in.OnTopic)
		f.asked = append(f.asked, in)
		gone := f.evidenceGone && slices.Contains(in.ChunkIDs, "c1")
		f.mu.Unlock()
		if gone {
			return AnalyzeResult{}, temporal.NewNonRetryableApplicationError("none of the retrieved chunks is in memory any more", ErrCorpusEmpty, nil)
		}
		var res AnalyzeResult
		res.Analysis.Engine = "fake"
		res.Analysis.Usage = rf.Usage{PromptTokens: 400, CompletionTokens: 100, Calls: 1}
		if in.Parts && len(f.parts) > 1 {
			res.Parts = f.parts
			res.Analysis.Usage = rf.Usage{}
			for _, p := range f.parts {
				if p.Findings == 0 {
					if len(p.Unmentioned) == 0 && !p.BudgetSpent {
						res.Analysis.Usage = res.Analysis.Usage.Add(rf.Usage{PromptTokens: 400, CompletionTokens: 100, Calls: 1})
					}
					continue
				}
				res.Analysis.Usage = res.Analysis.Usage.Add(rf.Usage{PromptTokens: 400, CompletionTokens: 100, Calls: 1})
				c := f.partFindings[p.SubQuestion.Text]
				res.Analysis.Findings = append(res.Analysis.Findings, reasoning.Finding{Text: f.answers[c], ChunkID: c, SourceID: sourceOf(c)})
				res.Sources = append(res.Sources, rf.Source{SourceID: sourceOf(c), Title: "Note " + c, Location: "/notes/" + c + ".md", ChunkIDs: []string{c}})
			}
			return res, nil
		}
		for _, c := range in.ChunkIDs {
			text, ok := f.answers[c]
			if !ok {
				continue
			}
			res.Analysis.Findings = append(res.Analysis.Findings, reasoning.Finding{Text: text, ChunkID: c, SourceID: sourceOf(c)})
			res.Sources = append(res.Sources, rf.Source{SourceID: sourceOf(c), Title: "Note " + c, Location: "/notes/" + c + ".md", ChunkIDs: []string{c}})
		}
		if len(res.Analysis.Findings) == 0 {
			res.Unmentioned = f.unmentioned
		}
		return res, nil
	}, AnalyzeActivity)
	reg(func(ctx context.Context, in RenderFollowUpInput) (RenderFollowUpResult, error) {
		md, _ := report.Render(report.Report{Question: in.Question, Draft: reasoning.Draft{Title: in.Title, Summary: in.Sentences}, Sources: in.Sources, Gaps: in.Gaps})
		return RenderFollowUpResult{Markdown: md}, nil
	}, RenderFollowUpActivity)
	reg(func(ctx context.Context, in PublishInput) (PublishResult, error) {
		note("publish")
		f.mu.Lock()
		defer f.mu.Unlock()
		f.published = append(f.published, in.Event)
		return PublishResult{}, nil
	}, PublishActivity)
}

func runFollowUp(t *testing.T, f *fakeFollowUp, in rf.FollowUpInput) (rf.FollowUpResult, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ResearchFollowUpWorkflow, workflow.RegisterOptions{Name: rf.ResearchFollowUpWorkflowType})
	f.register(env)
	env.ExecuteWorkflow(rf.ResearchFollowUpWorkflowType, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("the follow-up did not complete")
	}
	var res rf.FollowUpResult
	err := env.GetWorkflowError()
	if err == nil {
		if err := env.GetWorkflowResult(&res); err != nil {
			t.Fatal(err)
		}
	}
	return res, err
}

// The run's evidence answers: no search, the run's number kept.
func TestFollowUpAnswersFromTheRunsEvidence(t *testing.T) {
	f := newFakeFollowUp()
	f.answers["c2"] = "Worker bees build wax comb."
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "What do worker bees build?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v (no search)", f.calls, want)
	}
	if !slices.Equal(f.analyzed[0], f.ev.ChunkIDs) {
		t.Errorf("analyzed %v, want the run's passages %v", f.analyzed[0], f.ev.ChunkIDs)
	}
	if !res.FromEvidence || len(res.Searches) != 0 || len(res.NewSources) != 0 {
		t.Errorf("result %+v: want answered from evidence, no search, no new source", res)
	}
	if len(res.Findings) != 1 || res.Findings[0].N != 2 || len(res.Sources) != 1 || res.Sources[0].N != 2 {
		t.Errorf("findings %+v sources %+v: want the run's [2]", res.Findings, res.Sources)
	}
	if !strings.Contains(res.Answer, "Worker bees build wax comb [2].") || !strings.Contains(res.Answer, "- [2] Bees") {
		t.Errorf("answer:\n%s", res.Answer)
	}
	if res.FollowUpID == "" || res.ResearchID != "research-1" {
		t.Errorf("ids: %+v", res)
	}
	if len(f.published) != 1 {
		t.Fatalf("published %+v, want one research.followup.answered", f.published)
	}
	ev := f.published[0]
	if ev.Type != rf.EventFollowUpAnswered || ev.ID != FollowUpEventID(res.FollowUpID) || ev.Data.ResearchID != "research-1" ||
		ev.Data.FollowUpID != res.FollowUpID || ev.Data.Findings != 1 {
		t.Errorf("event %+v", ev)
	}
}

// A passage the run retrieved but did not cite is evidence too; its source
// gets the number after the run's last, and the answer is not from the
// run's evidence alone.
func TestFollowUpNumbersAnUncitedPassageAfterTheRunsSources(t *testing.T) {
	f := newFakeFollowUp()
	f.answers["c3"] = "Drones do not sting."
	f.answers["c1"] = "Starters are fed daily."
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "Do drones sting, and how are starters fed?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.NewSources) != 1 || res.NewSources[0].N != 3 || res.NewSources[0].SourceID != "s3" {
		t.Errorf("new sources %+v, want s3 as [3]", res.NewSources)
	}
	// No search was made, yet the answer cites a source the report did
	// not: it is not the run's evidence alone (a trial saw fromEvidence
	// beside newSources).
	if res.FromEvidence || len(res.Searches) != 0 {
		t.Errorf("fromEvidence %v, searches %+v: want no search and not from evidence alone", res.FromEvidence, res.Searches)
	}
	if len(res.Sources) != 1 || res.Sources[0].N != 1 {
		t.Errorf("sources %+v, want the run's [1]", res.Sources)
	}
	if !strings.Contains(res.Answer, "[3]") || !strings.Contains(res.Answer, "[1]") {
		t.Errorf("answer:\n%s", res.Answer)
	}
}

// The evidence answers nothing: the folder is read again, one targeted
// search is made, and only the passages the run had not read are analyzed.
func TestFollowUpSearchesOnlyForTheGap(t *testing.T) {
	f := newFakeFollowUp()
	f.retrieved = []string{"c2", "c9", "c1"}
	f.answers["c9"] = "A stoneware kiln is fired to 1280 degrees."
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "How hot is a stoneware kiln?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "prepare", "retrieve", "analyze", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v", f.calls, want)
	}
	if len(f.retrieves) != 1 || f.retrieves[0].SubQuestion.Text != "How hot is a stoneware kiln?" || f.retrieves[0].Corpus != "notes" || f.retrieves[0].TopK != 6 {
		t.Errorf("retrievals %+v, want one of the corpus for the follow-up question", f.retrieves)
	}
	if !slices.Equal(f.analyzed[1], []string{"c9"}) {
		t.Errorf("second analysis read %v, want only the new passage c9", f.analyzed[1])
	}
	if res.FromEvidence || len(res.Searches) != 1 || res.Searches[0].Passages != 3 || res.Searches[0].Source != rf.SourceCorpus {
		t.Errorf("result %+v: want one corpus search", res)
	}
	if len(res.NewSources) != 1 || res.NewSources[0].N != 3 || !strings.Contains(res.Answer, "1280 degrees [3].") {
		t.Errorf("new sources %+v answer:\n%s", res.NewSources, res.Answer)
	}
	if len(res.Gaps) != 0 {
		t.Errorf("gaps %+v, want none", res.Gaps)
	}
}

// Every analysis of a follow-up is held to its topic (OnTopic): passages
// that never mention a topic word do not answer it. When the run's
// passages never mention it, the follow-up searches; when the search finds
// nothing new, the gap says which word none of them mentions, and when
// what it finds does not mention it either, that too.
func TestFollowUpSearchesWhenTheEvidenceNeverMentionsItsTopic(t *testing.T) {
	f := newFakeFollowUp()
	f.unmentioned = []string{"passwords"}
	f.retrieved = []string{"c1", "c2"}
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "How often are passwords rotated?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "prepare", "retrieve", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v", f.calls, want)
	}
	if !slices.Equal(f.onTopic, []bool{true}) {
		t.Errorf("analyses held to the topic: %v, want [true]", f.onTopic)
	}
	want := "neither the run's passages (none mentions passwords) nor a new search of its sources answered it"
	if res.FromEvidence || len(res.Gaps) != 1 || res.Gaps[0].Reason != want {
		t.Errorf("fromEvidence %v, gaps %+v: want the gap %q", res.FromEvidence, res.Gaps, want)
	}

	f = newFakeFollowUp()
	f.unmentioned = []string{"passwords"}
	f.retrieved = []string{"c9"}
	res, err = runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "How often are passwords rotated?"})
	if err != nil {
		t.Fatal(err)
	}
	// The new search's passages are read as a run reads them: a
	// follow-up answers what a run on its question would.
	if !slices.Equal(f.onTopic, []bool{true, false}) {
		t.Errorf("analyses held to the topic: %v, want [true false]", f.onTopic)
	}
	want = "the passages found did not answer it (none mentions passwords)"
	if len(res.Gaps) != 1 || res.Gaps[0].Reason != want {
		t.Errorf("gaps %+v, want %q", res.Gaps, want)
	}
}

// The run's passages are gone from memory: the follow-up searches instead
// of failing.
func TestFollowUpSearchesWhenTheEvidenceIsGone(t *testing.T) {
	f := newFakeFollowUp()
	f.evidenceGone = true
	f.retrieved = []string{"c9"}
	f.answers["c9"] = "A stoneware kiln is fired to 1280 degrees."
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "How hot is a stoneware kiln?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "prepare", "retrieve", "analyze", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v", f.calls, want)
	}
	if res.FromEvidence || len(res.NewSources) != 1 || res.NewSources[0].N != 3 {
		t.Errorf("result %+v", res)
	}
}

// A follow-up that nothing answers says which of the run's passages are no
// longer in memory and why, with the same activities as before (a new
// user's follow-up said only "neither the run's passages nor a new search
// of its sources answered it" after the cited note was deleted).
func TestFollowUpGapNamesThePassagesThatAreGone(t *testing.T) {
	f := newFakeFollowUp()
	f.evidenceGone = true
	f.ev.Gone = []GoneSource{
		{N: 1, SourceID: "s1", Title: "Bread", Passages: 1, Cited: 1, Deleted: true},
		{N: 2, SourceID: "s2", Title: "Bees", Passages: 1, Cited: 1},
	}
	f.ev.GoneUncited = 1
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "Who performs the restore test and how often?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "prepare", "retrieve", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v", f.calls, want)
	}
	want := "neither the run's passages nor a new search of its sources answered it; no longer in memory: " +
		"the run's passages of source 1, Bread (its document was deleted since the run), " +
		"the run's passages of source 2, Bees (its document changed since the run) and " +
		"1 other passage the run read (its document was deleted or changed since the run)"
	if res.FromEvidence || len(res.Gaps) != 1 || res.Gaps[0].Reason != want {
		t.Errorf("gaps %+v, want one: %s", res.Gaps, want)
	}
	if !strings.Contains(res.Answer, "source 1, Bread (its document was deleted since the run)") {
		t.Errorf("the answer does not say it:\n%s", res.Answer)
	}

	// Nothing gone: the reason is as it was.
	f = newFakeFollowUp()
	res, err = runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "Who performs the restore test?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Gaps) != 1 || res.Gaps[0].Reason != "neither the run's passages nor a new search of its sources answered it" {
		t.Errorf("gaps %+v", res.Gaps)
	}
}

// A follow-up whose budget the evidence analysis spent searches no more:
// what is left is a gap, and the usage counts the call.
func TestFollowUpStopsAtItsBudget(t *testing.T) {
	f := newFakeFollowUp()
	f.retrieved = []string{"c9"}
	f.answers["c9"] = "A stoneware kiln is fired to 1280 degrees."
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "How hot is a stoneware kiln?", MaxTokens: 300})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v", f.calls, want)
	}
	if len(res.Gaps) != 1 || !strings.Contains(res.Gaps[0].Reason, "budget") || res.Usage.Tokens() != 500 || res.Usage.Calls != 1 {
		t.Errorf("gaps %+v usage %+v", res.Gaps, res.Usage)
	}
}

// Nothing new found: a gap, said in the answer, and no analysis of
// passages already read.
func TestFollowUpLeavesAGapWhenNothingAnswers(t *testing.T) {
	f := newFakeFollowUp()
	f.ev.CorpusPath = "" // a named corpus: nothing to read again
	f.retrieved = []string{"c1", "c2"}
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "Who built the first lighthouse?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "retrieve", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v", f.calls, want)
	}
	if len(res.Gaps) != 1 || res.Gaps[0].SubQuestion != "Who built the first lighthouse?" || len(res.Findings) != 0 {
		t.Errorf("result %+v: want one gap and no finding", res)
	}
	if !strings.Contains(res.Answer, "## Gaps") {
		t.Errorf("answer does not name the gap:\n%s", res.Answer)
	}
}

// A follow-up of two parts: the run's passages answer one, whose finding
// is stated with the run's number; only the other is searched, as a
// sub-question of its own, and the passage the search finds answers it.
func TestFollowUpSearchesOnlyThePartTheEvidenceLeaves(t *testing.T) {
	f := newFakeFollowUp()
	f.answers["c2"] = "Worker bees build wax comb."
	f.answers["c9"] = "A stoneware kiln is fired to 1280 degrees."
	f.parts = []AnalyzedPart{
		{SubQuestion: reasoning.SubQuestion{ID: "f1.1", Text: "What do worker bees build?"}, Findings: 1},
		{SubQuestion: reasoning.SubQuestion{ID: "f1.2", Text: "How hot is a stoneware kiln?"}, Unmentioned: []string{"kiln"}},
	}
	f.partFindings = map[string]string{"What do worker bees build?": "c2"}
	f.retrieved = []string{"c2", "c9"}
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "What do worker bees build and how hot is a stoneware kiln?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "prepare", "retrieve", "analyze", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v", f.calls, want)
	}
	if !f.asked[0].Parts || !f.asked[0].OnTopic || f.asked[1].Parts || f.asked[1].OnTopic {
		t.Errorf("analyses asked %+v: want the run's passages by parts, held to their topics, and the new passage as a run reads it", f.asked)
	}
	if len(f.retrieves) != 1 || f.retrieves[0].SubQuestion.Text != "How hot is a stoneware kiln?" {
		t.Errorf("retrievals %+v, want one for the part the evidence left", f.retrieves)
	}
	if !slices.Equal(f.analyzed[1], []string{"c9"}) || f.asked[1].SubQuestion.Text != "How hot is a stoneware kiln?" {
		t.Errorf("second analysis of %q read %v, want the part over the new passage c9", f.asked[1].SubQuestion.Text, f.analyzed[1])
	}
	if len(res.Findings) != 2 || res.Findings[0].N != 2 || res.Findings[1].N != 3 {
		t.Errorf("findings %+v, want the run's [2] and the new [3]", res.Findings)
	}
	if res.FromEvidence || len(res.Searches) != 1 || res.Searches[0].SubQuestion != "How hot is a stoneware kiln?" || len(res.Gaps) != 0 {
		t.Errorf("fromEvidence %v, searches %+v, gaps %+v: want one search for the kiln, no gap", res.FromEvidence, res.Searches, res.Gaps)
	}
	if res.Usage.Calls != 2 {
		t.Errorf("usage %+v, want the two analyst calls", res.Usage)
	}
	for _, want := range []string{"wax comb [2]", "1280 degrees [3]"} {
		if !strings.Contains(res.Answer, want) {
			t.Errorf("answer lacks %q:\n%s", want, res.Answer)
		}
	}
}

// Neither part of a follow-up is answered by the run's passages: each part
// is searched on its own (one search per part and source; the folder is
// read again once), and each part still unanswered is a gap of its own,
// naming its own topic words, not the whole question's.
func TestFollowUpSearchesEachPartTheEvidenceLeaves(t *testing.T) {
	f := newFakeFollowUp()
	f.parts = []AnalyzedPart{
		{SubQuestion: reasoning.SubQuestion{ID: "f1.1", Text: "Who approves deploys?"}, Unmentioned: []string{"deploys"}},
		{SubQuestion: reasoning.SubQuestion{ID: "f1.2", Text: "How often are passwords rotated?"}, Unmentioned: []string{"passwords"}},
	}
	f.retrieved = []string{"c1", "c2"}
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "Who approves deploys and how often are passwords rotated?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "prepare", "retrieve", "retrieve", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v", f.calls, want)
	}
	var searched []string
	for _, s := range res.Searches {
		searched = append(searched, s.SubQuestion)
	}
	if want := []string{"Who approves deploys?", "How often are passwords rotated?"}; !slices.Equal(searched, want) {
		t.Errorf("searches for %q, want %q", searched, want)
	}
	want := []rf.Gap{
		{SubQuestion: "Who approves deploys?", Reason: "neither the run's passages (none mentions deploys) nor a new search of its sources answered it"},
		{SubQuestion: "How often are passwords rotated?", Reason: "neither the run's passages (none mentions passwords) nor a new search of its sources answered it"},
	}
	if !slices.Equal(res.Gaps, want) || len(res.Findings) != 0 || res.FromEvidence {
		t.Errorf("gaps %+v, findings %+v, fromEvidence %v: want %+v", res.Gaps, res.Findings, res.FromEvidence, want)
	}
}

// A follow-up of parts stops at its budget: a part the analysis of the
// run's passages could not pay for, and a part left when the budget is
// spent, are gaps that say so, and are not searched.
func TestFollowUpOfPartsStopsAtItsBudget(t *testing.T) {
	f := newFakeFollowUp()
	f.answers["c2"] = "Worker bees build wax comb."
	f.parts = []AnalyzedPart{
		{SubQuestion: reasoning.SubQuestion{ID: "f1.1", Text: "What do worker bees build?"}, Findings: 1},
		{SubQuestion: reasoning.SubQuestion{ID: "f1.2", Text: "How is a starter fed?"}, BudgetSpent: true},
		{SubQuestion: reasoning.SubQuestion{ID: "f1.3", Text: "How hot is a stoneware kiln?"}, Unmentioned: []string{"kiln"}},
	}
	f.partFindings = map[string]string{"What do worker bees build?": "c2"}
	f.retrieved = []string{"c9"}
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", MaxTokens: 500,
		Question: "What do worker bees build, how is a starter fed and how hot is a stoneware kiln?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"evidence", "analyze", "publish"}; !slices.Equal(f.calls, want) {
		t.Errorf("activities = %v, want %v", f.calls, want)
	}
	want := []rf.Gap{
		{SubQuestion: "How is a starter fed?", Reason: "not analyzed: the follow-up's model budget is spent"},
		{SubQuestion: "How hot is a stoneware kiln?", Reason: "not searched: the follow-up's model budget is spent"},
	}
	if !slices.Equal(res.Gaps, want) || len(res.Findings) != 1 || !res.FromEvidence {
		t.Errorf("gaps %+v, findings %+v, fromEvidence %v: want the bees from evidence and gaps %+v", res.Gaps, res.Findings, res.FromEvidence, want)
	}
}

// A run that cannot be asked (unfinished, unknown, another owner's) fails
// the follow-up at once; bad input never reaches an activity.
func TestFollowUpRefusals(t *testing.T) {
	f := newFakeFollowUp()
	f.evidenceErr = temporal.NewNonRetryableApplicationError("run research-1 is running", ErrRunNotFinished, nil)
	_, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "What do bees build?"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != ErrRunNotFinished {
		t.Errorf("error %v, want %s", err, ErrRunNotFinished)
	}
	if !slices.Equal(f.calls, []string{"evidence"}) {
		t.Errorf("activities = %v, want only the evidence read (not retried)", f.calls)
	}

	f = newFakeFollowUp()
	_, err = runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: "?"})
	if !errors.As(err, &app) || app.Type() != ErrInvalidInput {
		t.Errorf("error %v, want %s", err, ErrInvalidInput)
	}
	if len(f.calls) != 0 {
		t.Errorf("activities %v ran for bad input", f.calls)
	}
}

// TestReplayFollowUpHistory replays the recorded follow-up histories
// (task replay-record): of each shape, one answered from evidence and one
// that searched; of v2 (followUpPartsChange), one of two parts, the one
// the evidence answered and the other searched. Each is also replayed cut
// after each of its workflow task starts, as a follow-up in flight when a
// worker with this code takes over.
func TestReplayFollowUpHistory(t *testing.T) {
	paths, err := filepath.Glob("testdata/followup_*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"testdata/followup_v1_evidence.json", "testdata/followup_v1_search.json",
		"testdata/followup_v2_evidence.json", "testdata/followup_v2_search.json", "testdata/followup_v2_parts.json"} {
		if !slices.Contains(paths, want) {
			t.Errorf("recorded history %s is missing", want)
		}
	}
	for _, path := range paths {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(ResearchFollowUpWorkflow, workflow.RegisterOptions{Name: rf.ResearchFollowUpWorkflowType})
		logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err := r.ReplayWorkflowHistoryFromJSONFile(logger, path); err != nil {
			t.Errorf("replay %s: %v", path, err)
		}
		h, _ := readHistory(t, path)
		for i, ev := range h.Events {
			if ev.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED || i < 2 {
				continue
			}
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(ResearchFollowUpWorkflow, workflow.RegisterOptions{Name: rf.ResearchFollowUpWorkflowType})
			if err := r.ReplayWorkflowHistory(logger, &historypb.History{Events: h.Events[:i+1]}); err != nil {
				t.Errorf("replay %s cut after event %d: %v", path, ev.GetEventId(), err)
			}
		}
	}
}
