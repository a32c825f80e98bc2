package gateway

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/internal/uploads"
)

// Document is one document of a corpus in GET /v1/corpora/{name}/documents.
type Document struct {
	// ID names it in DELETE /v1/corpora/{name}/documents/{id}.
	ID string `json:"id"`
	// Name is the file's name (never its path on the server), or the URL
	// of a web page.
	Name string `json:"name"`
	// Type is the file's extension without its dot ("md", "pdf"), or
	// "web" for a URL.
	Type       string    `json:"type"`
	Chunks     int       `json:"chunks"`
	IngestedAt time.Time `json:"ingestedAt"`
	// Uploaded: the document is a file uploaded to the corpus, which an
	// upload with ?replace=true replaces; a document read from a folder
	// changes with its folder (a new file of its name would be a second
	// document beside it).
	Uploaded bool `json:"uploaded,omitempty"`
}

// DocumentsResponse answers GET /v1/corpora/{name}/documents.
type DocumentsResponse struct {
	Corpus    string     `json:"corpus"`
	Documents []Document `json:"documents"`
}

// DocumentDeleted answers DELETE /v1/corpora/{name}/documents/{id}.
type DocumentDeleted struct {
	Corpus string `json:"corpus"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	// Chunks is how many passages were dropped from memory.
	Chunks int `json:"chunks"`
}

// Ingestion answers GET /v1/corpora/{name}/ingestions/{id}: how far an
// ingestion (an upload's, the starter's) has gone.
type Ingestion struct {
	ID     string `json:"id"`
	Corpus string `json:"corpus"`
	// Status is running, completed, failed, cancelled or terminated.
	Status string `json:"status"`
	Done   bool   `json:"done"`
	// Total is the number of files found in the corpus's upload folder (0
	// until the first batch is listed): the files of this upload and those
	// uploaded before, those of a type not read too. Seen counts the files
	// handled so far, so that Seen = Ingested + Unchanged + SkippedTotal,
	// and once done Seen = Total. Ingested were read and stored (new or
	// changed); Unchanged were already in memory; Skipped could not be
	// read or are of a type not read (with why; the first 500),
	// SkippedTotal counts them all.
	Total        int           `json:"total"`
	Seen         int           `json:"seen"`
	Ingested     int           `json:"ingested"`
	Unchanged    int           `json:"unchanged"`
	Skipped      []SkippedFile `json:"skipped"`
	SkippedTotal int           `json:"skippedTotal"`
	// Chunks counts the passages this ingestion wrote (an unchanged file
	// writes none): not the corpus's passages (GET /v1/corpora counts those).
	Chunks    int        `json:"chunks"`
	StartedAt time.Time  `json:"startedAt"`
	ClosedAt  *time.Time `json:"closedAt,omitempty"`
	// Error is why a failed ingestion stopped.
	Error string `json:"error,omitempty"`
}

// SkippedFile is a file an ingestion could not use, by name.
type SkippedFile struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// corpusStore is what the document routes need of memory.
type corpusStore interface {
	ChunkCounter
	ChunkDeleter
	memory.DocumentLister
}

func (s *server) corpusStore() (corpusStore, error) {
	st, ok := s.chunks.(corpusStore)
	if !ok {
		return nil, newAPIError(http.StatusNotImplemented, "no_memory", "this gateway does not share the workers' memory (set QDRANT_URL, or run the gateway with the workers), so it cannot list or delete documents")
	}
	return st, nil
}

// ownCorpusParam is the caller's corpus named in the path, validated.
func ownCorpusParam(c *gin.Context) (who, name string, err error) {
	who, name = owner(c), c.Param("name")
	if name == rf.DefaultCorpus {
		return who, name, newAPIError(http.StatusForbidden, "read_only_corpus", name+" is the public corpus; its documents are the Go distribution's")
	}
	return who, name, rf.ValidateCorpusName(name)
}

// listDocuments answers GET /v1/corpora/{name}/documents: the documents of
// the caller's corpus, by name, with their passage counts.
func (s *server) listDocuments(c *gin.Context) error {
	who, name, err := ownCorpusParam(c)
	if err != nil {
		return err
	}
	st, err := s.corpusStore()
	if err != nil {
		return err
	}
	docs, err := st.Documents(c.Request.Context(), memory.Filter{Corpus: rf.ScopedCorpus(who, name)})
	if err != nil {
		return fmt.Errorf("documents of corpus %s: %w", name, err)
	}
	if len(docs) == 0 && !uploads.HasFiles(s.uploadDir(who, name)) {
		return newAPIError(http.StatusNotFound, "corpus_not_found", fmt.Sprintf("there is no corpus named %q", name))
	}
	out := DocumentsResponse{Corpus: name, Documents: make([]Document, 0, len(docs))}
	for _, d := range docs {
		n, typ := documentName(d.Location)
		_, uploaded := report.UploadedName(strings.TrimPrefix(d.Location, "file://"))
		out.Documents = append(out.Documents, Document{ID: d.SourceID, Name: n, Type: typ, Chunks: d.Chunks, IngestedAt: d.IngestedAt, Uploaded: uploaded})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// documentName is how a reader knows a document: a web page by its URL, a
// file by its name (never its folder on the server), with its type.
func documentName(location string) (name, typ string) {
	if u, err := url.Parse(location); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return location, "web"
	}
	if u, err := url.Parse(location); err == nil && u.Scheme == "file" {
		location = u.Path
	}
	if up, ok := report.UploadedName(location); ok {
		name = up
	} else {
		name = path.Base(strings.ReplaceAll(location, `\`, "/"))
	}
	if name == "." || name == "/" {
		name = location
	}
	return name, strings.TrimPrefix(strings.ToLower(path.Ext(name)), ".")
}

// deleteDocument answers DELETE /v1/corpora/{name}/documents/{id}: the
// document's passages are dropped from memory and, when it was uploaded,
// its kept file is removed (so a later ingestion of the corpus does not
// bring it back).
func (s *server) deleteDocument(c *gin.Context) error {
	ctx := c.Request.Context()
	who, name, err := ownCorpusParam(c)
	if err != nil {
		return err
	}
	st, err := s.corpusStore()
	if err != nil {
		return err
	}
	id := c.Param("doc")
	f := memory.Filter{Corpus: rf.ScopedCorpus(who, name), SourceID: id}
	docs, err := st.Documents(ctx, f)
	if err != nil {
		return fmt.Errorf("document %s of corpus %s: %w", id, name, err)
	}
	if len(docs) == 0 {
		return newAPIError(http.StatusNotFound, "document_not_found", fmt.Sprintf("corpus %q has no document %q (GET /v1/corpora/%s/documents lists them)", name, id, name))
	}
	if err := st.Delete(ctx, f); err != nil {
		return fmt.Errorf("delete document %s of corpus %s: %w", id, name, err)
	}
	if err := s.removeUpload(who, name, docs[0].Location); err != nil {
		return err
	}
	doc, _ := documentName(docs[0].Location)
	s.log.InfoContext(ctx, "gateway: document deleted", "owner", who, "corpus", name, "document", doc, "chunks", docs[0].Chunks)
	c.JSON(http.StatusOK, DocumentDeleted{Corpus: name, ID: id, Name: doc, Chunks: docs[0].Chunks})
	return nil
}

// removeUpload removes the kept upload at location, if it is one of the
// caller's uploads to the corpus.
func (s *server) removeUpload(who, name, location string) error {
	if u, err := url.Parse(location); err == nil && u.Scheme == "file" {
		location = u.Path
	}
	dir := s.uploadDir(who, name)
	rel, err := filepath.Rel(dir, filepath.FromSlash(location))
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		return nil // not an upload (the starter ingested it from a folder)
	}
	if err := os.Remove(filepath.Join(dir, rel)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove the upload %s of corpus %s: %w", filepath.Base(rel), name, err)
	}
	return nil
}

// ingestionTimeout bounds the wait for an ingestion's progress or result.
const ingestionTimeout = 5 * time.Second

// getIngestion answers GET /v1/corpora/{name}/ingestions/{id}: files seen,
// unchanged and skipped, and passages written so far (the ingestion's
// progress query while it runs, its result once closed).
func (s *server) getIngestion(c *gin.Context) error {
	who, name, err := ownCorpusParam(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), ingestionTimeout)
	defer cancel()
	id := c.Param("id")
	notFound := newAPIError(http.StatusNotFound, "ingestion_not_found", fmt.Sprintf("corpus %q has no ingestion %q (an upload's answer gives its id)", name, id))
	info, err := s.runs.DescribeIngestion(ctx, id)
	if client.IsNotFound(err) {
		return notFound
	}
	if err != nil {
		return err
	}
	if info.Corpus != rf.ScopedCorpus(who, name) {
		return notFound // another owner's or another corpus's: as if it did not exist
	}
	out := Ingestion{ID: info.ID, Corpus: name, Status: info.Status, StartedAt: info.Started, Skipped: []SkippedFile{}}
	var res rf.IngestResult
	switch {
	case !info.Closed:
		res, err = s.runs.IngestProgress(ctx, id)
	case info.Status == rf.StatusCompleted:
		res, err = s.runs.IngestResult(ctx, id)
	default:
		_, err = s.runs.IngestResult(ctx, id)
		out.Error = s.hideUploadDir(who, name, client.FailureMessage(err))
		err = nil
	}
	if err != nil {
		return fmt.Errorf("progress of ingestion %s: %w", id, err)
	}
	if !info.ClosedAt.IsZero() {
		t := info.ClosedAt
		out.ClosedAt = &t
	}
	out.Done = res.Done || info.Closed
	out.Total, out.Seen, out.Ingested, out.Unchanged, out.Chunks = res.Total, res.Files, res.Ingested(), res.Unchanged, res.Chunks
	out.SkippedTotal = res.SkippedCount()
	for _, sk := range res.Skipped {
		n, _ := documentName(sk.Path)
		// The reason is the loader's error, which names the file by its
		// path ("load /srv/…/uploads/HASH/notes/x.pdf: …").
		reason := sk.Reason
		if sk.Path != "" {
			reason = strings.ReplaceAll(reason, sk.Path, n)
		}
		out.Skipped = append(out.Skipped, SkippedFile{Name: n, Reason: s.hideUploadDir(who, name, reason)})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// hideUploadDir is text with the folder where the server keeps the
// caller's uploads to corpus name (its data directory, the owner's key
// hash) left out: a file in it by its name in the corpus, the folder by
// the corpus's name.
func (s *server) hideUploadDir(who, name, text string) string {
	dir := s.uploadDir(who, name)
	text = strings.ReplaceAll(text, dir+string(filepath.Separator), "")
	return strings.ReplaceAll(text, dir, name)
}
