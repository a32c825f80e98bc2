package gateway

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
)

// TestWebAppPlanEditedAtApproval: a plan waiting for approval is shown as
// editable lines; a reworded line, a dropped one and an added one are what
// the approval sends, and an unchanged plan is approved as planned.
func TestWebAppPlanEditedAtApproval(t *testing.T) {
	skipWithoutBrowser(t)
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.build()
	h.fake.newRun = func(w *fakeRun) {
		in := w.input.(rf.ResearchInput)
		w.script = []rf.Progress{{ResearchID: w.id, Question: in.Question, Status: rf.StatusAwaitingApproval, Stage: rf.StageApproval, Seq: 2,
			SubQuestions: []rf.SubQuestionProgress{
				{ID: "sq1", Text: "How do channels synchronize goroutines?", State: rf.SQPending},
				{ID: "sq2", Text: "What is a select statement?", State: rf.SQPending},
			}}}
	}
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close) // after the browser's cleanup: its event stream ends first

	ctx := browserAt(t, desktopW, desktopH)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	ask := func(q string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(css(`#question`)),
			chromedp.SendKeys(css(`#question`), q),
			chromedp.Click(css(`#submit`)),
			chromedp.WaitVisible(css(`#plan-edit li:nth-child(2) input`)),
		); err != nil {
			t.Fatalf("ask %q and see the plan: %v", q, err)
		}
	}
	approvals := func(n int) []rf.PlanApproval {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			h.fake.mu.Lock()
			got := slices.Clone(h.fake.approvals)
			h.fake.mu.Unlock()
			if len(got) >= n {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d approvals sent, want %d", len(got), n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	ask("How do goroutines communicate?")
	if err := chromedp.Do(ctx,
		chromedp.SetValue(css(`#plan-edit li:nth-child(1) input`), "How do unbuffered channels synchronize goroutines?"),
		chromedp.Click(css(`#plan-edit li:nth-child(2) .plan-drop`)),
		chromedp.Click(css(`#plan-add`)),
		chromedp.SendKeys(css(`#plan-edit li:nth-child(2) input`), "When does a send on a channel block?"),
	); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "webapp-plan-edit.png")
	if err := chromedp.Do(ctx, chromedp.Click(css(`#approve`))); err != nil {
		t.Fatal(err)
	}
	got := approvals(1)[0]
	want := []string{"How do unbuffered channels synchronize goroutines?", "When does a send on a channel block?"}
	if !got.Approved || !slices.Equal(got.SubQuestions, want) {
		t.Errorf("approval sent %+v, want the edited plan %q", got, want)
	}

	// A plan left as planned is approved without replacing it.
	ask("What is a buffered channel?")
	if err := chromedp.Do(ctx, chromedp.Click(css(`#approve`))); err != nil {
		t.Fatal(err)
	}
	if got := approvals(2)[1]; !got.Approved || got.SubQuestions != nil {
		t.Errorf("unchanged plan sent %+v, want approval as planned", got)
	}
}

// TestWebAppPlanLimitMatches: the web app's cap on a plan's lines is the
// contract's.
func TestWebAppPlanLimitMatches(t *testing.T) {
	t.Parallel()
	b, err := assets.ReadFile("web/app.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`const maxPlanItems = (\d+);`).FindSubmatch(b)
	if m == nil {
		t.Fatal("app.js declares no maxPlanItems")
	}
	if n, _ := strconv.Atoi(string(m[1])); n != rf.MaxSubQuestionsLimit {
		t.Errorf("app.js caps a plan at %d lines, the contract at %d", n, rf.MaxSubQuestionsLimit)
	}
}
