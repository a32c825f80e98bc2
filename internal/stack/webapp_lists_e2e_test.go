package stack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
)

// A run on a folder started without the starter (as `temporal workflow
// start --input '{"question":…,"corpusPath":…}'` starts one: no memo and no
// search attributes at start) is shown by the web app on the dev stack like
// any other: its folder's corpus is in the corpus picker, with its
// documents, and Past runs shows its question, which the search finds. A
// trial saw the corpus missing and the run as a bare ID. At a laptop's and
// a phone's size.
func TestWebAppListsWhatAFolderRunStartedWithoutTheStarterMade(t *testing.T) {
	endToEnd(t)
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("needs chromium (apt-get install chromium); .ci/run installs it")
	}
	dir := writeCorpus(t)
	corpus := filepath.Base(dir)
	const question = "How often is a sourdough starter fed?"
	id := unique("e2e-webapp-lists")
	research(t, id, rf.ResearchInput{Question: question, CorpusPath: dir, MaxSubQuestions: 1})

	for _, size := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
				chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
				chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
				chromedp.Flag("disable-sync", true), chromedp.WindowSize(size.w, size.h))
			defer cancelAlloc()
			ctx, cancel := chromedp.NewContext(alloc)
			defer cancel()
			ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
			defer cancelTimeout()
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(size.w), int64(size.h)),
				chromedp.Navigate("http://"+shared.Gateway.Addr+"/"), chromedp.WaitVisible(chromedp.CSS(`#corpus`))); err != nil {
				t.Fatal(err)
			}
			// The picker lists the corpus (it is filled from GET /v1/corpora).
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll("#corpus option")].some((o) => o.value === `+jsString(corpus)+`)`,
				chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				options, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#corpus option")].map((o) => o.value).join(", ")`))
				t.Errorf("the corpus picker does not offer %s: %v (it offers %s)", corpus, err, options)
			} else if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#corpus`), corpus),
				chromedp.Evaluate[chromedp.Void](`document.getElementById("corpus").dispatchEvent(new Event("change"))`),
				chromedp.WaitVisible(chromedp.CSS(`#documents li .name`))); err != nil {
				t.Errorf("picking %s lists no documents: %v", corpus, err)
			}
			// Past runs shows the question, and the search finds it.
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#runs-search`), "sourdough starter fed")); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll("#runs li.run")].some((li) => li.dataset.id === `+jsString(id)+` && li.querySelector(".q").textContent === `+jsString(question)+`)`,
				chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				runs, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("runs").textContent`))
				t.Errorf("searching past runs for the question does not find %s by its question: %v (the list: %q)", id, err, runs)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			out := os.Getenv("RESEARCHFLOW_SCREENSHOT_DIR")
			if out == "" {
				out = t.TempDir()
			}
			path := filepath.Join(out, "dev-stack-folder-run-listed-"+size.name+".png")
			if err := os.WriteFile(path, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", path)
		})
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
