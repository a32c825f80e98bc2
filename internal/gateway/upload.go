package gateway

import (
	"fmt"
	"mime"
	"net/http"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/uploads"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// UploadResponse answers POST /v1/corpora/{name}/documents.
type UploadResponse struct {
	// ID is the workflow ID of the ingestion.
	ID     string   `json:"id"`
	RunID  string   `json:"runId"`
	Corpus string   `json:"corpus"`
	Files  []string `json:"files"`
	// Replaced lists the files of Files that took the place of a stored
	// file of the same name (?replace=true), whose old version the
	// ingestion replaces.
	Replaced []string `json:"replaced,omitempty"`
	Bytes    int64    `json:"bytes"`
	UI       string   `json:"ui,omitempty"`
}

// uploadMode reads the upload's ?replace: absent or false keeps a stored
// file of the same name (the new one is stored as "name (2).md"), true
// replaces it.
func uploadMode(c *gin.Context) (uploads.Mode, error) {
	v, ok := c.GetQuery("replace")
	switch {
	case !ok || v == "false":
		return uploads.Keep, nil
	case v == "true":
		return uploads.Replace, nil
	}
	return uploads.Keep, &rf.InputError{Field: "replace", Message: fmt.Sprintf("want true (replace the stored file of the same name) or false (keep it), not %q", v)}
}

func (s *server) upload(c *gin.Context) {
	name := c.Param("name")
	if name == rf.DefaultCorpus {
		abortError(c, http.StatusForbidden, "read_only_corpus", name+" is the public corpus; upload to a corpus of your own")
		return
	}
	if err := rf.ValidateCorpusName(name); err != nil {
		s.fail(c, err)
		return
	}
	mode, err := uploadMode(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if mode == uploads.Replace && s.readDoc == nil {
		abortError(c, http.StatusNotImplemented, "not_implemented", "this gateway cannot read documents, so it cannot check a new version before it replaces the stored file: upload without replace=true, or delete the document first")
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
	folder, err := uploads.Open(s.uploadDir(who, name),
		uploads.Limits{MaxFileBytes: s.cfg.MaxFileBytes, MaxUploadBytes: s.cfg.MaxUploadBytes}, s.now(), s.log)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer folder.Close()
	files, err := folder.Receive(c.Request.Context(), mr, mode, s.readDoc)
	if err != nil {
		s.fail(c, err)
		return
	}
	saved := make([]string, len(files))
	var replaced []string
	var total int64
	for i, f := range files {
		saved[i] = f.Stored
		total += f.Size
		if f.Replaced {
			replaced = append(replaced, f.Stored)
		}
		if f.Stored != f.Sent {
			s.log.Info("gateway: upload stored under another name", "corpus", name, "sent", f.Sent, "stored", f.Stored)
		}
	}

	corpus := rf.ScopedCorpus(who, name)
	id := "ingest-" + ownerHash(who) + "-" + name + "-" + uuid.NewString()[:8]
	run, err := s.runs.StartIngest(c.Request.Context(), id, rf.IngestInput{Corpus: corpus, Path: folder.Dir, Owner: who})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.ingestStarted.Add(1)
	s.log.Info("gateway: ingestion started", "id", id, "owner", who, "corpus", corpus, "files", len(saved), "replaced", len(replaced), "bytes", total)
	c.JSON(http.StatusAccepted, UploadResponse{
		ID: id, RunID: run.RunID, Corpus: name, Files: saved, Replaced: replaced, Bytes: total,
		UI: s.uiLink("workflows", id),
	})
}
