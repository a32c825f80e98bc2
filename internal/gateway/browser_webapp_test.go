package gateway

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/embedded"
)

// The sizes the web app is checked at: a laptop and a phone (390 px wide).
const (
	desktopW, desktopH = 1400, 1000
	phoneW, phoneH     = 390, 844
)

// skipWithoutBrowser is the guard every browser test starts with.
func skipWithoutBrowser(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("needs chromium (apt-get install chromium)")
	}
}

// browserAt starts headless Chromium with a viewport of w×h CSS pixels. A
// launch that fails ("chrome failed to start": the browser exited before it
// listened, which happens now and then on a loaded machine) is tried again,
// up to three launches.
func browserAt(t *testing.T, w, h int) context.Context {
	t.Helper()
	var err error
	for range 3 {
		alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
			chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.WindowSize(w, h))
		ctx, cancel := chromedp.NewContext(alloc)
		ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
		if err = chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err == nil {
			t.Cleanup(cancelAlloc)
			t.Cleanup(cancel)
			t.Cleanup(cancelTimeout)
			return ctx
		}
		cancelTimeout()
		cancel()
		cancelAlloc()
		if !strings.Contains(err.Error(), "chrome failed to start") {
			break
		}
		t.Logf("viewport %d×%d: %v; launching again", w, h, err)
	}
	t.Fatalf("viewport %d×%d: %v", w, h, err)
	return nil
}

// screenshot saves a full-page screenshot as a test artifact: under
// RESEARCHFLOW_SCREENSHOT_DIR when set (CI keeps that folder), else in the
// test's temporary folder; the path is logged.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveShot(t, ctx, name, chromedp.FullScreenshot(100)) // 100: PNG (lower is JPEG)
}

// saveShot saves what capture takes (the whole page, or the viewport) as
// screenshot says.
func saveShot(t *testing.T, ctx context.Context, name string, capture chromedp.Action[[]byte]) {
	t.Helper()
	shot, err := chromedp.Run(ctx, capture)
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	dir := os.Getenv("RESEARCHFLOW_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("screenshot folder: %v", err)
		return
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, shot, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", p)
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// eval runs a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// webRun scripts a run with stage timings, model usage and retries, and a
// report long enough that its sources are below the fold. Its source [2]
// quotes a passage with code.
func webRun(w *fakeRun) {
	scriptedRun(w)
	t0 := time.Now().Add(-40 * time.Second).UTC()
	timings := []rf.StageTiming{
		{Stage: rf.StagePlan, StartedAt: t0, EndedAt: t0.Add(3 * time.Second)},
		{Stage: rf.StageSearch, StartedAt: t0.Add(3 * time.Second), EndedAt: t0.Add(15 * time.Second)},
		{Stage: rf.StageAnalyze, StartedAt: t0.Add(15 * time.Second), EndedAt: t0.Add(30 * time.Second)},
		{Stage: rf.StageSynthesize, StartedAt: t0.Add(30 * time.Second), EndedAt: t0.Add(38 * time.Second)},
	}
	for i := range w.script {
		p := &w.script[i]
		p.StartedAt, p.UpdatedAt = t0, t0.Add(time.Duration(i+1)*5*time.Second)
		p.Timings = timings[:min(i/2+1, len(timings))]
		p.Usage = rf.Usage{PromptTokens: 1200, CompletionTokens: 340, CostUSD: 0.0123, Calls: 4, FailedCalls: 1}
		p.Engine = "langchain"
		for j := range p.SubQuestions {
			p.SubQuestions[j].Searches = []rf.SearchProgress{{Source: "corpus", State: rf.SQSearched, Passages: 3, Attempts: 3}}
		}
	}
	var b strings.Builder
	b.WriteString("# What does the Go memory model guarantee?\n\n## What is a happens-before edge?\n\n")
	for i := range 14 {
		fmt.Fprintf(&b, "Paragraph %d: a send on a channel is synchronized before the corresponding receive completes [1].\n\n", i+1)
	}
	b.WriteString("The `sync.Mutex` type orders Unlock before a later Lock [2]. A command the report quotes: `` $ echo `date` `` [2]. *Run `ls *.go` before the build (unverified)*\n\n## Sources\n\n- [1] The Go Memory Model — [https://go.dev/ref/mem](https://go.dev/ref/mem)\n" +
		"- [2] Package sync — [https://pkg.go.dev/sync](https://pkg.go.dev/sync)\n\n---\n\nEngine: langchain · Corpus: go-docs  \nTokens: 1200 prompt, 340 completion\n")
	w.result.Report = b.String()
	w.result.Engine = "langchain"
	w.audit = &rf.Audit{ResearchID: w.id, Question: w.result.Question, Status: rf.StatusCompleted,
		Sources: []rf.Source{{N: 1, SourceID: "s1", Title: "The Go Memory Model"}, {N: 2, SourceID: "s2", Title: "Package sync"}},
		SubQuestions: []rf.AuditSubQuestion{{ID: "sq1", Text: "What is a happens-before edge?", Why: "the guarantee is stated in happens-before edges", State: rf.SQDone,
			Retrieval: &rf.AuditRetrieval{Query: "happens-before", Passages: []rf.AuditPassage{{ChunkID: "c1", Score: 0.04}, {ChunkID: "c2", Score: 0.01}}},
			Findings:  []rf.AuditFinding{{Text: "A send is synchronized before the receive completes.", ChunkID: "c1", SourceID: "s1", Cited: 1}}}}}
	w.result.Sources = []rf.Source{
		{N: 1, SourceID: "s1", Title: "The Go Memory Model", Location: "/usr/local/go/doc/go_mem.html", Link: "https://go.dev/ref/mem", ChunkIDs: []string{"c1"}},
		{N: 2, SourceID: "s2", Title: "Package sync", Location: "/usr/local/go/src/sync/mutex.go", Link: "https://pkg.go.dev/sync", ChunkIDs: []string{"c2"}},
	}
}

func webChunks(h *harness) {
	h.chunks.chunks["c1"] = memory.Chunk{ID: "c1", SourceID: "s1", Section: "Channel communication", Text: "A send on a channel is synchronized before the completion of the corresponding receive from that channel."}
	h.chunks.chunks["c2"] = memory.Chunk{ID: "c2", SourceID: "s2", Section: "Mutex", Text: "For any sync.Mutex variable l and n < m, call n of l.Unlock() is synchronized before call m of l.Lock() returns:\n\n\tvar l sync.Mutex\n\tl.Lock()\n\tl.Unlock()"}
}

func webHarness(t *testing.T) (*harness, *httptest.Server) {
	t.Helper()
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""}) // local mode: no key typed
	h.cfg.EventsPoll = 100 * time.Millisecond
	h.build()
	h.fake.newRun = webRun
	webChunks(h)
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	return h, srv
}

