package gateway

import (
	"context"
	"net/http/httptest"
	"strconv"
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
// Its answer, one section of statements, has no "Summary" heading under
// the question (it summarizes nothing longer). The run's page says its
// question once too: the card's heading, not again as the report's title
// (a trial saw it twice, on a desktop and on a phone).
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
	for _, size := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 800}, {"phone", phoneW, phoneH}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browserAt(t, size.w, size.h)
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
				t.Fatal(err)
			}
			const question = "What does the Go memory model guarantee?" // webRun's report is titled with it
			ask(t, ctx, question)
			if n := eval[int](t, ctx, `document.getElementById("run").innerText.split(`+strconvQuote(question)+`).length - 1`); n != 1 {
				t.Errorf("the run's page states its question %d times:\n%s", n, eval[string](t, ctx, `document.getElementById("run").innerText`))
			}
			if heading := eval[string](t, ctx, `document.getElementById("run-question").textContent`); heading != question {
				t.Errorf("the run's heading is %q, want the question", heading)
			}
			if first := eval[string](t, ctx, `document.querySelector("#report > *").textContent`); first == question {
				t.Errorf("the report starts with its title %q under the run's heading, which states it", first)
			}
			screenshot(t, ctx, "webapp-run-question-once-"+size.name+".png")

			q := "Does a mutex order memory too? (" + size.name + ")"
			if err := chromedp.Do(ctx,
				chromedp.WaitVisible(css(`#followup-question`)),
				chromedp.SendKeys(css(`#followup-question`), q),
				chromedp.Click(css(`#followup-ask`)),
				chromedp.WaitVisible(css(`#thread-list li.followup .answer p`)),
			); err != nil {
				t.Fatalf("ask a follow-up and wait for its answer: %v", err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll("#thread-list li.followup")].some((li) => li.firstChild.textContent === `+strconvQuote(q)+` && li.querySelector(".answer"))`,
				chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				t.Fatalf("the follow-up %q is not answered in the thread: %v", q, err)
			}
			item := eval[string](t, ctx, `[...document.querySelectorAll("#thread-list li.followup")].find((li) => li.firstChild.textContent === `+strconvQuote(q)+`).innerText`)
			if n := strings.Count(item, q); n != 1 || strings.Contains(item, "Question:") || !strings.Contains(item, "Unlock is synchronized before a later Lock returns") {
				t.Errorf("the follow-up shows its question %d times:\n%s", n, item)
			}
			if strings.Contains(item, "Summary") {
				t.Errorf("a one-section answer is headed Summary:\n%s", item)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll("#thread-list .answer :is(h1,h2,h3,h4,h5,h6)").length`); n != 0 {
				t.Errorf("the answers have %d headings, want none", n)
			}
			if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > document.documentElement.clientWidth`); wide {
				t.Error("the run's page scrolls sideways")
			}
			if err := chromedp.Do(ctx, chromedp.ScrollIntoView(css(`#thread`))); err != nil {
				t.Fatal(err)
			}
			saveShot(t, ctx, "webapp-followup-"+size.name+".png", chromedp.CaptureScreenshot())
		})
	}
}

// strconvQuote is s as a JavaScript string literal.
func strconvQuote(s string) string { return strconv.Quote(s) }
