package gateway

import (
	"context"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"github.com/researchflow/researchflow/internal/reasoning"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
)

// TestWebAppDeadLettersAndRedrive picks sources in the web app, sees the
// dead letters of a provider that failed, and redrives the run.
func TestWebAppDeadLettersAndRedrive(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("needs chromium (apt-get install chromium)")
	}
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.cfg.Sources = []string{"corpus", "arxiv"}
	h.build()
	dead := rf.DeadLetter{SubQuestionID: "sq1", SubQuestion: "What is a happens-before edge?", Provider: "arxiv", Attempts: 4,
		LastError: "arxiv: 503 Service Unavailable", At: time.Unix(1700000000, 0).UTC()}
	h.fake.newRun = func(w *fakeRun) {
		scriptedRun(w)
		in := w.input.(rf.ResearchInput)
		if in.RedriveOf != "" {
			return
		}
		for i := range w.script {
			w.script[i].DeadLetters = []rf.DeadLetter{dead}
		}
		w.result.DeadLetters = []rf.DeadLetter{dead}
		w.record = &workflows.RunRecord{ResearchID: w.id, Input: in, State: workflows.ResearchState{Status: rf.StatusCompleted,
			SubQuestions: []workflows.SubQuestionState{{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: dead.SubQuestion}, State: rf.SQDone,
				Searches: []workflows.SourceSearch{{Source: "corpus", State: rf.SQSearched}, {Source: "arxiv", State: rf.SQFailed, Error: dead.LastError, Attempts: 4}}}},
			DeadLetters: []rf.DeadLetter{dead}}}
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
		chromedp.Click(css(`#ask summary`)),
		chromedp.Click(css(`#sources input[value="arxiv"]`)),
		chromedp.Click(css(`#submit`)),
		chromedp.WaitVisible(css(`#dead-letters li`)),
		chromedp.WaitVisible(css(`#report a.cite`)),
		chromedp.WaitVisible(css(`#redrive`)),
	); err != nil {
		t.Fatalf("ask with arxiv and see its dead letter: %v", err)
	}
	deadText, err := chromedp.Run(ctx, chromedp.Text(css(`#dead-letters`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(deadText, "arxiv") || !strings.Contains(deadText, "503 Service Unavailable") || !strings.Contains(deadText, "4 attempt(s)") {
		t.Errorf("dead letters show %q", deadText)
	}
	disabled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#sources input[value="tavily"]').disabled && !document.querySelector('#sources input[value="arxiv"]').disabled`))
	if err != nil || !disabled {
		t.Errorf("the picker does not disable the unconfigured tavily while arxiv is on: %v %v", disabled, err)
	}
	first := h.fake.started()[0]
	if got := first.input.(rf.ResearchInput).Sources; !slices.Equal(got, []string{"corpus", "arxiv"}) {
		t.Errorf("the run was started with sources %q, want corpus and arxiv", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`#redrive`)), chromedp.WaitNotVisible(css(`#dead-box`))); err != nil {
		t.Fatalf("redrive: %v", err)
	}
	runs := h.fake.started()
	if len(runs) != 2 || runs[1].id != first.id+"-rev2" || runs[1].input.(rf.ResearchInput).RedriveOf != first.id {
		t.Errorf("after redrive the runs are %d, last %q", len(runs), runs[len(runs)-1].id)
	}
}