// ask types a question and starts it with the keyboard (Ctrl+Enter), then
// waits for the cited report.
func ask(t *testing.T, ctx context.Context, question string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), question),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(css(`#report a.cite`)),
	); err != nil {
		t.Fatalf("ask %q with Ctrl+Enter and wait for the report: %v", question, err)
	}
}

// A run started from the web app gets its permalink in the address bar;
// reloading it shows the same run, its report and its stages again.
func TestWebAppRunPermalinkSurvivesReload(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	ctx := browserAt(t, desktopW, desktopH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, "What does the Go memory model guarantee?")
	started := h.fake.started()
	if len(started) != 1 {
		t.Fatalf("%d runs started, want 1", len(started))
	}
	id := started[0].id
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.URL + "/runs/" + id; loc != want {
		t.Fatalf("address after starting = %q, want the permalink %q", loc, want)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#runs li.run .facts`))); err != nil {
		t.Fatal(err)
	}
	// The stepper shows the stages with their time, the retries, tokens and cost.
	stats := eval[string](t, ctx, `document.getElementById("stepper").textContent + " | " + document.getElementById("run-stats").textContent`)
	for _, want := range []string{"Plan3 s", "Search12 s", "Read15 s", "Write8 s", "3 retries", "1,540 tokens", "$0.0123", "engine langchain"} {
		if !strings.Contains(stats, want) {
			t.Errorf("stepper and stats %q lack %q", stats, want)
		}
	}
	// No Web UI is configured (the embedded one off): no link to one.
	if shown := eval[bool](t, ctx, `!document.getElementById("run-ui").hidden`); shown {
		t.Errorf("Open in Temporal Web UI shown with no Web UI served (href %q)", eval[string](t, ctx, `document.getElementById("run-ui").getAttribute("href") || ""`))
	}
	screenshot(t, ctx, "webapp-run-desktop.png")

	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(css(`#report a.cite`))); err != nil {
		t.Fatalf("reload the permalink: %v", err)
	}
	loc, _ = chromedp.Run(ctx, chromedp.Location())
	question := eval[string](t, ctx, `document.getElementById("run-question").textContent`)
	report := eval[string](t, ctx, `document.getElementById("report").textContent`)
	if !strings.HasSuffix(loc, "/runs/"+id) || question != "What does the Go memory model guarantee?" || !strings.Contains(report, "Paragraph 14") {
		t.Errorf("after reload: address %q, question %q, report %.80q", loc, question, report)
	}
	if n := len(h.fake.started()); n != 1 {
		t.Errorf("reloading started %d runs, want the one", n)
	}
	// The past runs list the run with its date, engine, sources and confidence.
	facts := eval[string](t, ctx, `document.querySelector("#runs li.run .facts").textContent`)
	if !strings.Contains(facts, "langchain") || !strings.Contains(facts, "2 sources") {
		t.Errorf("past run facts = %q", facts)
	}
	// A fresh tab on the permalink (a shared link) opens the run too.
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(tab, chromedp.Navigate(srv.URL+"/runs/"+id), chromedp.WaitVisible(css(`#report a.cite`))); err != nil {
		t.Fatalf("open the shared link: %v", err)
	}
	// Searching the history filters it; Delete removes the finished run.
	if err := chromedp.Do(ctx, chromedp.SendKeys(css(`#runs-search`), "no such words"), chromedp.WaitVisible(css(`#runs li.muted`))); err != nil {
		t.Fatalf("search past runs: %v", err)
	}
	eval[bool](t, ctx, `(() => { window.confirm = () => true; const s = document.getElementById("runs-search"); s.value = "memory model"; s.dispatchEvent(new Event("input")); return true; })()`)
	if err := chromedp.Do(ctx, chromedp.Click(css(`#runs li.run button.del`)), chromedp.WaitVisible(css(`#empty`))); err != nil {
		t.Fatalf("delete the run from the history: %v", err)
	}
	loc, _ = chromedp.Run(ctx, chromedp.Location())
	if len(h.fake.started()) != 0 || strings.Contains(loc, "/runs/") {
		t.Errorf("after delete: %d runs left, address %q", len(h.fake.started()), loc)
	}
}

