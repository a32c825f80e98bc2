package workflows

import (
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
)

// A follow-up's answer is titled with its question, said once: a trial's
// answer read "Follow-up on <the run's question>" and then "Question: <the
// follow-up>", under the follow-up the thread already shows.
func TestFollowUpAnswerStatesItsQuestionOnce(t *testing.T) {
	f := newFakeFollowUp()
	f.answers["c2"] = "Worker bees build wax comb."
	const q = "What do worker bees build?"
	res, err := runFollowUp(t, f, rf.FollowUpInput{ResearchID: "research-1", Question: q})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Answer, "# "+q+"\n") || strings.Count(res.Answer, q) != 1 || strings.Contains(res.Answer, "Follow-up on") {
		t.Errorf("answer, want it titled with the question and the question once:\n%s", res.Answer)
	}
}
