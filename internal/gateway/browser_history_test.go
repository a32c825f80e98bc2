package gateway

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
)

// A user with more past runs than the rate limit's burst opens one of
// them by its permalink: the page loads without "too many requests", and
// the past runs list every run with its engine and sources, the second
// page too.
func TestWebAppManyPastRunsStayUnderRateLimit(t *testing.T) {
	skipWithoutBrowser(t)
	const runs = 24 // more than a page (20) and than the default burst (20)
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": "", "RESEARCHFLOW_RATE_LIMIT": "60"})
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.build()
	if h.cfg.RateBurst != DefaultRateBurst || DefaultRateBurst >= runs {
		t.Fatalf("rate burst %d (default %d): the test needs a burst below %d runs", h.cfg.RateBurst, DefaultRateBurst, runs)
	}
	h.fake.newRun = webRun
	var ids []string
	for i := range runs {
		r, err := h.fake.Start(t.Context(), "", rf.ResearchInput{Question: fmt.Sprintf("Question %d on the Go memory model?", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		h.fake.mu.Lock()
		w := h.fake.wfs[r.ID]
		w.closeLocked(w.result, nil, rf.StatusCompleted)
		h.fake.mu.Unlock()
		ids = append(ids, r.ID)
	}
	webChunks(h)
	var limited atomic.Int32 // requests answered 429
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.h.ServeHTTP(&statusSpy{ResponseWriter: w, on429: func() { limited.Add(1) }}, r)
	}))
	t.Cleanup(srv.Close)

	ctx := browserAt(t, desktopW, desktopH)
	// The page errs (the run view shows #run-error) or shows the report.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/runs/"+ids[0])); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector("#report a.cite") || !document.getElementById("run-error").hidden`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("open the oldest run's permalink: %v", err)
	}
	if errs := pageErrors(t, ctx); errs != "" {
		t.Fatalf("opening a run among %d shows errors: %s", runs, errs)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#runs li.run").length === 20 && [...document.querySelectorAll("#runs li.run .facts")].every((f) => f.textContent.includes("2 sources"))`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("the first page of past runs lacks their facts: %v\n%s", err, eval[string](t, ctx, `document.getElementById("runs").innerText`))
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`#more`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll("#runs li.run").length === %d && [...document.querySelectorAll("#runs li.run .facts")].every((f) => f.textContent.includes("langchain · go-docs · 2 sources"))`, runs),
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("after More, the past runs are not all listed with their facts: %v\n%s", err, eval[string](t, ctx, `document.getElementById("runs").innerText`))
	}
	if errs := pageErrors(t, ctx); errs != "" {
		t.Errorf("after More, the page shows errors: %s", errs)
	}
	if q := eval[string](t, ctx, `document.getElementById("run-question").textContent`); q != "Question 1 on the Go memory model?" {
		t.Errorf("the run view shows %q", q)
	}
	if n := limited.Load(); n > 0 {
		t.Errorf("the gateway answered %d requests of the page with 429 Too Many Requests", n)
	}
	screenshot(t, ctx, "webapp-many-runs.png")
}

// statusSpy calls on429 when the response is 429 Too Many Requests.
type statusSpy struct {
	http.ResponseWriter
	on429 func()
}

func (s *statusSpy) WriteHeader(code int) {
	if code == http.StatusTooManyRequests {
		s.on429()
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusSpy) Flush() { http.NewResponseController(s.ResponseWriter).Flush() }

func (s *statusSpy) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// pageErrors is the text of the errors the web app shows: in the past
// runs, the run view and the form.
func pageErrors(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `[...document.querySelectorAll("#runs li.error, #run-error:not([hidden]), #form-error:not([hidden])")].map((e) => e.textContent).join(" | ")`)
}
