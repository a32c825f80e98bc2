package gateway

import (
	"github.com/researchflow/researchflow/internal/doctypes"

	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

type upFile struct{ name, content string }

// uploadFiles posts files, in this order, to corpus as key.
func (h *harness) uploadFiles(key, corpus string, files ...upFile) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.uploadFilesQuery(key, corpus, "", files...)
}

// uploadFilesQuery is uploadFiles with a query string ("?replace=true").
func (h *harness) uploadFilesQuery(key, corpus, query string, files ...upFile) *httptest.ResponseRecorder {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		fw, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			h.t.Fatal(err)
		}
		fw.Write([]byte(f.content))
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/v1/corpora/"+corpus+"/documents"+query, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

// storedFiles returns name → content of alice's upload folder of corpus.
func storedFiles(t *testing.T, h *harness, corpus string) map[string]string {
	t.Helper()
	dir := filepath.Join(h.cfg.DataDir, "uploads", ownerHash("alice"), corpus)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// TestUploadKeepsEveryFile is issue 9's failing input: two Chinese names in
// one request were both stored as "____.md", the second overwriting the
// first. Every file sent must be stored under its own name, and no upload
// may replace a stored file.
func TestUploadKeepsEveryFile(t *testing.T) {
	tests := []struct {
		name  string
		files []upFile
		want  []string // stored names, in request order
	}{
		{"chinese", []upFile{{"会议纪要.md", "minutes"}, {"项目计划.md", "plan"}}, []string{"会议纪要.md", "项目计划.md"}},
		{"japanese", []upFile{{"議事録.md", "gijiroku"}, {"計画書.txt", "keikaku"}}, []string{"議事録.md", "計画書.txt"}},
		{"arabic", []upFile{{"ملاحظات.md", "notes"}, {"خطة المشروع.md", "plan"}}, []string{"ملاحظات.md", "خطة المشروع.md"}},
		{"emoji", []upFile{{"🚀.md", "rocket"}, {"🛰️.md", "satellite"}}, []string{"🚀.md", "🛰️.md"}},
		{"stripped character", []upFile{{"a:b.md", "colon"}, {"a_b.md", "underscore"}, {"a?b.md", "question"}},
			[]string{"a_b.md", "a_b (2).md", "a_b (3).md"}},
		{"NFD and NFC", []upFile{{"caf\u0065\u0301.md", "nfd"}, {"caf\u00e9.md", "nfc"}},
			[]string{"caf\u00e9.md", "caf\u00e9 (2).md"}},
		{"same bytes twice", []upFile{{"x.md", "same"}, {"x.md", "same"}}, []string{"x.md", "x.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			rec := h.uploadFiles(aliceKey, "notes", tt.files...)
			if rec.Code != http.StatusAccepted {
				t.Fatalf("upload: %d %s", rec.Code, rec.Body)
			}
			var out UploadResponse
			decode(t, rec, &out)
			if !slices.Equal(out.Files, tt.want) {
				t.Errorf("answer lists %q, want %q", out.Files, tt.want)
			}
			stored := storedFiles(t, h, "notes")
			for i, f := range tt.files {
				if got := stored[tt.want[i]]; got != f.content {
					t.Errorf("%s stored as %s holds %q, want %q", f.name, tt.want[i], got, f.content)
				}
			}
			if distinct := len(slices.Compact(slices.Sorted(slices.Values(tt.want)))); len(stored) != distinct {
				t.Errorf("folder holds %d files, want %d: %v", len(stored), distinct, stored)
			}
		})
	}
}

// TestUploadNeverReplaces uploads into a corpus that already holds files.
func TestUploadNeverReplaces(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_MAX_FILE_MB": "1"})
	up := func(files ...upFile) []string {
		t.Helper()
		rec := h.uploadFiles(aliceKey, "notes", files...)
		if rec.Code != http.StatusAccepted {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
		var out UploadResponse
		decode(t, rec, &out)
		return out.Files
	}
	up(upFile{"会议纪要.md", "v1"})
	if got := up(upFile{"会议纪要.md", "v2"}); !slices.Equal(got, []string{"会议纪要 (2).md"}) {
		t.Errorf("second version stored as %q", got)
	}
	// The same bytes again are not stored twice, whichever variant holds them.
	if got := up(upFile{"会议纪要.md", "v2"}, upFile{"会议纪要.md", "v1"}); !slices.Equal(got, []string{"会议纪要 (2).md", "会议纪要.md"}) {
		t.Errorf("re-upload stored as %q", got)
	}
	if got := up(upFile{"会议纪要.md", "v3"}); !slices.Equal(got, []string{"会议纪要 (3).md"}) {
		t.Errorf("third version stored as %q", got)
	}
	want := map[string]string{"会议纪要.md": "v1", "会议纪要 (2).md": "v2", "会议纪要 (3).md": "v3"}
	if got := storedFiles(t, h, "notes"); !mapsEqual(got, want) {
		t.Errorf("folder = %v, want %v", got, want)
	}

	// A refused request stores nothing, not even the files before the bad one.
	rec := h.uploadFiles(aliceKey, "notes", upFile{"new.md", "fine"}, upFile{"会议纪要.md", "v4"}, upFile{"big.txt", strings.Repeat("a", 1<<20+1)})
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized upload: %d %s", rec.Code, rec.Body)
	}
	if got := storedFiles(t, h, "notes"); !mapsEqual(got, want) {
		t.Errorf("after a refused upload, folder = %v, want %v", got, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestUploadRemovesStaleTemporaries: temporary files left by a request that
// never finished (the process died) are removed by a later upload once
// they are an hour old; those of requests in flight are left alone.
func TestUploadRemovesStaleTemporaries(t *testing.T) {
	h := newHarness(t, nil)
	dir := filepath.Join(h.cfg.DataDir, "uploads", ownerHash("alice"), "notes")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	old, fresh := filepath.Join(dir, ".upload-old.part"), filepath.Join(dir, ".upload-fresh.part")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	then := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, then, then); err != nil {
		t.Fatal(err)
	}
	if rec := h.uploadFiles(aliceKey, "notes", upFile{"a.md", "a"}); rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stale temporary kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("temporary of a request in flight removed: %v", err)
	}
}

// TestUploadTypesAreThoseIngestionReads is issue 19 item 7: the upload
// route refused .markdown, which folder ingestion reads. Every type of the
// one list is accepted; a known document type that is not read is refused
// with the reason and a hint; a .docx that is not a zip archive is refused
// as not matching its extension.
func TestUploadTypesAreThoseIngestionReads(t *testing.T) {
	h := newHarness(t, nil)
	var files []upFile
	for _, ext := range doctypes.List() {
		body := "# Notes\n\nRead me."
		switch {
		case ext == ".pdf":
			body = "%PDF-1.4\n%%EOF\n"
		case doctypes.Zip(ext):
			body = "PK\x03\x04\x14\x00\x00\x00"
		}
		files = append(files, upFile{"notes" + ext, body})
	}
	if rec := h.uploadFiles(aliceKey, "notes", files...); rec.Code != http.StatusAccepted {
		t.Fatalf("upload of %v: %d %s", doctypes.List(), rec.Code, rec.Body)
	}
	for name, kind := range map[string]string{"handbook.doc": "Word", "expenses.rtf": "Rich Text", "oncall.xlsx": "spreadsheet"} {
		rec := h.uploadFiles(aliceKey, "notes", upFile{name, "PK\x03\x04"})
		if rec.Code != http.StatusUnsupportedMediaType || !strings.Contains(rec.Body.String(), kind) || !strings.Contains(rec.Body.String(), "PDF") {
			t.Errorf("%s: %d %s, want 415 naming %q with a hint", name, rec.Code, rec.Body, kind)
		}
	}
	if rec := h.uploadFiles(aliceKey, "notes", upFile{"fake.docx", "plain text"}); rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("fake.docx: %d %s, want 415", rec.Code, rec.Body)
	}
}

// TestUploadReplace: ?replace=true puts a file in the place of the stored
// file of its name (one step instead of delete then upload), and says so;
// ?replace=false and no parameter keep both; a refused replace keeps the
// stored file; a value other than true or false is a 400 that stores
// nothing.
func TestUploadReplace(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_MAX_FILE_MB": "1"})
	up := func(query string, files ...upFile) UploadResponse {
		t.Helper()
		rec := h.uploadFilesQuery(aliceKey, "notes", query, files...)
		if rec.Code != http.StatusAccepted {
			t.Fatalf("upload%s: %d %s", query, rec.Code, rec.Body)
		}
		var out UploadResponse
		decode(t, rec, &out)
		return out
	}
	up("", upFile{"backups.md", "v1"}, upFile{"oncall.md", "o1"})
	got := up("?replace=true", upFile{"backups.md", "v2"}, upFile{"new.md", "n1"})
	if !slices.Equal(got.Files, []string{"backups.md", "new.md"}) || !slices.Equal(got.Replaced, []string{"backups.md"}) {
		t.Errorf("replace answered files %q, replaced %q; want backups.md replaced and new.md added", got.Files, got.Replaced)
	}
	want := map[string]string{"backups.md": "v2", "oncall.md": "o1", "new.md": "n1"}
	if got := storedFiles(t, h, "notes"); !mapsEqual(got, want) {
		t.Errorf("after the replace, folder = %v, want %v", got, want)
	}
	if rec := h.uploadFilesQuery(aliceKey, "notes", "?replace=true", upFile{"backups.md", "v2"}); !strings.Contains(rec.Body.String(), `"files":["backups.md"]`) || strings.Contains(rec.Body.String(), "replaced") {
		t.Errorf("the same bytes again: %d %s, want backups.md and nothing replaced", rec.Code, rec.Body)
	}

	for _, q := range []string{"", "?replace=false"} {
		got := up(q, upFile{"oncall.md", "o2" + q})
		if !slices.Equal(got.Files, []string{"oncall (2).md"}) || got.Replaced != nil {
			t.Errorf("upload%s answered files %q, replaced %q; want oncall (2).md and nothing replaced", q, got.Files, got.Replaced)
		}
		dir := filepath.Join(h.cfg.DataDir, "uploads", ownerHash("alice"), "notes")
		if err := os.Remove(filepath.Join(dir, "oncall (2).md")); err != nil {
			t.Fatal(err)
		}
	}

	// A refused replace loses nothing.
	rec := h.uploadFilesQuery(aliceKey, "notes", "?replace=true", upFile{"backups.md", "v3"}, upFile{"big.txt", strings.Repeat("a", 1<<20+1)})
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized replace: %d %s", rec.Code, rec.Body)
	}
	rec = h.uploadFilesQuery(aliceKey, "notes", "?replace=true", upFile{"backups.md", "v3"}, upFile{"tool.exe", "MZ"})
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("replace with an .exe: %d %s", rec.Code, rec.Body)
	}
	if got := storedFiles(t, h, "notes"); !mapsEqual(got, want) {
		t.Errorf("after refused replaces, folder = %v, want %v", got, want)
	}

	for _, q := range []string{"?replace=maybe", "?replace=", "?replace=TRUE", "?replace=1"} {
		rec := h.uploadFilesQuery(aliceKey, "notes", q, upFile{"backups.md", "v4"})
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "replace: want true") {
			t.Errorf("upload%s: %d %s, want 400 saying replace wants true or false", q, rec.Code, rec.Body)
		}
	}
	if got := storedFiles(t, h, "notes"); !mapsEqual(got, want) {
		t.Errorf("after refused values of replace, folder = %v, want %v", got, want)
	}
}

