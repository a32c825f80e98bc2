package gateway

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	// Approve applies once the edited plan's price is shown.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#budget-box table.estimate[data-edited]`)), chromedp.Click(css(`#approve`))); err != nil {
		t.Fatal(err)
	}
	got := approvals(1)[0]
	want := []string{"How do unbuffered channels synchronize goroutines?", "When does a send on a channel block?"}
	if ok, _ := got.Decision(); !ok || !slices.Equal(got.SubQuestions, want) {
		t.Errorf("approval sent %+v, want the edited plan %q", got, want)
	}

	// A plan left as planned is approved without replacing it.
	ask("What is a buffered channel?")
	if err := chromedp.Do(ctx, chromedp.Click(css(`#approve`))); err != nil {
		t.Fatal(err)
	}
	if got := approvals(2)[1]; got.Approved == nil || !*got.Approved || got.SubQuestions != nil {
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

// approvalPlanRun scripts a run waiting for approval of a plan of two
// sub-questions, priced as the offline engine prices it at depth 1 and
// breadth 2: 4 searches, 72 passages, 7 model calls.
func approvalPlanRun(w *fakeRun) {
	in := w.input.(rf.ResearchInput)
	sq := func(id, text string) rf.Spend {
		return rf.Spend{ID: id, Text: text, Searches: 1, Passages: 18, ModelCalls: 1}
	}
	est := &rf.Spend{Engine: "offline extractive engine (no paid model call)", Searches: 4, Passages: 72, ModelCalls: 7, Rounds: 1, FollowUps: 2,
		SubQuestions: []rf.Spend{sq("sq1", "How do channels synchronize goroutines?"), sq("sq2", "What is a select statement?"),
			{ID: "round1", Text: "reflection round 1 and up to 2 follow-up sub-question(s)", Searches: 2, Passages: 36, ModelCalls: 3}},
		Steps: []rf.Spend{{Step: "plan", ModelCalls: 1}, {Step: "analyze", ModelCalls: 1}, {Step: "reflect", ModelCalls: 1}, {Step: "write", ModelCalls: 1}}}
	w.script = []rf.Progress{{ResearchID: w.id, Question: in.Question, Status: rf.StatusAwaitingApproval, Stage: rf.StageApproval, Seq: 2,
		SubQuestions: []rf.SubQuestionProgress{
			{ID: "sq1", Text: "How do channels synchronize goroutines?", State: rf.SQPending},
			{ID: "sq2", Text: "What is a select statement?", State: rf.SQPending},
		}, Estimate: est}}
}

// TestWebAppEditedPlanIsPricedBeforeApproval: editing the plan prices it
// again (POST …/estimate) and the price table shows the edited plan's
// price; Approve sends a plan only once its price is on screen (an edit
// not priced yet is priced first, and approved on the next click).
func TestWebAppEditedPlanIsPricedBeforeApproval(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := pageServer(t, approvalPlanRun)

	priced := func() []rf.PlanApproval {
		h.fake.mu.Lock()
		defer h.fake.mu.Unlock()
		return slices.Clone(h.fake.pricings)
	}
	for _, size := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 800}, {"phone", phoneW, phoneH}} {
		ctx := browserAt(t, size.w, size.h)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(css(`#question`)),
			chromedp.SendKeys(css(`#question`), "How do goroutines communicate ("+size.name+")?"),
			chromedp.Click(css(`#submit`)),
			chromedp.WaitVisible(css(`#plan-edit li:nth-child(2) input`)),
			chromedp.WaitVisible(css(`#budget-box table.estimate`)),
			chromedp.SetValue(css(`#plan-edit li:nth-child(1) input`), "How do unbuffered channels synchronize goroutines?"),
			chromedp.Click(css(`#plan-add`)),
			chromedp.SendKeys(css(`#plan-edit li:nth-child(3) input`), "When does a send on a channel block?"),
			chromedp.WaitVisible(css(`#budget-box table.estimate[data-edited]`)),
		); err != nil {
			t.Fatalf("%s: edit the plan and see it priced: %v", size.name, err)
		}
		box, err := chromedp.Run(ctx, chromedp.Text(css(`#budget-box`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"as edited", "When does a send on a channel block?", "How do unbuffered channels synchronize goroutines?"} {
			if !strings.Contains(box, want) {
				t.Errorf("%s: the price table lacks %q:\n%s", size.name, want, box)
			}
		}
		screenshot(t, ctx, "webapp-plan-repriced-"+size.name+".png")
		if size.name == "phone" {
			break
		}
		// An edit the table does not show yet (set without typing) is
		// priced on Approve, not approved.
		n := len(priced())
		h.fake.mu.Lock()
		before := len(h.fake.approvals)
		h.fake.mu.Unlock()
		if err := chromedp.Do(ctx,
			chromedp.SetValue(css(`#plan-edit li:nth-child(2) input`), "How does select choose a ready case?"),
			chromedp.Click(css(`#approve`)),
		); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for len(priced()) == n && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		want := []string{"How do unbuffered channels synchronize goroutines?", "How does select choose a ready case?", "When does a send on a channel block?"}
		if p := priced(); len(p) == n || !slices.Equal(p[len(p)-1].SubQuestions, want) {
			t.Fatalf("Approve on an unpriced edit priced %+v, want %q", p, want)
		}
		time.Sleep(300 * time.Millisecond)
		h.fake.mu.Lock()
		approved := len(h.fake.approvals) - before
		h.fake.mu.Unlock()
		if approved != 0 {
			t.Fatalf("an edit was approved before its price was shown")
		}
		if err := chromedp.Do(ctx,
			chromedp.WaitVisible(css(`#budget-box table.estimate[data-edited]`)),
			chromedp.Click(css(`#approve`)),
		); err != nil {
			t.Fatal(err)
		}
		deadline = time.Now().Add(10 * time.Second)
		for {
			h.fake.mu.Lock()
			got := slices.Clone(h.fake.approvals[before:])
			h.fake.mu.Unlock()
			if len(got) > 0 {
				if !slices.Equal(got[0].SubQuestions, want) {
					t.Errorf("approved %q, want %q", got[0].SubQuestions, want)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the priced plan was not approved")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestWebAppRejectedPlan: a rejected plan ends the run cancelled (not
// failed), says who rejected it, and its sub-questions read "not run",
// not "pending".
func TestWebAppRejectedPlan(t *testing.T) {
	skipWithoutBrowser(t)
	_, srv := pageServer(t, func(w *fakeRun) {
		approvalPlanRun(w)
		p := w.script[0]
		p.Status, p.Stage, p.Seq, p.Error = rf.StatusCancelled, rf.StageDone, 4, "the plan was rejected by local"
		w.script = []rf.Progress{p}
	})
	ctx := browserAt(t, 1280, 800)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), "How do goroutines communicate?"),
		chromedp.Click(css(`#submit`)),
		chromedp.WaitVisible(css(`#run-status.cancelled`)),
		chromedp.WaitVisible(css(`#progress li`)),
	); err != nil {
		t.Fatalf("ask and see the rejected plan: %v", err)
	}
	states, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#progress li .state")].map((s) => s.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 2 || states[0] != "not run" || states[1] != "not run" {
		t.Errorf("sub-questions of a rejected plan read %q, want \"not run\"", states)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(css(`#run-error`)))
	if err != nil || !strings.Contains(msg, "rejected by local") {
		t.Errorf("run error %q (%v), want who rejected the plan", msg, err)
	}
	screenshot(t, ctx, "webapp-plan-rejected.png")
}

// An edited plan's error names the editor's line, not the API's 0-based
// index among the lines sent ("subQuestions[2]: has no letter or digit"
// for the third line; with a blank second line, the index of the line
// after it was off by one more).
func TestWebAppPlanErrorNamesTheLine(t *testing.T) {
	skipWithoutBrowser(t)
	_, srv := pageServer(t, approvalPlanRun)
	ctx := browserAt(t, 1280, 800)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), "How do goroutines communicate?"),
		chromedp.Click(css(`#submit`)),
		chromedp.WaitVisible(css(`#plan-edit li:nth-child(2) input`)),
		chromedp.WaitVisible(css(`#budget-box table.estimate`)),
		chromedp.Click(css(`#plan-add`)),
		chromedp.WaitVisible(css(`#plan-edit li:nth-child(3) input`)),
	); err != nil {
		t.Fatalf("open the plan: %v", err)
	}
	eval[bool](t, ctx, `(() => { document.querySelector("#plan-edit li:nth-child(2) input").value = ""; return true; })()`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(css(`#plan-edit li:nth-child(3) input`), "???")); err != nil {
		t.Fatalf("edit the plan: %v", err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Poll[string](`(document.querySelector("#budget-box p.error") || {}).textContent || false`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Fatalf("no pricing error shown: %v", err)
	}
	if !strings.Contains(msg, "line 3") || strings.Contains(msg, "subQuestions[") {
		t.Errorf("the pricing error says %q, want it to name line 3", msg)
	}
}

// pageServer serves the gateway without API keys (local mode) over HTTP,
// its progress polled every 100 ms, its fake starting each run with newRun.
func pageServer(t *testing.T, newRun func(*fakeRun)) (*harness, *httptest.Server) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.build()
	h.fake.newRun = newRun
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	return h, srv
}