// A folder dropped on the web app is uploaded, its ingestion shown as it
// progresses, its corpus picked, and a question on it is researched from
// those documents.
func TestWebAppFolderDropIngestedAndResearched(t *testing.T) {
	skipWithoutBrowser(t)
	st, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := &harness{t: t, fake: newMemRuns(), cfg: testConfig(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""}), chunks: &fakeChunks{chunks: map[string]memory.Chunk{}}}
	h.cfg.EventsPoll = 100 * time.Millisecond
	handler, err := New(h.cfg, Deps{Runs: h.fake, Chunks: st})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close) // after the browser's cleanup: its event stream ends first

	// The search workers' part, played here: each file of the upload
	// folder becomes one passage, one file at a time.
	var ingestors sync.WaitGroup
	defer ingestors.Wait()
	var chunkOf sync.Map // file name → chunk ID
	h.fake.newRun = func(w *fakeRun) {
		webRun(w)
		in := w.input.(rf.ResearchInput)
		id, _ := chunkOf.Load("incident-42.md")
		loc := filepath.Join((&server{cfg: h.cfg}).uploadDir(LocalOwner, in.Corpus), "incident-42.md")
		w.result.Corpus = in.Corpus
		w.result.Sources = []rf.Source{{N: 1, SourceID: memory.SourceID(in.Corpus, loc), Title: "Incident 42", Location: loc, ChunkIDs: []string{fmt.Sprint(id)}}}
		w.result.Report = "# Why did the disk fill?\n\nLogs were not rotated [1].\n\n## Sources\n\n- [1] Incident 42 — " + loc + "\n"
	}
	h.fake.newIngest = func(w *fakeRun) {
		in := w.input.(rf.IngestInput)
		w.ingest = &rf.IngestResult{Corpus: in.Corpus}
		ingestors.Add(1)
		go func() {
			defer ingestors.Done()
			entries, _ := os.ReadDir(in.Path)
			for _, e := range entries {
				time.Sleep(700 * time.Millisecond) // longer than the web app's poll: each step is seen
				p := filepath.Join(in.Path, e.Name())
				b, _ := os.ReadFile(p)
				c := docChunk(in.Corpus, p, string(b), time.Now().UTC())
				chunkOf.Store(e.Name(), c.ID)
				if err := st.Upsert(context.Background(), []memory.Chunk{c}); err != nil {
					t.Error(err)
				}
				h.fake.mu.Lock()
				w.ingest.Total, w.ingest.Files, w.ingest.Chunks = len(entries), w.ingest.Files+1, w.ingest.Chunks+1
				h.fake.mu.Unlock()
			}
			time.Sleep(300 * time.Millisecond)
			h.fake.mu.Lock()
			w.ingest.Done = true
			w.closeLocked(nil, nil, rf.StatusCompleted)
			h.fake.mu.Unlock()
		}()
	}

	ctx := browserAt(t, desktopW, desktopH)
	// Dropping a folder: the drop's DataTransfer holds its files (and one
	// file ingestion does not read, left out with the reason).
	const drop = `(() => {
	  const dt = new DataTransfer();
	  dt.items.add(new File(["# Incident 42\n\nThe disk filled at 03:00 because the logs were not rotated.\n"], "incident-42.md", { type: "text/markdown" }));
	  dt.items.add(new File(["Runbook: rotate the logs every day and alert at 80 percent."], "runbook.txt", { type: "text/plain" }));
	  dt.items.add(new File(["MZ"], "tool.exe"));
	  const zone = document.getElementById("dropzone");
	  zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
	  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
	  return true;
	})()`
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#dropzone`)),
		chromedp.SetValue(css(`#upload-corpus`), "incidents"),
	); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, ctx, drop)
	// Progress is shown while it runs, then the end.
	during, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const t = document.getElementById("upload-text").textContent; return /^Ingesting [01] of 2 files/.test(t) && t; })()`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("no progress shown while ingesting: %v", err)
	}
	screenshot(t, ctx, "webapp-upload-progress.png")
	done, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const t = document.getElementById("upload-text").textContent; return t.startsWith("Ingested") && t; })()`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("ingestion never shown done: %v", err)
	}
	if !strings.Contains(during, "into incidents") || !strings.Contains(done, "Ingested into incidents: 3 files chosen · 2 files stored · 1 skipped (listed below) · 2 passages written") {
		t.Errorf("progress %q, then %q", during, done)
	}
	if skipped := eval[string](t, ctx, `document.getElementById("upload-skipped").textContent`); !strings.Contains(skipped, "tool.exe") {
		t.Errorf("the file left out is not named: %q", skipped)
	}
	// The corpus is picked, with its documents by name.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#documents li .name`))); err != nil {
		t.Fatal(err)
	}
	picked := eval[string](t, ctx, `document.getElementById("corpus").value`)
	docs := eval[string](t, ctx, `document.getElementById("documents").textContent`)
	if picked != "incidents" || !strings.Contains(docs, "incident-42.md") || !strings.Contains(docs, "runbook.txt") || strings.Contains(docs, h.cfg.DataDir) {
		t.Errorf("picked %q; documents %q", picked, docs)
	}
	screenshot(t, ctx, "webapp-upload-done.png")

	// A real folder, with a subfolder, chosen with the folder picker
	// (webkitdirectory) goes the same way.
	folder := t.TempDir()
	if err := os.MkdirAll(filepath.Join(folder, "2026", "q4"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"postmortem.md": "# Postmortem\n\nAlert at 80 percent.\n", "2026/q4/capacity.txt": "Disks grow 3 percent a week."} {
		if err := os.WriteFile(filepath.Join(folder, filepath.FromSlash(name)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(css(`#upload-folder`), []string{folder})); err != nil {
		t.Fatalf("choose a folder: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("documents").textContent.includes("capacity.txt")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the chosen folder's files are not listed: %v (%s)", err, eval[string](t, ctx, `document.getElementById("upload-text").textContent`))
	}
	if docs := eval[string](t, ctx, `document.getElementById("documents").textContent`); !strings.Contains(docs, "postmortem.md") || !strings.Contains(docs, "incident-42.md") {
		t.Errorf("documents after the folder = %q", docs)
	}

	ask(t, ctx, "Why did the disk fill?")
	var research []rf.ResearchInput
	for _, w := range h.fake.started() {
		if in, ok := w.input.(rf.ResearchInput); ok {
			research = append(research, in)
		}
	}
	if len(research) != 1 || research[0].Corpus != "incidents" {
		t.Fatalf("research started with %+v, want corpus incidents", research)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`#report a.cite[data-n="1"]`)), chromedp.WaitVisible(css(`#source-1 mark`))); err != nil {
		t.Fatalf("open the cited upload: %v", err)
	}
	src := eval[string](t, ctx, `document.getElementById("source-1").textContent`)
	if !strings.Contains(src, "incident-42.md") || !strings.Contains(src, "logs were not rotated") || strings.Contains(src, h.cfg.DataDir) {
		t.Errorf("the cited upload shows %q", src)
	}
}

