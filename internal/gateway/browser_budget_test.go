package gateway

import (
	"context"
	"net/http/httptest"
	"os"
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
