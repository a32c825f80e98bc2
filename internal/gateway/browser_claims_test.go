package gateway

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/changes"
)

// scheduledClaim is the cited statement of a scheduled report whose "What
// changed" section quotes the same finding without citing it.
const scheduledClaim = "Nightly database backups are retained for 35 days before they are deleted."

func scheduledReport(claim, change string) string {
	return "# How long are backups retained?\n\n**Confidence:** medium\n\n" +
		"## What changed since 2026-12-04 07:00 UTC\n\nCompared with run research-schedule-x: 1 changed finding.\n\n**Changed findings**\n\n" +
		"- " + change + "\n\n" +
		"## Summary\n\n" + strings.TrimSuffix(claim, ".") + " [1].\n\n## Sources\n\n- [1] backups.md — backups.md\n"
}

func scheduledClaimRun(w *fakeRun) {
	scriptedRun(w)
	w.result.Report = scheduledReport(scheduledClaim,
		"30 days → 35 days: "+scheduledClaim+" — *How long are backups retained?* (was: Nightly database backups are retained for 30 days before they are deleted.)")
	// The note was edited since: the passage the run read is not stored.
	w.result.Sources = []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md", ChunkIDs: []string{"gone"}}}
	w.result.Claims = []rf.Claim{{ID: "claim-0000000000a1", Text: scheduledClaim, Cites: []int{1}, Section: "Summary"}}
}