// At 390 px wide nothing scrolls sideways, with a run, its report and its
// sources open, or a plan waiting for approval with its priced plan; the
// Research button is whole.
func TestWebAppPhoneHasNoHorizontalScroll(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	ctx := browserAt(t, phoneW, phoneH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#submit`))); err != nil {
		t.Fatal(err)
	}
	const overflow = `(() => {
	  const w = window.innerWidth, out = [];
	  if (document.documentElement.scrollWidth > w) out.push("page " + document.documentElement.scrollWidth);
	  for (const e of document.querySelectorAll("body *")) {
	    const r = e.getBoundingClientRect();
	    if (r.width && r.right > w + 0.5 && !e.closest("pre")) out.push((e.id || e.tagName) + " " + Math.round(r.right));
	  }
	  return out.slice(0, 10).join(", ");
	})()`
	check := func(when string) {
		t.Helper()
		if got := eval[string](t, ctx, overflow); got != "" {
			t.Errorf("%s: wider than the %d px screen: %s", when, phoneW, got)
		}
		if w := eval[float64](t, ctx, `window.innerWidth`); w != phoneW {
			t.Errorf("viewport is %v px wide, want %d", w, phoneW)
		}
	}
	check("the empty page")
	screenshot(t, ctx, "webapp-home-phone.png")
	if right := eval[float64](t, ctx, `document.getElementById("submit").getBoundingClientRect().right`); right > phoneW {
		t.Errorf("the Research button ends at %v px, past the screen", right)
	}
	ask(t, ctx, "What does the Go memory model guarantee?")
	if err := chromedp.Do(ctx, chromedp.Click(css(`#report a.cite[data-n="2"]`)), chromedp.WaitVisible(css(`#source-2 mark`))); err != nil {
		t.Fatal(err)
	}
	check("a run with its report and a source open")
	screenshot(t, ctx, "webapp-phone.png")

	// Dark mode follows the system's preference.
	light := eval[string](t, ctx, `getComputedStyle(document.documentElement).backgroundColor`)
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		})
		return err
	})); err != nil {
		t.Fatalf("emulate dark mode: %v", err)
	}
	dark := eval[string](t, ctx, `getComputedStyle(document.documentElement).backgroundColor`)
	if light != "rgb(246, 247, 249)" || dark != "rgb(15, 19, 27)" {
		t.Errorf("page background light %q, dark %q", light, dark)
	}
	check("dark mode")
	screenshot(t, ctx, "webapp-phone-dark.png")

	// A plan waiting for approval shows its priced plan: every column of
	// the table, tokens and cost too, within the card.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}},
		})
		return err
	})); err != nil {
		t.Fatalf("emulate light mode: %v", err)
	}
	h.fake.newRun = pricedPlanRun
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), "How do Go programs share memory safely?"),
		chromedp.Click(css(`#submit`)),
		chromedp.WaitVisible(css(`#budget-box table.estimate`)),
		chromedp.WaitVisible(css(`#approval-box`)),
	); err != nil {
		t.Fatalf("ask and see the priced plan: %v", err)
	}
	check("the priced plan of a plan waiting for approval")
	const cut = `(() => {
	  const box = document.getElementById("budget-box").getBoundingClientRect(), out = [];
	  for (const c of document.querySelectorAll("#budget-box table.estimate th, #budget-box table.estimate td")) {
	    const r = c.getBoundingClientRect();
	    if (r.width && (r.right > box.right + 0.5 || r.left < box.left - 0.5)) out.push(c.textContent + " " + Math.round(r.left) + "–" + Math.round(r.right));
	  }
	  return out.slice(0, 10).join(", ");
	})()`
	// No box scrolls sideways inside the page (a code block may), and no
	// cell of the priced plan holds text wider than itself: a trial saw
	// the table scroll inside its card with the cost column cut off.
	const scrolls = `(() => {
	  const out = [];
	  for (const e of document.querySelectorAll("body *")) {
	    if (e.closest("pre") || ["INPUT", "TEXTAREA", "SELECT"].includes(e.tagName)) continue;
	    const ox = getComputedStyle(e).overflowX;
	    const box = ox === "auto" || ox === "scroll";
	    const cell = e.matches("table.estimate th, table.estimate td");
	    if ((box || cell) && e.scrollWidth > e.clientWidth + 1) out.push((e.id || e.className || e.tagName) + " " + e.scrollWidth + ">" + e.clientWidth + (cell ? " " + JSON.stringify(e.textContent) : ""));
	  }
	  return out.slice(0, 10).join(", ");
	})()`
	for _, plan := range []struct {
		name string
		run  func(*fakeRun)
		want []string
	}{
		{"webapp-phone-priced-plan.png", pricedPlanRun, []string{"138000", "$1.2345"}},
		// A long run on paid models: seven-digit token counts, costs in
		// tens of dollars.
		{"webapp-phone-priced-plan-large.png", largePricedPlanRun, []string{"12480000", "$148.2750"}},
	} {
		if plan.name != "webapp-phone-priced-plan.png" {
			h.fake.newRun = plan.run
			if err := chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(css(`#question`)),
				chromedp.SendKeys(css(`#question`), "How do Go programs share memory safely, in depth?"),
				chromedp.Click(css(`#submit`)),
				chromedp.WaitVisible(css(`#budget-box table.estimate`)),
				chromedp.WaitVisible(css(`#approval-box`)),
			); err != nil {
				t.Fatalf("%s: ask and see the priced plan: %v", plan.name, err)
			}
			check(plan.name)
		}
		if got := eval[string](t, ctx, cut); got != "" {
			t.Errorf("%s: priced plan cells outside its card: %s", plan.name, got)
		}
		if got := eval[string](t, ctx, scrolls); got != "" {
			t.Errorf("%s: scrolls sideways or cut: %s", plan.name, got)
		}
		table := eval[string](t, ctx, `document.querySelector("#budget-box table.estimate").innerText`)
		for _, want := range append([]string{"tokens", "cost"}, plan.want...) {
			if !strings.Contains(table, want) {
				t.Errorf("%s: the priced plan lacks %q:\n%s", plan.name, want, table)
			}
		}
		screenshot(t, ctx, plan.name)
	}
}

// largePricedPlanRun is pricedPlanRun for a long run on paid models, with
// numbers as wide as the table's columns get.
func largePricedPlanRun(w *fakeRun) {
	pricedPlanRun(w)
	p := &w.script[0]
	est := *p.Estimate
	est.Searches, est.Passages, est.ModelCalls = 240, 19200, 1212
	est.Usage = rf.Usage{PromptTokens: 11000000, CompletionTokens: 1480000, CostUSD: 148.275}
	est.SubQuestions = slices.Clone(est.SubQuestions)
	for i := range est.SubQuestions {
		est.SubQuestions[i].Searches, est.SubQuestions[i].Passages, est.SubQuestions[i].ModelCalls = 80, 6400, 400
		est.SubQuestions[i].Usage = rf.Usage{PromptTokens: 3600000, CompletionTokens: 480000, CostUSD: 48.1250}
	}
	p.Estimate = &est
}

