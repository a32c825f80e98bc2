package gateway

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
)

// threadRuns is the in-memory Runs whose thread and reviews hold answers
// citing an uploaded file.
type threadRuns struct {
	*memRuns
	src rf.Source
}

func (r threadRuns) Thread(ctx context.Context, researchID, owner string) ([]client.FollowUp, error) {
	return []client.FollowUp{{ID: "fu1", Question: "And the budget?", Status: rf.StatusCompleted,
		Result: &rf.FollowUpResult{ResearchID: researchID, Answer: "Set per quarter [1] [3].",
			Sources: []rf.Source{r.src}, NewSources: []rf.Source{{N: 3, SourceID: "s3", Title: "Budget", Location: "file://" + r.src.Location}}}}}, nil
}

func (r threadRuns) Reviews(ctx context.Context, researchID, owner string) ([]client.Review, error) {
	return []client.Review{{ID: "rv1", Status: rf.StatusCompleted, Result: &claims.Review{ResearchID: researchID, Revision: 2,
		Report: &claims.Revision{Revision: 2, Report: "…", Sources: []rf.Source{r.src}}}}}, nil
}

// Every answer of the API names an uploaded file by the name it was
// uploaded under, as the report JSON and the source endpoint now do: the
// follow-up thread, the claim reviews (a revision's sources) and the
// audit list the run's sources too.
func TestNoEndpointShowsAnUploadsServerPath(t *testing.T) {
	h := newHarness(t, nil)
	s := &server{cfg: h.cfg}
	server := filepath.Join(s.uploadDir("alice", "team"), "notes", "offsite.txt")
	src := rf.Source{N: 1, SourceID: "s1", Title: "Offsite", Location: server}
	handler, err := New(h.cfg, Deps{Runs: threadRuns{h.fake, src}, Chunks: h.chunks, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.h = handler
	id := h.start(aliceKey, "When is the offsite?")
	res := completedResult(id)
	res.Sources[0].Location = server
	h.fake.mu.Lock()
	h.fake.wfs[id].audit = &rf.Audit{ResearchID: id, Question: res.Question, Status: rf.StatusCompleted, Sources: []rf.Source{src}}
	h.fake.mu.Unlock()
	h.fake.complete(id, res)

	for _, path := range []string{"/thread", "/feedback", "/audit"} {
		rec := h.do("GET", "/v1/research/"+id+path, aliceKey, "")
		body := rec.Body.String()
		if rec.Code != 200 {
			t.Errorf("GET %s: %d %s", path, rec.Code, body)
			continue
		}
		if strings.Contains(body, h.cfg.DataDir) || strings.Contains(body, ownerHash("alice")) {
			t.Errorf("GET %s shows the upload's server path: %s", path, body)
		}
		if !strings.Contains(body, `"notes/offsite.txt"`) {
			t.Errorf("GET %s does not name the upload: %s", path, body)
		}
	}
}

// An ingestion's skipped files are named as uploaded, and so are they in
// the reasons: a file the loader cannot read is skipped with its error,
// which names the file by its path ("load /srv/…/uploads/HASH/notes/x.pdf:
// read pdf: …").
func TestIngestionSkipReasonsShowNoServerPath(t *testing.T) {
	h, _ := newStoreHarness(t, nil)
	s := &server{cfg: h.cfg}
	h.fake.newIngest = func(w *fakeRun) {
		in := w.input.(rf.IngestInput)
		p := filepath.Join(in.Path, "scan.pdf")
		w.ingest = &rf.IngestResult{Corpus: in.Corpus, Total: 1, Files: 1,
			Skipped: []rf.SkippedFile{{Path: p, Reason: "load " + p + ": read pdf: not a PDF file: missing %%EOF"}}}
	}
	if _, err := h.fake.StartIngest(context.Background(), "ingest-a", rf.IngestInput{Corpus: "alice--notes", Path: s.uploadDir("alice", "notes"), Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	rec := h.do("GET", "/v1/corpora/notes/ingestions/ingest-a", aliceKey, "")
	var got Ingestion
	decode(t, rec, &got)
	if rec.Code != 200 || len(got.Skipped) != 1 || got.Skipped[0].Name != "scan.pdf" {
		t.Fatalf("ingestion %d %+v", rec.Code, got)
	}
	if strings.Contains(rec.Body.String(), h.cfg.DataDir) || strings.Contains(rec.Body.String(), ownerHash("alice")) {
		t.Errorf("the skip reason shows the server path: %s", rec.Body)
	}
	if !strings.Contains(got.Skipped[0].Reason, "scan.pdf") || !strings.Contains(got.Skipped[0].Reason, "not a PDF file") {
		t.Errorf("reason %q, want it to name the file and say why", got.Skipped[0].Reason)
	}
}

// A failed ingestion's error names the folder by the corpus's name, not
// the server's path to it.
func TestFailedIngestionErrorShowsNoServerPath(t *testing.T) {
	h, _ := newStoreHarness(t, nil)
	s := &server{cfg: h.cfg}
	dir := s.uploadDir("alice", "notes")
	if _, err := h.fake.StartIngest(context.Background(), "ingest-a", rf.IngestInput{Corpus: "alice--notes", Path: dir, Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	h.fake.mu.Lock()
	h.fake.wfs["ingest-a"].closeLocked(nil, &client.FailedError{Message: "ingest " + dir + " into alice--notes (after \"" + filepath.Join(dir, "a.md") + "\"): memory unavailable"}, rf.StatusFailed)
	h.fake.mu.Unlock()
	rec := h.do("GET", "/v1/corpora/notes/ingestions/ingest-a", aliceKey, "")
	var got Ingestion
	decode(t, rec, &got)
	if rec.Code != 200 || got.Status != rf.StatusFailed || got.Error == "" {
		t.Fatalf("ingestion %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), h.cfg.DataDir) || strings.Contains(rec.Body.String(), ownerHash("alice")) {
		t.Errorf("the error shows the server path: %s", got.Error)
	}
	if want := `ingest notes into alice--notes (after "a.md"): memory unavailable`; got.Error != want {
		t.Errorf("error %q, want %q", got.Error, want)
	}
}
