package gateway

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
)

// answeredThread is a Runs whose follow-ups are answered: each with its
// question's answer as the follow-up workflow renders it.
type answeredThread struct {
	*memRuns
}

func (r answeredThread) Thread(ctx context.Context, researchID, owner string) ([]client.FollowUp, error) {
	fus, err := r.memRuns.Thread(ctx, researchID, owner)
	for i := range fus {
		q := fus[i].Question
		md, _ := report.Render(report.Report{Question: q, Draft: reasoning.Draft{Title: q,
			Summary: []reasoning.Sentence{{Text: "Unlock is synchronized before a later Lock returns.", Cites: []int{2}}}},
			Sources: []rf.Source{{N: 2, SourceID: "s2", Title: "Package sync"}}})
		fus[i].Status = rf.StatusCompleted
		fus[i].Result = &rf.FollowUpResult{ResearchID: researchID, Question: q, Answer: md, Sources: []rf.Source{{N: 2, SourceID: "s2", Title: "Package sync"}},
			Findings: []rf.FollowUpFinding{{Text: "Unlock is synchronized before a later Lock returns.", N: 2, SourceID: "s2"}}}
	}
	return fus, err
}

// A follow-up shows its question once, over its answer: a trial's thread
// showed the question, then the answer's own title and "Question:" line.
// Its answer, one section of statements, has no "Summary" heading under
// the question (it summarizes nothing longer). The run's page says its
// question once too: the card's heading, not again as the report's title
// (a trial saw it twice, on a desktop and on a phone).
func TestWebAppFollowUpShowsItsQuestionOnce(t *testing.T) {
	skipWithoutBrowser(t)
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.fake.newRun = webRun
	webChunks(h)
	handler, err := New(h.cfg, Deps{Runs: answeredThread{h.fake}, Chunks: h.chunks})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	for _, size := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 800}, {"phone", phoneW, phoneH}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browserAt(t, size.w, size.h)
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
				t.Fatal(err)
			}
			const question = "What does the Go memory model guarantee?" // webRun's report is titled with it
			ask(t, ctx, question)
			if n := eval[int](t, ctx, `document.getElementById("run").innerText.split(`+strconvQuote(question)+`).length - 1`); n != 1 {
				t.Errorf("the run's page states its question %d times:\n%s", n, eval[string](t, ctx, `document.getElementById("run").innerText`))
			}
			if heading := eval[string](t, ctx, `document.getElementById("run-question").textContent`); heading != question {
				t.Errorf("the run's heading is %q, want the question", heading)
			}
			if first := eval[string](t, ctx, `document.querySelector("#report > *").textContent`); first == question {
				t.Errorf("the report starts with its title %q under the run's heading, which states it", first)
			}
			screenshot(t, ctx, "webapp-run-question-once-"+size.name+".png")

			q := "Does a mutex order memory too? (" + size.name + ")"
			if err := chromedp.Do(ctx,
				chromedp.WaitVisible(css(`#followup-question`)),
				chromedp.SendKeys(css(`#followup-question`), q),
				chromedp.Click(css(`#followup-ask`)),
				chromedp.WaitVisible(css(`#thread-list li.followup .answer p`)),
			); err != nil {
				t.Fatalf("ask a follow-up and wait for its answer: %v", err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll("#thread-list li.followup")].some((li) => li.firstChild.textContent === `+strconvQuote(q)+` && li.querySelector(".answer"))`,
				chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				t.Fatalf("the follow-up %q is not answered in the thread: %v", q, err)
			}
			item := eval[string](t, ctx, `[...document.querySelectorAll("#thread-list li.followup")].find((li) => li.firstChild.textContent === `+strconvQuote(q)+`).innerText`)
			if n := strings.Count(item, q); n != 1 || strings.Contains(item, "Question:") || !strings.Contains(item, "Unlock is synchronized before a later Lock returns") {
				t.Errorf("the follow-up shows its question %d times:\n%s", n, item)
			}
			if strings.Contains(item, "Summary") {
				t.Errorf("a one-section answer is headed Summary:\n%s", item)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll("#thread-list .answer :is(h1,h2,h3,h4,h5,h6)").length`); n != 0 {
				t.Errorf("the answers have %d headings, want none", n)
			}
			if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > document.documentElement.clientWidth`); wide {
				t.Error("the run's page scrolls sideways")
			}
			if err := chromedp.Do(ctx, chromedp.ScrollIntoView(css(`#thread`))); err != nil {
				t.Fatal(err)
			}
			saveShot(t, ctx, "webapp-followup-"+size.name+".png", chromedp.CaptureScreenshot())
		})
	}
}

