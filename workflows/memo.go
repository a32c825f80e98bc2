package workflows

import (
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
)

// questionMemoChange is the workflow.GetVersion change ID of a run that
// writes its question into its memo itself. The client (gateway, starter,
// schedules) sets the memo when it starts a run; a run started without it
// (`temporal workflow start --input '{"question":…}'`) was listed by GET
// /v1/research without its question, so the web app's Past runs showed a
// bare ID that its search could not find. Only a run without the memo asks
// this change: a run started with it records nothing new, and the runs
// recorded before the change replay as they ran.
const questionMemoChange = "question-memo"

// followUpQuestionMemoChange is questionMemoChange for follow-ups
// (ResearchFollowUpWorkflow), whose question a run's thread reads from the
// memo.
const followUpQuestionMemoChange = "followup-question-memo"

// memoQuestion sets question in the memo (rf.MemoQuestion) of a run started
// without it, from version 1 of change, which only such runs ask.
func memoQuestion(ctx workflow.Context, change, question string) {
	if hasMemo(workflow.GetInfo(ctx).Memo, rf.MemoQuestion) {
		return
	}
	if workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1) < 1 {
		return
	}
	memo := map[string]any{rf.MemoQuestion: rf.MemoQuestionText(question)}
	if err := workflow.UpsertMemo(ctx, memo); err != nil {
		workflow.GetLogger(ctx).Warn("upsert memo failed", "error", err)
	}
}

// hasMemo reports whether memo has field name.
func hasMemo(memo *commonpb.Memo, name string) bool {
	_, ok := memo.GetFields()[name]
	return ok
}