// TestUploadReplaceRefusesAnUnreadableVersion: a replacement ingestion
// could not use (here blank) took the stored file's place and lost the old
// version. The upload is now refused whole with 422 unreadable_document,
// the message naming the file and why, and every stored file stays; a new
// file is not read (an empty one is stored, as before). A gateway without
// a document reader answers replace=true with 501 and stores nothing.
func TestUploadReplaceRefusesAnUnreadableVersion(t *testing.T) {
	h := newHarness(t, nil)
	if rec := h.uploadFiles(aliceKey, "notes", upFile{"backups.md", "v1"}, upFile{"oncall.txt", "o1"}); rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	want := map[string]string{"backups.md": "v1", "oncall.txt": "o1"}
	for _, files := range [][]upFile{
		{{"oncall.txt", " \n\t\n"}},
		{{"backups.md", "v2"}, {"oncall.txt", ""}},
	} {
		rec := h.uploadFilesQuery(aliceKey, "notes", "?replace=true", files...)
		var body errorBody
		decode(t, rec, &body)
		if rec.Code != http.StatusUnprocessableEntity || body.Error.Code != "unreadable_document" ||
			!strings.HasPrefix(body.Error.Message, "oncall.txt: ") || !strings.Contains(body.Error.Message, "no extractable text") {
			t.Errorf("replace with %d files, the last blank: %d %s, want 422 unreadable_document naming oncall.txt and why", len(files), rec.Code, rec.Body)
		}
		if got := storedFiles(t, h, "notes"); !mapsEqual(got, want) {
			t.Errorf("after a refused replace, folder = %v, want %v", got, want)
		}
	}
	if n := len(h.fake.started()); n != 1 {
		t.Errorf("%d ingestions started, want 1 (refused uploads start none)", n)
	}

	if rec := h.uploadFilesQuery(aliceKey, "notes", "?replace=true", upFile{"empty.txt", ""}); rec.Code != http.StatusAccepted {
		t.Errorf("a new empty file with replace=true: %d %s, want 202 (as without replace)", rec.Code, rec.Body)
	}

	handler, err := New(h.cfg, Deps{Runs: h.fake})
	if err != nil {
		t.Fatal(err)
	}
	h.h = handler
	rec := h.uploadFilesQuery(aliceKey, "notes", "?replace=true", upFile{"backups.md", "v2"})
	if rec.Code != http.StatusNotImplemented || !strings.Contains(rec.Body.String(), "not_implemented") {
		t.Errorf("replace on a gateway without a reader: %d %s, want 501", rec.Code, rec.Body)
	}
	if got := storedFiles(t, h, "notes")["backups.md"]; got != "v1" {
		t.Errorf("backups.md holds %q, want v1", got)
	}
}