// A user's trial: in a scheduled report, Confirm/Dispute attached to the
// uncited copy of the claim in "Changed findings" instead of the cited
// Summary sentence; Dispute posted at once with no reason; the only
// status line was below Follow-ups, off screen; a citation to the edited
// note opened empty. Now the buttons follow the cited sentence, Dispute
// asks for an optional reason, the result shows next to the claim, and the
// source says its passages are gone.
func TestWebAppClaimButtonsOnAScheduledReport(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	h.fake.newRun = scheduledClaimRun
	ctx := askForClaims(t, srv, "How long are backups retained?")
	where := eval[string](t, ctx, `(() => { const c = document.querySelector("#report .claim"); const p = c.closest("p, li");
		return p.tagName + (p.querySelector("a.cite") ? " cited" : " uncited"); })()`)
	if where != "P cited" {
		t.Fatalf("the claim's buttons follow an %s statement, want the Summary's cited one", where)
	}
	id := eval[string](t, ctx, `state.id`)

	// Dispute asks for a reason before anything is posted.
	if err := chromedp.Do(ctx, chromedp.Click(css(`#report .claim-dispute`)), chromedp.WaitVisible(css(`#report input.claim-reason`))); err != nil {
		t.Fatalf("dispute asks for a reason: %v", err)
	}
	reviews := func() []claims.ReviewInput {
		h.fake.mu.Lock()
		defer h.fake.mu.Unlock()
		var out []claims.ReviewInput
		for _, w := range h.fake.wfs {
			if in, ok := w.input.(claims.ReviewInput); ok && w.typ == claims.WorkflowType {
				out = append(out, in)
			}
		}
		return out
	}
	if n := len(reviews()); n != 0 {
		t.Fatalf("%d reviews started before the reason was given", n)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(css(`#report input.claim-reason`), "the note says 40 days now"),
		chromedp.Click(css(`#report .claim-send`)),
		chromedp.WaitVisible(css(`#report .claim-actions + .claim-note`)),
	); err != nil {
		t.Fatalf("send the dispute: %v", err)
	}
	if rs := reviews(); len(rs) != 1 || rs[0].Reason != "the note says 40 days now" || rs[0].Verdict != claims.VerdictDispute {
		t.Fatalf("reviews %+v, want one dispute with its reason", rs)
	}
	if got := eval[string](t, ctx, `document.querySelector("#report .claim-note").textContent`); !strings.Contains(got, "re-checking") {
		t.Errorf("note next to the claim: %q", got)
	}

	corrected := "Nightly database backups are retained for 40 days before they are deleted."
	change := "Revision 2: Claim 1 corrected: “Nightly database backups are retained for 35 days before they are deleted” is now “Nightly database backups are retained for 40 days before they are deleted” (source 1)."
	h.fake.mu.Lock()
	h.fake.revisions = map[string][]claims.Revision{id: {{Revision: 2, Confidence: "medium",
		Report:    scheduledReport(corrected, change),
		Claims:    []rf.Claim{{ID: "claim-0000000000a2", Text: corrected, Cites: []int{1}, Section: "Summary"}},
		Sources:   []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md", ChunkIDs: []string{"gone"}}},
		Changelog: []string{change}}}}
	h.fake.mu.Unlock()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const n = document.querySelector("#report .claim-actions + .claim-note");
		return !!n && n.textContent.startsWith("Revision 2: Claim 1 corrected"); })()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the revision's change next to the corrected claim: %v", err)
	}
	if got := eval[string](t, ctx, `document.querySelector("#report .claim").textContent`); !strings.Contains(got, "40 days") {
		t.Errorf("claim after the revision: %q", got)
	}
	// The revision's "What changed" entry, its changelog line, states the
	// correction: it links to the corrected claim, whose buttons stay in
	// the Summary.
	if got := eval[string](t, ctx, `(() => { const li = document.querySelector("#report li"); const a = li.querySelector("a.claim-link");
		return li.textContent.slice(0, 11) + ": " + (a ? a.textContent + " " + a.getAttribute("href") : "no link") + ", " + li.querySelectorAll(".claim-actions").length + " buttons"; })()`); got != "Revision 2:: Claim 1 #claim-0000000000a2, 0 buttons" {
		t.Errorf("What changed after the revision: %q", got)
	}
	// The cited note changed since the run: its entry says so.
	if err := chromedp.Do(ctx, chromedp.Click(css(`#report p a.cite[data-n="1"]`)), chromedp.WaitVisible(css(`#source-1 .passages-note`))); err != nil {
		t.Fatalf("open source 1: %v", err)
	}
	if got := eval[string](t, ctx, `document.querySelector("#source-1 .passages-note").textContent`); !strings.Contains(got, "changed") {
		t.Errorf("source 1 says %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(css(`#report .claim`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "claims-revised-1280x800.png")

	// On a phone: the revised report, its buttons and the reason box.
	phone := browserAt(t, 390, 844)
	if err := chromedp.Do(phone, chromedp.Navigate(srv.URL+"/runs/"+id), chromedp.WaitVisible(css(`#report .claim-actions`)),
		chromedp.Click(css(`#report .claim-dispute`)), chromedp.WaitVisible(css(`#report input.claim-reason`))); err != nil {
		t.Fatalf("phone: %v", err)
	}
	if w := eval[bool](t, phone, `document.documentElement.scrollWidth <= window.innerWidth`); !w {
		t.Error("the phone page scrolls sideways")
	}
	if err := chromedp.Do(phone, chromedp.ScrollIntoView(css(`#report input.claim-reason`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, phone, "claims-revised-390x844.png")
}

// Claims whose findings span lines are listed as the report shows them
// (report.ClaimText): a command as a code span, a definition's term before
// a colon, a path's dots kept. The page shows code as code elements, so
// no text node held such a claim, and it had no Confirm or Dispute button.
func TestWebAppClaimButtonsOnClaimsWithCode(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	texts := []string{
		"To run every test of the module 3 times, use: `go test -count=3 ./...`",
		"`expand_aliases`: If set, aliases are expanded in non-interactive shells too.",
		"To vet every package of the module, run go vet ./...",
	}
	h.fake.newRun = func(w *fakeRun) {
		scriptedRun(w)
		w.result.Report = "# How do I test and vet the module?\n\n## Summary\n\n" +
			"To run every test of the module 3 times, use: `go test -count=3 ./...` [1]. " +
			"`expand_aliases`: If set, aliases are expanded in non-interactive shells too [2]. " +
			"To vet every package of the module, run go vet ./... [1].\n\n" +
			"## Sources\n\n- [1] testing.md — testing.md\n- [2] shell.md — shell.md\n"
		w.result.Sources = []rf.Source{{N: 1, SourceID: "s1", Title: "testing.md", Location: "testing.md"}, {N: 2, SourceID: "s2", Title: "shell.md", Location: "shell.md"}}
		w.result.Claims = []rf.Claim{
			{ID: "claim-0000000000c1", Text: texts[0], Cites: []int{1}, Section: "Summary"},
			{ID: "claim-0000000000c2", Text: texts[1], Cites: []int{2}, Section: "Summary"},
			{ID: "claim-0000000000c3", Text: texts[2], Cites: []int{1}, Section: "Summary"},
		}
	}
	ctx := askForClaims(t, srv, "How do I test and vet the module?")
	got := eval[[]string](t, ctx, `[...document.querySelectorAll("#report .claim")].map((c) =>
		c.dataset.claim + " " + c.textContent + " " + (c.querySelector("code") ? "code" : "text") + " " + (c.nextElementSibling.classList.contains("cite") ? "cited" : "?") +
		" " + (document.querySelector('#report .claim-actions[data-claim="' + c.dataset.claim + '"]') ? "buttons" : "none"))`)
	want := []string{
		"claim-0000000000c1 To run every test of the module 3 times, use: go test -count=3 ./... code cited buttons",
		"claim-0000000000c2 expand_aliases: If set, aliases are expanded in non-interactive shells too code cited buttons",
		"claim-0000000000c3 To vet every package of the module, run go vet ./... text cited buttons",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("claims marked:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// whatChangedRun is a scheduled run whose "What changed" section is the one
// internal/changes writes: a new and a changed finding quoted as the report
// states them, citations and all, and a finding no longer supported. The
// report states the new finding in its Summary and the changed one in a
// section of its own, "Retention".
func whatChangedRun(w *fakeRun) {
	scriptedRun(w)
	const (
		restore = "A full restore of the primary database takes about two hours."
		kept    = "Nightly database backups are retained for 35 days before they are deleted."
		sq      = "How long are backups retained?"
	)
	c := rf.Changes{PreviousRun: "research-schedule-x-2026-12-04T07:00:00Z", Since: time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC),
		New: []rf.SnapshotFinding{{SubQuestion: sq, Text: restore, SourceID: "s2", N: 2}},
		Changed: []rf.ChangedFinding{{
			Before: rf.SnapshotFinding{SubQuestion: sq, Text: "Nightly database backups are retained for 30 days before they are deleted.", SourceID: "s1"},
			After:  rf.SnapshotFinding{SubQuestion: sq, Text: kept, SourceID: "s1", N: 1}, From: "30 days", To: "35 days"}},
		Withdrawn: []rf.WithdrawnFinding{{SnapshotFinding: rf.SnapshotFinding{SubQuestion: sq, Text: "Tapes are kept offsite.", SourceID: "s3"},
			Reason: "its source, tapes.md, no longer states it"}},
	}
	w.result.Report = "# How long are backups retained?\n\n**Confidence:** medium\n\n" + changes.Section(c) +
		"## Summary\n\n" + strings.TrimSuffix(restore, ".") + " [2].\n\n" +
		"## Retention\n\n" + strings.TrimSuffix(kept, ".") + " [1].\n\n" +
		"## Sources\n\n- [1] backups.md — backups.md\n- [2] restore.md — restore.md\n"
	w.result.Sources = []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md"}, {N: 2, SourceID: "s2", Title: "restore.md", Location: "restore.md"}}
	w.result.Claims = []rf.Claim{
		{ID: "claim-0000000000d1", Text: restore, Cites: []int{2}, Section: "Summary"},
		{ID: "claim-0000000000d2", Text: kept, Cites: []int{1}, Section: "Retention"},
	}
}

// A new-user trial: on a scheduled run's report, Confirm and Dispute
// followed the entries of "What changed" (new and changed findings quote
// the report's sentence with its citation), not the report's claims. The
// buttons follow each claim where its section states it, and each entry
// that concerns a claim links to it; the entry of a finding no longer
// supported, which no claim states, links nowhere.
func TestWebAppWhatChangedEntriesPointToTheirClaims(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	h.fake.newRun = whatChangedRun
	ctx := askForClaims(t, srv, "How long are backups retained?")
	// Where each claim and each set of buttons is: the heading of its section.
	section := `(n) => { let top = n; while (top.parentNode.id !== "report") top = top.parentNode;
		for (let h = top.previousElementSibling; h; h = h.previousElementSibling) if (h.tagName === "H3") return h.textContent; return ""; }`
	got := eval[[]string](t, ctx, `(() => { const section = `+section+`;
		return [...document.querySelectorAll("#report .claim, #report .claim-actions")].map((n) => n.className + " " + n.dataset.claim + " in " + section(n)); })()`)
	want := []string{
		"claim claim-0000000000d1 in Summary", "claim-actions claim-0000000000d1 in Summary",
		"claim claim-0000000000d2 in Retention", "claim-actions claim-0000000000d2 in Retention",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("claims and buttons:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	links := eval[[]string](t, ctx, `[...document.querySelectorAll("#report li")].filter((li) => /^(30 days|A full restore|Tapes)/.test(li.textContent)).map((li) =>
		li.textContent.slice(0, 16) + ": " + [...li.querySelectorAll("a.claim-link")].map((a) => a.textContent + " " + a.getAttribute("href")).join(", "))`)
	wantLinks := []string{
		"A full restore o: Claim 1 #claim-0000000000d1",
		"30 days → 35 day: Claim 2 #claim-0000000000d2",
		"Tapes are kept o: ",
	}
	if strings.Join(links, "\n") != strings.Join(wantLinks, "\n") {
		t.Fatalf("What changed entries:\n%s\nwant:\n%s", strings.Join(links, "\n"), strings.Join(wantLinks, "\n"))
	}
	// The link takes the reader to the claim, its buttons at hand.
	if err := chromedp.Do(ctx, chromedp.Click(css(`#report a.claim-link[data-claim="claim-0000000000d2"]`))); err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, `document.activeElement.closest(".claim-actions") ? document.activeElement.closest(".claim-actions").dataset.claim : document.activeElement.tagName`); got != "claim-0000000000d2" {
		t.Errorf("after the link, the focus is on %s, want claim 2's buttons", got)
	}
	screenshot(t, ctx, "claims-what-changed-1280x800.png")
}

// askForClaims opens the web app of srv at desktop size, asks question and
// waits for the report's claim buttons; it returns the page.
func askForClaims(t *testing.T, srv *httptest.Server, question string) context.Context {
	t.Helper()
	ctx := browserAt(t, 1280, 800)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, question)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#report .claim-actions`))); err != nil {
		t.Fatalf("claim buttons: %v", err)
	}
	return ctx
}
