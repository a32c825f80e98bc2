package activities

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
	"github.com/researchflow/researchflow/workflows"
)

// A run's notes on the on-call rotation and on backups: its evidence, as a
// follow-up reads it.
var (
	onCallNote  = chunk("c-oncall", "oncall", "The on-call rotation changes every Monday at 09:00, and each engineer is on call for one week.")
	backupsNote = chunk("c-backups", "backups", "Nightly database backups are retained for 30 days in Frankfurt.")
	// passwordsNote is in the corpus, but not among the run's passages.
	passwordsNote = chunk("c-passwords", "passwords", "Service account passwords are rotated every 90 days by the vault job.")
)

// followUpOver runs a follow-up of a finished run whose evidence is
// onCallNote and backupsNote, with the real Analyze (the offline engine)
// and Retrieve (over store, whose search answers hits) activities. It
// returns the result and the chunk IDs each analysis read.
func followUpOver(t *testing.T, question string, hits ...memory.Chunk) rf.FollowUpResult {
	t.Helper()
	return followUpOn(t, []memory.Chunk{onCallNote, backupsNote}, question, hits...)
}

// followUpOn is followUpOver of a run whose evidence is evidence.
func followUpOn(t *testing.T, evidence []memory.Chunk, question string, hits ...memory.Chunk) rf.FollowUpResult {
	t.Helper()
	return followUpGone(t, evidence, nil, question, hits...)
}