// pricedPlanRun scripts a run waiting for the approval of its priced plan.
func pricedPlanRun(w *fakeRun) {
	in := w.input.(rf.ResearchInput)
	deadline := time.Now().Add(time.Hour)
	sq := func(id, text string) rf.Spend {
		return rf.Spend{ID: id, Text: text, Searches: 3, Passages: 24, ModelCalls: 4,
			Usage: rf.Usage{PromptTokens: 40000, CompletionTokens: 6000, CostUSD: 0.4115}}
	}
	est := &rf.Spend{Engine: "the configured models, at their prices", Searches: 9, Passages: 72, ModelCalls: 14,
		Usage: rf.Usage{PromptTokens: 120000, CompletionTokens: 18000, CostUSD: 1.2345},
		SubQuestions: []rf.Spend{
			sq("sq1", "How do channels synchronize goroutines that share memory?"),
			sq("sq2", "What does the sync package's Mutex guarantee?"),
			sq("sq3", "When is sync/atomic the better choice?"),
		}}
	var sqs []rf.SubQuestionProgress
	for _, s := range est.SubQuestions {
		sqs = append(sqs, rf.SubQuestionProgress{ID: s.ID, Text: s.Text, State: rf.SQPending})
	}
	w.script = []rf.Progress{{ResearchID: w.id, Question: in.Question, Status: rf.StatusAwaitingApproval, Stage: rf.StageApproval, Seq: 2,
		SubQuestions: sqs, Estimate: est, ApprovalDeadline: &deadline}}
}

// A citation click scrolls to its source in the sources list and shows
// the quoted passage highlighted, code monospaced; sources are links
// (the Go docs at go.dev) or names, never server paths.
func TestWebAppCitationScrollsToHighlightedQuote(t *testing.T) {
	skipWithoutBrowser(t)
	_, srv := webHarness(t)
	ctx := browserAt(t, desktopW, desktopH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, "What does the Go memory model guarantee?")
	below := eval[float64](t, ctx, `document.getElementById("source-2").getBoundingClientRect().top`)
	if below < desktopH {
		t.Fatalf("source [2] is already on screen (top %v): the report is too short to test scrolling", below)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`#report a.cite[data-n="2"]`)), chromedp.WaitVisible(css(`#source-2.highlight mark`))); err != nil {
		t.Fatalf("click [2]: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const r = document.getElementById("source-2").getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; })()`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("source [2] not scrolled into view: %v", err)
	}
	quote := eval[string](t, ctx, `document.querySelector("#source-2 mark").textContent`)
	if !strings.Contains(quote, "l.Unlock() is synchronized before call m of l.Lock()") {
		t.Errorf("highlighted quote = %q", quote)
	}
	font := eval[string](t, ctx, `getComputedStyle(document.querySelector("#source-2 mark pre code")).fontFamily`)
	if code := eval[string](t, ctx, `document.querySelector("#source-2 mark pre code").textContent`); !strings.Contains(code, "var l sync.Mutex") || !strings.Contains(font, "monospace") {
		t.Errorf("the code of the passage %q is in %q, want monospace", code, font)
	}
	links := eval[[]string](t, ctx, `[...document.querySelectorAll("#source-list a")].map((a) => a.href)`)
	if len(links) != 2 || links[0] != "https://go.dev/ref/mem" || links[1] != "https://pkg.go.dev/sync" {
		t.Errorf("source links = %v, want go.dev addresses", links)
	}
	if list := eval[string](t, ctx, `document.getElementById("source-list").textContent`); strings.Contains(list, "/usr/local/go") {
		t.Errorf("the sources list shows server paths: %q", list)
	}
	// The Why panel tells the run for a person: reasons, passages by
	// source and quote on one scale, no passage IDs.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#why summary`)), chromedp.Click(css(`#why summary`)), chromedp.WaitVisible(css(`#why-body .why-passages`))); err != nil {
		t.Fatalf("open the Why panel: %v", err)
	}
	why := eval[string](t, ctx, `document.getElementById("why-body").textContent`)
	for _, want := range []string{"Why it was asked: the guarantee is stated in happens-before edges", "100 The Go Memory Model — “A send on a channel", "25 Package sync", "Relevance runs from 0 to 100"} {
		if !strings.Contains(why, want) {
			t.Errorf("Why panel %q lacks %q", why, want)
		}
	}
	// Code spans show their code as written, a backtick inside one too.
	if code := eval[[]string](t, ctx, `[...document.querySelectorAll("#report p code")].map((c) => c.textContent)`); !slices.Contains(code, "sync.Mutex") || !slices.Contains(code, "$ echo `date`") {
		t.Errorf("code spans of the report = %q, want sync.Mutex and $ echo `date`", code)
	}
	// An unverified sentence is in italics with its code span whole, a
	// "*" inside the code too.
	if em := eval[[]string](t, ctx, `[...document.querySelectorAll("#report p em")].map((e) => e.textContent + "|" + [...e.querySelectorAll("code")].map((c) => c.textContent).join(","))`); !slices.Contains(em, "Run ls *.go before the build (unverified)|ls *.go") {
		t.Errorf("unverified sentences of the report = %q, want one in italics holding the code ls *.go", em)
	}
	// The report's footer keeps its lines apart and its rule is a rule.
	if hr := eval[int](t, ctx, `document.querySelectorAll("#report hr").length`); hr != 1 {
		t.Errorf("%d <hr> in the report, want 1 (the footer's ---)", hr)
	}
	screenshot(t, ctx, "webapp-citation.png")
}

// The report downloads as Markdown, HTML and PDF from the web app; the
// files open: the HTML is a page with the report, the PDF's text (read by
// pdftotext) has the question and the cited sentence.
func TestWebAppDownloadsOpen(t *testing.T) {
	skipWithoutBrowser(t)
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("needs pdftotext (apt-get install poppler-utils)")
	}
	_, srv := webHarness(t)
	ctx := browserAt(t, desktopW, desktopH)
	dir := t.TempDir()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
			})
			return err
		}),
	); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, "What does the Go memory model guarantee?")
	read := func(format, ext string) []byte {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(css(`#export button[data-format="`+format+`"]`))); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			matches, _ := filepath.Glob(filepath.Join(dir, "*."+ext))
			if len(matches) == 1 {
				if b, err := os.ReadFile(matches[0]); err == nil && len(b) > 0 {
					return b
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("no .%s file downloaded", ext)
		return nil
	}
	md := read("md", "md")
	if !strings.Contains(string(md), "## Sources") || !strings.Contains(string(md), "Paragraph 14") {
		t.Errorf("Markdown download = %.200q", md)
	}
	page := string(read("html", "html"))
	if !strings.Contains(strings.ToLower(page), "<html") || !strings.Contains(page, "Paragraph 14") || !strings.Contains(page, "<title>What does the Go memory model guarantee?") {
		t.Errorf("HTML download = %.300q", page)
	}
	pdf := read("pdf", "pdf")
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("PDF download starts %q", pdf[:min(len(pdf), 8)])
	}
	p := filepath.Join(dir, "copy.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	if !strings.Contains(text, "What does the Go memory model guarantee?") || !strings.Contains(text, "synchronized before the corresponding receive") {
		t.Errorf("PDF text = %.300q", text)
	}
	screenshot(t, ctx, "webapp-export.png")
}

