package stack

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/gateway"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/report"
)

// POST a question to the gateway of the dev stack, follow its Server-Sent
// Events until done, read the report and open a cited source.
func TestGatewayEndToEnd(t *testing.T) {
	endToEnd(t)
	base := "http://" + shared.Gateway.Addr
	resp, err := http.Post(base+"/v1/research", "application/json",
		strings.NewReader(`{"question":"What does the Go memory model guarantee about channel communication?"}`))
	if err != nil {
		t.Fatal(err)
	}
	var created gateway.CreateResearchResponse
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /v1/research: %d %v %+v", resp.StatusCode, err, created)
	}
	resp.Body.Close()

	client := &http.Client{Timeout: 2 * time.Minute}
	ev, err := client.Get(base + created.Links.Events)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Body.Close()
	if ct := ev.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("events Content-Type = %q", ct)
	}
	var lastID int64 = -1
	progressEvents, final := 0, ""
	sc := bufio.NewScanner(ev.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	event := ""
	for sc.Scan() && final == "" {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id, err := strconv.ParseInt(strings.TrimPrefix(line, "id: "), 10, 64)
			if err != nil || id <= lastID {
				t.Errorf("event ids not increasing: %d after %d", id, lastID)
			}
			lastID = id
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if event == "done" || event == "failed" || event == "cancelled" {
				final = event
			} else {
				progressEvents++
			}
		case line == "":
			event = ""
		}
	}
	if final != "done" || progressEvents == 0 {
		t.Fatalf("stream ended with %q after %d progress events", final, progressEvents)
	}

	rep, err := client.Get(base + created.Links.Report)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(rep.Body)
	rep.Body.Close()
	// The Go documentation is cited by its public address, not the
	// server's installation.
	if rep.StatusCode != http.StatusOK || !strings.Contains(string(md), "https://go.dev/ref/mem") || strings.Contains(string(md), "file://") {
		t.Fatalf("report: %d\n%s", rep.StatusCode, md)
	}
	if err := report.CheckCitations(string(md)); err != nil {
		t.Errorf("%v", err)
	}
	src, err := client.Get(base + "/v1/research/" + created.ID + "/sources/1")
	if err != nil {
		t.Fatal(err)
	}
	var source gateway.SourceResponse
	if err := json.NewDecoder(src.Body).Decode(&source); err != nil || !source.PassagesAvailable || len(source.Passages) == 0 {
		t.Errorf("source 1: %d %v %+v", src.StatusCode, err, source)
	}
	src.Body.Close()
}

