package gateway

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSchedulesPanelInBrowser drives the web app's Schedules panel in
// headless Chromium: the question above, every 24h, on change; then pause
// and delete.
func TestSchedulesPanelInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("needs chromium (apt-get install chromium)")
	}
	h, f := newScheduleHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), "How long are backups retained?"),
		chromedp.SendKeys(css(`#sched-when`), "24h"),
		chromedp.Click(css(`#sched-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#schedules li button.danger`)),
	)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	listed := text(`#schedules`)
	if err := chromedp.Do(ctx, chromedp.Click(css(`#schedules li button.secondary`))); err != nil { // Pause
		t.Fatal(err)
	}
	paused := ""
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(paused, "paused") && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		paused = text(`#schedules`)
	}
	if !strings.Contains(listed, "How long are backups retained?") || !strings.Contains(listed, "every 24h · notify on change · active") {
		t.Errorf("the panel lists %q", listed)
	}
	if !strings.Contains(paused, "paused") {
		t.Errorf("after Pause the panel shows %q", paused)
	}
	f.mu.Lock()
	var stored []string
	for id, s := range f.specs {
		stored = append(stored, id)
		if s.Every != "24h" || s.Notify != "on_change" || !s.Paused || s.Research.Question != "How long are backups retained?" {
			t.Errorf("stored %+v", s)
		}
	}
	f.mu.Unlock()
	if len(stored) != 1 {
		t.Fatalf("schedules stored: %v", stored)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`#schedules li button.danger`))); err != nil {
		t.Fatal(err)
	}
	empty := ""
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(empty, "No schedules.") && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		empty = text(`#schedules`)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !strings.Contains(empty, "No schedules.") || len(f.specs) != 0 {
		t.Errorf("after Delete: %q, %d stored", empty, len(f.specs))
	}
}
