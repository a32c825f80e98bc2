package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
)

func TestBoundConfig(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	cfg, err := configFromEnv(env(nil))
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if cfg.Addr != DefaultAddr || cfg.RatePerMinute != 60 || cfg.UIURL != "" || !cfg.LocalMode() {
		t.Errorf("defaults = %+v", cfg)
	}
	if len(cfg.CORSOrigins) != 0 {
		t.Errorf("CORS is on by default: %v", cfg.CORSOrigins)
	}

	cfg, err = configFromEnv(env(map[string]string{
		"RESEARCHFLOW_API_KEYS":     " alice:" + aliceKey + " , bob:" + bobKey,
		"RESEARCHFLOW_HTTP_ADDR":    ":9090",
		"RESEARCHFLOW_CORS_ORIGINS": "https://a.example/, https://b.example",
		"RESEARCHFLOW_MAX_FILE_MB":  "2",
	}))
	if err != nil {
		t.Fatalf("keys: %v", err)
	}
	if got, want := cfg.APIKeys["bob"], bobKey; got != want {
		t.Errorf("bob's key = %q, want %q", got, want)
	}
	if cfg.LocalMode() {
		t.Error("keys configured but local mode is on")
	}
	if got, want := strings.Join(cfg.CORSOrigins, " "), "https://a.example https://b.example"; got != want {
		t.Errorf("CORS origins = %q, want %q", got, want)
	}
	if got, want := cfg.MaxFileBytes, int64(2<<20); got != want {
		t.Errorf("MaxFileBytes = %d, want %d", got, want)
	}

	bad := []map[string]string{
		{"RESEARCHFLOW_HTTP_ADDR": "0.0.0.0:8080"},                    // no keys on a public address
		{"RESEARCHFLOW_HTTP_ADDR": ":8080"},                           // all interfaces
		{"RESEARCHFLOW_API_KEYS": "alice:short"},                      // weak key
		{"RESEARCHFLOW_API_KEYS": "alice"},                            // no key
		{"RESEARCHFLOW_API_KEYS": "a b:" + aliceKey},                  // bad owner
		{"RESEARCHFLOW_API_KEYS": "a:" + aliceKey + ",b:" + aliceKey}, // shared key
		{"RESEARCHFLOW_RATE_LIMIT": "lots"},
		{"RESEARCHFLOW_NO_AUTH": "maybe"},
	}
	for _, m := range bad {
		if _, err := configFromEnv(env(m)); err == nil {
			t.Errorf("configFromEnv(%v) accepted", m)
		}
	}
	cfg, err = configFromEnv(env(map[string]string{"RESEARCHFLOW_HTTP_ADDR": "0.0.0.0:8080", "RESEARCHFLOW_NO_AUTH": "1"}))
	if err != nil || !cfg.LocalMode() {
		t.Errorf("explicit NO_AUTH on a public address: err %v, local %v", err, cfg.LocalMode())
	}
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "[::1]:80": true, "localhost:1": true, "10.0.0.1:80": false, ":80": false} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestNewRefusesOpenPublicAddress(t *testing.T) {
	_, err := New(Config{Addr: "0.0.0.0:8080"}, Deps{Runs: newMemRuns()})
	if err == nil {
		t.Fatal("New served a public address without keys")
	}
}

func TestCreateResearchPassesDepthAndBudget(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.do("POST", "/v1/research", aliceKey, `{"question":"How do channels work?","depth":0,"breadth":3,"maxTokens":5000,"maxCostUsd":0.25}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status = %d %s", rec.Code, rec.Body)
	}
	var out CreateResearchResponse
	decode(t, rec, &out)
	in := h.fake.get(out.ID).input.(rf.ResearchInput)
	if in.Depth == nil || *in.Depth != 0 || in.Breadth != 3 || in.MaxTokens != 5000 || in.MaxCostUSD != 0.25 {
		t.Errorf("input = %+v (depth %v)", in, in.Depth)
	}
}

func TestCreateResearch(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_UI_URL": "http://127.0.0.1:8233"})
	rec := h.do("POST", "/v1/research", aliceKey, `{"question":"  What does the Go memory model guarantee?  ","maxSources":3,"corpus":"notes","requireApproval":true,"onApprovalTimeout":"cancel"}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status = %d %s", rec.Code, rec.Body)
	}
	var out CreateResearchResponse
	decode(t, rec, &out)
	if !strings.HasPrefix(out.ID, "research-") || out.RunID == "" || out.Status != rf.StatusRunning {
		t.Errorf("answer = %+v", out)
	}
	if got, want := out.Links.UI, "http://127.0.0.1:8233/namespaces/default/workflows/"+out.ID; got != want {
		t.Errorf("ui link = %q, want %q", got, want)
	}
	if got, want := out.Links.Events, "/v1/research/"+out.ID+"/events"; got != want {
		t.Errorf("events link = %q, want %q", got, want)
	}
	w := h.fake.get(out.ID)
	if w.typ != rf.ResearchWorkflowType {
		t.Errorf("started %s", w.typ)
	}
	depth := 1
	want := rf.ResearchInput{
		Question: "What does the Go memory model guarantee?", MaxSubQuestions: 4, MaxSources: 3,
		Corpus: "alice--notes", Owner: "alice", RequireApproval: true, OnApprovalTimeout: "cancel",
		Depth: &depth, Breadth: 2, Sources: []string{rf.SourceCorpus},
	}
	if got := w.input.(rf.ResearchInput); !reflect.DeepEqual(got, want) {
		t.Errorf("input = %+v\nwant    %+v", got, want)
	}
	if w.owner != "alice" || w.corpus != "alice--notes" {
		t.Errorf("run of %q on %q, want alice's on alice--notes", w.owner, w.corpus)
	}

	// The public corpus is not scoped.
	id := h.start(bobKey, "What is a goroutine?")
	if got := h.fake.get(id).input.(rf.ResearchInput); got.Corpus != "go-docs" || got.Owner != "bob" {
		t.Errorf("bob's run: corpus %q owner %q", got.Corpus, got.Owner)
	}
}