// A keyless source this machine cannot reach is shown unavailable, with
// the reason, and cannot be picked (ticking it would only cost retries).
func TestWebAppUnreachableSourceShownUnavailable(t *testing.T) {
	skipWithoutBrowser(t)
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	h.cfg.Sources = []string{"corpus", "arxiv", "wikipedia"}
	probe := func(ctx context.Context, source string) error {
		if source == "arxiv" {
			return fmt.Errorf("export.arxiv.org cannot be found (no network or no DNS on this machine)")
		}
		return nil
	}
	handler, err := New(h.cfg, Deps{Runs: h.fake, Probe: probe})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	defer srv.Close()
	ctx := browserAt(t, desktopW, desktopH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.Click(css(`#ask summary`)), chromedp.WaitVisible(css(`#sources-off`))); err != nil {
		t.Fatalf("open the options: %v", err)
	}
	arxivOff := eval[bool](t, ctx, `document.querySelector('#sources input[value="arxiv"]').disabled`)
	wikiOff := eval[bool](t, ctx, `document.querySelector('#sources input[value="wikipedia"]').disabled`)
	note := eval[string](t, ctx, `document.getElementById("sources-off").textContent`)
	if !arxivOff || wikiOff || !strings.Contains(note, "arxiv: export.arxiv.org cannot be found") {
		t.Errorf("arxiv disabled %v, wikipedia disabled %v, note %q", arxivOff, wikiOff, note)
	}
	screenshot(t, ctx, "webapp-sources-offline.png")
}

// A follow-up's citation opens its source as the report's do: the sources
// a thread's answers cite first join the sources list under the run's one
// numbering, so [3] in two follow-ups is one entry, and [4], a source the
// second follow-up found, opens its passage (a trial saw [3] mean two
// files, and a follow-up's [n] open nothing).
func TestWebAppFollowUpCitationOpensItsSource(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	h.chunks.chunks["c3"] = memory.Chunk{ID: "c3", SourceID: "s3", Text: "The sync/atomic operations behave as if sequentially consistent."}
	h.chunks.chunks["c4"] = memory.Chunk{ID: "c4", SourceID: "s4", Text: "A WaitGroup's Done is synchronized before the Wait it unblocks returns."}
	ctx := browserAt(t, desktopW, desktopH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, "What does the Go memory model guarantee?")
	id := h.fake.started()[0].id
	atomics := rf.Source{SourceID: "s3", Title: "Package atomic", Location: "/usr/local/go/src/sync/atomic/doc.go", Link: "https://pkg.go.dev/sync/atomic", ChunkIDs: []string{"c3"}}
	waitGroup := rf.Source{SourceID: "s4", Title: "WaitGroup notes", Location: "/notes/waitgroup.md", ChunkIDs: []string{"c4"}}
	t0 := time.Now().Add(-time.Minute).UTC()
	for i, fu := range []struct {
		q     string
		cites []rf.Source
		texts []string
	}{
		{"What about atomics?", []rf.Source{atomics}, []string{"Atomics are sequentially consistent."}},
		{"And wait groups?", []rf.Source{waitGroup, atomics}, []string{"Done is synchronized before Wait returns.", "Atomics are sequentially consistent."}},
	} {
		started, err := h.fake.StartFollowUp(t.Context(), strconv.Itoa(i), rf.FollowUpInput{ResearchID: id, Question: fu.q})
		if err != nil {
			t.Fatal(err)
		}
		h.fake.answerFollowUp(started.ID, t0.Add(time.Duration(i)*time.Second), followUpAnswer(fu.q, fu.cites, fu.texts, false, true))
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(css(`#thread-list li:nth-child(2) .answer a.cite`))); err != nil {
		t.Fatalf("reload and wait for the thread: %v", err)
	}
	cites := eval[[]string](t, ctx, `[...document.querySelectorAll("#thread-list .answer p a.cite")].map((a) => a.textContent)`)
	if want := []string{"3", "4", "3"}; !slices.Equal(cites, want) {
		t.Errorf("the thread's citations %q, want %q (atomics [3] in both answers, the wait group note [4])", cites, want)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`#thread-list li:nth-child(2) .answer p a.cite[data-n="4"]`)), chromedp.WaitVisible(css(`#source-4.highlight mark`))); err != nil {
		t.Fatalf("click the second follow-up's [4]: %v", err)
	}
	if quote := eval[string](t, ctx, `document.querySelector("#source-4 mark").textContent`); !strings.Contains(quote, "Done is synchronized before the Wait") {
		t.Errorf("source [4] quotes %q, want the wait group note", quote)
	}
	list := eval[[]string](t, ctx, `[...document.querySelectorAll("#source-list > li")].map((li) => li.dataset.n + " " + li.textContent)`)
	if len(list) != 4 || !strings.HasPrefix(list[2], "3 Package atomic") || !strings.HasPrefix(list[3], "4 WaitGroup notes") {
		t.Errorf("sources list %q, want the report's two, then atomics [3] and the wait group note [4]", list)
	}
	if strings.Contains(strings.Join(list, " "), "/notes/") {
		t.Errorf("the sources list shows a server path: %q", list)
	}
	// An answer's own Sources section repeated the list with the server's
	// paths (a trial saw /usr/local/go/doc/go_mem.html under a follow-up):
	// the page's sources list is the one list, as for the report.
	if thread := eval[string](t, ctx, `document.getElementById("thread-list").textContent`); strings.Contains(thread, "/notes/") || strings.Contains(thread, "/usr/local/go/") {
		t.Errorf("the thread shows a server path: %q", thread)
	}
	screenshot(t, ctx, "webapp-followup-source.png")
}