// TestUploadNamesEveryRefusedFile is a new-user trial's fault: an upload
// of several files, more than one of a type ingestion does not read, was
// answered 415 naming the first bad file only, so each fix met the next
// refusal. The answer now names every refused file with its code and why
// (error.files, in the order sent, and the message), and nothing of the
// upload is stored, nor is an ingestion started.
func TestUploadNamesEveryRefusedFile(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_MAX_FILE_MB": "1"})
	if rec := h.uploadFiles(aliceKey, "notes", upFile{"kept.md", "k1"}); rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	started := len(h.fake.started())
	rec := h.uploadFiles(aliceKey, "notes",
		upFile{"hiring.md", "# Hiring"},
		upFile{"sheet.csv", "a,b\n1,2\n"},
		upFile{"handbook.doc", "\xd0\xcf\x11\xe0"},
		upFile{"fake.pdf", "not a pdf"},
		upFile{"big.txt", strings.Repeat("a", 1<<20+1)},
		upFile{"notes.txt", "fine"},
	)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("status = %d, want 415: %s", rec.Code, rec.Body)
	}
	var got struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Files   []struct {
				Name   string `json:"name"`
				Code   string `json:"code"`
				Reason string `json:"reason"`
			} `json:"files"`
		} `json:"error"`
	}
	decode(t, rec, &got)
	want := [][2]string{
		{"sheet.csv", "unsupported_media_type"},
		{"handbook.doc", "unsupported_media_type"},
		{"fake.pdf", "unsupported_media_type"},
		{"big.txt", "file_too_large"},
	}
	if got.Error.Code != "unsupported_media_type" || len(got.Error.Files) != len(want) {
		t.Fatalf("answer = %+v, want unsupported_media_type naming %v", got.Error, want)
	}
	for i, w := range want {
		f := got.Error.Files[i]
		if f.Name != w[0] || f.Code != w[1] || f.Reason == "" {
			t.Errorf("files[%d] = %+v, want %s (%s) and why", i, f, w[0], w[1])
		}
		if !strings.Contains(got.Error.Message, w[0]+": "+f.Reason) {
			t.Errorf("the message does not say %q: %s", w[0]+": "+f.Reason, got.Error.Message)
		}
	}
	if !strings.Contains(got.Error.Files[0].Reason, "export it as PDF, .docx or Markdown") {
		t.Errorf("sheet.csv: reason %q has no hint", got.Error.Files[0].Reason)
	}
	if files := storedFiles(t, h, "notes"); !mapsEqual(files, map[string]string{"kept.md": "k1"}) {
		t.Errorf("after the refused upload, folder = %v, want kept.md alone", files)
	}
	if len(h.fake.started()) != started {
		t.Errorf("a refused upload started an ingestion")
	}
}