func TestCreateResearchRejects(t *testing.T) {
	h := newHarness(t, map[string]string{})
	h.cfg.MaxBodyBytes = 4096
	h.build()
	long := strings.Repeat("x", 2001)
	tests := []struct {
		name, body, ctype string
		want              int
	}{
		{"empty body", "", "application/json", 400},
		{"not an object", `"what?"`, "application/json", 400},
		{"owner from the body", `{"question":"abc def","owner":"bob"}`, "application/json", 400},
		{"server path", `{"question":"abc def","corpusPath":"/etc"}`, "application/json", 400},
		{"unknown field", `{"question":"abc def","colour":"red"}`, "application/json", 400},
		{"short question", `{"question":"ab"}`, "application/json", 400},
		{"blank question", `{"question":"       "}`, "application/json", 400},
		{"question marks only", `{"question":"???"}`, "application/json", 400},
		{"emoji only", `{"question":"🤔🤔🤔"}`, "application/json", 400},
		{"zero-width spaces only", `{"question":"\u200b\u200b\u200b"}`, "application/json", 400},
		{"long question", `{"question":"` + long[:2001] + `"}`, "application/json", 400},
		{"too many sub-questions", `{"question":"abc def","maxSubQuestions":7}`, "application/json", 400},
		{"negative sources", `{"question":"abc def","maxSources":-1}`, "application/json", 400},
		{"too many sources", `{"question":"abc def","maxSources":21}`, "application/json", 400},
		{"too deep", `{"question":"abc def","depth":4}`, "application/json", 400},
		{"too broad", `{"question":"abc def","breadth":5}`, "application/json", 400},
		{"negative budget", `{"question":"abc def","maxTokens":-5}`, "application/json", 400},
		{"bad corpus", `{"question":"abc def","corpus":"../etc"}`, "application/json", 400},
		{"scoped corpus", `{"question":"abc def","corpus":"bob--notes"}`, "application/json", 400},
		{"bad timeout policy", `{"question":"abc def","requireApproval":true,"onApprovalTimeout":"explode"}`, "application/json", 400},
		{"timeout without approval", `{"question":"abc def","approvalTimeoutSeconds":5}`, "application/json", 400},
		{"wrong type", `{"question":42}`, "application/json", 400},
		{"trailing data", `{"question":"abc def"} {"question":"again"}`, "application/json", 400},
		{"form body", `question=abc`, "application/x-www-form-urlencoded", 415},
		{"too large", `{"question":"` + strings.Repeat("y", 5000) + `"}`, "application/json", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/v1/research", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			req.Header.Set("Authorization", "Bearer "+aliceKey)
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if code := errorCode(t, rec); code == "" {
				t.Errorf("no error code in %s", rec.Body)
			}
		})
	}
	if h.fake.starts != 0 {
		t.Errorf("%d runs started by invalid requests", h.fake.starts)
	}
}

