package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/embedded"
)

// newStoreHarness is a harness whose gateway shares a real embedded memory
// store (lexical only), as the dev stack's does.
func newStoreHarness(t *testing.T, env map[string]string) (*harness, *embedded.Store) {
	t.Helper()
	st, err := embedded.Open(t.TempDir(), embedded.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{t: t, fake: newMemRuns(), cfg: testConfig(t, env), chunks: &fakeChunks{chunks: map[string]memory.Chunk{}}}
	handler, err := New(h.cfg, Deps{Runs: h.fake, Chunks: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.h = handler
	return h, st
}

func docChunk(corpus, location, text string, at time.Time) memory.Chunk {
	hash := memory.Hash(text)
	return memory.Chunk{ID: memory.ChunkID(corpus, location, hash), Corpus: corpus, SourceID: memory.SourceID(corpus, location),
		SourceTitle: filepath.Base(location), SourceLocation: location, Text: text, End: len(text), ContentHash: hash, IngestedAt: at}
}

// GET /v1/corpora/{name}/documents lists the caller's documents by name
// (never their server path) with type, passages and ingestion time; DELETE
// of one drops its passages from memory and its kept upload, and touches
// no other owner's corpus of the same name.
func TestCorpusDocuments(t *testing.T) {
	h, st := newStoreHarness(t, nil)
	ctx := context.Background()
	s := &server{cfg: h.cfg}
	upload := filepath.Join(s.uploadDir("alice", "notes"), "incident-42.md")
	if err := os.MkdirAll(filepath.Dir(upload), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(upload, []byte("# Incident 42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	chunks := []memory.Chunk{
		docChunk("alice--notes", upload, "The disk filled at 03:00.", at),
		docChunk("alice--notes", upload, "Logs were rotated by hand.", at.Add(time.Minute)),
		docChunk("alice--notes", "/srv/ops/runbook.PDF", "Restart the queue first.", at),
		docChunk("alice--notes", "https://example.com/postmortem", "A page read from the web.", at),
		docChunk("bob--notes", "/srv/bob/incident-42.md", "Bob's own notes.", at),
	}
	if err := st.Upsert(ctx, chunks); err != nil {
		t.Fatal(err)
	}

	rec := h.do("GET", "/v1/corpora/notes/documents", aliceKey, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET documents: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), h.cfg.DataDir) || strings.Contains(rec.Body.String(), "/srv/ops") {
		t.Errorf("the listing shows server paths: %s", rec.Body)
	}
	var got DocumentsResponse
	decode(t, rec, &got)
	byName := map[string]Document{}
	for _, d := range got.Documents {
		byName[d.Name] = d
	}
	if len(got.Documents) != 3 {
		t.Fatalf("alice's notes = %+v, want 3 documents", got.Documents)
	}
	inc := byName["incident-42.md"]
	if inc.Type != "md" || inc.Chunks != 2 || !inc.IngestedAt.Equal(at.Add(time.Minute)) || inc.ID == "" {
		t.Errorf("incident-42.md = %+v", inc)
	}
	if d := byName["runbook.PDF"]; d.Type != "pdf" || d.Chunks != 1 {
		t.Errorf("runbook.PDF = %+v", d)
	}
	// Only an uploaded file is replaced by an upload of its name: a
	// document read from a folder says it is none (a trial's Replace on
	// one added a second copy beside it).
	if !inc.Uploaded || byName["runbook.PDF"].Uploaded || byName["https://example.com/postmortem"].Uploaded {
		t.Errorf("uploaded: incident-42.md %v, runbook.PDF %v, web page %v; want only the upload", inc.Uploaded,
			byName["runbook.PDF"].Uploaded, byName["https://example.com/postmortem"].Uploaded)
	}
	if d := byName["https://example.com/postmortem"]; d.Type != "web" {
		t.Errorf("the web page = %+v", d)
	}

	rec = h.do("DELETE", "/v1/corpora/notes/documents/"+inc.ID, aliceKey, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"chunks":2`) || !strings.Contains(rec.Body.String(), `"name":"incident-42.md"`) {
		t.Fatalf("DELETE incident-42.md: %d %s", rec.Code, rec.Body)
	}
	if _, err := os.Stat(upload); !os.IsNotExist(err) {
		t.Errorf("the upload is still kept (%v): a later ingestion would bring it back", err)
	}
	if n, _ := st.Count(ctx, memory.Filter{Corpus: "alice--notes"}); n != 2 {
		t.Errorf("alice--notes holds %d chunks after the delete, want 2", n)
	}
	if n, _ := st.Count(ctx, memory.Filter{Corpus: "bob--notes"}); n != 1 {
		t.Errorf("bob--notes holds %d chunks, want 1", n)
	}
	if rec := h.do("DELETE", "/v1/corpora/notes/documents/"+inc.ID, aliceKey, ""); rec.Code != http.StatusNotFound || errorCode(t, rec) != "document_not_found" {
		t.Errorf("deleting it again: %d %s", rec.Code, rec.Body)
	}
	// Bob cannot delete alice's document by its ID.
	if rec := h.do("DELETE", "/v1/corpora/notes/documents/"+byName["runbook.PDF"].ID, bobKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("bob deletes alice's document: %d %s", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/v1/corpora/nothing/documents", http.StatusNotFound},
		{"/v1/corpora/" + rf.DefaultCorpus + "/documents", http.StatusForbidden},
		{"/v1/corpora/a--b/documents", http.StatusBadRequest},
	} {
		if rec := h.do("GET", tc.path, aliceKey, ""); rec.Code != tc.code {
			t.Errorf("GET %s: %d %s, want %d", tc.path, rec.Code, rec.Body, tc.code)
		}
	}
}

// Without memory shared with the workers, the document routes say why
// they cannot answer.
func TestCorpusDocumentsWithoutMemory(t *testing.T) {
	h := newHarness(t, nil)
	if rec := h.do("GET", "/v1/corpora/notes/documents", aliceKey, ""); rec.Code != http.StatusNotImplemented || errorCode(t, rec) != "no_memory" {
		t.Errorf("GET documents: %d %s", rec.Code, rec.Body)
	}
}

// GET /v1/corpora/{name}/ingestions/{id} reads an ingestion's progress
// while it runs and its result once done, files by name; another owner's
// ingestion is 404.
func TestIngestionProgress(t *testing.T) {
	h, _ := newStoreHarness(t, nil)
	s := &server{cfg: h.cfg}
	h.fake.newIngest = func(w *fakeRun) {
		in := w.input.(rf.IngestInput)
		w.ingest = &rf.IngestResult{Corpus: in.Corpus, Total: 3, Files: 1, Chunks: 4,
			Skipped: []rf.SkippedFile{{Path: filepath.Join(in.Path, "tool.exe"), Reason: "unsupported file type"}}}
	}
	ctx := context.Background()
	if _, err := h.fake.StartIngest(ctx, "ingest-a", rf.IngestInput{Corpus: "alice--notes", Path: s.uploadDir("alice", "notes"), Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	rec := h.do("GET", "/v1/corpora/notes/ingestions/ingest-a", aliceKey, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET ingestion: %d %s", rec.Code, rec.Body)
	}
	var got Ingestion
	decode(t, rec, &got)
	if got.Status != rf.StatusRunning || got.Done || got.Total != 3 || got.Seen != 1 || got.Chunks != 4 ||
		len(got.Skipped) != 1 || got.Skipped[0].Name != "tool.exe" || got.ClosedAt != nil {
		t.Errorf("running ingestion = %+v", got)
	}
	if strings.Contains(rec.Body.String(), h.cfg.DataDir) {
		t.Errorf("the progress shows a server path: %s", rec.Body)
	}
	for _, tc := range []struct{ key, path string }{
		{bobKey, "/v1/corpora/notes/ingestions/ingest-a"},
		{aliceKey, "/v1/corpora/other/ingestions/ingest-a"},
		{aliceKey, "/v1/corpora/notes/ingestions/ingest-none"},
	} {
		if rec := h.do("GET", tc.path, tc.key, ""); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d %s, want 404", tc.path, rec.Code, rec.Body)
		}
	}

	h.fake.mu.Lock()
	w := h.fake.wfs["ingest-a"]
	w.ingest = &rf.IngestResult{Corpus: "alice--notes", Total: 3, Files: 3, Unchanged: 1, Chunks: 9, Done: true}
	w.closeLocked(nil, nil, rf.StatusCompleted)
	h.fake.mu.Unlock()
	rec = h.do("GET", "/v1/corpora/notes/ingestions/ingest-a", aliceKey, "")
	got = Ingestion{}
	decode(t, rec, &got)
	if rec.Code != http.StatusOK || got.Status != rf.StatusCompleted || !got.Done || got.Seen != 3 || got.Unchanged != 1 || got.Chunks != 9 || got.ClosedAt == nil {
		t.Errorf("finished ingestion: %d %+v", rec.Code, got)
	}
}

func TestDocumentName(t *testing.T) {
	s := &server{cfg: Config{DataDir: "/var/lib/researchflow"}}
	for _, tc := range []struct{ loc, name, typ string }{
		{filepath.Join(s.uploadDir(LocalOwner, "notes"), "会议纪要.md"), "会议纪要.md", "md"},
		{"file:///srv/docs/guide.html", "guide.html", "html"},
		{`C:\docs\plan.DOCX`, "plan.DOCX", "docx"},
		{"https://go.dev/ref/mem", "https://go.dev/ref/mem", "web"},
		{"/srv/docs/README", "README", ""},
	} {
		if name, typ := documentName(tc.loc); name != tc.name || typ != tc.typ {
			t.Errorf("documentName(%q) = %q, %q; want %q, %q", tc.loc, name, typ, tc.name, tc.typ)
		}
	}
}

// An ingestion says how many files it stored, so that its counts add up
// (seen = ingested + unchanged + skippedTotal): a trial's upload of
// security.md, offsite.txt and empty.md read "total 3, seen 3,
// skippedTotal 1" with no count of the 2 documents stored.
func TestIngestionCountsAddUp(t *testing.T) {
	h, _ := newStoreHarness(t, nil)
	s := &server{cfg: h.cfg}
	results := map[string]*rf.IngestResult{
		"ingest-trial": {Corpus: "alice--teamweb", Total: 3, Files: 3, Chunks: 2, Done: true,
			Skipped: []rf.SkippedFile{{Path: "empty.md", Reason: "no text"}}, SkippedTotal: 1},
		// Running, over a corpus with earlier uploads: 2 of them unchanged.
		"ingest-more": {Corpus: "alice--teamweb", Total: 9, Files: 6, Unchanged: 2, Chunks: 5,
			Skipped: []rf.SkippedFile{{Path: "x.exe", Reason: "unsupported"}}},
	}
	want := map[string]int{"ingest-trial": 2, "ingest-more": 3}
	h.fake.newIngest = func(w *fakeRun) { w.ingest = results[w.id] }
	for id := range results {
		if _, err := h.fake.StartIngest(context.Background(), id, rf.IngestInput{Corpus: "alice--teamweb", Path: s.uploadDir("alice", "teamweb"), Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
		rec := h.do("GET", "/v1/corpora/teamweb/ingestions/"+id, aliceKey, "")
		var got Ingestion
		decode(t, rec, &got)
		if got.Ingested != want[id] || got.Seen != got.Ingested+got.Unchanged+got.SkippedTotal {
			t.Errorf("%s: %s, want %d ingested and seen = ingested + unchanged + skippedTotal", id, rec.Body, want[id])
		}
		if !strings.Contains(rec.Body.String(), `"ingested":`) {
			t.Errorf("%s: no ingested count: %s", id, rec.Body)
		}
	}
}
