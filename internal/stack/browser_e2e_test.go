package stack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWebAppOnDevStack is the acceptance path of the web app: on the real
// dev stack (embedded Temporal, every pool, the gateway in local mode), a
// question typed in headless Chromium produces a report whose citations open
// the cited passage.
func TestWebAppOnDevStack(t *testing.T) {
	endToEnd(t)
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("needs chromium (apt-get install chromium); .ci/run installs it")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1000),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelTimeout()

	var report, source string
	if err := chromedp.Do(ctx,
		chromedp.Navigate("http://"+shared.Gateway.Addr+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#question`)),
		chromedp.SendKeys(chromedp.CSS(`#question`), "What does the Go memory model guarantee about channel communication?"),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#progress li`)),
		chromedp.WaitVisible(chromedp.CSS(`#report a.cite`)),
	); err != nil {
		t.Fatalf("ask and wait for the report: %v", err)
	}
	report, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#report`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#report a.cite[data-n="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#source-panel .passage`)),
	); err != nil {
		t.Fatalf("open citation [1]: %v", err)
	}
	source, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#source-panel`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(report), "channel") {
		t.Errorf("the report in the page does not speak of channels:\n%s", report)
	}
	// Source [1] is the memory model, shown by its go.dev address, with the
	// passage quoted.
	if !strings.Contains(source, "go.dev/ref/mem") || len(strings.TrimSpace(source)) < 80 {
		t.Errorf("citation [1] opened %q, want the Go memory model by its go.dev address", source)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("RESEARCHFLOW_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "dev-stack-webapp.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
