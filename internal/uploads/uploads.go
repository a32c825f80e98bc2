// Package uploads stores the files a person uploads into a folder of one
// of their corpora, for ingestion to read: it sanitizes file names, checks
// types and sizes, receives every file into a hidden temporary file first
// (so a refused upload stores nothing), then publishes them under their
// names: by default without ever replacing a stored file, or (Replace)
// replacing the stored file of the same name, once ingestion's readers
// (a Reader) have read the new version. Refusals are *Error values of a
// Kind; the HTTP gateway maps them to its answers.
package uploads

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/researchflow/researchflow/internal/doctypes"

	"github.com/google/uuid"

	"golang.org/x/text/unicode/norm"
)

const mib = 1 << 20

// Kind says why an upload was refused.
type Kind string

// Kinds of refusal.
const (
	// Invalid: the request cannot be read as an upload (a malformed
	// multipart body, no file, a name with nothing left once sanitized).
	Invalid Kind = "invalid"
	// Unsupported: a file of a type ingestion does not read, or whose
	// content does not match its extension.
	Unsupported Kind = "unsupported"
	// FileTooLarge: a file over the per-file limit, or over what is left
	// of the upload's limit.
	FileTooLarge Kind = "file-too-large"
	// UploadTooLarge: the request body over its limit.
	UploadTooLarge Kind = "upload-too-large"
	// NameTaken: every variant of a file's name holds other content.
	NameTaken Kind = "name-taken"
	// Unreadable: a file that would take the place of a stored file
	// (Replace) and that ingestion cannot read, or reads no text from:
	// stored, it would lose the old version and its passages.
	Unreadable Kind = "unreadable"
	// Storage: the files could not be stored (the server's fault); Err
	// says why.
	Storage Kind = "storage"
)

// Error is a refused or failed upload. Nothing of the upload is stored.
type Error struct {
	Kind Kind
	// Message says what to do, in words a caller can act on.
	Message string
	// Files are the files refused for themselves (their type, content,
	// name or size), in the order of the upload, the first
	// MaxRefusedListed of them: an upload is read to its end, so that one
	// answer names every file to fix. Kind is then the first one's, unless
	// a refusal of the body stopped the reading.
	Files []Refused
	// Err is the cause of a Storage error.
	Err error
}

// Refused is one file an upload refused, and why.
type Refused struct {
	// Name is the file's name as it would have been stored (sanitized),
	// or as sent when nothing is left of it once sanitized.
	Name string
	Kind Kind
	// Reason says why, without the name.
	Reason string
}

// String is the refusal as messages say it: "name: reason".
func (r Refused) String() string {
	if r.Kind == Invalid {
		return fmt.Sprintf("%q: %s", r.Name, r.Reason)
	}
	return r.Name + ": " + r.Reason
}

// MaxRefusedListed bounds the refused files an Error lists; its message
// names the first maxRefusedInMessage and counts the others.
const (
	MaxRefusedListed    = 500
	maxRefusedInMessage = 20
)

// refusedFiles is the refusal of an upload whose files refused lists
// (one at least), total counting the unlisted ones too.
func refusedFiles(refused []Refused, total int) *Error {
	msg := refused[0].String()
	if refused[0].Kind == Unreadable {
		msg += ", and nothing of this upload is stored"
	}
	if total > 1 {
		msg = fmt.Sprintf("%d files refused, so nothing of this upload is stored: %s", total, listRefused(refused, total))
	}
	return &Error{Kind: refused[0].Kind, Message: msg, Files: refused}
}

// listRefused says the first maxRefusedInMessage refusals of refused,
// "a.exe: …; b.csv: …", and counts the others.
func listRefused(refused []Refused, total int) string {
	n := min(len(refused), maxRefusedInMessage)
	lines := make([]string, n)
	for i, r := range refused[:n] {
		lines[i] = r.String()
	}
	out := strings.Join(lines, "; ")
	if more := total - n; more > 0 {
		out += fmt.Sprintf("; and %d more", more)
	}
	return out
}

