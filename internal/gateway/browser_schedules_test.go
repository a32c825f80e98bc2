package gateway

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSchedulesPanelInBrowser drives the web app's Schedules panel in
// headless Chromium: the question above, every 24h, on change; then run
// now, pause and delete. A new user's panel showed no corpus, no next run
// and no link to the schedule's runs, read "paused (paused)", and deleted
// without asking: each schedule now shows its corpus, next run and latest
// runs (links that open them), a paused one "paused" or "paused: NOTE",
// and Delete asks first. Screenshots at 1280×800 and 390×844 are saved
// under RESEARCHFLOW_SCREENSHOT_DIR (or the test's temporary folder).
func TestSchedulesPanelInBrowser(t *testing.T) {
	skipWithoutBrowser(t)
	h, f := newScheduleHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	ctx := browserAt(t, 1280, 800)

	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	waitText := func(sel, want string) string {
		t.Helper()
		got := ""
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(got, want) && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			got = text(sel)
		}
		return got
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
	if !strings.Contains(listed, "How long are backups retained?") || !strings.Contains(listed, "every 24h · corpus go-docs · notify on change · active · next ") ||
		!strings.Contains(listed, "No runs yet.") {
		t.Errorf("the panel lists %q: want its corpus, next run and no runs yet", listed)
	}
	// Run now: the run opens, and the schedule links it.
	if err := chromedp.Do(ctx, chromedp.Click(css(`#schedules li .actions button:first-child`))); err != nil {
		t.Fatal(err)
	}
	waitText(`#schedules`, "Runs: ")
	link := eval[string](t, ctx, `(document.querySelector('#schedules li .sched-runs a') || {}).pathname || ""`)
	if !strings.HasPrefix(link, "/runs/research-schedule-") {
		t.Errorf("the schedule links its run at %q, want /runs/research-schedule-…", link)
	}
	for _, size := range []struct {
		w, h int
		name string
	}{{1280, 800, "schedules-1280x800.png"}, {390, 844, "schedules-390x844.png"}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(size.w), int64(size.h)), chromedp.ScrollIntoView(css(`#schedules`))); err != nil {
			t.Fatal(err)
		}
		panelShot(t, ctx, size.name)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.Click(css(`#schedules li button.secondary`))); err != nil { // Pause
		t.Fatal(err)
	}
	paused := waitText(`#schedules`, "paused")
	if !strings.Contains(paused, "· paused") || strings.Contains(paused, "paused (") || strings.Contains(paused, "next ") {
		t.Errorf("after Pause the panel shows %q: want paused, no next run", paused)
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

	// Delete asks first; "Cancel" keeps the schedule.
	eval[bool](t, ctx, `(() => { window.confirm = (m) => { window.asked = m; return false; }; return true; })()`)
	if err := chromedp.Do(ctx, chromedp.Click(css(`#schedules li button.danger`))); err != nil {
		t.Fatal(err)
	}
	if asked := eval[string](t, ctx, `window.asked || ""`); !strings.Contains(asked, "How long are backups retained?") || !strings.Contains(asked, "runs and reports are kept") {
		t.Errorf("Delete asked %q", asked)
	}
	time.Sleep(300 * time.Millisecond)
	f.mu.Lock()
	kept := len(f.specs)
	f.mu.Unlock()
	if kept != 1 {
		t.Errorf("a Delete the user cancelled removed the schedule (%d left)", kept)
	}
	eval[bool](t, ctx, `(() => { window.confirm = () => true; return true; })()`)
	if err := chromedp.Do(ctx, chromedp.Click(css(`#schedules li button.danger`))); err != nil {
		t.Fatal(err)
	}
	empty := waitText(`#schedules`, "No schedules.")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !strings.Contains(empty, "No schedules.") || len(f.specs) != 0 {
		t.Errorf("after Delete: %q, %d stored", empty, len(f.specs))
	}
}

// panelShot saves a screenshot of the viewport, scrolled to the Schedules
// panel, as screenshot does.
func panelShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveShot(t, ctx, name, chromedp.CaptureScreenshot())
}
