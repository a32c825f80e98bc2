package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/doctypes"
)

// apiRefusal is the API's reason for refusing an upload of the file name
// (the error message of POST /v1/corpora/{name}/documents).
func apiRefusal(t *testing.T, base, name string) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("files", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte("a,b\n1,2\n"))
	mw.Close()
	resp, err := http.Post(base+"/v1/corpora/refusals/documents", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType || e.Error.Message == "" {
		t.Fatalf("upload of %s: %d %v %+v", name, resp.StatusCode, err, e)
	}
	return e.Error.Message
}

// The files an upload leaves out are listed with the API's reason for
// each: a known document type that is not read with its hint (a trial's
// sheet.csv read "not a document type ingestion reads", as image.png did,
// where the API says to export it as PDF, .docx or Markdown), any other
// with the types that are read. At a laptop's and a phone's width.
func TestWebAppUploadSaysWhyAFileIsLeftOut(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	h.fake.newIngest = func(w *fakeRun) {
		w.ingest = &rf.IngestResult{Corpus: w.input.(rf.IngestInput).Corpus, Total: 1, Files: 1, Chunks: 2, Done: true}
		w.closeLocked(nil, nil, rf.StatusCompleted)
	}
	dir := t.TempDir()
	files := map[string]string{"hiring.md": "# Hiring\n\nInterviews are on Thursdays.\n", "sheet.csv": "name,role\nAda,engineer\n", "image.png": "\x89PNG\r\n", "slides.PPTX": "PK\x03\x04"}
	var paths []string
	for _, name := range []string{"hiring.md", "sheet.csv", "image.png", "slides.PPTX"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	// What the API says of each file it does not take.
	want := map[string]string{}
	for _, name := range []string{"sheet.csv", "image.png", "slides.PPTX"} {
		want[name] = apiRefusal(t, srv.URL, name)
	}
	if !strings.Contains(want["sheet.csv"], "export it as PDF, .docx or Markdown") {
		t.Fatalf("the API's reason for sheet.csv has no hint: %q", want["sheet.csv"])
	}

	for _, size := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 800}, {"phone", phoneW, phoneH}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browserAt(t, size.w, size.h)
			if err := chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(css(`#dropzone`)),
				chromedp.SetValue(css(`#upload-corpus`), "hiring-notes"),
				chromedp.SetUploadFiles(css(`#upload-files`), paths),
			); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("upload-text").textContent.startsWith("Ingested")`,
				chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				t.Fatalf("the upload never shown ingested: %v (%s)", err, eval[string](t, ctx, `document.getElementById("upload-text").textContent`))
			}
			items := eval[[]string](t, ctx, `[...document.querySelectorAll("#upload-skipped li")].map((li) => li.textContent)`)
			if len(items) != len(want) {
				t.Errorf("files left out = %q, want the %d the API refuses", items, len(want))
			}
			for name, reason := range want {
				line := name + ": " + strings.TrimPrefix(reason, name+": ")
				found := false
				for _, it := range items {
					found = found || it == line
				}
				if !found {
					t.Errorf("the page does not say %q; it lists %q", line, items)
				}
			}
			// Nothing it lists scrolls sideways on a phone.
			if over := eval[bool](t, ctx, `document.documentElement.scrollWidth > document.documentElement.clientWidth`); over {
				t.Errorf("the page scrolls sideways at %d px", size.w)
			}
			if err := chromedp.Do(ctx, chromedp.ScrollIntoView(css(`#upload-status`))); err != nil {
				t.Fatal(err)
			}
			saveShot(t, ctx, "webapp-upload-skipped-"+size.name+".png", chromedp.CaptureScreenshot())
		})
	}
}

// The page carries, for every file type the upload route refuses, the
// route's own reason (the web app shows it for each file it leaves out),
// and the types it reads; checked without a browser.
func TestPageDocTypesAreTheAPIs(t *testing.T) {
	_, srv := webHarness(t)
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	const open = `<script id="doc-types" type="application/json">`
	_, rest, ok := strings.Cut(string(page), open)
	blob, _, ok2 := strings.Cut(rest, "</script>")
	if !ok || !ok2 {
		t.Fatalf("the page has no doc-types:\n%s", page)
	}
	var types struct {
		Read      []string          `json:"read"`
		NotRead   map[string]string `json:"notRead"`
		Otherwise string            `json:"otherwise"`
	}
	if err := json.Unmarshal([]byte(blob), &types); err != nil {
		t.Fatalf("doc-types %q: %v", blob, err)
	}
	if !slices.Equal(types.Read, doctypes.List()) {
		t.Errorf("the page reads %v, ingestion %v", types.Read, doctypes.List())
	}
	if len(types.NotRead) != len(doctypes.UnreadableTypes()) {
		t.Errorf("the page knows %d unread types, doctypes %d", len(types.NotRead), len(doctypes.UnreadableTypes()))
	}
	for _, ext := range append(doctypes.UnreadableTypes(), ".png", ".exe") {
		name := "file" + ext
		reason, ok := types.NotRead[ext]
		if !ok {
			reason = types.Otherwise
		}
		if got := apiRefusal(t, srv.URL, name); got != name+": "+reason {
			t.Errorf("%s: the API says %q, the page %q", name, got, reason)
		}
	}
}