// strconvQuote is s as a JavaScript string literal.
func strconvQuote(s string) string { return strconv.Quote(s) }

// A trial: after a dispute corrected a claim, the follow-up answered just
// below the report still said the old value with no mark. Once the
// revision is written, an answer written before it says so over its text,
// which keeps its citation; on a laptop and on a phone.
func TestWebAppFollowUpWrittenBeforeARevisionSaysSo(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	h.fake.newRun = scheduledClaimRun
	ctx := browserAt(t, 1280, 800)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, "How long are backups retained?")
	id := eval[string](t, ctx, `state.id`)

	const q = "How long are nightly backups kept?"
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(css(`#followup-question`)),
		chromedp.SendKeys(css(`#followup-question`), q),
		chromedp.Click(css(`#followup-ask`)),
		chromedp.WaitVisible(css(`#thread-list li.followup`)),
	); err != nil {
		t.Fatalf("ask a follow-up: %v", err)
	}
	var fuID string
	for _, w := range h.fake.started() {
		if w.typ == rf.ResearchFollowUpWorkflowType {
			fuID = w.id
		}
	}
	source := rf.Source{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md", ChunkIDs: []string{"gone"}}
	h.fake.answerFollowUp(fuID, time.Now().UTC(), followUpAnswer(q, []rf.Source{source}, []string{scheduledClaim}, false, true))
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#thread-list li.followup .answer a.cite`))); err != nil {
		t.Fatalf("the follow-up's answer: %v", err)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#thread-list .followup-revised").length`); n != 0 {
		t.Fatalf("an answer of the unrevised report is marked (%d notes)", n)
	}

	// Dispute the claim; the dispute writes revision 2, which corrects it.
	if err := chromedp.Do(ctx,
		chromedp.Click(css(`#report .claim-dispute`)),
		chromedp.WaitVisible(css(`#report input.claim-reason`)),
		chromedp.SendKeys(css(`#report input.claim-reason`), "the note says 40 days now"),
		chromedp.Click(css(`#report .claim-send`)),
		chromedp.WaitVisible(css(`#report .claim-actions + .claim-note`)),
	); err != nil {
		t.Fatalf("dispute: %v", err)
	}
	corrected := "Nightly database backups are retained for 40 days before they are deleted."
	change := "Revision 2: Claim 1 corrected: “" + strings.TrimSuffix(scheduledClaim, ".") + "” is now “" + strings.TrimSuffix(corrected, ".") + "” (source 1)."
	h.fake.writeRevision(id, time.Now().UTC().Add(time.Second), "corrected", claims.Revision{Revision: 2, Confidence: "medium",
		Report:    scheduledReport(corrected, change),
		Claims:    []rf.Claim{{ID: "claim-0000000000a2", Text: corrected, Cites: []int{1}, Section: "Summary"}},
		Sources:   []rf.Source{source},
		Changelog: []string{change}})
	const want = "Written before revision 2 of the report (1 claim corrected)."
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const n = document.querySelector("#thread-list li.followup .followup-revised");
		return !!n && n.textContent === `+strconvQuote(want)+`; })()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the answer written before revision 2 is not marked %q: %v\n%s", want, err, eval[string](t, ctx, `document.getElementById("thread").innerText`))
	}
	// The note stands over the answer, which keeps its words and its [1].
	order := eval[string](t, ctx, `[...document.querySelector("#thread-list li.followup").children].map((c) => c.className || c.tagName).join(" ")`)
	if order != "STRONG followup-revised answer" {
		t.Errorf("the follow-up's parts are %q, want the question, the note, the answer", order)
	}
	answer := eval[string](t, ctx, `document.querySelector("#thread-list li.followup .answer").innerText`)
	if !strings.Contains(answer, "35 days") || eval[int](t, ctx, `document.querySelectorAll("#thread-list li.followup .answer a.cite[data-n='1']").length`) != 1 {
		t.Errorf("the answer changed: %q", answer)
	}
	if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > document.documentElement.clientWidth`); wide {
		t.Error("the run's page scrolls sideways")
	}
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(css(`#thread`))); err != nil {
		t.Fatal(err)
	}
	saveShot(t, ctx, "followup-revised-1280x800.png", chromedp.CaptureScreenshot())

	phone := browserAt(t, phoneW, phoneH)
	if err := chromedp.Do(phone, chromedp.Navigate(srv.URL+"/runs/"+id), chromedp.WaitVisible(css(`#thread-list .followup-revised`))); err != nil {
		t.Fatalf("phone: %v", err)
	}
	if got := eval[string](t, phone, `document.querySelector("#thread-list .followup-revised").textContent`); got != want {
		t.Errorf("phone: note %q, want %q", got, want)
	}
	if wide := eval[bool](t, phone, `document.documentElement.scrollWidth > document.documentElement.clientWidth`); wide {
		t.Error("the phone page scrolls sideways")
	}
	if err := chromedp.Do(phone, chromedp.ScrollIntoView(css(`#thread-list .followup-revised`))); err != nil {
		t.Fatal(err)
	}
	saveShot(t, phone, "followup-revised-390x844.png", chromedp.CaptureScreenshot())
}