// followUpGone is followUpOn of a run whose evidence memory no longer
// holds whole: the passages of gone (the run's evidence, with its
// numbers) are not in memory, as RunEvidence finds.
func followUpGone(t *testing.T, evidence []memory.Chunk, gone []workflows.GoneSource, question string, hits ...memory.Chunk) rf.FollowUpResult {
	t.Helper()
	store := &fakeStore{chunks: map[string]memory.Chunk{passwordsNote.ID: passwordsNote}}
	var numbered []rf.Source
	var ids []string
	for i, c := range evidence {
		if !slices.ContainsFunc(gone, func(g workflows.GoneSource) bool { return g.N == i+1 }) {
			store.chunks[c.ID] = c
		}
		numbered = append(numbered, rf.Source{N: i + 1, SourceID: c.SourceID, Title: "Title " + c.SourceID, Location: "/docs/" + c.SourceID, ChunkIDs: []string{c.ID}})
		ids = append(ids, c.ID)
	}
	for i, c := range hits {
		store.chunks[c.ID] = c
		store.hits = append(store.hits, memory.Hit{Chunk: c, Score: float64(len(hits) - i)})
	}
	// As the workers build it: the offline engine is also the one that
	// splits a follow-up into its parts.
	offline := extractive.New(extractive.Config{}).Roles()
	inf := &Inference{Engine: offline, Offline: offline, Chunks: store}
	search := &Search{Store: store}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.ResearchFollowUpWorkflow, workflow.RegisterOptions{Name: rf.ResearchFollowUpWorkflowType})
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(context.Context, workflows.RunEvidenceInput) (workflows.RunEvidence, error) {
		return workflows.RunEvidence{
			ResearchID: "research-oncall", Question: "How does the on-call rotation work, and how long are backups kept?",
			Corpus: "ops", MaxSources: 6,
			Numbered: numbered,
			ChunkIDs: ids,
			Gone:     gone,
		}, nil
	}, workflows.RunEvidenceActivity)
	reg(inf.Analyze, workflows.AnalyzeActivity)
	reg(inf.RenderFollowUp, workflows.RenderFollowUpActivity)
	reg(search.Retrieve, workflows.RetrieveActivity)
	reg(func(context.Context, workflows.PublishInput) (workflows.PublishResult, error) {
		return workflows.PublishResult{}, nil
	}, workflows.PublishActivity)
	env.ExecuteWorkflow(rf.ResearchFollowUpWorkflowType, rf.FollowUpInput{ResearchID: "research-oncall", Question: question})
	if !env.IsWorkflowCompleted() {
		t.Fatal("the follow-up did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res rf.FollowUpResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

// "How often are passwords rotated?" of a run whose passages never mention
// passwords: the on-call rotation does not answer it. The follow-up
// searches, and a search that finds nothing new leaves it a gap (a trial
// answered it from the run's evidence with the on-call sentence).
func TestFollowUpOnAWordTheEvidenceNeverMentionsSearches(t *testing.T) {
	res := followUpOver(t, "How often are passwords rotated?", onCallNote)
	t.Logf("answer:\n%s", res.Answer)
	if res.FromEvidence || len(res.Findings) != 0 {
		t.Errorf("fromEvidence %v, findings %+v: want no answer from passages that never mention passwords", res.FromEvidence, res.Findings)
	}
	if len(res.Searches) != 1 || res.Searches[0].Source != rf.SourceCorpus {
		t.Errorf("searches %+v, want one targeted search of the corpus", res.Searches)
	}
	if len(res.Gaps) != 1 || !strings.Contains(res.Gaps[0].Reason, "passwords") {
		t.Errorf("gaps %+v, want one that says the run's passages do not mention passwords", res.Gaps)
	}
	if strings.Contains(res.Answer, "on-call") {
		t.Errorf("the answer states the on-call rotation:\n%s", res.Answer)
	}
}

// The same follow-up when the corpus holds a note on passwords the run did
// not read: the search finds it and answers, citing it as a new source.
func TestFollowUpOnAWordTheEvidenceNeverMentionsFindsItBySearch(t *testing.T) {
	res := followUpOver(t, "How often are passwords rotated?", passwordsNote, onCallNote)
	t.Logf("answer:\n%s", res.Answer)
	if res.FromEvidence || len(res.Searches) != 1 {
		t.Errorf("fromEvidence %v, searches %+v: want one search", res.FromEvidence, res.Searches)
	}
	if len(res.Findings) != 1 || res.Findings[0].SourceID != "passwords" || res.Findings[0].N != 3 {
		t.Errorf("findings %+v, want the passwords note as [3]", res.Findings)
	}
	if len(res.Gaps) != 0 {
		t.Errorf("gaps %+v, want none", res.Gaps)
	}
}

// Follow-ups whose topic words the run's passages hold are answered from
// them, with no search: the rule holds a question to what it is about, not
// to the words that frame it ("how often", "what time", "tell me").
func TestFollowUpOnWordsTheEvidenceMentionsIsAnsweredFromIt(t *testing.T) {
	for _, tt := range []struct{ question, source string }{
		{"How often does the on-call rotation change?", "oncall"},
		{"What time does the on-call rotation change?", "oncall"},
		{"How long are the database backups retained?", "backups"},
		{"Tell me in which city the backups are retained.", "backups"},
		// The verb a question asks with is no topic word: no passage says
		// "hosts" or "kept" (a trial's follow-ups were refused the
		// evidence for them).
		{"Which city hosts the database backups?", "backups"},
		{"How long are the database backups kept?", "backups"},
		// After a modal or "do" and the subject, the verb is the one asked
		// with too: no passage says "stay" or "hand".
		{"How long must the database backups stay in Frankfurt?", "backups"},
		{"When does the on-call rotation hand over?", "oncall"},
		// A wh-word and the kind of answer, "be", the subject and a
		// participle: no passage says "kept" or "stored", and the answer
		// names a city without saying "city" (a trial's "Which city are
		// the backups kept in?" was refused: "none mentions kept").
		{"Which city are the backups kept in?", "backups"},
		{"Which city are the nightly backups stored in?", "backups"},
		{"What city were the database backups kept in?", "backups"},
		{"In which city are the backups kept?", "backups"},
	} {
		t.Run(tt.question, func(t *testing.T) {
			res := followUpOver(t, tt.question, passwordsNote)
			if !res.FromEvidence || len(res.Searches) != 0 {
				t.Errorf("fromEvidence %v, searches %+v: want the run's evidence to answer with no search", res.FromEvidence, res.Searches)
			}
			if !slices.ContainsFunc(res.Findings, func(f rf.FollowUpFinding) bool { return f.SourceID == tt.source }) {
				t.Errorf("findings %+v, want one of %s", res.Findings, tt.source)
			}
		})
	}
}

// deploysNote is in the corpus, but not among the run's passages.
var deploysNote = chunk("c-deploys", "deploys", "Production deploys are approved by Dana Whitfield, the release manager.")

// A follow-up of two parts, one of which the run's passages answer: that
// part is answered from them, the other is searched on its own and, found
// nowhere, is the gap, named as that part with its own topic word (a trial
// ended with no findings and the gap "none mentions approves or deploys"
// for the whole question).
func TestFollowUpOfTwoPartsAnswersThePartTheEvidenceAnswers(t *testing.T) {
	res := followUpOver(t, "How long are backups kept and who approves deploys?")
	t.Logf("answer:\n%s", res.Answer)
	if !slices.ContainsFunc(res.Findings, func(f rf.FollowUpFinding) bool { return f.SourceID == "backups" && f.N == 2 }) || !strings.Contains(res.Answer, "30 days") {
		t.Errorf("findings %+v: want the backups note, the run's [2]", res.Findings)
	}
	if len(res.Searches) != 1 || res.Searches[0].SubQuestion != "Who approves deploys?" {
		t.Errorf("searches %+v, want one, for the part on deploys", res.Searches)
	}
	want := []rf.Gap{{SubQuestion: "Who approves deploys?", Reason: "neither the run's passages (none mentions deploys) nor a new search of its sources answered it"}}
	if !slices.Equal(res.Gaps, want) {
		t.Errorf("gaps %+v, want %+v", res.Gaps, want)
	}
	if res.FromEvidence {
		t.Error("fromEvidence, but a part was searched")
	}

	// The corpus holds a note on deploys that the run did not read: the
	// search for that part finds it, cited as a new source.
	res = followUpOver(t, "How long are backups kept and who approves deploys?", deploysNote)
	if !slices.ContainsFunc(res.Findings, func(f rf.FollowUpFinding) bool { return f.SourceID == "backups" && f.N == 2 }) ||
		!slices.ContainsFunc(res.Findings, func(f rf.FollowUpFinding) bool { return f.SourceID == "deploys" && f.N == 3 }) || len(res.Gaps) != 0 {
		t.Errorf("findings %+v, gaps %+v: want backups as [2] and deploys as [3], no gap", res.Findings, res.Gaps)
	}
}

// A follow-up of two parts that the run's passages both answer is answered
// from them, with no search: "kept", the verb the second part asks with,
// is no topic word of it (a trial's follow-up, asked whole, found "kept"
// in no passage and answered nothing).
func TestFollowUpOfTwoPartsTheEvidenceAnswersBoth(t *testing.T) {
	res := followUpOver(t, "When does the on-call rotation change and how long are backups kept?", passwordsNote)
	t.Logf("answer:\n%s", res.Answer)
	if !res.FromEvidence || len(res.Searches) != 0 || len(res.Gaps) != 0 {
		t.Errorf("fromEvidence %v, searches %+v, gaps %+v: want both parts from the run's evidence, no search, no gap", res.FromEvidence, res.Searches, res.Gaps)
	}
	for _, want := range []string{"oncall", "backups"} {
		if !slices.ContainsFunc(res.Findings, func(f rf.FollowUpFinding) bool { return f.SourceID == want }) {
			t.Errorf("findings %+v, want one of %s", res.Findings, want)
		}
	}
	for _, want := range []string{"09:00", "30 days"} {
		if !strings.Contains(res.Answer, want) {
			t.Errorf("the answer does not say %q:\n%s", want, res.Answer)
		}
	}
}

// Three parts: two answered by the run's passages, the third by the one
// search made for it.
func TestFollowUpOfThreeParts(t *testing.T) {
	res := followUpOver(t, "When does the on-call rotation change, how long are backups kept, and who approves deploys?", deploysNote)
	t.Logf("answer:\n%s", res.Answer)
	for _, want := range []struct {
		source string
		n      int
	}{{"oncall", 1}, {"backups", 2}, {"deploys", 3}} {
		if !slices.ContainsFunc(res.Findings, func(f rf.FollowUpFinding) bool { return f.SourceID == want.source && f.N == want.n }) {
			t.Errorf("findings %+v, want %s as [%d]", res.Findings, want.source, want.n)
		}
	}
	if len(res.Searches) != 1 || res.Searches[0].SubQuestion != "Who approves deploys?" || len(res.Gaps) != 0 || res.FromEvidence {
		t.Errorf("searches %+v, gaps %+v, fromEvidence %v: want one search, for deploys, and no gap", res.Searches, res.Gaps, res.FromEvidence)
	}
}

// Neither part is in the run's passages: each is searched on its own (one
// search per part, each with the part's words, not the whole question's),
// and the part the search does not answer is the gap.
func TestFollowUpOfTwoPartsTheEvidenceAnswersNeither(t *testing.T) {
	res := followUpOver(t, "Who approves deploys and how often are passwords rotated?", passwordsNote)
	t.Logf("answer:\n%s", res.Answer)
	var searched []string
	for _, s := range res.Searches {
		searched = append(searched, s.SubQuestion)
	}
	if want := []string{"Who approves deploys?", "How often are passwords rotated?"}; !slices.Equal(searched, want) {
		t.Errorf("searches for %q, want %q", searched, want)
	}
	if len(res.Findings) != 1 || res.Findings[0].SourceID != "passwords" || res.Findings[0].N != 3 {
		t.Errorf("findings %+v, want the passwords note as [3]", res.Findings)
	}
	if len(res.Gaps) != 1 || res.Gaps[0].SubQuestion != "Who approves deploys?" {
		t.Errorf("gaps %+v, want one, for the part on deploys", res.Gaps)
	}
}

// rollbackNote shows a command without saying "command".
var rollbackNote = chunk("c-rollback", "rollback", "To undo a bad rollout of the payments API, run:\n\nkubectl -n payments rollout undo deployment/api\n\nThe previous ReplicaSet is scaled up again.")

// "Which kubectl command undoes the rollout?" asks for a command: the run's
// passage that shows one answers it though it never says "command" (a
// trial's follow-up was refused: "none mentions command"). A question for
// a command over passages that show none still searches.
func TestFollowUpAskingForACommandIsAnsweredByOneTheEvidenceShows(t *testing.T) {
	for _, q := range []string{
		"Which kubectl command undoes the rollout?",
		"What command undoes the rollout?",
		"Which kubectl command can undo the rollout?",
		"What command do we run to undo the rollout?",
	} {
		t.Run(q, func(t *testing.T) {
			res := followUpOn(t, []memory.Chunk{onCallNote, rollbackNote}, q)
			t.Logf("answer:\n%s", res.Answer)
			if !res.FromEvidence || len(res.Searches) != 0 {
				t.Errorf("fromEvidence %v, searches %+v, gaps %+v: want the run's evidence to answer with no search", res.FromEvidence, res.Searches, res.Gaps)
			}
			if !slices.ContainsFunc(res.Findings, func(f rf.FollowUpFinding) bool { return f.SourceID == "rollback" }) {
				t.Errorf("findings %+v, want the rollback note", res.Findings)
			}
		})
	}
	noCommand := chunk("c-rollback-prose", "rollback", "The rollout is undone by the on-call engineer when the error rate doubles.")
	res := followUpOn(t, []memory.Chunk{onCallNote, noCommand}, "Which kubectl command undoes the rollout?")
	if res.FromEvidence || len(res.Searches) != 1 {
		t.Errorf("fromEvidence %v, searches %+v: want a search when no passage shows a command", res.FromEvidence, res.Searches)
	}
}

// countingAnalyst answers every sub-question with its first passage's
// text, and counts its calls (a model's would cost).
type countingAnalyst struct{ calls *int }

func (a countingAnalyst) Analyze(_ context.Context, req reasoning.AnalyzeRequest) (reasoning.Analysis, error) {
	*a.calls++
	return reasoning.Analysis{Engine: "model", Findings: []reasoning.Finding{{Text: req.Passages[0].Text, ChunkID: req.Passages[0].ChunkID}}}, nil
}

// With OnTopic, passages that never name a topic word are not given to the
// analyst at all (any engine: a model would answer "passwords" from the
// on-call rotation too, and be paid for it); a topic word in a passage's
// title or heading counts as named.
func TestAnalyzeOnTopicAsksNoAnalystAboutPassagesThatNeverNameTheTopic(t *testing.T) {
	titled := chunk("c-vault", "vault", "They are rotated every 90 days.")
	titled.SourceTitle = "Passwords"
	headed := chunk("c-keys", "keys", "They are rotated every 30 days.")
	headed.Section = "API keys"
	store := &fakeStore{chunks: map[string]memory.Chunk{onCallNote.ID: onCallNote, titled.ID: titled, headed.ID: headed}}
	for _, tt := range []struct {
		question string
		chunks   []string
		onTopic  bool
		calls    int
		missing  []string
	}{
		{"How often are passwords rotated?", []string{onCallNote.ID}, true, 0, []string{"passwords"}},
		{"How often are passwords and API keys rotated?", []string{onCallNote.ID}, true, 0, []string{"passwords", "api", "keys"}},
		{"How often are passwords rotated?", []string{onCallNote.ID, titled.ID}, true, 1, nil},
		{"How often are API keys rotated?", []string{onCallNote.ID, headed.ID}, true, 1, nil},
		// Without OnTopic (a run's own sub-questions, a claim's re-check)
		// the analyst judges, as before.
		{"How often are passwords rotated?", []string{onCallNote.ID}, false, 1, nil},
	} {
		calls := 0
		a := &Inference{Engine: reasoning.Engine{Analyst: countingAnalyst{&calls}}, Chunks: store}
		var env testsuite.WorkflowTestSuite
		aenv := env.NewTestActivityEnvironment()
		aenv.RegisterActivity(a)
		val, err := aenv.ExecuteActivity(a.Analyze, workflows.AnalyzeInput{
			SubQuestion: reasoning.SubQuestion{ID: "f1", Text: tt.question}, ChunkIDs: tt.chunks, OnTopic: tt.onTopic,
		})
		if err != nil {
			t.Fatal(err)
		}
		var res workflows.AnalyzeResult
		if err := val.Get(&res); err != nil {
			t.Fatal(err)
		}
		if calls != tt.calls || !slices.Equal(res.Unmentioned, tt.missing) || (tt.calls == 0) != (len(res.Analysis.Findings) == 0) {
			t.Errorf("%q over %v (onTopic %v): %d analyst calls, unmentioned %q, findings %+v; want %d calls, unmentioned %q",
				tt.question, tt.chunks, tt.onTopic, calls, res.Unmentioned, res.Analysis.Findings, tt.calls, tt.missing)
		}
	}
}

// A follow-up asking which of the run's documents speaks of a topic
// ("Which notes mention the backups?") is answered from the run's evidence:
// "notes" is the kind of thing asked for, which every passage is, not a
// word a passage must write; a topic no note names is still a gap.
func TestFollowUpAsksWhichNotesMentionATopic(t *testing.T) {
	for _, q := range []string{"Which notes mention the backups?", "Which document says anything about backups?"} {
		res := followUpOver(t, q)
		if !res.FromEvidence || len(res.Searches) != 0 || !slices.ContainsFunc(res.Findings, func(f rf.FollowUpFinding) bool { return f.SourceID == "backups" }) {
			t.Errorf("%q: fromEvidence %v, searches %+v, findings %+v, gaps %+v: want the backups note from the run's evidence", q, res.FromEvidence, res.Searches, res.Findings, res.Gaps)
		}
	}
	res := followUpOver(t, "Which notes mention the parking garage?")
	if len(res.Findings) != 0 {
		t.Errorf("parking garage: findings %+v, want none", res.Findings)
	}
}

// partsAnalyst answers every sub-question with one finding naming it,
// bound to its first passage, at 100 tokens a call, and records what it
// was asked and with which budget.
type partsAnalyst struct {
	asked   *[]string
	budgets *[]rf.Budget
}

func (a partsAnalyst) Analyze(_ context.Context, req reasoning.AnalyzeRequest) (reasoning.Analysis, error) {
	*a.asked = append(*a.asked, req.SubQuestion.Text)
	*a.budgets = append(*a.budgets, req.Budget)
	return reasoning.Analysis{Engine: "model", Usage: rf.Usage{PromptTokens: 80, CompletionTokens: 20, Calls: 1},
		Findings: []reasoning.Finding{{Text: "About " + req.SubQuestion.Text, ChunkID: req.Passages[0].ChunkID}}}, nil
}

// With Parts, a follow-up of several parts is split by the offline
// planner; each part is held to its own topic and asked of the analyst on
// its own (one call per part whose topic the passages mention, each with
// its share of the budget; none once the budget is spent). Without an
// offline planner, without Parts, or of one part, the sub-question is
// analyzed whole, as before.
func TestAnalyzePartsAsksTheAnalystOncePerPart(t *testing.T) {
	store := &fakeStore{chunks: map[string]memory.Chunk{onCallNote.ID: onCallNote, backupsNote.ID: backupsNote}}
	offline := extractive.New(extractive.Config{}).Roles()
	const twoAnswered = "When does the on-call rotation change and how long are backups kept?"
	const oneAnswered = "How long are backups kept and who approves deploys?"
	type part struct {
		text        string
		findings    int
		unmentioned []string
		spent       bool
	}
	for _, tt := range []struct {
		name        string
		question    string
		noPlanner   bool
		noParts     bool
		budget      rf.Budget
		asked       []string
		budgets     []rf.Budget
		parts       []part
		findings    int
		unmentioned []string
	}{
		{name: "both parts answered", question: twoAnswered,
			asked:   []string{"When does the on-call rotation change?", "How long are backups kept?"},
			budgets: []rf.Budget{{}, {}},
			parts:   []part{{"When does the on-call rotation change?", 1, nil, false}, {"How long are backups kept?", 1, nil, false}}, findings: 2},
		{name: "a part no passage mentions is not asked", question: oneAnswered,
			asked: []string{"How long are backups kept?"}, budgets: []rf.Budget{{}},
			parts: []part{{"How long are backups kept?", 1, nil, false}, {"Who approves deploys?", 0, []string{"deploys"}, false}}, findings: 1},
		{name: "the budget is shared, and a spent budget asks no more", question: twoAnswered, budget: rf.Budget{MaxTokens: 150},
			asked: []string{"When does the on-call rotation change?", "How long are backups kept?"}, budgets: []rf.Budget{{MaxTokens: 75}, {MaxTokens: 50}},
			parts: []part{{"When does the on-call rotation change?", 1, nil, false}, {"How long are backups kept?", 1, nil, false}}, findings: 2},
		{name: "the budget spent by the first part", question: twoAnswered, budget: rf.Budget{MaxTokens: 100},
			asked: []string{"When does the on-call rotation change?"}, budgets: []rf.Budget{{MaxTokens: 50}},
			parts: []part{{"When does the on-call rotation change?", 1, nil, false}, {"How long are backups kept?", 0, nil, true}}, findings: 1},
		// Whole, as before: no offline planner, no Parts, one part.
		{name: "no offline planner", question: oneAnswered, noPlanner: true, unmentioned: []string{"approves", "deploys"}},
		{name: "without Parts", question: oneAnswered, noParts: true, unmentioned: []string{"approves", "deploys"}},
		{name: "one part", question: "How long are backups kept?", asked: []string{"How long are backups kept?"}, budgets: []rf.Budget{{}}, findings: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			var budgets []rf.Budget
			a := &Inference{Engine: reasoning.Engine{Analyst: partsAnalyst{&asked, &budgets}}, Offline: offline, Chunks: store}
			if tt.noPlanner {
				a.Offline = reasoning.Engine{}
			}
			var env testsuite.WorkflowTestSuite
			aenv := env.NewTestActivityEnvironment()
			aenv.RegisterActivity(a)
			val, err := aenv.ExecuteActivity(a.Analyze, workflows.AnalyzeInput{
				SubQuestion: reasoning.SubQuestion{ID: "f1", Text: tt.question}, ChunkIDs: []string{onCallNote.ID, backupsNote.ID},
				MaxFindings: 5, OnTopic: true, Parts: !tt.noParts, Budget: tt.budget,
			})
			if err != nil {
				t.Fatal(err)
			}
			var res workflows.AnalyzeResult
			if err := val.Get(&res); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(asked, tt.asked) || !slices.Equal(budgets, tt.budgets) {
				t.Errorf("analyst asked %q with budgets %+v, want %q with %+v", asked, budgets, tt.asked, tt.budgets)
			}
			var parts []part
			for i, p := range res.Parts {
				if want := fmt.Sprintf("f1.%d", i+1); p.SubQuestion.ID != want {
					t.Errorf("part %d has ID %q, want %q", i, p.SubQuestion.ID, want)
				}
				parts = append(parts, part{p.SubQuestion.Text, p.Findings, p.Unmentioned, p.BudgetSpent})
			}
			if !reflect.DeepEqual(parts, tt.parts) {
				t.Errorf("parts %+v, want %+v", parts, tt.parts)
			}
			if len(res.Analysis.Findings) != tt.findings || !slices.Equal(res.Unmentioned, tt.unmentioned) {
				t.Errorf("findings %+v, unmentioned %q; want %d findings, unmentioned %q", res.Analysis.Findings, res.Unmentioned, tt.findings, tt.unmentioned)
			}
			if want := len(tt.asked) * 100; res.Analysis.Usage.Tokens() != want || res.Analysis.Usage.Calls != len(tt.asked) {
				t.Errorf("usage %+v, want %d tokens in %d calls", res.Analysis.Usage, want, len(tt.asked))
			}
			for _, f := range res.Analysis.Findings {
				if !slices.ContainsFunc(res.Sources, func(s rf.Source) bool { return s.SourceID == f.SourceID && slices.Contains(s.ChunkIDs, f.ChunkID) }) {
					t.Errorf("finding %+v has no source in %+v", f, res.Sources)
				}
			}
		})
	}
}

// What a question asks of its subject after "will … be" is no topic word
// a passage must write: a trial's follow-up "When will the new deploy
// checklist be ready?" ended "none mentions ready" over its run's "Jonas
// will write the new deploy checklist by end of March."
func TestFollowUpAsksWhatIsAskedOfTheSubjectAfterBe(t *testing.T) {
	meeting := chunk("c-meeting", "meeting", "Jonas will write the new deploy checklist by end of March.")
	res := followUpOn(t, []memory.Chunk{onCallNote, meeting}, "When will the new deploy checklist be ready?")
	if !res.FromEvidence || !slices.ContainsFunc(res.Findings, func(f rf.FollowUpFinding) bool { return f.SourceID == "meeting" }) {
		t.Errorf("fromEvidence %v, findings %+v, gaps %+v: want the meeting note from the run's evidence", res.FromEvidence, res.Findings, res.Gaps)
	}
}