// withRefused adds to err, a refusal that stopped the reading of the
// body, the files refused before it (total of them, refused listing
// them): its message names them too, so that the next try is not refused
// for them.
func withRefused(err error, refused []Refused, total int) error {
	var ue *Error
	if total == 0 || !errors.As(err, &ue) {
		return err
	}
	return &Error{Kind: ue.Kind, Message: ue.Message + "; also refused: " + listRefused(refused, total), Files: refused, Err: ue.Err}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func refuse(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

// Limits bound an upload.
type Limits struct {
	// MaxFileBytes bounds one file; MaxUploadBytes, all files of one
	// upload together.
	MaxFileBytes, MaxUploadBytes int64
}

// Folder is the upload folder of one corpus of one owner.
type Folder struct {
	// Dir is the folder's absolute path (what ingestion reads).
	Dir    string
	root   *os.Root
	limits Limits
	log    *slog.Logger
}

// Open opens (creating it if needed) the upload folder dir, and removes the
// temporary files that uploads which never finished left there more than
// an hour before now. Its errors are Storage errors.
func Open(dir string, limits Limits, now time.Time, log *slog.Logger) (*Folder, error) {
	if log == nil {
		log = slog.Default()
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(abs, 0o750)
	}
	var root *os.Root
	if err == nil {
		root, err = os.OpenRoot(abs)
	}
	if err != nil {
		return nil, &Error{Kind: Storage, Message: "cannot store uploads", Err: err}
	}
	f := &Folder{Dir: abs, root: root, limits: limits, log: log}
	f.removeStaleTemporaries(now)
	return f, nil
}

// Close releases the folder.
func (f *Folder) Close() error { return f.root.Close() }

// File is one stored file of an upload.
type File struct {
	// Sent is the name the client sent; Stored, the name it is stored
	// under (sanitized, and a variant "name (2).md" when the name held
	// other content and the upload did not replace it).
	Sent, Stored string
	Size         int64
	// Replaced is true when the file took the place of a stored file of
	// the same name and other content (Replace).
	Replaced bool
}

// Reader reads raw, the content of a file of the given name, as ingestion
// will read the file, and says why ingestion could not use it: nil when
// ingestion writes passages of it. corpus.Usable is one (this package
// does not link the document readers; the gateway is given one).
type Reader func(ctx context.Context, name string, raw []byte) error

// Mode says what an upload does with a name a stored file already has.
type Mode int

const (
	// Keep stores the file under the next free variant of its name
	// ("name (2).md"); the stored file stays.
	Keep Mode = iota
	// Replace puts the file in the place of the stored file of the same
	// name: ingestion then reads it as the document's new version. The
	// file is read with the upload's Reader first; one ingestion could not
	// use refuses the upload (Unreadable), and the stored file stays. Two
	// files of one upload with the same name still get variants: an upload
	// never replaces its own files.
	Replace
)

// Receive stores the files of the multipart body mr (form fields are
// ignored) and returns them in order; mode says what happens to a stored
// file of the same name. A file refused for itself (its type, its
// content, an empty name, over the per-file limit) does not stop the
// reading: the upload is refused once the body is read, naming every
// such file (Error.Files) and why. A refusal of the body (unreadable,
// over the upload's limit) stops it, naming the files refused before. With Replace, every file that would take the
// place of a stored file is read with read (required then) before any
// file is published: one that ingestion could not use refuses the whole
// upload as Unreadable, naming it and why. A file whose name already
// holds the same bytes is not stored twice. On any error nothing of this
// upload is left in the folder and every file it would have replaced is
// back as it was; refusals are *Error values, a body cut by
// http.MaxBytesReader is an UploadTooLarge refusal, and a ctx cancelled
// while a file is read is context.Canceled.
func (f *Folder) Receive(ctx context.Context, mr *multipart.Reader, mode Mode, read Reader) ([]File, error) {
	var received []*receivedFile
	var refused []Refused
	var total int64
	refusedTotal := 0
	discard := func() {
		for _, r := range received {
			_ = f.root.Remove(r.tmp)
		}
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err == nil && part.FileName() == "" {
			_, err = io.Copy(io.Discard, part) // form fields are ignored
			if err == nil {
				continue
			}
		}
		var r *receivedFile
		var no *Refused
		if err == nil {
			r, no, err = f.receiveFile(part, f.limits.MaxUploadBytes-total)
		}
		if err != nil {
			discard()
			return nil, withRefused(f.classify(err), refused, refusedTotal)
		}
		if no != nil {
			if refusedTotal++; len(refused) < MaxRefusedListed {
				refused = append(refused, *no)
			}
			continue
		}
		total += r.size
		received = append(received, r)
	}
	if refusedTotal > 0 {
		discard()
		return nil, refusedFiles(refused, refusedTotal)
	}
	if len(received) == 0 {
		return nil, refuse(Invalid, "no files in the upload")
	}
	saved, err := publishFiles(ctx, f.root, received, mode, read)
	if err != nil {
		discard()
		var ue *Error
		if errors.As(err, &ue) || errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, &Error{Kind: Storage, Message: "cannot store uploads", Err: err}
	}
	files := make([]File, len(received))
	for i, r := range received {
		files[i] = File{Sent: r.sent, Stored: saved[i].name, Size: r.size, Replaced: saved[i].replaced}
	}
	return files, nil
}

// classify turns an error of reading the body into an *Error.
func (f *Folder) classify(err error) error {
	var ue *Error
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &ue):
		return err
	case errors.As(err, &tooBig):
		return refuse(UploadTooLarge, fmt.Sprintf("the upload exceeds %d MiB", f.limits.MaxUploadBytes/mib))
	default:
		return &Error{Kind: Invalid, Message: "the multipart body could not be read", Err: err}
	}
}