// Upload documents into a private corpus over HTTP, let the search pool
// ingest them, and research that corpus.
func TestGatewayUploadThenResearch(t *testing.T) {
	endToEnd(t)
	base := "http://" + shared.Gateway.Addr
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, text := range map[string]string{
		"orchards.md": "# Orchards\n\nApple trees are pruned in late winter, while the trees are dormant, to shape them and let light into the canopy.\n",
		"hives.txt":   "Hives\n\nA beekeeper adds a honey super to the hive when the bees cover most of the frames in the brood box.\n",
	} {
		w, err := mw.CreateFormFile("files", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, text)
	}
	mw.Close()
	corpus := unique("garden")
	resp, err := http.Post(base+"/v1/corpora/"+corpus+"/documents", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	var up gateway.UploadResponse
	if err := json.NewDecoder(resp.Body).Decode(&up); err != nil || resp.StatusCode != http.StatusAccepted || len(up.Files) != 2 {
		t.Fatalf("upload: %d %v %+v", resp.StatusCode, err, up)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var ingested rf.IngestResult
	if err := shared.Client.GetWorkflow(ctx, up.ID, "").Get(ctx, &ingested); err != nil || ingested.Files != 2 || ingested.Chunks == 0 {
		t.Fatalf("ingestion of the upload: %+v, %v", ingested, err)
	}

	resp, err = http.Post(base+"/v1/research", "application/json",
		strings.NewReader(`{"question":"When are apple trees pruned?","corpus":"`+corpus+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var created gateway.CreateResearchResponse
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /v1/research: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	var res rf.ResearchResult
	if err := shared.Client.GetWorkflow(ctx, created.ID, "").Get(ctx, &res); err != nil {
		t.Fatalf("research on the uploaded corpus: %v", err)
	}
	if sourceFor(res, "orchards.md") == 0 || !strings.Contains(res.Report, "late winter") {
		t.Errorf("the report does not cite the uploaded orchards.md:\n%s", res.Report)
	}
}

// The dev stack's gateway shares the workers' memory: the documents of an
// uploaded corpus are listed, and one of them and then the corpus can be
// deleted (the gateway answered 501 no_memory when the store it was handed
// hid that it lists documents).
func TestGatewayListsAndDeletesDocuments(t *testing.T) {
	endToEnd(t)
	base := "http://" + shared.Gateway.Addr
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, text := range map[string]string{
		"kilns.md":   "# Kilns\n\nA potter fires bisque ware slowly at first, so that the water left in the clay escapes without cracking the pots.\n",
		"glazes.txt": "Glazes\n\nA celadon glaze turns green in a reduction firing, when the kiln is starved of oxygen.\n",
	} {
		w, err := mw.CreateFormFile("files", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, text)
	}
	mw.Close()
	corpus := unique("pottery")
	resp, err := http.Post(base+"/v1/corpora/"+corpus+"/documents", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	var up gateway.UploadResponse
	if err := json.NewDecoder(resp.Body).Decode(&up); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: %d %v %+v", resp.StatusCode, err, up)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var ingested rf.IngestResult
	if err := shared.Client.GetWorkflow(ctx, up.ID, "").Get(ctx, &ingested); err != nil || ingested.Files != 2 {
		t.Fatalf("ingestion of the upload: %+v, %v", ingested, err)
	}

	list := func() []string {
		t.Helper()
		resp, err := http.Get(base + "/v1/corpora/" + corpus + "/documents")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var got gateway.DocumentsResponse
		if err := json.Unmarshal(raw, &got); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET documents: %d %v %s", resp.StatusCode, err, raw)
		}
		var names []string
		for _, d := range got.Documents {
			names = append(names, d.Name+"="+d.ID)
		}
		return names
	}
	docs := list()
	if len(docs) != 2 || !strings.HasPrefix(docs[0], "glazes.txt=") || !strings.HasPrefix(docs[1], "kilns.md=") {
		t.Fatalf("documents = %v, want glazes.txt and kilns.md", docs)
	}

	del := func(path string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			raw, _ := io.ReadAll(resp.Body)
			t.Fatalf("DELETE %s: %d %s", path, resp.StatusCode, raw)
		}
	}
	_, glazes, _ := strings.Cut(docs[0], "=")
	del("/v1/corpora/" + corpus + "/documents/" + glazes)
	if docs := list(); len(docs) != 1 || !strings.HasPrefix(docs[0], "kilns.md=") {
		t.Errorf("documents after deleting glazes.txt = %v, want kilns.md alone", docs)
	}
	del("/v1/corpora/" + corpus)
}

// A 700-character Chinese question (2,100 bytes) is accepted by the gateway
// and the run completes: the gateway and the workflow count characters
// alike.
func TestGatewayLongChineseQuestionCompletes(t *testing.T) {
	endToEnd(t)
	base := "http://" + shared.Gateway.Addr
	question := strings.Repeat("备份数据保留多少天", 77) + "天天天天天天？"
	if n := len([]rune(question)); n != 700 || len(question) != 2100 {
		t.Fatalf("test question: %d characters, %d bytes", n, len(question))
	}
	body, _ := json.Marshal(rf.CreateResearchRequest{Question: question, MaxSubQuestions: 2, Depth: new(int)})
	resp, err := http.Post(base+"/v1/research", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created gateway.CreateResearchResponse
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /v1/research: %d %v %+v", resp.StatusCode, err, created)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := shared.Runs.Result(ctx, created.ID)
	if err != nil {
		t.Fatalf("the accepted run failed: %v", err)
	}
	if res.Question != question || res.Report == "" {
		t.Errorf("result question %d characters, report %d bytes", len([]rune(res.Question)), len(res.Report))
	}
}

// A note uploaded again with ?replace=true takes the place of the stored
// one: the corpus lists one document of that name, and memory holds the new
// version's passages only (without it, the second upload is stored as
// "kilns (2).md" and both are researched).
func TestGatewayUploadReplacesANote(t *testing.T) {
	endToEnd(t)
	base := "http://" + shared.Gateway.Addr
	corpus := unique("kilns")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	upload := func(query, text string) gateway.UploadResponse {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		w, _ := mw.CreateFormFile("files", "kilns.md")
		_, _ = io.WriteString(w, text)
		mw.Close()
		resp, err := http.Post(base+"/v1/corpora/"+corpus+"/documents"+query, mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var up gateway.UploadResponse
		if err := json.NewDecoder(resp.Body).Decode(&up); err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("upload%s: %d %v %+v", query, resp.StatusCode, err, up)
		}
		var ingested rf.IngestResult
		if err := shared.Client.GetWorkflow(ctx, up.ID, "").Get(ctx, &ingested); err != nil {
			t.Fatalf("ingestion of the upload: %+v, %v", ingested, err)
		}
		return up
	}
	upload("", "# Kilns\n\nA potter fires bisque ware slowly at first, so that the water left in the clay escapes.\n")
	up := upload("?replace=true", "# Kilns\n\nAn electric kiln reaches cone 6 in about eight hours with a medium firing schedule.\n")
	if len(up.Files) != 1 || up.Files[0] != "kilns.md" || len(up.Replaced) != 1 || up.Replaced[0] != "kilns.md" {
		t.Errorf("replace answered files %q, replaced %q; want kilns.md for both", up.Files, up.Replaced)
	}
	lister, ok := shared.Store.(memory.DocumentLister)
	if !ok {
		t.Fatal("the stack's memory lists no documents")
	}
	docs, err := lister.Documents(ctx, memory.Filter{Corpus: corpus})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || len(docs[0].DocHashes) != 1 {
		t.Fatalf("documents after the replace = %+v, want kilns.md alone, one version", docs)
	}
	hits, err := shared.Store.Search(ctx, memory.Query{Text: "potter bisque ware water clay electric kiln cone", TopK: 10, Filter: memory.Filter{Corpus: corpus}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 {
		t.Fatal("a search of the corpus found nothing after the replace")
	}
	for _, h := range hits {
		if strings.Contains(h.Chunk.Text, "bisque") {
			t.Errorf("the old version is still found: %q", h.Chunk.Text)
		}
	}
}

// A replacement that ingestion cannot use (here a blank text file) took
// the stored file's place, and the next ingestion deleted the old
// version's passages. The gateway now reads each replacement with the
// readers ingestion uses first and refuses the whole request (422
// unreadable_document): a readable file sent with it replaces nothing
// either, and search still finds the old text of both notes.
func TestGatewayRefusedReplaceKeepsTheNotes(t *testing.T) {
	endToEnd(t)
	base := "http://" + shared.Gateway.Addr
	corpus := unique("glazes")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	post := func(query string, files ...[2]string) (*http.Response, []byte) {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, f := range files {
			w, _ := mw.CreateFormFile("files", f[0])
			_, _ = io.WriteString(w, f[1])
		}
		mw.Close()
		resp, err := http.Post(base+"/v1/corpora/"+corpus+"/documents"+query, mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp, raw
	}
	resp, raw := post("",
		[2]string{"kilns.md", "# Kilns\n\nA potter fires bisque ware slowly at first, so that the water left in the clay escapes.\n"},
		[2]string{"glazes.txt", "Celadon glazes owe their green to a little iron oxide fired in reduction."})
	var up gateway.UploadResponse
	if err := json.Unmarshal(raw, &up); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: %d %v %s", resp.StatusCode, err, raw)
	}
	var ingested rf.IngestResult
	if err := shared.Client.GetWorkflow(ctx, up.ID, "").Get(ctx, &ingested); err != nil || ingested.Chunks == 0 {
		t.Fatalf("ingestion of the upload: %+v, %v", ingested, err)
	}

	for _, files := range [][][2]string{
		{{"glazes.txt", " \n\t\n"}},
		{{"kilns.md", "# Kilns\n\nAn electric kiln reaches cone 6 in about eight hours.\n"}, {"glazes.txt", "\n\n"}},
	} {
		resp, raw := post("?replace=true", files...)
		var refused struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(raw, &refused); err != nil || resp.StatusCode != http.StatusUnprocessableEntity ||
			refused.Error.Code != "unreadable_document" || !strings.HasPrefix(refused.Error.Message, "glazes.txt: ") {
			t.Errorf("replace with a blank glazes.txt: %d %s, want 422 unreadable_document naming glazes.txt", resp.StatusCode, raw)
		}
	}
	// An ingestion of the folder now (the next upload, a claim review, a
	// scheduled run) reads the old files; search finds the old text.
	resp, raw = post("", [2]string{"firing.md", "# Firing\n\nCone packs show how much heat the ware received."})
	if err := json.Unmarshal(raw, &up); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: %d %v %s", resp.StatusCode, err, raw)
	}
	if err := shared.Client.GetWorkflow(ctx, up.ID, "").Get(ctx, &ingested); err != nil {
		t.Fatalf("ingestion of the folder: %+v, %v", ingested, err)
	}
	for q, want := range map[string]string{"celadon green iron oxide reduction": "Celadon", "potter bisque ware water clay": "bisque"} {
		hits, err := shared.Store.Search(ctx, memory.Query{Text: q, TopK: 10, Filter: memory.Filter{Corpus: corpus}})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h := range hits {
			found = found || strings.Contains(h.Chunk.Text, want)
			if strings.Contains(h.Chunk.Text, "electric kiln") {
				t.Errorf("the refused version is found: %q", h.Chunk.Text)
			}
		}
		if !found {
			t.Errorf("search %q after the refused replaces: %d hits, none with %q; the old version is lost", q, len(hits), want)
		}
	}
}