// Files the page cannot judge by their name (a .pdf that is not a PDF, a
// .docx that is not a zip archive) are refused by the gateway; the page
// showed its answer, which named the first only. Every file the gateway
// refused is now listed with why, beside the files the page left out, and
// the page says nothing was stored.
func TestWebAppUploadListsEveryRefusedFile(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	dir := t.TempDir()
	files := map[string]string{"hiring.md": "# Hiring\n", "scan.pdf": "not a PDF", "contract.docx": "plain text", "sheet.csv": "a,b\n"}
	var paths []string
	for _, name := range []string{"hiring.md", "scan.pdf", "contract.docx", "sheet.csv"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	ctx := browserAt(t, 1280, 800)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#dropzone`)),
		chromedp.SetValue(css(`#upload-corpus`), "contracts"),
		chromedp.SetUploadFiles(css(`#upload-files`), paths),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("upload-text").textContent.startsWith("Upload refused")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the refusal never shown: %v (%s)", err, eval[string](t, ctx, `document.getElementById("upload-text").textContent`))
	}
	if text := eval[string](t, ctx, `document.getElementById("upload-text").textContent`); !strings.Contains(text, "2 files refused") || !strings.Contains(text, "nothing was stored") {
		t.Errorf("upload text = %q, want 2 files refused and nothing stored", text)
	}
	items := eval[[]string](t, ctx, `[...document.querySelectorAll("#upload-skipped li")].map((li) => li.textContent)`)
	for _, want := range []string{"sheet.csv: ", "scan.pdf: the content does not match its extension", "contract.docx: the content does not match its extension"} {
		found := false
		for _, it := range items {
			found = found || strings.HasPrefix(it, want)
		}
		if !found {
			t.Errorf("the page does not list %q; it lists %q", want, items)
		}
	}
	if n := len(h.fake.started()); n != 0 {
		t.Errorf("%d ingestions started, want none", n)
	}
}

// What the page says of an upload adds up and agrees with the API: files
// chosen = stored + unchanged + skipped, each skipped file listed once
// with why. A trial chose security.md, team.csv, x.png, offsite.txt and
// empty.md for a new corpus and read "Ingested 3 of 3 files into teamweb
// · 2 passages · 1 skipped" above 3 skipped files, with 2 documents
// stored. An upload to a corpus with earlier files counts those apart.
func TestWebAppUploadCountsAddUp(t *testing.T) {
	skipWithoutBrowser(t)
	h, srv := webHarness(t)
	var results []*rf.IngestResult
	h.fake.newIngest = func(w *fakeRun) {
		res := results[0]
		results = results[1:]
		res.Corpus = w.input.(rf.IngestInput).Corpus
		w.ingest = res
		w.closeLocked(nil, nil, rf.StatusCompleted)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	trial := []string{write("security.md", "# Security\n\nRotate keys every 90 days.\n"), write("team.csv", "name,role\nPriya,manager\n"),
		write("x.png", "\x89PNG\r\n"), write("offsite.txt", "The offsite is in Lisbon.\n"), write("empty.md", "")}
	more := []string{write("oncall.md", "# On-call\n\nShifts start on Monday.\n"), write("budget.md", "# Budget\n\n42,000 EUR a quarter.\n")}
	for _, tt := range []struct {
		files   []string
		result  rf.IngestResult
		want    string
		skipped int
	}{
		{trial, rf.IngestResult{Total: 3, Files: 3, Chunks: 2, Done: true, SkippedTotal: 1,
			Skipped: []rf.SkippedFile{{Path: "empty.md", Reason: "the file has no text"}}},
			"Ingested into teamweb: 5 files chosen · 2 files stored · 3 skipped (listed below) · 2 passages written", 3},
		// The same corpus again: its 3 earlier files are read again, unchanged but empty.md.
		{more, rf.IngestResult{Total: 5, Files: 5, Unchanged: 2, Chunks: 2, Done: true, SkippedTotal: 1,
			Skipped: []rf.SkippedFile{{Path: "empty.md", Reason: "the file has no text"}}},
			"Ingested into teamweb: 2 files chosen and 3 earlier files of teamweb · 2 files stored · 2 unchanged · 1 skipped (listed below) · 2 passages written", 1},
	} {
		results = append(results, &tt.result)
		ctx := browserAt(t, 1280, 800)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(css(`#dropzone`)),
			chromedp.SetValue(css(`#upload-corpus`), "teamweb"),
			chromedp.SetUploadFiles(css(`#upload-files`), tt.files),
		); err != nil {
			t.Fatal(err)
		}
		done, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const t = document.getElementById("upload-text").textContent; return t.startsWith("Ingested") && t; })()`,
			chromedp.WithPollingTimeout(20*time.Second)))
		if err != nil {
			t.Fatalf("the upload never shown ingested: %v (%s)", err, eval[string](t, ctx, `document.getElementById("upload-text").textContent`))
		}
		if done != tt.want {
			t.Errorf("upload of %d files: %q, want %q", len(tt.files), done, tt.want)
		}
		items := eval[[]string](t, ctx, `[...document.querySelectorAll("#upload-skipped li")].map((li) => li.textContent)`)
		if len(items) != tt.skipped {
			t.Errorf("upload of %d files: skipped files listed %q, want %d", len(tt.files), items, tt.skipped)
		}
	}
}