// The web app's corpus input takes the names the API takes, no others, and
// says the rule as the API does: a trial's upload into "Team-Notes.v2" (a
// name the API accepts) was refused by the page, which allowed lowercase
// only.
func TestWebAppCorpusNameRuleIsTheAPIs(t *testing.T) {
	skipWithoutBrowser(t)
	_, srv := webHarness(t)
	ctx := browserAt(t, desktopW, desktopH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#upload-corpus`))); err != nil {
		t.Fatal(err)
	}
	names := []string{"notes", "Team-Notes.v2", "a", "A_1", "x.y-z", "9lives", strings.Repeat("n", 100), strings.Repeat("n", 101),
		"a--b", "a..b", "-a", ".a", "_a", "a b", "a/b", "é", "team--notes", "notes.", "a.-b"}
	for _, name := range names {
		js := fmt.Sprintf(`(() => { const i = document.getElementById("upload-corpus"); i.value = %q; return i.checkValidity(); })()`, name)
		page, api := eval[bool](t, ctx, js), rf.ValidateCorpusName(name) == nil
		if page != api {
			t.Errorf("corpus name %q: the page takes it %v, the API %v", name, page, api)
		}
	}
	if title := eval[string](t, ctx, `document.getElementById("upload-corpus").title`); !strings.Contains(title, rf.CorpusNameRule) {
		t.Errorf("the corpus input's hint %q does not say the rule %q", title, rf.CorpusNameRule)
	}
	// A name the rule refuses is refused before any upload, in the rule's words.
	eval[bool](t, ctx, `(() => { document.getElementById("upload-corpus").value = "team--notes"; upload([new File(["x"], "a.md")]); return true; })()`)
	msg, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById("corpus-error").textContent || false`, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil || !strings.Contains(msg, rf.CorpusNameRule) {
		t.Errorf("refusing team--notes, the page says %q (%v)", msg, err)
	}
}

// A run recorded before sources had links shows its Go documentation as
// go.dev links too: its sources have no link and the path the worker read,
// and the API gives them the address (publicSource).
func TestWebAppLinksAnOldRunsGoDocs(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	h.fake.newRun = func(w *fakeRun) {
		webRun(w)
		for i := range w.result.Sources {
			s := &w.result.Sources[i]
			s.SourceID, s.Link = memory.SourceID(rf.DefaultCorpus, s.Location), ""
		}
	}
	ctx := browserAt(t, desktopW, desktopH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, "What does the Go memory model guarantee?")
	links := eval[[]string](t, ctx, `[...document.querySelectorAll("#source-list a")].map((a) => a.href)`)
	if len(links) != 2 || links[0] != "https://go.dev/ref/mem" || links[1] != "https://pkg.go.dev/sync" {
		t.Errorf("source links = %v, want go.dev addresses", links)
	}
	if list := eval[string](t, ctx, `document.getElementById("source-list").textContent`); strings.Contains(list, "go_mem.html") || strings.Contains(list, "mutex.go") {
		t.Errorf("the sources list shows file names for the Go documentation: %q", list)
	}
}

// A count of one is singular everywhere the web app shows a count: a
// trial's run of one source read "1 sources" and "1 findings".
func TestWebAppCountsOneInTheSingular(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	h.fake.newRun = func(w *fakeRun) {
		webRun(w)
		for i := range w.script {
			p := &w.script[i]
			p.Sources, p.Passages = 1, 1
			p.Usage = rf.Usage{PromptTokens: 1, Calls: 1, FailedCalls: 1}
			for j := range p.SubQuestions {
				sq := &p.SubQuestions[j]
				sq.Passages, sq.Findings = 1, 1
				sq.Searches = []rf.SearchProgress{{Source: "corpus", State: rf.SQSearched, Passages: 1, Attempts: 1},
					{Source: "wikipedia", State: rf.SQFailed, Attempts: 1, Error: "no such host"}}
			}
		}
		w.result.Sources = w.result.Sources[:1]
		w.result.Report = "# What does the Go memory model guarantee?\n\nA send is synchronized before the receive completes [1].\n\n## Sources\n\n- [1] The Go Memory Model — [https://go.dev/ref/mem](https://go.dev/ref/mem)\n"
	}
	ctx := browserAt(t, desktopW, desktopH)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ask(t, ctx, "What does the Go memory model guarantee?")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#runs li.run .facts`)), chromedp.WaitVisible(css(`#report-meta`))); err != nil {
		t.Fatal(err)
	}
	page := eval[string](t, ctx, `["progress", "run-stats", "stepper", "report-meta", "runs"].map((id) => document.getElementById(id).textContent).join(" | ")`)
	plural := regexp.MustCompile(`(^|[^0-9.,])1 (sources|passages|findings|attempts|retries|tokens|files)\b|\(s\)`)
	if m := plural.FindString(page); m != "" {
		t.Errorf("the page shows %q: %s", m, page)
	}
	for _, want := range []string{"1 passage, 1 finding", "corpus: 1 passage", "wikipedia: failed after 1 attempt", "1 retry", "1 source found", "1 token", "1 source cited"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q: %s", want, page)
		}
	}
}

// The home page and a run's page load with no request answered an error,
// and the icon they name is an image: a trial's console showed a 404 for
// /favicon.ico on every page.
func TestWebAppPagesLoadWithoutErrors(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	ctx := browserAt(t, desktopW, desktopH)
	var mu sync.Mutex
	var failed []string
	if err := chromedp.Listen(ctx, func(ev any) {
		// Pages, scripts, styles and icons (this harness serves no
		// schedules: /v1/schedules answers 501 here).
		if r, ok := ev.(*network.EventResponseReceived); ok && r.Response.Status >= 400 && !strings.HasPrefix(r.Response.URL, srv.URL+"/v1/") {
			mu.Lock()
			failed = append(failed, fmt.Sprintf("%s: %d", r.Response.URL, r.Response.Status))
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	icon := `(async () => {
	  const link = document.querySelector('link[rel="icon"]');
	  if (!link) return "no icon named";
	  const img = new Image();
	  img.src = link.href;
	  try { await img.decode(); } catch (e) { return link.href + " is not an image"; }
	  const ico = new Image();
	  ico.src = "/favicon.ico";
	  try { await ico.decode(); } catch (e) { return "/favicon.ico is not an image"; }
	  return img.naturalWidth > 0 && ico.naturalWidth > 0 ? "" : "an icon is 0 px wide";
	})()`
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
		return err
	}), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#question`))); err != nil {
		t.Fatal(err)
	}
	check := func(page string) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](icon, chromedp.EvalAwaitPromise))
		if err != nil || got != "" {
			t.Errorf("%s: the icon: %q %v", page, got, err)
		}
	}
	check("the home page")
	screenshot(t, ctx, "webapp-home-desktop.png")
	ask(t, ctx, "What does the Go memory model guarantee?")
	id := h.fake.started()[0].id
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/runs/"+id), chromedp.WaitVisible(css(`#report a.cite`))); err != nil {
		t.Fatal(err)
	}
	check("a run's page")
	mu.Lock()
	defer mu.Unlock()
	if len(failed) > 0 {
		t.Errorf("requests answered an error: %q", failed)
	}
}

