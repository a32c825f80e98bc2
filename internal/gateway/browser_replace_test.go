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

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/embedded"
)

// A listed document has a Replace button: the file chosen there is sent
// under the document's name with ?replace=true, so the corpus keeps one
// document of that name, now with the new text (before, the only way was
// Remove and then upload, and an upload of the same name was stored
// beside it as "backups (2).md").
func TestWebAppReplacesADocument(t *testing.T) {
	skipWithoutBrowser(t)
	st, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := &harness{t: t, fake: newMemRuns(), cfg: testConfig(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""}), chunks: &fakeChunks{chunks: map[string]memory.Chunk{}}}
	h.cfg.EventsPoll = 100 * time.Millisecond
	handler, err := New(h.cfg, Deps{Runs: h.fake, Chunks: st, ReadDocument: readAsText})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	// The search workers' part: each file of the folder is one passage,
	// a changed file's new passage written before its old one goes.
	h.fake.newIngest = func(w *fakeRun) {
		in := w.input.(rf.IngestInput)
		res := &rf.IngestResult{Corpus: in.Corpus}
		entries, _ := os.ReadDir(in.Path)
		for _, e := range entries {
			p := filepath.Join(in.Path, e.Name())
			b, _ := os.ReadFile(p)
			c := docChunk(in.Corpus, p, string(b), time.Now().UTC())
			c.DocHash = memory.Hash(string(b))
			docs, _ := st.Documents(context.Background(), memory.Filter{Corpus: in.Corpus, SourceID: c.SourceID})
			if err := st.Upsert(context.Background(), []memory.Chunk{c}); err != nil {
				t.Error(err)
			}
			for _, d := range docs {
				for _, old := range d.DocHashes {
					if old != c.DocHash {
						_ = st.Delete(context.Background(), memory.Filter{Corpus: in.Corpus, SourceID: c.SourceID, DocHash: old})
					}
				}
			}
			res.Total, res.Files, res.Chunks = len(entries), res.Files+1, res.Chunks+1
		}
		res.Done = true
		w.ingest = res
		w.closeLocked(nil, nil, rf.StatusCompleted)
	}
	hh := &harness{t: t, h: handler, cfg: h.cfg}
	if rec := hh.uploadFilesQuery("", "notes", "", upFile{"backups.md", "# Backups\n\nBackups run nightly.\n"}, upFile{"oncall.md", "# On call\n\nPage the SRE.\n"}); rec.Code != 202 {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}

	for _, size := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 800}, {"phone", phoneW, phoneH}} {
		t.Run(size.name, func(t *testing.T) {
			// Each size replaces it with other bytes (the same bytes again
			// replace nothing).
			newVersion := filepath.Join(t.TempDir(), "backups-v2.md")
			if err := os.WriteFile(newVersion, []byte("# Backups\n\nBackups run every hour and are kept for 30 days ("+size.name+").\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx := browserAt(t, size.w, size.h)
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector("#corpus option[value=notes]")`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
				t.Fatalf("corpus notes is not offered: %v", err)
			}
			if err := chromedp.Do(ctx, chromedp.SetValue(css(`#corpus`), "notes")); err != nil {
				t.Fatal(err)
			}
			eval[bool](t, ctx, `document.getElementById("corpus").dispatchEvent(new Event("change")) || true`)
			if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`#documents label[title="Upload a new version of backups.md"]`))); err != nil {
				t.Fatalf("no Replace for backups.md: %v (%s)", err, eval[string](t, ctx, `document.getElementById("documents").textContent`))
			}
			if err := chromedp.Do(ctx, chromedp.SetUploadFiles(css(`#documents label[title="Upload a new version of backups.md"] input`), []string{newVersion})); err != nil {
				t.Fatalf("choose the new version: %v", err)
			}
			done, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const t = document.getElementById("upload-text").textContent; return t.includes("Ingested") && t; })()`,
				chromedp.WithPollingTimeout(20*time.Second)))
			if err != nil {
				t.Fatalf("the replace never shown ingested: %v (%s)", err, eval[string](t, ctx, `document.getElementById("upload-text").textContent`))
			}
			if !strings.HasPrefix(done, "Replaced backups.md · Ingested") {
				t.Errorf("upload status %q, want it to say backups.md was replaced", done)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#documents li .name").length === 2`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
				t.Fatalf("documents: %s", eval[string](t, ctx, `document.getElementById("documents").textContent`))
			}
			names := eval[string](t, ctx, `[...document.querySelectorAll("#documents li .name")].map((n) => n.textContent).join(",")`)
			if names != "backups.md,oncall.md" {
				t.Errorf("documents after the replace = %q, want backups.md and oncall.md", names)
			}
			if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > document.documentElement.clientWidth`); wide {
				t.Error("the page scrolls sideways with the Replace buttons")
			}
			screenshot(t, ctx, "webapp-replace-"+size.name+".png")
		})
	}
	dir := (&server{cfg: h.cfg}).uploadDir(LocalOwner, "notes")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, e := range entries {
		kept = append(kept, e.Name())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "backups.md")); len(kept) != 2 || !strings.Contains(string(b), "every hour") {
		t.Errorf("upload folder holds %q, backups.md %q; want backups.md (the new version) and oncall.md", kept, b)
	}
}
