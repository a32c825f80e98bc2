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

// TestWebAppThreadAndClaimDispute: on the dev stack, the web app shows a
// finished run's report with confirm and dispute buttons after each cited
// sentence and the follow-up box under it; a follow-up asked in the box is
// answered in the thread; disputing the claim of a note edited since the
// run shows revision 2 with the correction and its changelog line.
// Screenshots go to RESEARCHFLOW_SCREENSHOT_DIR (a temporary folder when
// unset).
func TestWebAppThreadAndClaimDispute(t *testing.T) {
	endToEnd(t)
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("needs chromium (apt-get install chromium); .ci/run installs it")
	}
	// A folder of its own name: a corpus is named after its folder, and
	// t.TempDir's folders are all named 001.
	dir := filepath.Join(t.TempDir(), unique("claims-notes"))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	kilnNote := "# Pottery kilns\n\nA stoneware kiln is fired to about 1280 degrees Celsius so that the glaze melts.\n"
	for name, text := range map[string]string{
		"kilns.md": kilnNote,
		"bees.txt": "Beekeeping basics\n\nWorker bees build wax comb and store nectar, which they evaporate into honey.\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	id := unique("e2e-webapp-claims")
	run, _ := research(t, id, rf.ResearchInput{Question: "How hot is a stoneware kiln fired, and what do worker bees build?", CorpusPath: dir})
	var kiln rf.Claim
	for _, c := range run.Claims {
		if strings.Contains(c.Text, "1280") {
			kiln = c
		}
	}
	if kiln.ID == "" {
		t.Fatalf("no claim states the kiln's temperature: %+v", run.Claims)
	}
	if err := os.WriteFile(filepath.Join(dir, "kilns.md"), []byte(strings.Replace(kilnNote, "1280", "1310", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1200),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTimeout()
	shots := os.Getenv("RESEARCHFLOW_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	screenshot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate("http://"+shared.Gateway.Addr+"/"),
		chromedp.WaitVisible(css(`#runs li[title="`+id+`"]`)),
		chromedp.Click(css(`#runs li[title="`+id+`"]`)),
		chromedp.WaitVisible(css(`#report button.claim-dispute[data-claim="`+kiln.ID+`"]`)),
		chromedp.WaitVisible(css(`#followup-question`)),
	); err != nil {
		t.Fatalf("open the run and wait for the claim buttons: %v", err)
	}
	buttons, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#report .claim-actions").length`))
	if err != nil || buttons != len(run.Claims) {
		t.Errorf("%d claims with buttons (%v), want %d, one per claim", buttons, err, len(run.Claims))
	}
	screenshot("webapp-claims-report.png")

	// A follow-up asked in the box is answered in the thread.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(css(`#followup-question`), "What do worker bees build?"),
		chromedp.Click(css(`#followup-ask`)),
		chromedp.WaitVisible(css(`#thread-list li.followup .answer`)),
	); err != nil {
		t.Fatalf("ask a follow-up: %v", err)
	}
	if th := text(`#thread-list`); !strings.Contains(th, "What do worker bees build?") || !strings.Contains(th, "wax comb") {
		t.Errorf("thread in the page:\n%s", th)
	}

	// Disputing the kiln's claim asks why (optional), then shows revision
	// 2, corrected, with the revision's line by the claim.
	if err := chromedp.Do(ctx,
		chromedp.Click(css(`#report button.claim-dispute[data-claim="`+kiln.ID+`"]`)),
		chromedp.WaitVisible(css(`#report form.claim-reason-form input.claim-reason`)),
		chromedp.SendKeys(css(`#report form.claim-reason-form input.claim-reason`), "the note says 1310 now"),
		chromedp.Click(css(`#report form.claim-reason-form button.claim-send`)),
		chromedp.Poll[chromedp.Void](`document.getElementById("report").dataset.revision === "2"`, chromedp.WithPollingTimeout(2*time.Minute)),
	); err != nil {
		t.Fatalf("dispute the kiln's claim: %v (status %q)", err, text(`#feedback-status`))
	}
	report, noted := text(`#report`), text(`#report .claim-note`)
	if !strings.Contains(report, "1310 degrees") || !strings.Contains(report, "Changelog") || !strings.Contains(noted, "corrected") {
		t.Errorf("after the dispute, the claim's note %q, report:\n%s", noted, report)
	}
	screenshot("webapp-claims-revision2.png")
}