// A refused replace of several files names each and replaces nothing; a
// single refused file is answered as before (its message "name: reason"),
// with files naming it.
func TestUploadReplaceNamesEveryRefusedFile(t *testing.T) {
	h := newHarness(t, nil)
	if rec := h.uploadFiles(aliceKey, "notes", upFile{"backups.md", "v1"}); rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	rec := h.uploadFilesQuery(aliceKey, "notes", "?replace=true", upFile{"backups.md", "v2"}, upFile{"tool.exe", "MZ"}, upFile{"slides.pptx", "PK\x03\x04"})
	var b errorBody
	decode(t, rec, &b)
	if rec.Code != http.StatusUnsupportedMediaType || len(b.Error.Files) != 2 || b.Error.Files[0].Name != "tool.exe" || b.Error.Files[1].Name != "slides.pptx" {
		t.Errorf("replace with two refused files: %d %s", rec.Code, rec.Body)
	}
	if files := storedFiles(t, h, "notes"); !mapsEqual(files, map[string]string{"backups.md": "v1"}) {
		t.Errorf("after the refused replace, folder = %v, want backups.md v1", files)
	}
	rec = h.uploadFiles(aliceKey, "notes", upFile{"tool.exe", "MZ"})
	b = errorBody{}
	decode(t, rec, &b)
	if len(b.Error.Files) != 1 || b.Error.Message != "tool.exe: "+b.Error.Files[0].Reason {
		t.Errorf("one refused file: %s", rec.Body)
	}
}