// stitchedThread is a Runs whose follow-ups are answered as a trial's
// "Which hotel do we stay at in Porto?" was: two notes, each a piece of
// the question, rated as the follow-up workflow rates them.
type stitchedThread struct {
	*memRuns
}

func (r stitchedThread) Thread(ctx context.Context, researchID, owner string) ([]client.FollowUp, error) {
	fus, err := r.memRuns.Thread(ctx, researchID, owner)
	for i := range fus {
		q := fus[i].Question
		findings := []rf.FollowUpFinding{
			{Text: "We stay at the Hotel Alfama.", N: 1, SourceID: "s1", Score: 0.56, Support: 0.67},
			{Text: "The offsite moves to Porto, because the Lisbon hotel was fully booked.", N: 2, SourceID: "s2", Score: 0.51, Support: 0.67},
		}
		sources := []rf.Source{{N: 1, SourceID: "s1", Title: "offsite.txt"}, {N: 2, SourceID: "s2", Title: "meeting-2025-03-04.md"}}
		conf := report.FollowUpConfidence(findings, nil, 1)
		fus[i].Status = rf.StatusCompleted
		fus[i].Result = &rf.FollowUpResult{ResearchID: researchID, Question: q, Findings: findings, Sources: sources, FromEvidence: true,
			Confidence: conf, Answer: report.FollowUp(q, q, conf, report.FollowUpSentences(findings), sources, nil, nil)}
	}
	return fus, err
}

// A follow-up states its confidence in the thread as the report does: a
// trial's answer stitched from two notes ("Which hotel do we stay at in
// Porto?") looked as sure as any; it is low now, with the report's banner
// over its statements.
func TestWebAppFollowUpShowsItsConfidence(t *testing.T) {
	skipWithoutBrowser(t)
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.fake.newRun = webRun
	webChunks(h)
	handler, err := New(h.cfg, Deps{Runs: stitchedThread{h.fake}, Chunks: h.chunks})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	ctx := browserAt(t, 1280, 800)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, "What does the Go memory model guarantee?")
	const q = "Which hotel do we stay at in Porto?"
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(css(`#followup-question`)),
		chromedp.SendKeys(css(`#followup-question`), q),
		chromedp.Click(css(`#followup-ask`)),
		chromedp.WaitVisible(css(`#thread-list li.followup .answer blockquote`)),
	); err != nil {
		t.Fatalf("ask a follow-up and wait for its answer: %v", err)
	}
	if got := eval[string](t, ctx, `document.querySelector("#thread-list li.followup").dataset.confidence`); got != report.ConfidenceLow {
		t.Errorf("the follow-up's confidence is %q, want low", got)
	}
	item := eval[string](t, ctx, `document.querySelector("#thread-list li.followup .answer").innerText`)
	if !strings.Contains(item, "Confidence: low") || !strings.Contains(item, report.LowConfidenceBanner) || !strings.Contains(item, "Hotel Alfama") {
		t.Errorf("the answer does not state its low confidence over its statements:\n%s", item)
	}
	if strings.Contains(item, "Summary") {
		t.Errorf("a one-section answer is headed Summary:\n%s", item)
	}
}