// A word-less question is refused with the contract's own message (the
// starter prints the same one).
func TestCreateResearchRefusesWordlessQuestion(t *testing.T) {
	h := newHarness(t, map[string]string{})
	_, want := rf.ResearchInput{Question: "🤔🤔🤔"}.Normalize()
	if want == nil {
		t.Fatal("Normalize accepts a question of emoji")
	}
	req := httptest.NewRequest("POST", "/v1/research", strings.NewReader(`{"question":"🤔🤔🤔"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+aliceKey)
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "no letter or digit") {
		t.Fatalf("status %d, body %s: want 400 saying %q", rec.Code, rec.Body, want)
	}
	if h.fake.starts != 0 {
		t.Errorf("%d runs started", h.fake.starts)
	}
}

func TestAuthentication(t *testing.T) {
	h := newHarness(t, nil)
	for name, hdr := range map[string]string{
		"no header":    "",
		"unknown key":  "Bearer not-a-key-0123456789",
		"wrong scheme": "Basic " + aliceKey,
		"empty bearer": "Bearer ",
	} {
		req := httptest.NewRequest("GET", "/v1/research", nil)
		if hdr != "" {
			req.Header.Set("Authorization", hdr)
		}
		rec := httptest.NewRecorder()
		h.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || errorCode(t, rec) != "unauthorized" {
			t.Errorf("%s: status %d %s, want 401", name, rec.Code, rec.Body)
		}
		if rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate", name)
		}
	}
	if rec := h.do("GET", "/v1/research", aliceKey, ""); rec.Code != http.StatusOK {
		t.Errorf("valid key: status %d", rec.Code)
	}
}

func TestLocalModeNeedsNoKey(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	id := h.start("", "What is a channel?")
	if got := h.fake.get(id).input.(rf.ResearchInput).Owner; got != LocalOwner {
		t.Errorf("owner = %q, want %q", got, LocalOwner)
	}
	if rec := h.do("GET", "/v1/research/"+id, "", ""); rec.Code != http.StatusOK {
		t.Errorf("GET own run in local mode: %d", rec.Code)
	}
}

func TestIdempotentCreate(t *testing.T) {
	h := newHarness(t, nil)
	body := `{"question":"How do maps grow?"}`
	first := h.do("POST", "/v1/research", aliceKey, body, "Idempotency-Key", "k-1")
	second := h.do("POST", "/v1/research", aliceKey, body, "Idempotency-Key", "k-1")
	if first.Code != 202 || second.Code != 202 {
		t.Fatalf("statuses %d, %d: %s %s", first.Code, second.Code, first.Body, second.Body)
	}
	var a, b CreateResearchResponse
	decode(t, first, &a)
	decode(t, second, &b)
	if a.ID != b.ID || a.RunID != b.RunID {
		t.Errorf("retry gave another run: %+v vs %+v", a, b)
	}
	if h.fake.starts != 1 {
		t.Errorf("starts = %d, want 1", h.fake.starts)
	}

	// After the run closed, a retry still finds it.
	h.fake.complete(a.ID, rf.ResearchResult{Report: "done"})
	third := h.do("POST", "/v1/research", aliceKey, body, "Idempotency-Key", "k-1")
	var c CreateResearchResponse
	decode(t, third, &c)
	if third.Code != 202 || c.ID != a.ID || c.Status != rf.StatusCompleted {
		t.Errorf("retry after completion: %d %+v", third.Code, c)
	}

	conflict := h.do("POST", "/v1/research", aliceKey, `{"question":"Something else entirely"}`, "Idempotency-Key", "k-1")
	if conflict.Code != http.StatusConflict || errorCode(t, conflict) != "idempotency_conflict" {
		t.Errorf("same key, other body: %d %s", conflict.Code, conflict.Body)
	}

	// The key is scoped by owner: bob's k-1 is another run.
	other := h.do("POST", "/v1/research", bobKey, body, "Idempotency-Key", "k-1")
	var o CreateResearchResponse
	decode(t, other, &o)
	if other.Code != 202 || o.ID == a.ID {
		t.Errorf("bob's k-1: %d %+v", other.Code, o)
	}

	// Without a key every POST is a new run.
	x, y := h.start(aliceKey, "abc def"), h.start(aliceKey, "abc def")
	if x == y {
		t.Errorf("two POSTs without Idempotency-Key share ID %s", x)
	}
	if h.fake.starts != 4 {
		t.Errorf("starts = %d, want 4", h.fake.starts)
	}
	if rec := h.do("POST", "/v1/research", aliceKey, body, "Idempotency-Key", strings.Repeat("k", 201)); rec.Code != 400 {
		t.Errorf("oversized Idempotency-Key: %d", rec.Code)
	}
}

// completedResult is the result of a finished run in tests.
func completedResult(id string) rf.ResearchResult {
	return rf.ResearchResult{
		ResearchID: id, Question: "What does the Go memory model guarantee?", Title: "The Go memory model",
		Report: "# The Go memory model\n\nA send happens before the receive completes [1].\n\n## Sources\n1. The Go Memory Model — /doc/go_mem.html\n",
		Sources: []rf.Source{
			{N: 1, SourceID: "s1", Title: "The Go Memory Model", Location: "/doc/go_mem.html", ChunkIDs: []string{"c1", "c2"}},
			{N: 2, SourceID: "s2", Title: "Effective Go", Location: "/doc/effective_go.html"},
		},
		Gaps:   []rf.Gap{{SubQuestion: "What about atomics?", Reason: "no passages"}},
		Engine: "extractive", Corpus: "go-docs",
	}
}

// TestOtherOwnerGets404 is the BOLA check: every {id} route answers another
// owner's key exactly as it answers an ID that does not exist.
func TestOtherOwnerGets404(t *testing.T) {
	h := newHarness(t, nil)
	running := h.start(aliceKey, "What is a goroutine?")
	done := h.start(aliceKey, "What is a channel?")
	h.fake.complete(done, completedResult(done))
	ingest, err := h.fake.StartIngest(t.Context(), "ingest-x", rf.IngestInput{Corpus: "alice--notes", Path: t.TempDir(), Owner: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	routes := []struct{ method, path, body string }{
		{"GET", "/v1/research/%s", ""},
		{"GET", "/v1/research/%s/events", ""},
		{"GET", "/v1/research/%s/report", ""},
		{"GET", "/v1/research/%s/sources/1", ""},
		{"POST", "/v1/research/%s/cancel", ""},
		{"POST", "/v1/research/%s/approve", `{"approved":true}`},
		{"DELETE", "/v1/research/%s", ""}, // last: alice's own delete removes the finished run
	}
	for _, rt := range routes {
		for _, id := range []string{running, done} {
			path := fmt.Sprintf(rt.path, id)
			rec := h.do(rt.method, path, bobKey, rt.body)
			missing := h.do(rt.method, fmt.Sprintf(rt.path, "research-does-not-exist"), bobKey, rt.body)
			if rec.Code != http.StatusNotFound {
				t.Errorf("bob %s %s = %d, want 404", rt.method, path, rec.Code)
			}
			if rec.Body.String() != missing.Body.String() {
				t.Errorf("bob %s %s tells an existing run from a missing one: %s vs %s", rt.method, path, rec.Body, missing.Body)
			}
			if strings.HasSuffix(rt.path, "/events") && id == running {
				continue // a live stream; the events tests cover the owner's side
			}
			if own := h.do(rt.method, path, aliceKey, rt.body); own.Code == http.StatusNotFound {
				t.Errorf("alice %s %s = 404 for her own run: %s", rt.method, path, own.Body)
			}
		}
		// A workflow that is not a research run is not reachable through these routes.
		if rec := h.do(rt.method, fmt.Sprintf(rt.path, ingest.ID), aliceKey, rt.body); rec.Code != http.StatusNotFound {
			t.Errorf("%s %s on an ingestion = %d, want 404", rt.method, rt.path, rec.Code)
		}
	}
	if got := len(h.fake.cancels); got != 1 {
		t.Errorf("cancels = %d, want 1 (alice's only)", got)
	}
	if got := len(h.fake.approvals); got != 0 {
		t.Errorf("bob's approval reached the run: %d approvals", got)
	}
}

func TestGetResearch(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What is a goroutine?")
	rec := h.do("GET", "/v1/research/"+id, aliceKey, "")
	var st ResearchStatus
	decode(t, rec, &st)
	if rec.Code != 200 || st.Status != rf.StatusRunning || st.Progress == nil || st.Progress.Seq != 1 || st.Question != "What is a goroutine?" {
		t.Errorf("running run: %d %+v", rec.Code, st)
	}
	if st.Result != nil || st.ClosedAt != nil {
		t.Errorf("running run has a result: %+v", st)
	}

	res := completedResult(id)
	res.Corpus = "alice--notes"
	h.fake.complete(id, res)
	rec = h.do("GET", "/v1/research/"+id, aliceKey, "")
	st = ResearchStatus{}
	decode(t, rec, &st)
	if st.Status != rf.StatusCompleted || st.Result == nil || st.ClosedAt == nil {
		t.Fatalf("completed run: %+v", st)
	}
	if got, want := *st.Result, (ResultSummary{Title: "The Go memory model", Sources: 2, Gaps: res.Gaps, Engine: "extractive", Corpus: "notes"}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("result = %+v, want %+v", got, want)
	}

	failed := h.start(aliceKey, "Why did it fail?")
	h.fake.fail(failed, errors.New("corpus alice--nope is empty"))
	rec = h.do("GET", "/v1/research/"+failed, aliceKey, "")
	st = ResearchStatus{}
	decode(t, rec, &st)
	if st.Status != rf.StatusFailed || st.Error != "corpus alice--nope is empty" {
		t.Errorf("failed run: %+v", st)
	}

	h.fake.queryErr = unavailable("query progress")
	other := h.start(aliceKey, "Query fails")
	if rec := h.do("GET", "/v1/research/"+other, aliceKey, ""); rec.Code != 200 {
		t.Errorf("status without progress: %d", rec.Code)
	}
}

func TestReport(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What is a goroutine?")
	rec := h.do("GET", "/v1/research/"+id+"/report", aliceKey, "")
	if rec.Code != http.StatusConflict || errorCode(t, rec) != "not_ready" {
		t.Errorf("running: %d %s", rec.Code, rec.Body)
	}
	res := completedResult(id)
	h.fake.complete(id, res)
	rec = h.do("GET", "/v1/research/"+id+"/report", aliceKey, "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/markdown") || rec.Body.String() != res.Report {
		t.Errorf("markdown: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	rec = h.do("GET", "/v1/research/"+id+"/report", aliceKey, "", "Accept", "application/json")
	var rj ReportJSON
	decode(t, rec, &rj)
	if rj.Report != res.Report || len(rj.Sources) != 2 || rj.Sources[0].ChunkIDs[1] != "c2" || rj.Title != res.Title || len(rj.Gaps) != 1 {
		t.Errorf("json report = %+v", rj)
	}

	cancelled := h.start(aliceKey, "Cancel me")
	if rec := h.do("POST", "/v1/research/"+cancelled+"/cancel", aliceKey, ""); rec.Code != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
	}
	rec = h.do("GET", "/v1/research/"+cancelled+"/report", aliceKey, "")
	if rec.Code != http.StatusConflict || errorCode(t, rec) != "no_report" {
		t.Errorf("cancelled: %d %s", rec.Code, rec.Body)
	}
}

func TestSources(t *testing.T) {
	h := newHarness(t, nil)
	h.chunks.chunks["c1"] = memory.Chunk{ID: "c1", Section: "Happens before", Text: "A send on a channel is synchronized before the completion of the receive."}
	h.chunks.chunks["c2"] = memory.Chunk{ID: "c2", Text: "The closing of a channel is synchronized before a receive that returns a zero value."}
	id := h.start(aliceKey, "Channels?")
	if rec := h.do("GET", "/v1/research/"+id+"/sources/1", aliceKey, ""); rec.Code != http.StatusConflict {
		t.Errorf("before completion: %d", rec.Code)
	}
	h.fake.complete(id, completedResult(id))

	rec := h.do("GET", "/v1/research/"+id+"/sources/1", aliceKey, "")
	var src SourceResponse
	decode(t, rec, &src)
	if rec.Code != 200 || src.Title != "The Go Memory Model" || src.Location != "/doc/go_mem.html" || !src.PassagesAvailable {
		t.Fatalf("source 1: %d %+v", rec.Code, src)
	}
	if len(src.Passages) != 2 || src.Passages[0].Section != "Happens before" || !strings.Contains(src.Passages[1].Text, "closing of a channel") {
		t.Errorf("passages = %+v", src.Passages)
	}
	if got := h.chunks.asked[len(h.chunks.asked)-1]; strings.Join(got, ",") != "c1,c2" {
		t.Errorf("asked memory for %v, want the source's chunk IDs", got)
	}

	for path, want := range map[string]int{"/sources/3": 404, "/sources/0": 400, "/sources/abc": 400} {
		if rec := h.do("GET", "/v1/research/"+id+path, aliceKey, ""); rec.Code != want {
			t.Errorf("%s = %d, want %d", path, rec.Code, want)
		}
	}

	// Without memory the source is still described.
	h2 := newHarness(t, nil)
	handler, err := New(h2.cfg, Deps{Runs: h2.fake})
	if err != nil {
		t.Fatal(err)
	}
	h2.h = handler
	id2 := h2.start(aliceKey, "Channels?")
	h2.fake.complete(id2, completedResult(id2))
	rec = h2.do("GET", "/v1/research/"+id2+"/sources/1", aliceKey, "")
	src = SourceResponse{}
	decode(t, rec, &src)
	if rec.Code != 200 || src.PassagesAvailable || src.Title == "" || src.Passages == nil {
		t.Errorf("without memory: %d %+v", rec.Code, src)
	}
}

func TestCancel(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Cancel me")
	rec := h.do("POST", "/v1/research/"+id+"/cancel", aliceKey, "")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
	}
	if got := h.fake.get(id).status; got != rf.StatusCancelled {
		t.Errorf("workflow status = %v", got)
	}
	rec = h.do("POST", "/v1/research/"+id+"/cancel", aliceKey, "")
	if rec.Code != http.StatusConflict || errorCode(t, rec) != "not_running" {
		t.Errorf("second cancel: %d %s", rec.Code, rec.Body)
	}
}

func TestApprove(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Approve me")
	rec := h.do("POST", "/v1/research/"+id+"/approve", aliceKey, `{"approved":true,"subQuestions":["  What is X?  "],"by":"mallory"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	var ar ApproveResponse
	decode(t, rec, &ar)
	if !ar.Approved || ar.Progress.Seq != 7 || ar.Progress.Stage != rf.StageSearch {
		t.Errorf("answer = %+v, want the run's progress", ar)
	}
	if len(h.fake.approvals) != 1 {
		t.Fatalf("approvals = %d, want 1", len(h.fake.approvals))
	}
	got := h.fake.approvals[0]
	if ok, _ := got.Decision(); !ok || got.By != "alice" || len(got.SubQuestions) != 1 || got.SubQuestions[0] != "What is X?" {
		t.Errorf("approval = %+v, want approved by alice with the trimmed sub-question", got)
	}

	h.fake.approveErr = &client.RejectedError{Reason: "the run is not awaiting approval"}
	rec = h.do("POST", "/v1/research/"+id+"/approve", aliceKey, `{"approved":true}`)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "not awaiting approval") {
		t.Errorf("validator rejection: %d %s", rec.Code, rec.Body)
	}
	h.fake.approveErr = nil

	for name, body := range map[string]string{
		"unknown field":      `{"approved":true,"force":true}`,
		"too many":           `{"approved":true,"subQuestions":["aaa","bbb","ccc","ddd","eee","fff","ggg"]}`,
		"empty sub-question": `{"approved":true,"subQuestions":["  "]}`,
	} {
		if rec := h.do("POST", "/v1/research/"+id+"/approve", aliceKey, body); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	h.fake.complete(id, completedResult(id))
	if rec := h.do("POST", "/v1/research/"+id+"/approve", aliceKey, `{"approved":true}`); rec.Code != http.StatusConflict {
		t.Errorf("approve a closed run: %d", rec.Code)
	}
}

func TestListResearch(t *testing.T) {
	h := newHarness(t, nil)
	var alice []string
	for i := range 3 {
		alice = append(alice, h.start(aliceKey, fmt.Sprintf("Alice question %d", i)))
	}
	h.start(bobKey, "Bob question")

	rec := h.do("GET", "/v1/research?pageSize=2", aliceKey, "")
	var page RunList
	decode(t, rec, &page)
	if rec.Code != 200 || len(page.Runs) != 2 || page.NextPageToken == "" {
		t.Fatalf("page 1: %d %+v", rec.Code, page)
	}
	if page.Runs[0].ID != alice[2] || page.Runs[0].Question != "Alice question 2" || page.Runs[0].Status != rf.StatusRunning {
		t.Errorf("first entry = %+v", page.Runs[0])
	}
	if q := h.fake.lists[len(h.fake.lists)-1]; q.Owner != "alice" || q.PageSize != 2 {
		t.Errorf("list options = %+v, want alice's runs, 2 a page", q)
	}
	rec = h.do("GET", "/v1/research?pageSize=2&pageToken="+page.NextPageToken, aliceKey, "")
	var page2 RunList
	decode(t, rec, &page2)
	if len(page2.Runs) != 1 || page2.Runs[0].ID != alice[0] || page2.NextPageToken != "" {
		t.Errorf("page 2 = %+v", page2)
	}
	for _, bad := range []string{"pageSize=0", "pageSize=101", "pageSize=x", "pageToken=!!!"} {
		if rec := h.do("GET", "/v1/research?"+bad, aliceKey, ""); rec.Code != 400 {
			t.Errorf("%s: %d", bad, rec.Code)
		}
	}
}

// TestListResearchGivesFacts: the list tells each completed run's engine,
// corpus (as its owner names it), cited sources and confidence, so the web
// app's past runs need no request per run; a run that is not completed, or
// whose report cannot be read, is listed without them.
func TestListResearchGivesFacts(t *testing.T) {
	h := newHarness(t, nil)
	running := h.start(aliceKey, "What is a goroutine?")
	done := h.start(aliceKey, "What is a channel?")
	res := completedResult(done)
	res.Corpus, res.Confidence = "alice--notes", "high"
	h.fake.complete(done, res)
	failed := h.start(aliceKey, "What is a mutex?")
	h.fake.fail(failed, errors.New("every search failed"))
	unreadable := h.start(aliceKey, "What is a select?")
	h.fake.mu.Lock()
	h.fake.wfs[unreadable].closeLocked(nil, nil, rf.StatusCompleted) // its result cannot be read
	h.fake.mu.Unlock()

	rec := h.do("GET", "/v1/research", aliceKey, "")
	var page RunList
	decode(t, rec, &page)
	if rec.Code != http.StatusOK || len(page.Runs) != 4 {
		t.Fatalf("GET /v1/research: %d %s", rec.Code, rec.Body)
	}
	got := map[string]*RunFacts{}
	for _, r := range page.Runs {
		got[r.ID] = r.Facts
	}
	want := RunFacts{Engine: "extractive", Corpus: "notes", Sources: 2, Confidence: "high"}
	if f := got[done]; f == nil || *f != want {
		t.Errorf("facts of the completed run = %+v, want %+v", f, want)
	}
	for _, id := range []string{running, failed, unreadable} {
		if f := got[id]; f != nil {
			t.Errorf("run %s (%s) has facts %+v, want none", id, h.fake.get(id).status, f)
		}
	}
	// They are what the run's report says of itself.
	rec = h.do("GET", "/v1/research/"+done+"/report", aliceKey, "", "Accept", "application/json")
	var rep ReportJSON
	decode(t, rec, &rep)
	if rep.Engine != want.Engine || rep.Corpus != want.Corpus || len(rep.Sources) != want.Sources || rep.Confidence != want.Confidence {
		t.Errorf("the report says engine %q, corpus %q, %d sources, confidence %q; the list %+v", rep.Engine, rep.Corpus, len(rep.Sources), rep.Confidence, want)
	}
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_RATE_LIMIT": "60", "RESEARCHFLOW_RATE_BURST": "2"})
	for i := range 2 {
		if rec := h.do("GET", "/v1/research", aliceKey, ""); rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	rec := h.do("GET", "/v1/research", aliceKey, "")
	if rec.Code != http.StatusTooManyRequests || errorCode(t, rec) != "rate_limited" {
		t.Fatalf("third request: %d %s", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After = %q, want 1", got)
	}
	if rec := h.do("GET", "/v1/research", bobKey, ""); rec.Code != 200 {
		t.Errorf("bob is limited by alice's use: %d", rec.Code)
	}
}

func TestSecurityHeadersAndCORS(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_CORS_ORIGINS": "https://app.example"})
	rec := h.do("GET", "/healthz", "", "", "Origin", "https://evil.example")
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("unlisted origin allowed: %q", got)
	}
	rec = h.do("OPTIONS", "/v1/research", "", "", "Origin", "https://app.example", "Access-Control-Request-Method", "POST")
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
	rec = h.do("GET", "/v1/research", aliceKey, "", "Origin", "https://app.example")
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("listed origin not allowed: %v", rec.Header())
	}
}

func TestPanicBecomesJSON500(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.panicList = true
	rec := h.do("GET", "/v1/research", aliceKey, "")
	if rec.Code != 500 || errorCode(t, rec) != "internal" || strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("panic answer: %d %s", rec.Code, rec.Body)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	h := newHarness(t, nil)
	if rec := h.do("GET", "/healthz", "", ""); rec.Code != 200 {
		t.Errorf("healthz: %d", rec.Code)
	}
	if rec := h.do("GET", "/readyz", "", ""); rec.Code != 200 {
		t.Errorf("readyz: %d", rec.Code)
	}
	h.fake.healthErr = unavailable("temporal health check")
	if rec := h.do("GET", "/readyz", "", ""); rec.Code != 503 {
		t.Errorf("readyz with Temporal down: %d", rec.Code)
	}
	h.start(aliceKey, "Count me")
	h.do("GET", "/v1/research/nope", aliceKey, "")
	rec := h.do("GET", "/metrics", "", "")
	body := rec.Body.String()
	for _, want := range []string{
		`researchflow_http_requests_total{code="202",method="POST",route="/v1/research"} 1`,
		`researchflow_http_requests_total{code="404",method="GET",route="/v1/research/:id"} 1`,
		`researchflow_http_requests_total{code="503",method="GET",route="/readyz"} 1`,
		"researchflow_research_started_total 1",
		"# TYPE researchflow_event_streams gauge",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

func TestWebAppServed(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.do("GET", "/", "", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), `src="/assets/app.js"`) {
		t.Errorf("index: %d %s", rec.Code, rec.Header())
	}
	rec = h.do("GET", "/assets/app.js", "", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("app.js: %d %s", rec.Code, rec.Header())
	}
	if strings.Contains(rec.Body.String(), "innerHTML") {
		t.Error("app.js uses innerHTML")
	}
	for _, p := range []string{"/assets/..%2fopenapi.json", "/assets/nope.js"} {
		if rec := h.do("GET", p, "", ""); rec.Code != 404 {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
}

// Browsers ask every page's server for /favicon.ico: a trial's console
// showed its 404 on every page. The icon is served there and at the address
// the page names, from the gateway itself.
func TestFaviconServed(t *testing.T) {
	h := newHarness(t, nil)
	page := h.do("GET", "/", "", "").Body.String()
	link := regexp.MustCompile(`<link rel="icon" href="(/[^"]+)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("the page names no icon:\n%.600s", page)
	}
	for _, p := range []string{"/favicon.ico", link[1]} {
		rec := h.do("GET", p, "", "")
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(rec.Body.String(), "<svg ") {
			t.Errorf("GET %s: %d %q %.60q", p, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
	}
}

// upload posts files (name → content) to corpus as key.
func (h *harness) upload(key, corpus string, files map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, content := range files {
		fw, err := mw.CreateFormFile("files", name)
		if err != nil {
			h.t.Fatal(err)
		}
		fw.Write([]byte(content))
	}
	mw.WriteField("note", "ignored")
	mw.Close()
	req := httptest.NewRequest("POST", "/v1/corpora/"+corpus+"/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

// UTF-16 text with a byte-order mark is text: the upload takes it, as
// folder ingestion does (it is decoded when ingested).
func TestUploadTakesUTF16Text(t *testing.T) {
	h := newHarness(t, nil)
	for name, body := range map[string]string{
		"inventory.txt": "\xff\xfeB\x00a\x00c\x00k\x00u\x00p\x00",
		"notes.md":      "\xfe\xff\x00#\x00 \x00N",
	} {
		if rec := h.upload(aliceKey, "text16", map[string]string{name: body}); rec.Code != http.StatusAccepted {
			t.Errorf("%s: status %d: %s", name, rec.Code, rec.Body)
		}
	}
}

func TestUpload(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_MAX_FILE_MB": "1", "RESEARCHFLOW_MAX_UPLOAD_MB": "2"})
	rec := h.upload(aliceKey, "notes", map[string]string{
		"guide.md":                 "# Guide\nSome text.",
		"../../etc/evil name.txt":  "not escaping",
		`..\..\windows\paper.html`: "<p>hi</p>",
		"paper.pdf":                "%PDF-1.7\n...",
	})
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	var out UploadResponse
	decode(t, rec, &out)
	dir := filepath.Join(h.cfg.DataDir, "uploads", ownerHash("alice"), "notes")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, ","), "evil name.txt,guide.md,paper.html,paper.pdf"; got != want {
		t.Errorf("saved %s, want %s", got, want)
	}
	if out.Corpus != "notes" || len(out.Files) != 4 {
		t.Errorf("answer = %+v", out)
	}
	w := h.fake.get(out.ID)
	in := w.input.(rf.IngestInput)
	absDir, _ := filepath.Abs(dir)
	if w.typ != rf.IngestWorkflowType || in.Corpus != "alice--notes" || in.Owner != "alice" || in.Path != absDir {
		t.Errorf("ingestion %s %+v", w.typ, in)
	}

	big := strings.Repeat("a", 1<<20+1)
	tests := []struct {
		name, corpus string
		files        map[string]string
		want         int
	}{
		{"executable", "notes", map[string]string{"run.exe": "MZ"}, 415},
		{"fake pdf", "notes", map[string]string{"x.pdf": "hello"}, 415},
		{"binary text", "notes", map[string]string{"x.txt": "a\x00b"}, 415},
		{"NUL without a BOM", "notes", map[string]string{"y.md": "\x00#\x00 \x00N"}, 415},
		{"file too large", "notes", map[string]string{"big.txt": big}, 413},
		{"upload too large", "notes", map[string]string{"a.txt": big[:1<<20], "b.txt": big[:1<<20], "c.txt": "x"}, 413},
		{"public corpus", "go-docs", map[string]string{"a.txt": "x"}, 403},
		{"bad corpus", "Bad..Name", map[string]string{"a.txt": "x"}, 400},
		{"no files", "notes", map[string]string{}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.upload(aliceKey, tt.corpus, tt.files)
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("refused uploads left files behind: %d entries", len(entries))
	}
	req := httptest.NewRequest("POST", "/v1/corpora/notes/documents", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+aliceKey)
	rec = httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("JSON upload: %d", rec.Code)
	}
	// Bob's corpus of the same name is another folder and another corpus.
	rec = h.upload(bobKey, "notes", map[string]string{"b.md": "bob"})
	var bo UploadResponse
	decode(t, rec, &bo)
	if got := h.fake.get(bo.ID).input.(rf.IngestInput); got.Corpus != "bob--notes" || got.Path == in.Path {
		t.Errorf("bob's ingestion %+v", got)
	}
}

// E-mail recipients are checked against the server's domain allow-list
// before a run starts: a request cannot make the notify pool mail anyone.
func TestCreateResearchEmailAllowList(t *testing.T) {
	h := newHarness(t, nil)
	h.cfg.NotifyEmailDomains = []string{"example.org"}
	h.build()
	for _, body := range []string{
		`{"question":"abc def","notify":{"email":["eve@evil.example"]}}`,
		`{"question":"abc def","notify":{"email":["ana@example.org","eve@sub.example.org"]}}`,
		`{"question":"abc def","notify":{"email":["Ana <ana@example.org>"]}}`,
		`{"question":"abc def","notify":{"email":["not an address"]}}`,
		`{"question":"abc def","notify":{"webhook":"http://169.254.169.254/"}}`,
	} {
		// (Per-run webhooks do not exist: an unknown field.)
		if rec := h.do("POST", "/v1/research", aliceKey, body); rec.Code != http.StatusBadRequest ||
			!strings.Contains(rec.Body.String(), "notify") && !strings.Contains(rec.Body.String(), "webhook") {
			t.Errorf("%s: status %d %s, want 400 naming the field", body, rec.Code, rec.Body)
		}
	}
	rec := h.do("POST", "/v1/research", aliceKey, `{"question":"abc def","notify":{"email":["ana@Example.ORG","ana@example.org"]}}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status = %d %s", rec.Code, rec.Body)
	}
	var out CreateResearchResponse
	decode(t, rec, &out)
	if got := h.fake.get(out.ID).input.(rf.ResearchInput).NotifyEmail(); len(got) != 1 || got[0] != "ana@example.org" {
		t.Errorf("recipients = %q", got)
	}

	// No domain configured (no SMTP server): no e-mail at all.
	h.cfg.NotifyEmailDomains = nil
	h.build()
	if rec := h.do("POST", "/v1/research", aliceKey, `{"question":"abc def","notify":{"email":["ana@example.org"]}}`); rec.Code != http.StatusBadRequest {
		t.Errorf("e-mail without SMTP: status %d", rec.Code)
	}
}

// configFromEnv binds the gateway settings as the processes do, and
// checks them as New does.
func configFromEnv(lookup func(string) (string, bool)) (Config, error) {
	c, err := config.Load(lookup)
	if err != nil {
		return Config{}, err
	}
	return c.Gateway, validate(c.Gateway)
}

// An uploaded file is known to readers of the API by the name it was
// uploaded under, as in the report: the server's path (its data directory,
// the owner's key hash) stays the server's. Other locations are kept.
func TestSourcesNameUploadsNotServerPaths(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "When is the offsite?")
	res := completedResult(id)
	server := "/srv/researchflow/data/uploads/0123456789abcdef/team/notes/offsite.txt"
	res.Sources[0].Location = server
	res.Sources[1].Location = "file://" + strings.Replace(server, "offsite.txt", "budget.md", 1)
	res.Sources = append(res.Sources, rf.Source{N: 3, SourceID: "s3", Title: "Go", Location: "https://go.dev/doc/", URL: "https://go.dev/doc/"})
	h.fake.complete(id, res)

	rec := h.do("GET", "/v1/research/"+id+"/sources/1", aliceKey, "")
	var src SourceResponse
	decode(t, rec, &src)
	if rec.Code != 200 || src.Location != "notes/offsite.txt" {
		t.Errorf("source 1: %d location %q, want the uploaded name", rec.Code, src.Location)
	}
	rec = h.do("GET", "/v1/research/"+id+"/report", aliceKey, "", "Accept", "application/json")
	var rep ReportJSON
	decode(t, rec, &rep)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "/srv/researchflow") || strings.Contains(rec.Body.String(), "0123456789abcdef") {
		t.Fatalf("report JSON: %d shows the server path: %s", rec.Code, rec.Body)
	}
	got := []string{rep.Sources[0].Location, rep.Sources[1].Location, rep.Sources[2].Location}
	if want := []string{"notes/offsite.txt", "notes/budget.md", "https://go.dev/doc/"}; !slices.Equal(got, want) {
		t.Errorf("locations %q, want %q", got, want)
	}
	// The stored result is not changed by what the API shows.
	if again, _ := h.fake.Result(context.Background(), id); again.Sources[0].Location != server {
		t.Errorf("stored location changed to %q", again.Sources[0].Location)
	}
}

// A file of the Go documentation is given to readers of the API by its
// go.dev address (link), as the report cites it; its location stays what
// the run read. A file without one has no link.
func TestSourcesGiveTheGoDocsLink(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What does the memory model guarantee?")
	res := completedResult(id)
	res.Sources[0].Location, res.Sources[0].Link = "/usr/local/go/doc/go_mem.html", "https://go.dev/ref/mem"
	res.Sources[1].Location, res.Sources[1].Link = "/home/ana/notes/locks.md", ""
	h.fake.complete(id, res)

	rec := h.do("GET", "/v1/research/"+id+"/report", aliceKey, "", "Accept", "application/json")
	var rep ReportJSON
	decode(t, rec, &rep)
	if rec.Code != 200 || len(rep.Sources) < 2 {
		t.Fatalf("report JSON: %d %s", rec.Code, rec.Body)
	}
	if got := [2]string{rep.Sources[0].Link, rep.Sources[1].Link}; got != [2]string{"https://go.dev/ref/mem", ""} {
		t.Errorf("links %q, want the go.dev address for the Go documentation only", got)
	}
	if rep.Sources[0].Location != "/usr/local/go/doc/go_mem.html" || strings.Contains(rec.Body.String(), `"link":""`) {
		t.Errorf("report JSON sources: %s", rec.Body)
	}
	rec = h.do("GET", "/v1/research/"+id+"/sources/1", aliceKey, "")
	var src SourceResponse
	decode(t, rec, &src)
	if rec.Code != 200 || src.Link != "https://go.dev/ref/mem" {
		t.Errorf("source 1: %d link %q, want https://go.dev/ref/mem", rec.Code, src.Link)
	}
}

// A run recorded before sources had links stored a file of the Go
// documentation with no link, by the path its worker read, and its report
// lists it by a file:// link. The API gives such a source its go.dev
// address wherever it serves it (report JSON, GET /sources/{n}, the
// thread), and the report's Sources list names it by that address in the
// Markdown, the HTML and the JSON alike. A file of another corpus, laid
// out as a Go installation is, gets no link; the stored run is unchanged.
func TestOldRunsGoDocsSourcesAreLinked(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "How do HTTP handlers work?")
	spec, notes := "/usr/local/go/doc/go_spec.html", "/home/ana/project/src/net/http/doc.go"
	res := completedResult(id)
	res.Sources[0].SourceID, res.Sources[0].Title, res.Sources[0].Location = memory.SourceID(rf.DefaultCorpus, spec), "The Go Programming Language Specification", spec
	res.Sources[1].SourceID, res.Sources[1].Title, res.Sources[1].Location = memory.SourceID("alice--notes", notes), "Our handlers", notes
	res.Report = report.FollowUp("How do HTTP handlers work?", "How do HTTP handlers work?", report.ConfidenceHigh,
		[]reasoning.Sentence{{Text: "A handler responds to an HTTP request.", Cites: []int{1, 2}}}, res.Sources, nil, nil)
	if !strings.Contains(res.Report, "(file://"+spec+")") {
		t.Fatalf("the old report does not list the spec by its path:\n%s", res.Report)
	}
	h.fake.complete(id, res)
	const specLink = "https://go.dev/ref/spec"

	rec := h.do("GET", "/v1/research/"+id+"/report", aliceKey, "", "Accept", "application/json")
	var rep ReportJSON
	decode(t, rec, &rep)
	if rec.Code != 200 || len(rep.Sources) != 2 {
		t.Fatalf("report JSON: %d %s", rec.Code, rec.Body)
	}
	if got := [2]string{rep.Sources[0].Link, rep.Sources[1].Link}; got != [2]string{specLink, ""} {
		t.Errorf("links %q, want the go.dev address for the Go documentation only", got)
	}
	if rep.Sources[0].Location != spec || rep.Sources[1].Location != notes {
		t.Errorf("locations %q, %q: want what the run read", rep.Sources[0].Location, rep.Sources[1].Location)
	}
	for name, md := range map[string]string{"report JSON": rep.Report, "Markdown": h.do("GET", "/v1/research/"+id+"/report", aliceKey, "").Body.String(),
		"HTML": h.do("GET", "/v1/research/"+id+"/report", aliceKey, "", "Accept", "text/html").Body.String()} {
		if !strings.Contains(md, specLink) || strings.Contains(md, spec) || !strings.Contains(md, notes) {
			t.Errorf("%s: want the spec by %s and the note by its path:\n%s", name, specLink, md)
		}
	}
	rec = h.do("GET", "/v1/research/"+id+"/sources/1", aliceKey, "")
	var src SourceResponse
	decode(t, rec, &src)
	if rec.Code != 200 || src.Link != specLink {
		t.Errorf("source 1: %d link %q, want %s", rec.Code, src.Link, specLink)
	}
	rec = h.do("GET", "/v1/research/"+id+"/sources/2", aliceKey, "")
	src = SourceResponse{}
	decode(t, rec, &src)
	if rec.Code != 200 || src.Link != "" {
		t.Errorf("source 2: %d link %q, want none", rec.Code, src.Link)
	}

	// A follow-up answered then cites the spec the same way.
	rec = h.do("POST", "/v1/research/"+id+"/followups", aliceKey, `{"question":"And the spec?"}`)
	var fu FollowUpResponse
	decode(t, rec, &fu)
	answer := rf.FollowUpResult{ResearchID: id, Sources: res.Sources[:1], Confidence: report.ConfidenceHigh,
		Findings: []rf.FollowUpFinding{{Text: "The spec defines handlers.", N: 1, SourceID: res.Sources[0].SourceID}}}
	answer.Answer = report.FollowUp("And the spec?", "And the spec?", answer.Confidence, report.FollowUpSentences(answer.Findings), answer.Sources, nil, nil)
	h.fake.answerFollowUp(fu.ID, time.Unix(1700001000, 0).UTC(), answer)
	rec = h.do("GET", "/v1/research/"+id+"/thread", aliceKey, "")
	var thread ThreadResponse
	decode(t, rec, &thread)
	if rec.Code != 200 || len(thread.FollowUps) != 1 || thread.FollowUps[0].Result == nil {
		t.Fatalf("thread: %d %s", rec.Code, rec.Body)
	}
	if got := thread.FollowUps[0].Result; len(got.Sources) != 1 || got.Sources[0].Link != specLink || !strings.Contains(got.Answer, specLink) || strings.Contains(got.Answer, "file://") {
		t.Errorf("thread answer: sources %+v, answer:\n%s", got.Sources, got.Answer)
	}

	if again, _ := h.fake.Result(context.Background(), id); again.Sources[0].Link != "" || again.Report != res.Report {
		t.Errorf("the stored result changed: link %q", again.Sources[0].Link)
	}
}

// TestApproveEditedPlanCarriesItsPrice: an edited plan is priced before
// it is approved (POST …/estimate, and again by the approval), and the
// approval answers with the plan approved and its price, not the plan
// and price the run had before.
func TestApproveEditedPlanCarriesItsPrice(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Approve me priced")
	rec := h.do("POST", "/v1/research/"+id+"/estimate", aliceKey, `{"subQuestions":[" What is X? ","What is Y?"]}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("estimate: %d %s", rec.Code, rec.Body)
	}
	var er EstimateResponse
	decode(t, rec, &er)
	if er.Estimate.Searches != 2 || len(er.Estimate.SubQuestions) != 2 || er.Estimate.SubQuestions[0].Text != "What is X?" ||
		!slices.Equal(er.SubQuestions, []string{"What is X?", "What is Y?"}) {
		t.Errorf("estimate answer = %+v, want the 2 edited sub-questions priced", er)
	}
	for name, body := range map[string]string{"no plan": `{"subQuestions":[]}`, "unknown field": `{"approved":true,"subQuestions":["a?"]}`} {
		if rec := h.do("POST", "/v1/research/"+id+"/estimate", aliceKey, body); rec.Code != http.StatusBadRequest {
			t.Errorf("estimate with %s: %d %s", name, rec.Code, rec.Body)
		}
	}

	rec = h.do("POST", "/v1/research/"+id+"/approve", aliceKey, `{"approved":true,"subQuestions":["What is X?","What is Y?","What is Z?"]}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	var ar ApproveResponse
	decode(t, rec, &ar)
	if !slices.Equal(ar.SubQuestions, []string{"What is X?", "What is Y?", "What is Z?"}) || ar.Estimate == nil || ar.Estimate.Searches != 3 {
		t.Errorf("approve answer: plan %q, estimate %+v; want the edited plan and its price (3 searches)", ar.SubQuestions, ar.Estimate)
	}
	if n := len(h.fake.pricings); n != 2 {
		t.Errorf("plans priced = %d, want 2 (the estimate, then the approval's)", n)
	}
}

// An approval that does not say approved is refused, never read as a
// rejection: a trial's `{}` answered 200 and cancelled the waiting run for
// good, and a client that sends only the edited plan would do the same.
func TestApproveWithoutApprovedIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Approve me")
	for _, body := range []string{
		`{}`,
		`{"subQuestions":["What is X?"]}`,
		`{"approved":null}`,
		`{"by":"alice"}`,
	} {
		rec := h.do("POST", "/v1/research/"+id+"/approve", aliceKey, body)
		if rec.Code != http.StatusBadRequest || errorCode(t, rec) != "invalid_request" || !strings.Contains(rec.Body.String(), "approved: required") {
			t.Errorf("%s: %d %s, want 400 approved: required", body, rec.Code, rec.Body)
		}
	}
	if len(h.fake.approvals) != 0 || len(h.fake.pricings) != 0 {
		t.Errorf("refused approvals reached the run: approvals %+v, pricings %+v", h.fake.approvals, h.fake.pricings)
	}
	// A rejection said out loud is still a rejection.
	rec := h.do("POST", "/v1/research/"+id+"/approve", aliceKey, `{"approved":false}`)
	var ar ApproveResponse
	decode(t, rec, &ar)
	if rec.Code != http.StatusOK || ar.Approved || len(h.fake.approvals) != 1 {
		t.Errorf("approved false: %d %+v", rec.Code, ar)
	}
}
