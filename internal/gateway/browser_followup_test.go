package gateway

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
)

// answeredThread is a Runs whose follow-ups are answered: each with its
// question's answer as the follow-up workflow renders it.
type answeredThread struct {
	*memRuns
}

func (r answeredThread) Thread(ctx context.Context, researchID, owner string) ([]client.FollowUp, error) {
	fus, err := r.memRuns.Thread(ctx, researchID, owner)
	for i := range fus {
		q := fus[i].Question
		md, _ := report.Render(report.Report{Question: q, Draft: reasoning.Draft{Title: q,
			Summary: []reasoning.Sentence{{Text: "Unlock is synchronized before a later Lock returns.", Cites: []int{2}}}},
			Sources: []rf.Source{{N: 2, SourceID: "s2", Title: "Package sync"}}})
		fus[i].Status = rf.StatusCompleted
		fus[i].Result = &rf.FollowUpResult{ResearchID: researchID, Question: q, Answer: md}
	}
	return fus, err
}

// A follow-up shows its question once, over its answer: a trial's thread
// showed the question, then the answer's own title and "Question:" line.
func TestWebAppFollowUpShowsItsQuestionOnce(t *testing.T) {
	skipWithoutBrowser(t)
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.fake.newRun = webRun
	webChunks(h)
	handler, err := New(h.cfg, Deps{Runs: answeredThread{h.fake}, Chunks: h.chunks})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	ctx := browserAt(t, desktopW, desktopH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, "What does the Go memory model guarantee?")
	const q = "Does a mutex order memory too?"
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(css(`#followup-question`)),
		chromedp.SendKeys(css(`#followup-question`), q),
		chromedp.Click(css(`#followup-ask`)),
		chromedp.WaitVisible(css(`#thread-list li.followup .answer p`)),
	); err != nil {
		t.Fatalf("ask a follow-up and wait for its answer: %v", err)
	}
	item := eval[string](t, ctx, `document.querySelector("#thread-list li.followup").innerText`)
	if n := strings.Count(item, q); n != 1 || strings.Contains(item, "Question:") || !strings.Contains(item, "Unlock is synchronized before a later Lock returns") {
		t.Errorf("the follow-up shows its question %d times:\n%s", n, item)
	}
}
