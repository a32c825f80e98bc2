package uploads

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
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
	return f.Receive(multipart.NewReader(r, boundary))
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
