package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
)

// A run the gateway refuses for its corpus is said in the page's words
// (its Corpus picker, never "GET /v1/corpora lists the corpora you
// have"), with the corpus meant when the name is a typo of one; and the
// picker and documents list follow a corpus deleted in another tab, when
// an action finds it unknown, as one filled elsewhere shows on focus,
// without a reload.
func TestWebAppCorpusPickerFollowsOtherTabs(t *testing.T) {
	skipWithoutBrowser(t)
	h, st := newStoreHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	fill := func(corpus, file, text string) {
		t.Helper()
		if err := st.Upsert(ctx, []memory.Chunk{docChunk(corpus, "/srv/"+corpus+"/"+file, text, at)}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.fake.StartIngest(ctx, "ingest-"+corpus, rf.IngestInput{Corpus: corpus, Path: "/srv/" + corpus, Owner: rf.LocalOwner}); err != nil {
			t.Fatal(err)
		}
	}
	fill("handbook", "vacation.md", "Every engineer has 25 vacation days a year.")
	fill("oldnotes", "old.md", "The offsite is in Lisbon.")

	b := browserAt(t, 1280, 800)
	if err := within(b, 20*time.Second, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#corpus`))); err != nil {
		t.Fatal(err)
	}
	if err := pollTrue(b, 10*time.Second, `!!document.querySelector('#corpus option[value="oldnotes"]')`); err != nil {
		t.Fatalf("the picker never offered oldnotes: %v", err)
	}
	eval[bool](t, b, `(() => { const s = document.getElementById("corpus"); s.value = "oldnotes"; s.dispatchEvent(new Event("change")); return true; })()`)
	if err := within(b, 10*time.Second, chromedp.WaitVisible(css(`#documents li .name`))); err != nil {
		t.Fatalf("oldnotes' documents never listed: %v", err)
	}

	// Another tab deletes oldnotes; this one asks on it.
	if rec := h.do("DELETE", "/v1/corpora/oldnotes", "", ""); rec.Code != http.StatusOK {
		t.Fatalf("DELETE oldnotes: %d %s", rec.Code, rec.Body)
	}
	if err := within(b, 10*time.Second,
		chromedp.SetValue(css(`#question`), "Where is the offsite?"),
		chromedp.Click(css(`#submit`)),
		chromedp.WaitVisible(css(`#form-error`)),
	); err != nil {
		t.Fatal(err)
	}
	msg := eval[string](t, b, `document.getElementById("form-error").textContent`)
	if !strings.Contains(msg, "There is no corpus “oldnotes” with documents") || !strings.Contains(msg, "Corpus list") || strings.Contains(msg, "GET /v1/corpora") {
		t.Errorf("the refusal says %q, want it in the page's words (its Corpus list), not the API's", msg)
	}
	if err := pollTrue(b, 10*time.Second, `(() => { const o = document.querySelector('#corpus option[value="oldnotes"]'); return (!o || / 0 passages$/.test(o.textContent)) && !document.getElementById("documents").textContent.includes("old.md"); })()`); err != nil {
		t.Errorf("after the refusal the page still offers oldnotes' documents: picker %q, documents %q",
			eval[string](t, b, `document.getElementById("corpus").textContent`), eval[string](t, b, `document.getElementById("documents").textContent`))
	}

	// A name that is a typo of a corpus (a picker older than a rename):
	// the corpus meant is named, as the API and the starter name it.
	eval[bool](t, b, `(() => { const s = document.getElementById("corpus"); s.append(new Option("hanbook", "hanbook")); s.value = "hanbook"; return true; })()`)
	if err := within(b, 10*time.Second, chromedp.Click(css(`#submit`))); err != nil {
		t.Fatal(err)
	}
	if err := pollTrue(b, 10*time.Second, `document.getElementById("form-error").textContent.includes("hanbook")`); err != nil {
		t.Fatalf("the refusal of hanbook is never said: %v", err)
	}
	if msg := eval[string](t, b, `document.getElementById("form-error").textContent`); !strings.Contains(msg, "Did you mean “handbook”?") || strings.Contains(msg, "GET /v1/corpora") {
		t.Errorf("the refusal of hanbook says %q, want the suggestion handbook in the page's words", msg)
	}

	// Filled elsewhere: shown when the page is back in focus.
	fill("meetings", "march.md", "The offsite moves to Porto.")
	eval[bool](t, b, `window.dispatchEvent(new Event("focus")) || true`)
	if err := pollTrue(b, 10*time.Second, `!!document.querySelector('#corpus option[value="meetings"]')`); err != nil {
		t.Errorf("a corpus filled elsewhere is not offered after focus: %v (picker %q)", err, eval[string](t, b, `document.getElementById("corpus").textContent`))
	}
}

// pollTrue waits up to d for the expression js to be true in the page.
func pollTrue(ctx context.Context, d time.Duration, js string) error {
	ctx, cancel := context.WithTimeout(ctx, d+time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(d)))
	return err
}
