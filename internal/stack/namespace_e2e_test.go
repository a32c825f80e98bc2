package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/gateway"
)

// postResearch POSTs a question on corpus to the shared gateway (no API
// keys: the local owner) and returns the answer's status and body.
func postResearch(t *testing.T, question, corpus string) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"question": question, "corpus": corpus})
	resp, err := http.Post("http://"+shared.Gateway.Addr+"/v1/research", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// A corpus the starter ingests (`starter ingest ./docs --corpus NAME`, whose
// input is rf.IngestInput{Corpus: NAME} for the local owner) is researched
// by POST /v1/research with `corpus: NAME` on a gateway without API keys,
// and a corpus uploaded over HTTP is researched by the starter's input.
func TestOneCorpusNamespaceStarterAndGateway(t *testing.T) {
	endToEnd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Starter → gateway.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "restart.md"), []byte("# Restarting the billing service\n\nThe billing service is restarted with a rolling restart, one replica at a time, after draining its queue.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opsdocs := unique("opsdocs")
	if status, body := postResearch(t, "How is the billing service restarted?", opsdocs); status != http.StatusNotFound || !strings.Contains(string(body), "starter ingest FOLDER --corpus "+opsdocs) {
		t.Fatalf("before ingestion: %d %s, want 404 saying how to fill the corpus", status, body)
	}
	ing, err := shared.Runs.StartIngest(ctx, unique("ingest-starter"), rf.IngestInput{Corpus: opsdocs, Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := shared.Runs.IngestResult(ctx, ing.ID); err != nil || res.Chunks == 0 {
		t.Fatalf("starter ingestion: %+v, %v", res, err)
	}
	status, body := postResearch(t, "How is the billing service restarted?", opsdocs)
	if status != http.StatusAccepted {
		t.Fatalf("POST /v1/research on the starter's corpus: %d %s", status, body)
	}
	var created gateway.CreateResearchResponse
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	var res rf.ResearchResult
	if err := shared.Client.GetWorkflow(ctx, created.ID, "").Get(ctx, &res); err != nil {
		t.Fatalf("research on the starter's corpus: %v", err)
	}
	if sourceFor(res, "restart.md") == 0 || !strings.Contains(res.Report, "rolling restart") {
		t.Errorf("the gateway's run does not answer from the starter's restart.md:\n%s", res.Report)
	}

	// Gateway → starter.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	w, err := mw.CreateFormFile("files", "kiln.md")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, "# Kiln\n\nThe kiln is fired to cone 6 for stoneware glazes, then cooled slowly overnight.\n")
	mw.Close()
	pottery := unique("pottery")
	resp, err := http.Post("http://"+shared.Gateway.Addr+"/v1/corpora/"+pottery+"/documents", mw.FormDataContentType(), &form)
	if err != nil {
		t.Fatal(err)
	}
	var up gateway.UploadResponse
	if err := json.NewDecoder(resp.Body).Decode(&up); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	if res, err := shared.Runs.IngestResult(ctx, up.ID); err != nil || res.Chunks == 0 {
		t.Fatalf("ingestion of the upload: %+v, %v", res, err)
	}
	// What `starter --corpus NAME "question"` starts without an owner.
	in, err := rf.ResearchInput{Question: "To which cone is the kiln fired for stoneware?", Corpus: pottery}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	run, err := shared.Runs.Start(ctx, unique("research-starter"), in)
	if err != nil {
		t.Fatal(err)
	}
	var res2 rf.ResearchResult
	if err := shared.Client.GetWorkflow(ctx, run.ID, run.RunID).Get(ctx, &res2); err != nil {
		t.Fatalf("starter research on the uploaded corpus: %v", err)
	}
	if sourceFor(res2, "kiln.md") == 0 || !strings.Contains(res2.Report, "cone 6") {
		t.Errorf("the starter's run does not answer from the uploaded kiln.md:\n%s", res2.Report)
	}

	// Both corpora are listed, by the names typed.
	lr, err := http.Get("http://" + shared.Gateway.Addr + "/v1/corpora")
	if err != nil {
		t.Fatal(err)
	}
	var list gateway.CorporaResponse
	if err := json.NewDecoder(lr.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	lr.Body.Close()
	seen := map[string]bool{}
	for _, c := range list.Corpora {
		seen[c.Name] = c.LastIngestion.Status == rf.StatusCompleted
	}
	if !seen[opsdocs] || !seen[pottery] {
		t.Errorf("GET /v1/corpora = %+v, want %s and %s with completed ingestions", list.Corpora, opsdocs, pottery)
	}
}