// maxNameBytes bounds a stored file name: 255 bytes is the name limit of
// ext4, APFS and most other file systems (NTFS counts 255 UTF-16 units,
// which 255 bytes of UTF-8 never exceed).
const maxNameBytes = 255

// sanitizeFilename turns the name a client sent into the name of a stored
// file. It keeps letters of every script, digits, spaces and punctuation; it
// drops directories (slashes and backslashes), control and bidirectional
// formatting characters, and leading dots and spaces (a stored file is never
// hidden); it replaces the characters that Windows forbids (<>:"|?*) with
// '_', drops trailing dots and spaces (which Windows ignores), prefixes
// Windows device names (CON, NUL, COM1, …) with '_', normalizes to Unicode
// NFC (so that the NFD names macOS sends and the NFC names other systems send
// are one name, as on APFS) and cuts the stem at maxNameBytes without cutting
// a character or a combining sequence. ok is false when nothing is left.
func sanitizeFilename(name string) (string, bool) {
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = norm.NFC.String(strings.ToValidUTF8(name, "_"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsControl(r), isBidiControl(r):
			// invisible: dropped
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.TrimLeftFunc(b.String(), func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	name = strings.TrimRightFunc(name, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	if name == "" {
		return "", false
	}
	stem, ext := splitExt(name)
	if isWindowsDeviceName(stem) {
		stem = "_" + stem
	}
	return joinName(stem, ext, ""), true
}

// splitExt splits name before its last dot; a name without a dot (or whose
// only dot is the first character) has no extension.
func splitExt(name string) (stem, ext string) {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[:i], name[i:]
	}
	return name, ""
}

// joinName is stem+suffix+ext, the stem cut so that the whole fits in
// maxNameBytes. An extension too long to leave room for a stem is cut too
// (and then refused as an unsupported type).
func joinName(stem, ext, suffix string) string {
	if len(ext) > maxNameBytes/2 {
		ext = truncateName(ext, maxNameBytes/2)
	}
	room := maxNameBytes - len(ext) - len(suffix)
	if len(stem) > room {
		stem = strings.TrimRightFunc(truncateName(stem, room), func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	}
	return stem + suffix + ext
}

// truncateName cuts s to at most n bytes, never inside a UTF-8 sequence
// nor between a character and the combining marks that follow it.
func truncateName(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	for n > 0 {
		if r, _ := utf8.DecodeRuneInString(s[n:]); !unicode.Is(unicode.M, r) {
			break
		}
		_, size := utf8.DecodeLastRuneInString(s[:n])
		n -= size
	}
	return s[:n]
}

// isBidiControl reports the invisible characters that reorder text (used to
// disguise "txt.exe" as "exe.txt"); zero-width joiners, which emoji and
// several scripts need, are kept.
func isBidiControl(r rune) bool {
	return r == '\u200E' || r == '\u200F' || r == '\u061C' || r == '\uFEFF' ||
		r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// isWindowsDeviceName reports the names Windows reserves for devices,
// whatever their extension ("nul.md" is the null device there).
func isWindowsDeviceName(stem string) bool {
	base, _, _ := strings.Cut(stem, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) > 3 && (base[:3] == "COM" || base[:3] == "LPT") {
		switch base[3:] {
		case "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}

// receivedFile is an uploaded file received into a temporary file of the
// upload folder, not yet published under its name.
type receivedFile struct {
	sent string // the name the client sent
	name string // the sanitized name
	tmp  string // the temporary file
	size int64
	sum  [sha256.Size]byte
	// usable is true once the Reader found that ingestion can use it.
	usable bool
}

// receiveFile writes one uploaded file into a temporary file of root. A
// file refused for itself (an empty name, an unsupported type, content
// not matching its extension, over the per-file limit) is returned as
// no, nothing of it kept; a file over what is left of the request's
// limit is an error, as are failures of the body and of the disk.
func (f *Folder) receiveFile(part *multipart.Part, left int64) (r *receivedFile, no *Refused, err error) {
	root := f.root
	fname, ok := sanitizeFilename(part.FileName())
	if !ok {
		return nil, &Refused{Name: part.FileName(), Kind: Invalid, Reason: "the file name is empty once unsafe characters are removed"}, nil
	}
	ext := strings.ToLower(filepath.Ext(fname))
	if reason := doctypes.Refusal(fname); reason != "" {
		return nil, &Refused{Name: fname, Kind: Unsupported, Reason: reason}, nil
	}
	br := bufio.NewReader(part)
	head, _ := br.Peek(512)
	// Text may be UTF-16 with a byte-order mark (ingestion decodes it, as
	// it does for folders); other NUL bytes mean a binary file.
	utf16 := bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF})
	zipped := doctypes.Zip(fname) // .docx, .odt, .epub: zip archives
	if ext == ".pdf" && !bytes.HasPrefix(head, []byte("%PDF-")) || zipped && !bytes.HasPrefix(head, []byte("PK\x03\x04")) ||
		ext != ".pdf" && !zipped && !utf16 && bytes.IndexByte(head, 0) >= 0 {
		return nil, &Refused{Name: fname, Kind: Unsupported, Reason: "the content does not match its extension"}, nil
	}
	limit := min(f.limits.MaxFileBytes, left)
	out := &receivedFile{sent: part.FileName(), name: fname, tmp: ".upload-" + uuid.NewString() + ".part"}
	tmp, err := root.OpenFile(out.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, nil, fmt.Errorf("create %s: %w", out.tmp, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(br, limit+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	tooLarge := fmt.Sprintf("files may have at most %d MiB and the upload %d MiB", f.limits.MaxFileBytes/mib, f.limits.MaxUploadBytes/mib)
	switch {
	case err == nil && n > limit && limit == f.limits.MaxFileBytes:
		// Over the per-file limit: the files after it may still fit.
		no = &Refused{Name: fname, Kind: FileTooLarge, Reason: tooLarge}
	case err == nil && n > limit:
		err = refuse(FileTooLarge, fname+": "+tooLarge)
	}
	if err != nil || no != nil {
		_ = root.Remove(out.tmp)
		return nil, no, err
	}
	out.size = n
	h.Sum(out.sum[:0])
	return out, nil, nil
}

// staleAfter is the age past which a temporary upload file is left over
// from a request that never finished (the process died).
const staleAfter = time.Hour

// removeStaleTemporaries removes the temporary files of uploads that never
// finished. Ingestion skips them anyway (their names start with a dot).
func (f *Folder) removeStaleTemporaries(now time.Time) {
	root, dir := f.root, f.Dir
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, ".upload-") || !strings.HasSuffix(name, ".part") {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleAfter {
			if err := root.Remove(name); err == nil {
				f.log.Info("uploads: removed a stale upload", "dir", dir, "file", name)
			}
		}
	}
}

// maxNameVariants bounds the names tried for one file ("a.md" … "a (100).md").
const maxNameVariants = 100

// published is where publishFiles put one received file.
type published struct {
	name     string
	replaced bool
}

// publishFiles gives each received file its stored name, in order, and
// returns the names. With Keep, no file is ever replaced: a name taken by
// a file of other content (stored earlier, or earlier in the same
// request) gets the next free variant "stem (2).ext", "stem (3).ext", …;
// a name that already holds the same bytes is reused and the copy
// dropped. With Replace, a name taken by a stored file of other content
// (not one of this request) is given to the new file, the old one kept
// aside until every file is published; every file that will replace one
// is read with read before any file is published (readReplacements). On
// error, the files this call published are removed again and the replaced
// ones put back.
func publishFiles(ctx context.Context, root *os.Root, files []*receivedFile, mode Mode, read Reader) ([]published, error) {
	if mode == Replace {
		if err := readReplacements(ctx, root, files, read); err != nil {
			return nil, err
		}
	}
	var out []published
	var created []string
	var aside []setAside
	undo := func() {
		for _, n := range created {
			_ = root.Remove(n)
		}
		for _, a := range aside {
			_ = root.Rename(a.backup, a.name)
		}
	}
	mine := map[string]bool{} // names this request stored or reused
	for _, f := range files {
		var (
			name     string
			isNew    bool
			replaced bool
			err      error
		)
		if mode == Replace && !mine[f.name] {
			var a *setAside
			name, isNew, a, err = publishReplacing(ctx, root, f, read)
			if a != nil {
				aside = append(aside, *a)
				replaced = true
			}
		} else {
			name, isNew, err = publish(root, f)
		}
		if err != nil {
			undo()
			return nil, err
		}
		if isNew {
			created = append(created, name)
		}
		mine[name] = true
		out = append(out, published{name: name, replaced: replaced})
	}
	for _, a := range aside {
		_ = root.Remove(a.backup)
	}
	return out, nil
}

// readReplacements reads with read each file that will take the place of
// a stored file (the first file of its name in the upload, where a
// regular file of other content holds the name), before any file of the
// upload is published, so that a refused upload never replaced one for a
// moment: an ingestion of the folder started meanwhile reads the old
// versions only. Every such file is read: the refusal names each one
// ingestion could not use.
func readReplacements(ctx context.Context, root *os.Root, files []*receivedFile, read Reader) error {
	var refused []Refused
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f.name] {
			continue // stored as a variant: an upload never replaces its own files
		}
		seen[f.name] = true
		info, err := root.Lstat(f.name)
		if err != nil || !info.Mode().IsRegular() {
			continue // a new file, or a variant
		}
		same, err := sameContent(root, f.name, f)
		if err != nil {
			return fmt.Errorf("compare with %s: %w", f.name, err)
		}
		if same {
			continue
		}
		no, err := readReplacement(ctx, root, f, read)
		if err != nil {
			return err
		}
		if no != nil && len(refused) < MaxRefusedListed {
			refused = append(refused, *no)
		}
	}
	if len(refused) > 0 {
		return refusedFiles(refused, len(refused))
	}
	return nil
}

// readReplacement reads f, which is to replace the stored file of its
// name, with read (unless that was done): no is an Unreadable refusal
// when ingestion could not use it.
func readReplacement(ctx context.Context, root *os.Root, f *receivedFile, read Reader) (no *Refused, err error) {
	if f.usable {
		return nil, nil
	}
	if read == nil {
		return nil, fmt.Errorf("replace %s: no document reader to read the new version with", f.name)
	}
	raw, err := root.ReadFile(f.tmp)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.name, err)
	}
	if err := read(ctx, f.name, raw); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("read %s: %w", f.name, ctx.Err())
		}
		return &Refused{Name: f.name, Kind: Unreadable, Reason: fmt.Sprintf("ingestion cannot read it (%v); the stored %s stays as it was", err, f.name)}, nil
	}
	f.usable = true
	return nil, nil
}

// setAside is a stored file that an upload replaced, kept under a hidden
// temporary name until the upload is published whole.
type setAside struct{ name, backup string }

// publishReplacing publishes f under its own name: as a new file when the
// name is free, as the file already there when it holds the same bytes,
// else in that file's place once read found it usable (readReplacement),
// the old one set aside (a.backup holds it). A name held by something
// other than a regular file is not replaced: f gets a variant, as with
// Keep.
func publishReplacing(ctx context.Context, root *os.Root, f *receivedFile, read Reader) (name string, created bool, a *setAside, err error) {
	err = linkNew(root, f.tmp, f.name)
	if err == nil {
		return f.name, true, nil, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return "", false, nil, fmt.Errorf("store %s: %w", f.name, err)
	}
	info, err := root.Lstat(f.name)
	if err != nil || !info.Mode().IsRegular() {
		name, created, err := publish(root, f)
		return name, created, nil, err
	}
	same, err := sameContent(root, f.name, f)
	if err != nil {
		return "", false, nil, fmt.Errorf("compare with %s: %w", f.name, err)
	}
	if same {
		_ = root.Remove(f.tmp)
		return f.name, false, nil, nil
	}
	// Read already, unless the name was taken after readReplacements.
	no, err := readReplacement(ctx, root, f, read)
	if err == nil && no != nil {
		err = refusedFiles([]Refused{*no}, 1)
	}
	if err != nil {
		return "", false, nil, err
	}
	// The old file gets a second name first, then the new one is renamed
	// over it: the name never lacks a file, and the old one can come back.
	backup := ".upload-" + uuid.NewString() + ".old.part"
	if err := root.Link(f.name, backup); err != nil {
		if err := root.Rename(f.name, backup); err != nil {
			return "", false, nil, fmt.Errorf("set %s aside: %w", f.name, err)
		}
	}
	if err := root.Rename(f.tmp, f.name); err != nil {
		_ = root.Rename(backup, f.name)
		return "", false, nil, fmt.Errorf("replace %s: %w", f.name, err)
	}
	return f.name, false, &setAside{name: f.name, backup: backup}, nil
}

// publish moves f's temporary file to the first variant of its name that is
// free or already holds the same content.
func publish(root *os.Root, f *receivedFile) (name string, created bool, err error) {
	stem, ext := splitExt(f.name)
	for i := 1; i <= maxNameVariants; i++ {
		name := f.name
		if i > 1 {
			name = joinName(stem, ext, fmt.Sprintf(" (%d)", i))
		}
		err := linkNew(root, f.tmp, name)
		if err == nil {
			return name, true, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", false, fmt.Errorf("store %s: %w", name, err)
		}
		same, err := sameContent(root, name, f)
		if err != nil {
			return "", false, fmt.Errorf("compare with %s: %w", name, err)
		}
		if same {
			_ = root.Remove(f.tmp)
			return name, false, nil
		}
	}
	return "", false, refuse(NameTaken, fmt.Sprintf("%s: %d files of this name are stored already; rename the file", f.name, maxNameVariants))
}

// linkNew makes tmp appear as name, failing with fs.ErrExist if name exists
// (on a case-insensitive file system, in any case). A hard link publishes
// the whole file atomically; where links are not supported, the name is
// reserved with O_EXCL and the file renamed onto it.
func linkNew(root *os.Root, tmp, name string) error {
	err := root.Link(tmp, name)
	if err == nil {
		_ = root.Remove(tmp)
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	_ = f.Close()
	if err := root.Rename(tmp, name); err != nil {
		_ = root.Remove(name)
		return err
	}
	return nil
}

// sameContent reports whether the regular file name holds f's bytes.
func sameContent(root *os.Root, name string, f *receivedFile) (bool, error) {
	info, err := root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil // removed meanwhile: try the next variant
	}
	if err != nil || !info.Mode().IsRegular() || info.Size() != f.size {
		return false, err
	}
	in, err := root.Open(name)
	if err != nil {
		return false, err
	}
	defer in.Close()
	h := sha256.New()
	if _, err := io.Copy(h, in); err != nil {
		return false, err
	}
	return bytes.Equal(h.Sum(nil), f.sum[:]), nil
}

// OwnerHash is a short, stable, path- and ID-safe name for an owner: the
// folder of their uploads under DATA_DIR/uploads, and a part of the IDs of
// their ingestions.
func OwnerHash(owner string) string {
	sum := sha256.Sum256([]byte("owner\x00" + owner))
	return hex.EncodeToString(sum[:8])
}

// Dir is the folder under dataDir that keeps owner's uploads to the corpus
// name (as its owner names it).
func Dir(dataDir, owner, name string) string {
	return filepath.Join(dataDir, "uploads", OwnerHash(owner), name)
}

// HasFiles reports whether dir holds at least one entry that is not
// hidden: an upload folder with files to ingest.
func HasFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Name() != "" && e.Name()[0] != '.' {
			return true
		}
	}
	return false
}