// Each stored file a replace would put a blank or unreadable version in
// the place of is named, with why, not the first only: 422 for them all.
func TestUploadReplaceNamesEveryUnreadableVersion(t *testing.T) {
	h := newHarness(t, nil)
	if rec := h.uploadFiles(aliceKey, "notes", upFile{"backups.md", "v1"}, upFile{"oncall.txt", "o1"}, upFile{"runbook.md", "r1"}); rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	rec := h.uploadFilesQuery(aliceKey, "notes", "?replace=true", upFile{"oncall.txt", ""}, upFile{"backups.md", "v2"}, upFile{"runbook.md", " \n"})
	var b errorBody
	decode(t, rec, &b)
	if rec.Code != http.StatusUnprocessableEntity || b.Error.Code != "unreadable_document" || len(b.Error.Files) != 2 ||
		b.Error.Files[0].Name != "oncall.txt" || b.Error.Files[1].Name != "runbook.md" || !strings.Contains(b.Error.Message, "runbook.md: ingestion cannot read it") {
		t.Errorf("replace with two blank versions: %d %s, want 422 naming oncall.txt and runbook.md", rec.Code, rec.Body)
	}
	if got := storedFiles(t, h, "notes"); !mapsEqual(got, map[string]string{"backups.md": "v1", "oncall.txt": "o1", "runbook.md": "r1"}) {
		t.Errorf("after the refused replace, folder = %v", got)
	}
}
