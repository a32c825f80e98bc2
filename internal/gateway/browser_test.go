package gateway

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/researchflow/researchflow/internal/memory"
)

const chromiumPath = "/usr/bin/chromium"

// TestWebAppInBrowser drives the web app in headless Chromium against the
// gateway with a scripted run: ask, watch progress, read the report, open a
// cited source.
func TestWebAppInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("needs chromium (apt-get install chromium)")
	}
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": "", "RESEARCHFLOW_UI_URL": "http://127.0.0.1:8233"}) // local mode: no key typed
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.build()
	h.fake.newRun = func(w *fakeRun) {
		scriptedRun(w)
		w.result.Report = "# The Go memory model\n\n## What is a happens-before edge?\n\n" +
			"- A send on a channel is synchronized before the receive completes [1].\n" +
			"- Untrusted <img src=x onerror=alert(1)> text stays text [2].\n"
	}
	h.chunks.chunks["c1"] = memory.Chunk{ID: "c1", Section: "Channel communication", Text: "A send on a channel is synchronized before the completion of the corresponding receive from that channel."}
	srv := httptest.NewServer(h.h)
	defer srv.Close()

	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), "What does the Go memory model guarantee?"),
		chromedp.Click(css(`#submit`)),
		chromedp.WaitVisible(css(`#progress li`)),
		chromedp.WaitVisible(css(`#report a.cite`)),
	)
	if err != nil {
		t.Fatalf("ask and wait for the report: %v", err)
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	progress, report := text(`#progress`), text(`#report`)
	ui, err := chromedp.Run(ctx, chromedp.AttributeValue(css(`#run-ui`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	uiLink := ui.Value
	imgs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#report img').length`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(css(`#report a.cite[data-n="1"]`)),
		chromedp.WaitVisible(css(`#source-panel .passage`)),
		chromedp.WaitVisible(css(`#runs li .q`)),
	); err != nil {
		t.Fatalf("open source [1]: %v", err)
	}
	source, runs := text(`#source-panel`), text(`#runs`)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if !strings.Contains(progress, "What is a happens-before edge?") || !strings.Contains(progress, "done") {
		t.Errorf("progress shows %q", progress)
	}
	if !strings.Contains(report, "synchronized before the receive completes") || !strings.Contains(report, "<img src=x onerror=alert(1)>") || imgs != 0 {
		t.Errorf("report shows %q with %d <img> elements; want the text, escaped", report, imgs)
	}
	if !strings.Contains(source, "The Go Memory Model") || !strings.Contains(source, "corresponding receive from that channel") || !strings.Contains(source, "Channel communication") {
		t.Errorf("source panel shows %q", source)
	}
	if !strings.HasPrefix(uiLink, "http://127.0.0.1:8233/namespaces/default/workflows/research-") {
		t.Errorf("Temporal UI link = %q", uiLink)
	}
	if !strings.Contains(runs, "What does the Go memory model guarantee?") {
		t.Errorf("past runs show %q", runs)
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("RESEARCHFLOW_SCREENSHOT_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, "gateway-webapp.png")
		if err := os.WriteFile(p, shot, 0o644); err != nil {
			t.Errorf("save screenshot: %v", err)
		} else {
			t.Logf("screenshot: %s", p)
		}
	}
}
