package gateway

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/report"
)

// countingChunks is a fakeChunks that also counts chunks per corpus, as a
// memory.Store does.
type countingChunks struct {
	fakeChunks
	mu      sync.Mutex
	corpora map[string]int
}

func (c *countingChunks) Count(ctx context.Context, f memory.Filter) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.corpora[f.Corpus], nil
}

func (c *countingChunks) Delete(ctx context.Context, f memory.Filter) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.corpora, f.Corpus)
	return nil
}

func newCountingHarness(t *testing.T, env map[string]string, corpora map[string]int) *harness {
	t.Helper()
	h := &harness{t: t, fake: newMemRuns(), cfg: testConfig(t, env)}
	cc := &countingChunks{fakeChunks: fakeChunks{chunks: map[string]memory.Chunk{}}, corpora: corpora}
	h.chunks = &cc.fakeChunks
	handler, err := New(h.cfg, Deps{Runs: h.fake, Chunks: cc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.h = handler
	return h
}

// A corpus the starter ingested (stored as NAME for the local owner) is
// researched by a POST naming it; one nobody filled is refused at submit
// with the fix, and nothing starts.
func TestResearchCorpusCheckedAtSubmit(t *testing.T) {
	noAuth := map[string]string{"RESEARCHFLOW_API_KEYS": ""}
	h := newCountingHarness(t, noAuth, map[string]int{"opsdocs": 12, "alice--notes": 3})
	rec := h.do("POST", "/v1/research", "", `{"question":"How is the service restarted?","corpus":"opsdocs"}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("research on the starter's corpus: %d %s", rec.Code, rec.Body)
	}
	var created CreateResearchResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	if got := h.fake.get(created.ID).input.(rf.ResearchInput).Corpus; got != "opsdocs" {
		t.Errorf("the no-auth gateway researches %q, want the starter's opsdocs", got)
	}

	for _, body := range []string{
		`{"question":"How is the service restarted?","corpus":"nosuch"}`,
		`{"question":"How is the service restarted?","corpus":"notes"}`, // alice's, not local's
	} {
		before := len(h.fake.started())
		rec := h.do("POST", "/v1/research", "", body)
		if rec.Code != http.StatusNotFound || errorCode(t, rec) != "corpus_not_found" {
			t.Errorf("%s: %d %s, want 404 corpus_not_found", body, rec.Code, rec.Body)
		}
		if msg := rec.Body.String(); !strings.Contains(msg, "starter ingest FOLDER --corpus") || strings.Contains(msg, "local--") {
			t.Errorf("the refusal does not say how to fill the corpus in its own name: %s", msg)
		}
		if msg := rec.Body.String(); !strings.Contains(msg, "GET /v1/corpora lists") {
			t.Errorf("the refusal does not say where the corpora there are are listed: %s", msg)
		}
		if len(h.fake.started()) != before {
			t.Errorf("%s: a run started anyway", body)
		}
	}
	// Runs that do not search the corpus, and the Go documentation, are not checked.
	for _, body := range []string{
		`{"question":"How is the service restarted?","corpus":"nosuch","sources":["wikipedia"]}`,
		`{"question":"How do channels synchronize?"}`,
	} {
		if rec := h.do("POST", "/v1/research", "", body); rec.Code != http.StatusAccepted {
			t.Errorf("%s: %d %s", body, rec.Code, rec.Body)
		}
	}
	// Uploaded files whose ingestion is still running are let through.
	if err := os.MkdirAll(filepath.Join(h.cfg.DataDir, "uploads", ownerHash(LocalOwner), "fresh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.cfg.DataDir, "uploads", ownerHash(LocalOwner), "fresh", "a.md"), []byte("# A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if rec := h.do("POST", "/v1/research", "", `{"question":"What does A say?","corpus":"fresh"}`); rec.Code != http.StatusAccepted {
		t.Errorf("corpus being ingested: %d %s", rec.Code, rec.Body)
	}
}

// With API keys, each key's owner researches its own corpora: the one the
// starter filled with --owner (or that owner's RESEARCHFLOW_API_KEY).
func TestResearchCorpusOfKeyOwner(t *testing.T) {
	h := newCountingHarness(t, nil, map[string]int{"alice--notes": 3})
	rec := h.do("POST", "/v1/research", aliceKey, `{"question":"What do the notes say?","corpus":"notes"}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("alice: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("POST", "/v1/research", bobKey, `{"question":"What do the notes say?","corpus":"notes"}`); rec.Code != http.StatusNotFound {
		t.Errorf("bob researched alice's corpus: %d %s", rec.Code, rec.Body)
	}
}

// The corpora earlier gateways stored for the local owner as local--NAME
// are ingested again as NAME from their kept upload folders, once.
func TestMigrateLocalCorpora(t *testing.T) {
	// A bare server: New would start its own migration in the background.
	h := &harness{t: t, fake: newMemRuns(), cfg: testConfig(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})}
	s := &server{cfg: h.cfg, runs: h.fake, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	root := filepath.Join(h.cfg.DataDir, "uploads", ownerHash(LocalOwner))
	for name, files := range map[string][]string{"notes": {"incident-42.md"}, "empty": nil, "bad--name": {"x.md"}} {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("# Incident 42\nThe disk filled up.\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Alice's corpora are not the local owner's.
	if err := os.MkdirAll(filepath.Join(h.cfg.DataDir, "uploads", ownerHash("alice"), "notes"), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 { // a restart moves nothing twice
		if err := s.migrateLocalCorpora(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var ingests []rf.IngestInput
	for _, w := range h.fake.started() {
		if in, ok := w.input.(rf.IngestInput); ok && strings.HasPrefix(w.id, "ingest-migrate-") {
			ingests = append(ingests, in)
		}
	}
	if len(ingests) != 1 {
		t.Fatalf("migration started %d ingestions, want 1 (notes): %+v", len(ingests), ingests)
	}
	if got, want := ingests[0], (rf.IngestInput{Corpus: "notes", Path: filepath.Join(root, "notes")}); got != want {
		t.Errorf("migration ingests %+v, want %+v", got, want)
	}
}

// GET /v1/corpora lists the caller's corpora whatever surface filled them
// (starter ingest, upload), named as the caller names them.
func TestListCorpora(t *testing.T) {
	h := newCountingHarness(t, nil, map[string]int{"alice--notes": 3, "alice--runbooks": 7, "opsdocs": 12})
	ctx := context.Background()
	runs := h.fake
	for _, in := range []rf.IngestInput{
		{Corpus: "opsdocs", Path: "/srv/ops"},                       // the local owner's (starter)
		{Corpus: "alice--notes", Path: "/srv/a", Owner: "alice"},    // alice's (starter --owner alice)
		{Corpus: "alice--runbooks", Path: "/srv/r", Owner: "alice"}, // alice's (upload)
		{Corpus: "bob--notes", Path: "/srv/b", Owner: "bob"},        // bob's
	} {
		if _, err := runs.StartIngest(ctx, "ingest-"+strings.ReplaceAll(in.Corpus, "-", ""), in); err != nil {
			t.Fatal(err)
		}
	}
	rec := h.do("GET", "/v1/corpora", aliceKey, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/corpora: %d %s", rec.Code, rec.Body)
	}
	var got CorporaResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	chunks := map[string]int{}
	for _, c := range got.Corpora {
		if c.BuiltIn {
			continue // the Go documentation: TestListCorporaFilledByResearchRuns
		}
		if c.Chunks == nil || c.LastIngestion.ID == "" || c.LastIngestion.Status == "" {
			t.Errorf("corpus %+v lacks its counts or ingestion", c)
			continue
		}
		chunks[c.Name] = *c.Chunks
	}
	if want := map[string]int{"notes": 3, "runbooks": 7}; len(chunks) != len(want) || chunks["notes"] != 3 || chunks["runbooks"] != 7 {
		t.Errorf("alice's corpora = %v, want %v", chunks, want)
	}
}

// A corpus that research runs on a folder filled (starter --corpus
// ./notes: the run ingests the folder itself, no IngestWorkflow names the
// corpus) is listed too, with its newest run as its last ingestion; a run
// on a corpus nothing filled and another owner's are not. The Go
// documentation, which a research run on it reads itself, is listed last,
// built in, with its passages and no ingestion (a new user's research on
// it left `starter corpora` without it).
func TestListCorporaFilledByResearchRuns(t *testing.T) {
	for _, tt := range []struct {
		name, key, owner string
		env              map[string]string
	}{
		{"local owner", "", "", map[string]string{"RESEARCHFLOW_API_KEYS": ""}},
		{"API key owner", aliceKey, "alice", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			scoped := func(name string) string { return rf.ScopedCorpus(tt.owner, name) }
			h := newCountingHarness(t, tt.env, map[string]int{scoped("notes"): 5, scoped("opsdocs"): 2, "bob--bobnotes": 4, rf.DefaultCorpus: 920})
			ctx := context.Background()
			for _, r := range []struct {
				id string
				in rf.ResearchInput
			}{
				{"research-notes-1", rf.ResearchInput{Question: "Who is on call?", Corpus: scoped("notes"), CorpusPath: "/srv/notes", Owner: tt.owner}},
				{"research-notes-2", rf.ResearchInput{Question: "When are deploys?", Corpus: scoped("notes"), CorpusPath: "/srv/notes", Owner: tt.owner}},
				{"research-typo", rf.ResearchInput{Question: "When are deploys?", Corpus: scoped("nothing-here"), Owner: tt.owner}},
				{"research-godocs", rf.ResearchInput{Question: "What is a channel?", Owner: tt.owner}},
				{"research-bob", rf.ResearchInput{Question: "Who is on call?", Corpus: "bob--bobnotes", CorpusPath: "/srv/bobnotes", Owner: "bob"}},
			} {
				if _, err := h.fake.Start(ctx, r.id, r.in); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := h.fake.StartIngest(ctx, "ingest-opsdocs", rf.IngestInput{Corpus: scoped("opsdocs"), Path: "/srv/ops", Owner: tt.owner}); err != nil {
				t.Fatal(err)
			}
			rec := h.do("GET", "/v1/corpora", tt.key, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /v1/corpora: %d %s", rec.Code, rec.Body)
			}
			var got CorporaResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			listed := map[string]Corpus{}
			for _, c := range got.Corpora {
				listed[c.Name] = c
			}
			if len(listed) != 3 {
				t.Errorf("corpora = %s, want notes, opsdocs and go-docs", rec.Body)
			}
			last := got.Corpora[len(got.Corpora)-1]
			if last.Name != rf.DefaultCorpus || !last.BuiltIn || last.Chunks == nil || *last.Chunks != 920 {
				t.Errorf("last corpus = %+v, want go-docs, built in, with its 920 passages: %s", last, rec.Body)
			}
			if strings.Count(rec.Body.String(), `"lastIngestion"`) != 2 || strings.Count(rec.Body.String(), `"builtIn":true`) != 1 {
				t.Errorf("corpora = %s, want go-docs alone built in, without a last ingestion", rec.Body)
			}
			notes, ok := listed["notes"]
			switch {
			case !ok:
				t.Fatalf("the corpus a folder run filled is not listed: %s", rec.Body)
			case notes.Chunks == nil || *notes.Chunks != 5:
				t.Errorf("notes has %v passages, want 5", notes.Chunks)
			case notes.LastIngestion.ID != "research-notes-2" || notes.LastIngestion.Status == "":
				t.Errorf("notes' last ingestion = %+v, want the newest run on it, research-notes-2", notes.LastIngestion)
			}
			if c := listed["opsdocs"]; c.LastIngestion.ID != "ingest-opsdocs" {
				t.Errorf("opsdocs' last ingestion = %+v, want its ingestion", c.LastIngestion)
			}
		})
	}
}

// DELETE /v1/corpora/{name} drops the caller's corpus from memory (and the
// local--NAME of earlier releases), never another owner's, and
// GET /v1/corpora (the web app's picker) lists it no more.
func TestDeleteCorpus(t *testing.T) {
	corpora := map[string]int{"alice--notes": 3, "bob--notes": 4}
	h := newCountingHarness(t, nil, corpora)
	if _, err := h.fake.StartIngest(context.Background(), "ingest-alicenotes", rf.IngestInput{Corpus: "alice--notes", Path: "/srv/a", Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	h.fake.wfs["ingest-alicenotes"].status = rf.StatusCompleted
	if rec := h.do("DELETE", "/v1/corpora/notes", aliceKey, ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"chunks":3`) {
		t.Fatalf("alice deletes notes: %d %s", rec.Code, rec.Body)
	}
	if _, left := corpora["alice--notes"]; left || corpora["bob--notes"] != 4 {
		t.Errorf("after alice's delete: %v", corpora)
	}
	if rec := h.do("GET", "/v1/corpora", aliceKey, ""); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"notes"`) {
		t.Errorf("GET /v1/corpora after the delete: %d %s, want notes gone", rec.Code, rec.Body)
	}
	if rec := h.do("DELETE", "/v1/corpora/notes", aliceKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("deleting it again: %d %s, want 404", rec.Code, rec.Body)
	}
	if rec := h.do("DELETE", "/v1/corpora/"+rf.DefaultCorpus, aliceKey, ""); rec.Code != http.StatusForbidden {
		t.Errorf("deleting the public corpus: %d", rec.Code)
	}
	if rec := h.do("DELETE", "/v1/corpora/a--b", aliceKey, ""); rec.Code != http.StatusBadRequest {
		t.Errorf("a bad name: %d", rec.Code)
	}

	local := map[string]int{"opsdocs": 5, "local--opsdocs": 2}
	l := newCountingHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""}, local)
	if rec := l.do("DELETE", "/v1/corpora/opsdocs", "", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"chunks":7`) || len(local) != 0 {
		t.Errorf("local delete: %d %s, left %v", rec.Code, rec.Body, local)
	}
}

// Reports name uploaded files by name: the report package knows the
// gateway's upload layout.
func TestUploadLayoutKnownToReports(t *testing.T) {
	s := &server{cfg: Config{DataDir: "/var/lib/researchflow"}}
	for _, who := range []string{LocalOwner, "alice@example.com"} {
		p := filepath.Join(s.uploadDir(who, "notes"), "sub", "incident-42.md")
		if name, ok := report.UploadedName(p); !ok || name != "sub/incident-42.md" {
			t.Errorf("report.UploadedName(%q) = %q, %v", p, name, ok)
		}
	}
}

// pickCorporaInNode runs the web app's refreshCorpora in Node.js with
// GET /v1/corpora answering its stdin, and prints the Corpus picker's
// options (value and label) as JSON.
const pickCorporaInNode = `
const fs = require("fs"), vm = require("vm");
class Node {}
class Elem extends Node {
  constructor(tag) { super(); this.tagName = tag.toUpperCase(); this.attrs = {}; this.children = []; this.text = ""; this.value = ""; }
  setAttribute(k, v) { this.attrs[k] = String(v); if (k === "value") this.value = String(v); }
  append(...cs) { for (const c of cs) { if (c instanceof Elem) this.children.push(c); else this.text += c.text !== undefined ? c.text : String(c); } }
  replaceChildren(...cs) { this.children = []; this.append(...cs); }
  addEventListener() {}
  get options() { return this.children; }
}
globalThis.Node = Node;
const byId = {};
globalThis.document = { createElement: (t) => new Elem(t), createTextNode: (t) => ({ text: String(t) }), addEventListener() {}, getElementById: (id) => byId[id] || (byId[id] = new Elem("div")) };
globalThis.localStorage = { getItem: () => null };
const body = fs.readFileSync(0, "utf8");
globalThis.fetch = async () => ({ ok: true, status: 200, headers: { get: (h) => h === "Content-Type" ? "application/json" : null }, json: async () => JSON.parse(body) });
vm.runInThisContext(fs.readFileSync(process.argv[1], "utf8"));
(async () => {
  byId.corpus = new Elem("select");
  byId.corpus.value = "go-docs";
  await refreshCorpora();
  process.stdout.write(JSON.stringify(byId.corpus.options.map((o) => ({ value: o.value, label: o.text }))));
})();
`

// The web app's Corpus picker offers exactly the corpora GET /v1/corpora
// lists (the set `starter corpora` prints): the built-in go-docs once,
// first, with its passages, then the caller's own. It hard-coded go-docs
// while the API left it out, so the two lists differed.
func TestWebAppPickerListsTheCorporaTheAPIDoes(t *testing.T) {
	h := newCountingHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""}, map[string]int{"trialc": 4, rf.DefaultCorpus: 920})
	if _, err := h.fake.StartIngest(context.Background(), "ingest-trialc", rf.IngestInput{Corpus: "trialc", Path: "/srv/trialc"}); err != nil {
		t.Fatal(err)
	}
	rec := h.do("GET", "/v1/corpora", "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/corpora: %d %s", rec.Code, rec.Body)
	}
	var listed CorporaResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &listed); err != nil {
		t.Fatal(err)
	}
	var api []string
	for _, c := range listed.Corpora {
		api = append(api, c.Name)
	}
	slices.Sort(api)
	if want := []string{rf.DefaultCorpus, "trialc"}; !slices.Equal(api, want) {
		t.Errorf("GET /v1/corpora lists %q, want %q", api, want)
	}
	var options []struct{ Value, Label string }
	if err := json.Unmarshal(runApp(t, pickCorporaInNode, rec.Body.String()), &options); err != nil {
		t.Fatal(err)
	}
	var picked []string
	for _, o := range options {
		picked = append(picked, o.Value)
	}
	if len(options) == 0 || options[0].Value != rf.DefaultCorpus || !strings.Contains(options[0].Label, "the Go documentation") || !strings.Contains(options[0].Label, "920 passages") {
		t.Errorf("picker options %+v, want go-docs first, with its 920 passages", options)
	}
	slices.Sort(picked)
	if !slices.Equal(picked, api) {
		t.Errorf("the picker offers %q, GET /v1/corpora lists %q", picked, api)
	}
}
