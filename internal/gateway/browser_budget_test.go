package gateway

import (
	"context"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	rf "github.com/researchflow/researchflow"
)

// TestWebAppBudgetPause shows a run paused before overspending: its priced
// plan, why it paused, and the buttons that extend its budget or finish it.
func TestWebAppBudgetPause(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("needs chromium (apt-get install chromium)")
	}
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.build()
	until := time.Now().Add(time.Hour)
	h.fake.newRun = func(w *fakeRun) {
		in := w.input.(rf.ResearchInput)
		est := &rf.Spend{Engine: "the configured models, at their prices", Searches: 1, Passages: 6, ModelCalls: 3,
			Usage: rf.Usage{PromptTokens: 3000, CompletionTokens: 600, CostUSD: 0.0123},
			SubQuestions: []rf.Spend{{ID: "sq1", Text: "What is a happens-before edge?", Searches: 1, Passages: 6, ModelCalls: 1,
				Usage: rf.Usage{PromptTokens: 2000, CompletionTokens: 400, CostUSD: 0.008}}}}
		w.script = []rf.Progress{{ResearchID: w.id, Question: in.Question, Status: rf.StatusAwaitingBudget, Stage: rf.StageAnalyze, Seq: 3,
			SubQuestions: []rf.SubQuestionProgress{{ID: "sq1", Text: "What is a happens-before edge?", State: rf.SQSearched, Passages: 6}},
			Usage:        rf.Usage{PromptTokens: 900, CompletionTokens: 100}, Estimate: est, Budget: &rf.Budget{MaxTokens: 1000},
			BudgetPause: &rf.Spend{Step: "analyze", ID: "sq1", Usage: rf.Usage{PromptTokens: 2000, CompletionTokens: 400}, Until: &until}}}
	}
	srv := httptest.NewServer(h.h)
	defer srv.Close()

	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(), chromedp.ExecPath(chromiumPath), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), "What does the Go memory model guarantee?"),
		chromedp.Click(css(`#submit`)),
		chromedp.WaitVisible(css(`#budget-box table.estimate`)),
		chromedp.WaitVisible(css(`#budget-extend`)),
	); err != nil {
		t.Fatalf("ask and see the pause: %v", err)
	}
	box, err := chromedp.Run(ctx, chromedp.Text(css(`#budget-box`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Paused before analyze sq1", "about 2400 tokens", "used 1000 tokens", "Priced plan", "What is a happens-before edge?", "3600", "$0.0123", "Used so far"} {
		if !strings.Contains(box, want) {
			t.Errorf("the budget box lacks %q:\n%s", want, box)
		}
	}
	status, err := chromedp.Run(ctx, chromedp.Text(css(`#run-status`)))
	if err != nil || !strings.Contains(strings.ToLower(status), "awaiting budget") {
		t.Errorf("status badge %q (%v)", status, err)
	}
	before := len(h.fake.updateList())
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(css(`#budget-tokens`), "5000"),
		chromedp.Click(css(`#budget-extend`)),
	); err != nil {
		t.Fatal(err)
	}
	waitUpdates(t, h, before+1)
	if err := chromedp.Do(ctx, chromedp.Click(css(`#budget-finish`))); err != nil {
		t.Fatal(err)
	}
	ups := waitUpdates(t, h, before+2)
	ext, fin := ups[before], ups[before+1]
	if ext.Name != rf.ExtendBudgetUpdate || ext.Req.MaxTokens != 5000 {
		t.Errorf("extend sent %+v", ext)
	}
	if fin.Name != rf.FinishNowUpdate {
		t.Errorf("finish sent %+v", fin)
	}
}

func waitUpdates(t *testing.T, h *harness, n int) []budgetUpdate {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ups := h.fake.updateList()
		if len(ups) >= n {
			return ups
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d updates sent, want %d", len(ups), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWebAppPriceTableOfAFinishedRun: a finished run's price table says
// what it used ("Used", not "so far") with every figure the estimate has,
// and its rows add up to its total: planning and the report have rows.
func TestWebAppPriceTableOfAFinishedRun(t *testing.T) {
	skipWithoutBrowser(t)
	_, srv := pageServer(t, func(w *fakeRun) {
		approvalPlanRun(w)
		p := w.script[0]
		p.Status, p.Stage, p.Seq, p.Passages = rf.StatusCompleted, rf.StageDone, 9, 54
		p.Actual = &rf.Spend{Searches: 3, Passages: 54, ModelCalls: 6}
		res := completedResult(w.id)
		w.script, w.result = []rf.Progress{p}, &res
	})
	ctx := browserAt(t, 1280, 800)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), "How do goroutines communicate?"),
		chromedp.Click(css(`#submit`)),
		chromedp.WaitVisible(css(`#budget-box table.estimate`)),
		chromedp.WaitVisible(css(`#run-status.completed`)),
	); err != nil {
		t.Fatalf("ask and see the finished run's price: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#budget-box table.estimate tr")].map((r) => [...r.cells].map((c) => c.textContent))`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "webapp-price-finished.png")
	var calls, total int
	var used []string
	for _, r := range rows {
		switch {
		case len(r) < 4 || r[0] == "":
		case strings.HasPrefix(r[0], "Estimate"):
			total, _ = strconv.Atoi(r[3])
		case strings.HasPrefix(r[0], "Used"):
			used = r
		default:
			n, _ := strconv.Atoi(r[3])
			calls += n
		}
	}
	if total != 7 || calls != total {
		t.Errorf("rows add up to %d model calls, the total says %d (want 7): %q", calls, total, rows)
	}
	if len(used) < 4 || used[0] != "Used" || used[1] != "3" || used[2] != "54" || used[3] != "6" {
		t.Errorf("use row = %q, want Used: 3 searches, 54 passages, 6 model calls", used)
	}
}