// The Ask box asks about the corpus of the run being viewed: a trial
// viewing a run on its own corpus asked a new question from that page and
// got an answer from go-docs, the corpus picked before.
func TestWebAppAsksAboutTheViewedRunsCorpus(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	h.fake.newRun = func(w *fakeRun) {
		webRun(w)
		in := w.input.(rf.ResearchInput)
		w.result.Corpus = in.Corpus
		if in.Corpus == "notes" {
			w.script = w.script[:3] // still running
		}
	}
	ctx := t.Context()
	for _, name := range []string{"incidents", "notes"} {
		if _, err := h.fake.StartIngest(ctx, "", rf.IngestInput{Corpus: name, Owner: rf.LocalOwner, Path: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
	}
	done, err := h.fake.Start(ctx, "", rf.ResearchInput{Question: "Why did the disk fill?", Corpus: "incidents"})
	if err != nil {
		t.Fatal(err)
	}
	running, err := h.fake.Start(ctx, "", rf.ResearchInput{Question: "Who owns the runbook?", Corpus: "notes"})
	if err != nil {
		t.Fatal(err)
	}
	b := browserAt(t, desktopW, desktopH)
	picked := func(when, want string) {
		t.Helper()
		got, err := chromedp.Run(b, chromedp.Poll[string](fmt.Sprintf(`document.getElementById("corpus").value === %q && %q`, want, want),
			chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Errorf("%s: the Ask box's corpus is %q, want %q", when, eval[string](t, b, `document.getElementById("corpus").value`), want)
		} else if got != want {
			t.Errorf("%s: %q", when, got)
		}
	}
	// A completed run's permalink, opened in a fresh page.
	if err := chromedp.Do(b, chromedp.Navigate(srv.URL+"/runs/"+done.ID), chromedp.WaitVisible(css(`#report a.cite`))); err != nil {
		t.Fatal(err)
	}
	picked("on the completed run's page", "incidents")
	// A running run, picked from the past runs.
	if err := chromedp.Do(b, chromedp.Click(css(fmt.Sprintf(`#runs li.run[data-id=%q]`, running.ID))), chromedp.WaitVisible(css(`#progress li`))); err != nil {
		t.Fatal(err)
	}
	picked("on the running run's page", "notes")
	// Back on the completed run, a new question goes to its corpus.
	if err := chromedp.Do(b, chromedp.Click(css(fmt.Sprintf(`#runs li.run[data-id=%q]`, done.ID))), chromedp.WaitVisible(css(`#report a.cite`))); err != nil {
		t.Fatal(err)
	}
	picked("back on the completed run's page", "incidents")
	ask(t, b, "When were the logs last rotated?")
	var asked []string
	for _, w := range h.fake.started() {
		if in, ok := w.input.(rf.ResearchInput); ok && in.Question == "When were the logs last rotated?" {
			asked = append(asked, in.Corpus)
		}
	}
	if len(asked) != 1 || asked[0] != "incidents" {
		t.Errorf("the question asked from the run's page went to %q, want the run's corpus incidents", asked)
	}
}

// A run's progress badges (each sub-question's state and counts, the run's
// status, the stages) are each on one line, on a phone and on a laptop: on
// a 390 px phone a trial saw "done · 12 passages, 3 findings" broken over
// two lines.
func TestWebAppProgressBadgesStayOnOneLine(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	texts := []string{
		"What is a happens-before edge?",
		"How does a buffered channel order sends and receives?",
		"Which guarantees does sync.Once give?",
		"When is a data race undefined behaviour?",
		"What does the memory model say about atomics?",
		"Is a goroutine's start synchronized with the go statement?",
	}
	h.fake.newRun = func(w *fakeRun) {
		webRun(w)
		for i := range w.script {
			p := &w.script[i]
			var sqs []rf.SubQuestionProgress
			for j, text := range texts {
				sqs = append(sqs, rf.SubQuestionProgress{ID: fmt.Sprintf("sq%d", j+1), Text: text, State: rf.SQDone, Passages: 12, Findings: 3,
					Searches: []rf.SearchProgress{{Source: "corpus", State: rf.SQSearched, Passages: 12, Attempts: 1}}})
			}
			p.SubQuestions = sqs
		}
	}
	oneLine := `(() => {
	  const out = [];
	  for (const e of document.querySelectorAll("#progress .state, #run-status, #stepper li")) {
	    const r = document.createRange();
	    r.selectNodeContents(e);
	    const tops = new Set([...r.getClientRects()].map((c) => Math.round(c.top)));
	    if (tops.size > 1) out.push(e.textContent + " on " + tops.size + " lines");
	  }
	  return out.join("; ");
	})()`
	for _, size := range []struct {
		name string
		w, h int
	}{{"phone", phoneW, phoneH}, {"desktop", 1280, 800}} {
		ctx := browserAt(t, size.w, size.h)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
		ask(t, ctx, "What does the Go memory model guarantee?")
		if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#progress .state`))); err != nil {
			t.Fatal(err)
		}
		if got := eval[string](t, ctx, oneLine); got != "" {
			t.Errorf("%s (%d px): badges broken over lines: %s", size.name, size.w, got)
		}
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(css(`#run`))); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if d := os.Getenv("RESEARCHFLOW_SCREENSHOT_DIR"); d != "" {
			if err := os.WriteFile(filepath.Join(d, "webapp-progress-"+size.name+".png"), shot, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
}
