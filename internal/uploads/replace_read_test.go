package uploads

import (
	"context"
	"errors"
	"maps"
	"mime/multipart"
	"strings"
	"testing"
	"time"
)

// TestReplaceReadsTheNewVersionFirst: with Replace, a file that ingestion
// cannot use (a malformed PDF, a text file with nothing but blanks) was
// stored in the old file's place, and the old version was lost (from disk
// at once, from memory at the next ingestion). Each replacement is read
// with ingestion's readers (corpus.Usable) first: an unusable one refuses
// the whole upload, naming the file and why, and every stored file stays
// as it was; a usable one replaces as before.
func TestReplaceReadsTheNewVersionFirst(t *testing.T) {
	dir := t.TempDir()
	stored := map[string]string{
		"paper.pdf":  "%PDF-1.4\nthe old paper, as uploaded\n",
		"notes.txt":  "Backups run nightly at two.",
		"backups.md": "# Backups\n\nNightly at two, kept thirty days.\n",
	}
	var old [][2]string
	for _, n := range []string{"paper.pdf", "notes.txt", "backups.md"} {
		old = append(old, [2]string{n, stored[n]})
	}
	if _, err := receiveMode(t, dir, Keep, old...); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name  string
		files [][2]string
		why   string // in the refusal's message
	}{
		{"malformed PDF", [][2]string{{"paper.pdf", "%PDF-1.4\nthis is no pdf\n"}}, "read pdf"},
		{"blank text", [][2]string{{"notes.txt", " \n\t\n  \n"}}, "no extractable text"},
		{"empty text", [][2]string{{"notes.txt", ""}}, "no extractable text"},
		{"second of two bad", [][2]string{{"backups.md", "# Backups\n\nNightly at three now.\n"}, {"notes.txt", "\n\n"}}, "no extractable text"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := receiveMode(t, dir, Replace, tt.files...)
			var ue *Error
			if !errors.As(err, &ue) || ue.Kind != Unreadable {
				t.Fatalf("err = %v, want an Unreadable refusal", err)
			}
			bad := tt.files[len(tt.files)-1][0]
			if !strings.HasPrefix(ue.Message, bad+": ") || !strings.Contains(ue.Message, tt.why) || !strings.Contains(ue.Message, "stays as it was") {
				t.Errorf("message %q, want it to name %s, say %q and that the stored file stays", ue.Message, bad, tt.why)
			}
			if got := folderFiles(t, dir); !maps.Equal(got, stored) {
				t.Errorf("after a refused replace, folder = %q, want %q", got, stored)
			}
		})
	}

	// Readable: replaced, as before; a new file is not read (an empty
	// one is stored, as ever, and ingestion reports it skipped).
	got, err := receiveMode(t, dir, Replace, [2]string{"backups.md", "# Backups\n\nNightly at three now.\n"}, [2]string{"new.txt", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Replaced || got[0].Stored != "backups.md" || got[1].Replaced || got[1].Stored != "new.txt" {
		t.Errorf("answered %+v, want backups.md replaced and new.txt added", got)
	}
	stored["backups.md"] = "# Backups\n\nNightly at three now.\n"
	stored["new.txt"] = ""
	if got := folderFiles(t, dir); !maps.Equal(got, stored) {
		t.Errorf("after a readable replace, folder = %q, want %q", got, stored)
	}
}

// TestReplaceWithoutAReaderReplacesNothing: Replace needs a Reader; without
// one an upload that would replace a file fails and replaces nothing.
func TestReplaceWithoutAReaderReplacesNothing(t *testing.T) {
	dir := t.TempDir()
	if _, err := receiveMode(t, dir, Keep, [2]string{"a.md", "v1"}); err != nil {
		t.Fatal(err)
	}
	buf, boundary := body(t, [2]string{"a.md", "v2"})
	f, err := Open(dir, Limits{MaxFileBytes: 1 << 10, MaxUploadBytes: 1 << 20}, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = f.Receive(context.Background(), multipart.NewReader(buf, boundary), Replace, nil)
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != Storage {
		t.Errorf("err = %v, want a Storage error", err)
	}
	if got, want := folderFiles(t, dir), map[string]string{"a.md": "v1"}; !maps.Equal(got, want) {
		t.Errorf("folder = %q, want %q", got, want)
	}
}

// TestReplaceCancelledWhileReading: a request that ends while its
// replacement is read is context.Canceled (the client went away, not a
// fault of the server's) and replaces nothing.
func TestReplaceCancelledWhileReading(t *testing.T) {
	dir := t.TempDir()
	if _, err := receiveMode(t, dir, Keep, [2]string{"a.md", "v1"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	read := func(ctx context.Context, name string, raw []byte) error {
		cancel()
		return ctx.Err()
	}
	buf, boundary := body(t, [2]string{"a.md", "v2"})
	f, err := Open(dir, Limits{MaxFileBytes: 1 << 10, MaxUploadBytes: 1 << 20}, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Receive(ctx, multipart.NewReader(buf, boundary), Replace, read); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if got, want := folderFiles(t, dir), map[string]string{"a.md": "v1"}; !maps.Equal(got, want) {
		t.Errorf("folder = %q, want %q", got, want)
	}
}
