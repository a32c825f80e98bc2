package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
)

// refusingEvents stands in front of the gateway and, while refuse holds a
// status, answers every read of a run's status (its event stream) with it,
// and Retry-After when retryAfter is set, as the rate limit does.
type refusingEvents struct {
	next       http.Handler
	refuse     atomic.Int32
	retryAfter string
	mu         sync.Mutex
	refused    []time.Time
}

func (r *refusingEvents) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if code := int(r.refuse.Load()); code != 0 && strings.HasSuffix(req.URL.Path, "/events") {
		r.mu.Lock()
		r.refused = append(r.refused, time.Now())
		r.mu.Unlock()
		if r.retryAfter != "" {
			w.Header().Set("Retry-After", r.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"error":{"code":"rate_limited","message":"too many requests; retry later"}}`))
		return
	}
	r.next.ServeHTTP(w, req)
}

func (r *refusingEvents) times() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.refused...)
}

// staleHarness is webHarness behind refusingEvents, its event streams
// reading progress every poll.
func staleHarness(t *testing.T, retryAfter string, poll time.Duration) (*harness, *refusingEvents, *httptest.Server) {
	t.Helper()
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	h.cfg.EventsPoll = poll
	h.build()
	webChunks(h)
	r := &refusingEvents{next: h.h, retryAfter: retryAfter}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return h, r, srv
}

// within runs actions with a deadline of d, so that a page that never
// shows what is waited for fails the test instead of hanging it.
func within(ctx context.Context, d time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// A run that finished while its status reads were refused (429 with
// Retry-After: the rate limit) is not shown as running with a Cancel
// button: the page says status updates are delayed, offers no action,
// tries again after the Retry-After, and shows the run as it is once an
// answer comes.
func TestWebAppSaysStatusIsDelayedWhenReadsAreRateLimited(t *testing.T) {
	skipWithoutBrowser(t)
	h, refusing, srv := staleHarness(t, "2", 100*time.Millisecond)
	h.fake.newRun = webRun
	id := h.start("", "What does the Go memory model guarantee?")
	for range 10 { // the run goes to its end
		if _, err := h.fake.Progress(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	if st := h.fake.get(id).status; st != rf.StatusCompleted {
		t.Fatalf("run is %s, want completed", st)
	}
	refusing.refuse.Store(http.StatusTooManyRequests)
	ctx := browserAt(t, desktopW, desktopH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/runs/"+id)); err != nil {
		t.Fatal(err)
	}
	if err := within(ctx, 15*time.Second, chromedp.WaitVisible(css(`#run-stale`))); err != nil {
		t.Fatalf("no word that status updates are delayed while they are refused: %v (badge %q, Cancel shown %v)", err,
			eval[string](t, ctx, `document.getElementById("run-status").textContent`), eval[bool](t, ctx, `!document.getElementById("cancel").hidden`))
	}
	// Two refusals later: the page waited out the Retry-After between them.
	time.Sleep(3 * time.Second)
	notice := eval[string](t, ctx, `document.getElementById("run-stale").textContent`)
	badge := eval[string](t, ctx, `document.getElementById("run-status").textContent`)
	cancelShown := eval[bool](t, ctx, `!document.getElementById("cancel").hidden`)
	screenshot(t, ctx, "webapp-status-delayed.png")
	if !strings.Contains(notice, "Status updates are delayed") || !strings.Contains(notice, "rate limited") || !strings.Contains(notice, "2 s") {
		t.Errorf("notice = %q, want status updates said delayed, why, and when it tries again", notice)
	}
	if cancelShown || badge == "running" {
		t.Errorf("while refused: badge %q, Cancel shown %v; want no running state and no Cancel on stale status", badge, cancelShown)
	}
	times := refusing.times()
	if len(times) < 2 {
		t.Fatalf("%d refused reads, want the page to try again", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 1900*time.Millisecond {
			t.Errorf("read %d came %v after the refusal before it, within its Retry-After (2 s)", i, gap)
		}
	}

	refusing.refuse.Store(0)
	if err := within(ctx, 20*time.Second, chromedp.WaitVisible(css(`#report a.cite`)), chromedp.WaitNotVisible(css(`#run-stale`))); err != nil {
		t.Fatalf("once reads are answered again: %v", err)
	}
	if badge, shown := eval[string](t, ctx, `document.getElementById("run-status").textContent`), eval[bool](t, ctx, `!document.getElementById("cancel").hidden`); badge != "completed" || shown {
		t.Errorf("after recovery: badge %q, Cancel shown %v; want completed, no Cancel", badge, shown)
	}
}

// A run that is still going loses its Cancel button while the server
// cannot be read (its stream broken, then 503 with no Retry-After), and
// gets it back once the server answers again.
func TestWebAppHidesActionsWhileTheServerIsDown(t *testing.T) {
	skipWithoutBrowser(t)
	h, refusing, srv := staleHarness(t, "", 100*time.Millisecond)
	id := h.start("", "What does the Go memory model guarantee?") // it stays running
	ctx := browserAt(t, desktopW, desktopH)
	if err := within(ctx, 20*time.Second, chromedp.Navigate(srv.URL+"/runs/"+id), chromedp.WaitVisible(css(`#cancel`))); err != nil {
		t.Fatalf("a running run offers Cancel: %v", err)
	}
	refusing.refuse.Store(http.StatusServiceUnavailable)
	srv.CloseClientConnections()
	if err := within(ctx, 15*time.Second, chromedp.WaitVisible(css(`#run-stale`)), chromedp.WaitNotVisible(css(`#cancel`))); err != nil {
		t.Fatalf("server down: %v (Cancel shown %v)", err, eval[bool](t, ctx, `!document.getElementById("cancel").hidden`))
	}
	refusing.refuse.Store(0)
	if err := within(ctx, 40*time.Second, chromedp.WaitNotVisible(css(`#run-stale`)), chromedp.WaitVisible(css(`#cancel`))); err != nil {
		t.Fatalf("server back: %v (notice %q, %d reads refused)", err, eval[string](t, ctx, `document.getElementById("run-stale").textContent`), len(refusing.times()))
	}
}

// Cancel on a run that finished before the page heard of it is answered
// under the run ("Not cancelled: the run is already completed."), and the
// page reads the run's status again: completed, no Cancel.
func TestWebAppCancelOfAFinishedRunIsAnswered(t *testing.T) {
	skipWithoutBrowser(t)
	h, _, srv := staleHarness(t, "", time.Hour) // the stream tells the first snapshot, then nothing for a while
	h.fake.newRun = webRun
	id := h.start("", "What does the Go memory model guarantee?")
	ctx := browserAt(t, desktopW, desktopH)
	if err := within(ctx, 20*time.Second, chromedp.Navigate(srv.URL+"/runs/"+id), chromedp.WaitVisible(css(`#cancel`))); err != nil {
		t.Fatalf("a running run offers Cancel: %v", err)
	}
	w := h.fake.get(id)
	h.fake.complete(id, *w.result)
	if err := within(ctx, 20*time.Second, chromedp.Click(css(`#cancel`)), chromedp.WaitVisible(css(`#run-error`)), chromedp.WaitNotVisible(css(`#cancel`))); err != nil {
		t.Fatalf("cancel a finished run: %v", err)
	}
	msg := eval[string](t, ctx, `document.getElementById("run-error").textContent`)
	badge := eval[string](t, ctx, `document.getElementById("run-status").textContent`)
	if !strings.Contains(msg, "Not cancelled") || !strings.Contains(msg, "already completed") || badge != "completed" {
		t.Errorf("after Cancel of a finished run: message %q, badge %q", msg, badge)
	}
	if n := len(h.fake.cancels); n != 0 {
		t.Errorf("%d cancels sent to the run, want none", n)
	}
}
