package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	rf "github.com/researchflow/researchflow"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// uploadTypes are the file types ingestion reads.
var uploadTypes = map[string]bool{".md": true, ".txt": true, ".html": true, ".htm": true, ".pdf": true}

// UploadResponse answers POST /v1/corpora/{name}/documents.
type UploadResponse struct {
	// ID is the workflow ID of the ingestion.
	ID     string   `json:"id"`
	RunID  string   `json:"runId"`
	Corpus string   `json:"corpus"`
	Files  []string `json:"files"`
	Bytes  int64    `json:"bytes"`
	UI     string   `json:"ui"`
}

// uploadError is a refusal of one upload, with its HTTP status.
type uploadError struct {
	status        int
	code, message string
}

func (e *uploadError) Error() string { return e.message }

// sanitizeFilename keeps the base name of an uploaded file with only safe
// characters, so that it can never leave the upload folder or hide itself.
func sanitizeFilename(name string) (string, bool) {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.TrimLeft(b.String(), ".")
	if out == "" || len(out) > 128 {
		return "", false
	}
	return out, true
}

func (s *server) upload(c *gin.Context) {
	name := c.Param("name")
	if name == rf.DefaultCorpus {
		abortError(c, http.StatusForbidden, "read_only_corpus", name+" is the public corpus; upload to a corpus of your own")
		return
	}
	if err := rf.ValidateCorpusName(name); err != nil {
		abortError(c, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		abortError(c, http.StatusUnsupportedMediaType, "unsupported_media_type", "send multipart/form-data with one or more files")
		return
	}
	// Multipart framing costs a little over the files themselves.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxUploadBytes+64<<10)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		abortError(c, http.StatusBadRequest, "invalid_request", "not a multipart body")
		return
	}
	who := owner(c)
	dir, err := filepath.Abs(filepath.Join(s.cfg.DataDir, "uploads", ownerHash(who), name))
	if err == nil {
		err = os.MkdirAll(dir, 0o750)
	}
	if err != nil {
		s.log.Error("gateway: upload folder", "dir", dir, "err", err)
		abortError(c, http.StatusInternalServerError, "internal", "cannot store uploads")
		return
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		s.log.Error("gateway: upload folder", "dir", dir, "err", err)
		abortError(c, http.StatusInternalServerError, "internal", "cannot store uploads")
		return
	}
	defer root.Close()

	var saved []string
	var total int64
	fail := func(err error) {
		for _, f := range saved {
			_ = root.Remove(f)
		}
		var ue *uploadError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &ue):
			abortError(c, ue.status, ue.code, ue.message)
		case errors.As(err, &tooBig):
			abortError(c, http.StatusRequestEntityTooLarge, "upload_too_large", fmt.Sprintf("the upload exceeds %d MiB", s.cfg.MaxUploadBytes/mib))
		default:
			s.log.Warn("gateway: upload failed", "owner", who, "corpus", name, "err", err)
			abortError(c, http.StatusBadRequest, "invalid_request", "the multipart body could not be read")
		}
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(err)
			return
		}
		if part.FileName() == "" {
			_, _ = io.Copy(io.Discard, part) // form fields are ignored
			continue
		}
		fname, n, err := s.saveFile(root, part, s.cfg.MaxUploadBytes-total)
		if err != nil {
			fail(err)
			return
		}
		total += n
		saved = append(saved, fname)
	}
	if len(saved) == 0 {
		abortError(c, http.StatusBadRequest, "invalid_request", "no files in the upload")
		return
	}

	corpus := rf.ScopedCorpus(who, name)
	id := "ingest-" + ownerHash(who) + "-" + name + "-" + uuid.NewString()[:8]
	run, err := s.runs.StartIngest(c.Request.Context(), id, rf.IngestInput{Corpus: corpus, Path: dir, Owner: who})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.ingestStarted.Add(1)
	s.log.Info("gateway: ingestion started", "id", id, "owner", who, "corpus", corpus, "files", len(saved), "bytes", total)
	c.JSON(http.StatusAccepted, UploadResponse{
		ID: id, RunID: run.RunID, Corpus: name, Files: saved, Bytes: total,
		UI: s.links(id).UI,
	})
}

// saveFile writes one uploaded file into root, refusing unsupported types and
// files over the per-file limit or over what is left of the request's limit.
func (s *server) saveFile(root *os.Root, part *multipart.Part, left int64) (string, int64, error) {
	fname, ok := sanitizeFilename(part.FileName())
	if !ok {
		return "", 0, &uploadError{http.StatusBadRequest, "invalid_request", "a file name is empty or too long"}
	}
	ext := strings.ToLower(filepath.Ext(fname))
	if !uploadTypes[ext] {
		return "", 0, &uploadError{http.StatusUnsupportedMediaType, "unsupported_media_type",
			fmt.Sprintf("%s: only .md, .txt, .html and .pdf files can be ingested", fname)}
	}
	br := bufio.NewReader(part)
	head, _ := br.Peek(512)
	if ext == ".pdf" && !bytes.HasPrefix(head, []byte("%PDF-")) || ext != ".pdf" && bytes.IndexByte(head, 0) >= 0 {
		return "", 0, &uploadError{http.StatusUnsupportedMediaType, "unsupported_media_type",
			fmt.Sprintf("%s: the content does not match its extension", fname)}
	}
	limit := min(s.cfg.MaxFileBytes, left)
	f, err := root.OpenFile(fname, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return "", 0, fmt.Errorf("create %s: %w", fname, err)
	}
	n, err := io.Copy(f, io.LimitReader(br, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = &uploadError{http.StatusRequestEntityTooLarge, "file_too_large",
			fmt.Sprintf("%s: files may have at most %d MiB and the upload %d MiB", fname, s.cfg.MaxFileBytes/mib, s.cfg.MaxUploadBytes/mib)}
	}
	if err != nil {
		_ = root.Remove(fname)
		return "", 0, err
	}
	return fname, n, nil
}
