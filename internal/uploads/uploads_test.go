package uploads

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/corpus"
)

// body is a multipart body with one file per name/content pair.
func body(t *testing.T, files ...[2]string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f[0])
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(f[1]))
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.Boundary()
}

func receive(t *testing.T, dir string, limits Limits, bodyLimit int64, files ...[2]string) ([]File, error) {
	t.Helper()
	buf, boundary := body(t, files...)
	f, err := Open(dir, limits, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r = http.MaxBytesReader(httptest.NewRecorder(), nopCloser{buf}, bodyLimit)
	return f.Receive(context.Background(), multipart.NewReader(r, boundary), Keep, nil)
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// TestRefusalsAreKindsAndStoreNothing: every refusal is an *Error of its
// kind, and a refused upload leaves no file behind, not even the files of
// the same upload that were fine.
func TestRefusalsAreKindsAndStoreNothing(t *testing.T) {
	limits := Limits{MaxFileBytes: 1 << 10, MaxUploadBytes: 4 << 10}
	for _, tt := range []struct {
		name  string
		limit int64
		files [][2]string
		want  Kind
	}{
		{"unsupported type", 1 << 20, [][2]string{{"ok.md", "# fine"}, {"tool.exe", "MZ"}}, Unsupported},
		{"content not matching", 1 << 20, [][2]string{{"ok.md", "# fine"}, {"paper.pdf", "not a pdf"}}, Unsupported},
		{"file too large", 1 << 20, [][2]string{{"ok.md", "# fine"}, {"big.md", string(bytes.Repeat([]byte("a"), 2<<10))}}, FileTooLarge},
		{"body too large", 300, [][2]string{{"ok.md", string(bytes.Repeat([]byte("a"), 900))}}, UploadTooLarge},
		{"empty name", 1 << 20, [][2]string{{"ok.md", "# fine"}, {"...", "x"}}, Invalid},
		{"no file", 1 << 20, nil, Invalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := receive(t, dir, limits, tt.limit, tt.files...)
			var ue *Error
			if !errors.As(err, &ue) || ue.Kind != tt.want {
				t.Fatalf("err = %v, want an *Error of kind %s", err, tt.want)
			}
			if ue.Message == "" {
				t.Error("a refusal without a message")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a refused upload left %d files", len(entries))
			}
		})
	}
}

// TestRefusalNamesEveryRefusedFile: an upload with several files refused
// for themselves named only the first, so a person fixed them one request
// at a time. The refusal now names each (Files, in the order sent, and the
// message), says why each, takes its kind from the first, and stores
// nothing, not even the files that were fine.
func TestRefusalNamesEveryRefusedFile(t *testing.T) {
	dir := t.TempDir()
	limits := Limits{MaxFileBytes: 1 << 10, MaxUploadBytes: 8 << 10}
	_, err := receive(t, dir, limits, 1<<20,
		[2]string{"ok.md", "# fine"},
		[2]string{"tool.exe", "MZ"},
		[2]string{"sheet.csv", "a,b"},
		[2]string{"fine.txt", "also fine"},
		[2]string{"paper.pdf", "not a pdf"},
		[2]string{"big.md", strings.Repeat("a", 2<<10)},
		[2]string{"...", "x"},
	)
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != Unsupported {
		t.Fatalf("err = %v, want an *Error of kind %s", err, Unsupported)
	}
	want := []Refused{
		{Name: "tool.exe", Kind: Unsupported},
		{Name: "sheet.csv", Kind: Unsupported},
		{Name: "paper.pdf", Kind: Unsupported},
		{Name: "big.md", Kind: FileTooLarge},
		{Name: "...", Kind: Invalid},
	}
	if len(ue.Files) != len(want) {
		t.Fatalf("refused %+v, want %d files", ue.Files, len(want))
	}
	for i, w := range want {
		got := ue.Files[i]
		if got.Name != w.Name || got.Kind != w.Kind || got.Reason == "" {
			t.Errorf("refused[%d] = %+v, want %s (%s) with a reason", i, got, w.Name, w.Kind)
		}
		if !strings.Contains(ue.Message, got.String()) {
			t.Errorf("the message does not say %q: %s", got.String(), ue.Message)
		}
	}
	if !strings.HasPrefix(ue.Message, "5 files refused") {
		t.Errorf("message = %q, want it to count the 5 refused files", ue.Message)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused upload left %d files", len(entries))
	}
}

// TestBodyRefusalNamesTheFilesRefusedBefore: a refusal that stops the
// reading (the upload over its limit) names the files refused before it
// too, so the next try is not refused for them.
func TestBodyRefusalNamesTheFilesRefusedBefore(t *testing.T) {
	dir := t.TempDir()
	limits := Limits{MaxFileBytes: 1 << 10, MaxUploadBytes: 1 << 10}
	_, err := receive(t, dir, limits, 1<<20,
		[2]string{"tool.exe", "MZ"},
		[2]string{"a.md", strings.Repeat("a", 900)},
		[2]string{"b.md", strings.Repeat("b", 900)},
	)
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != FileTooLarge {
		t.Fatalf("err = %v, want an *Error of kind %s", err, FileTooLarge)
	}
	if !strings.HasPrefix(ue.Message, "b.md: ") || !strings.Contains(ue.Message, "also refused: tool.exe: ") {
		t.Errorf("message = %q, want b.md over the limit and tool.exe refused", ue.Message)
	}
	if len(ue.Files) != 1 || ue.Files[0].Name != "tool.exe" {
		t.Errorf("files = %+v, want tool.exe", ue.Files)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused upload left %d files", len(entries))
	}
}

// TestRefusalListsAreBounded: a body of thousands of refused files lists
// the first MaxRefusedListed and counts every one.
func TestRefusalListsAreBounded(t *testing.T) {
	var files [][2]string
	for i := range MaxRefusedListed + 7 {
		files = append(files, [2]string{fmt.Sprintf("f%d.exe", i), "MZ"})
	}
	_, err := receive(t, t.TempDir(), Limits{MaxFileBytes: 1 << 10, MaxUploadBytes: 1 << 20}, 1<<22, files...)
	var ue *Error
	if !errors.As(err, &ue) || len(ue.Files) != MaxRefusedListed {
		t.Fatalf("err = %v, want %d files listed", err, MaxRefusedListed)
	}
	if want := fmt.Sprintf("%d files refused", MaxRefusedListed+7); !strings.HasPrefix(ue.Message, want) || !strings.HasSuffix(ue.Message, fmt.Sprintf("; and %d more", MaxRefusedListed+7-maxRefusedInMessage)) {
		t.Errorf("message = %q…%q", ue.Message[:40], ue.Message[len(ue.Message)-40:])
	}
}

func TestReceiveStoresEveryFileOnce(t *testing.T) {
	dir := t.TempDir()
	limits := Limits{MaxFileBytes: 1 << 10, MaxUploadBytes: 4 << 10}
	got, err := receive(t, dir, limits, 1<<20, [2]string{"a.md", "one"}, [2]string{"a.md", "two"}, [2]string{"a.md", "one"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.md", "a (2).md", "a.md"}
	for i, f := range got {
		if f.Stored != want[i] || f.Sent != "a.md" {
			t.Errorf("file %d = %+v, want stored as %q", i, f, want[i])
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files stored, want 2", len(entries))
	}
}

// folderFiles is name → content of every entry of dir, hidden ones too.
func folderFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(dir + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func receiveMode(t *testing.T, dir string, mode Mode, files ...[2]string) ([]File, error) {
	t.Helper()
	buf, boundary := body(t, files...)
	f, err := Open(dir, Limits{MaxFileBytes: 1 << 10, MaxUploadBytes: 1 << 20}, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return f.Receive(context.Background(), multipart.NewReader(buf, boundary), mode, corpus.Usable)
}

// TestReceiveReplaces: with Replace, a file takes the place of the stored
// file of its name (one file afterwards, nothing set aside left over); the
// same bytes again replace nothing; a second file of the same name in one
// upload gets a variant; and an upload refused or failing part-way puts
// back every file it replaced.
func TestReceiveReplaces(t *testing.T) {
	dir := t.TempDir()
	if _, err := receiveMode(t, dir, Keep, [2]string{"a.md", "v1"}, [2]string{"b.md", "b1"}); err != nil {
		t.Fatal(err)
	}
	got, err := receiveMode(t, dir, Replace, [2]string{"a.md", "v2"}, [2]string{"c.md", "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (File{Sent: "a.md", Stored: "a.md", Size: 2, Replaced: true}) || got[1] != (File{Sent: "c.md", Stored: "c.md", Size: 2}) {
		t.Errorf("replace answered %+v, want a.md replaced and c.md new", got)
	}
	want := map[string]string{"a.md": "v2", "b.md": "b1", "c.md": "c1"}
	if got := folderFiles(t, dir); !maps.Equal(got, want) {
		t.Errorf("folder = %v, want %v", got, want)
	}

	got, err = receiveMode(t, dir, Replace, [2]string{"a.md", "v2"}, [2]string{"b.md", "b2"}, [2]string{"b.md", "b3"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Replaced || got[0].Stored != "a.md" || !got[1].Replaced || got[1].Stored != "b.md" || got[2].Replaced || got[2].Stored != "b (2).md" {
		t.Errorf("answered %+v, want a.md unchanged, b.md replaced, the second b.md as b (2).md", got)
	}
	want = map[string]string{"a.md": "v2", "b.md": "b2", "b (2).md": "b3", "c.md": "c1"}
	if got := folderFiles(t, dir); !maps.Equal(got, want) {
		t.Errorf("folder = %v, want %v", got, want)
	}

	// Refused while reading: nothing replaced.
	if _, err := receiveMode(t, dir, Replace, [2]string{"a.md", "v3"}, [2]string{"tool.exe", "MZ"}); err == nil {
		t.Fatal("an upload with an .exe was accepted")
	}
	if got := folderFiles(t, dir); !maps.Equal(got, want) {
		t.Errorf("after a refused replace, folder = %v, want %v", got, want)
	}

	// Failing while publishing, after a.md was replaced: every variant of
	// c.md's name is taken, so its second copy has no name left.
	for i := 2; i <= maxNameVariants; i++ {
		name := fmt.Sprintf("c (%d).md", i)
		if err := os.WriteFile(dir+"/"+name, []byte(name), 0o640); err != nil {
			t.Fatal(err)
		}
		want[name] = name
	}
	_, err = receiveMode(t, dir, Replace, [2]string{"a.md", "v4"}, [2]string{"c.md", "c2"}, [2]string{"c.md", "c3"})
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != NameTaken {
		t.Fatalf("err = %v, want NameTaken", err)
	}
	if got := folderFiles(t, dir); !maps.Equal(got, want) {
		for k, v := range got {
			if want[k] != v {
				t.Errorf("after a failed replace, %s holds %q, want %q", k, v, want[k])
			}
		}
		t.Errorf("after a failed replace, folder has %d entries, want %d", len(got), len(want))
	}
}
