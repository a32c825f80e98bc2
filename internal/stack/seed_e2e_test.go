package stack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// seedPages are three web pages on quantum computing, written for this
// test: the hardware trend (error-corrected logical qubits), where quantum
// speed-ups for machine learning do and do not exist, and post-quantum
// cryptography.
var seedPages = []struct{ path, title, body string }{
	{"/pages/logical-qubits", "Quantum hardware in review: the turn to logical qubits", `
<h1>Quantum hardware in review: the turn to logical qubits</h1>
<p>The main trend in quantum computing hardware over the last two years is the move from counting physical qubits to building error-corrected logical qubits.
A logical qubit spreads one unit of quantum information over many physical qubits, so that errors on single qubits can be detected and corrected while a computation runs.</p>
<p>Several laboratories have now shown logical qubits whose error rates fall as the code grows, which is the threshold behaviour that error correction needs.
Roadmaps from hardware vendors now promise machines with dozens of logical qubits rather than thousands of noisy physical ones.</p>
<h2>Why it matters</h2>
<p>Without error correction, noise limits quantum processors to short circuits. Logical qubits are what would let long algorithms run to the end.</p>`},
	{"/pages/quantum-ml", "Quantum computing and machine learning: where the speed-ups are", `
<h1>Quantum computing and machine learning: where the speed-ups are</h1>
<p>The potential impact of quantum computing on AI is smaller and narrower than headlines suggest.
Proven quantum speed-ups for machine learning exist only for special problems, such as learning from data that is itself produced by a quantum system.</p>
<p>For ordinary machine learning on classical data, such as training large neural networks, no exponential quantum advantage is known, and loading classical data into a quantum computer can cancel any gain.
Several claimed speed-ups for recommendation systems were later matched by classical algorithms.</p>
<p>Researchers therefore expect quantum computers to help AI mainly in simulating chemistry and materials, which can then supply better training data.</p>`},
	{"/pages/post-quantum", "Post-quantum cryptography migration", `
<h1>Post-quantum cryptography migration</h1>
<p>Post-quantum cryptography replaces public-key algorithms that a large quantum computer could break, such as RSA and elliptic-curve schemes, with algorithms based on lattices and hash functions.</p>
<p>Standards bodies have published the first post-quantum signature and key-establishment standards, and operators are advised to inventory where they use vulnerable keys.</p>`},
}

// newSeedSearXNG serves SearXNG's JSON search API on loopback, answering
// every query with the three seed pages (as a search engine would for a
// question about quantum computing), and the pages themselves.
func newSeedSearXNG(t *testing.T) *httptest.Server {
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		var results []map[string]any
		for _, p := range seedPages {
			results = append(results, map[string]any{"url": srv.URL + p.path, "title": p.title, "content": p.title, "engine": "test"})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"query": r.URL.Query().Get("q"), "results": results})
	})
	mux.HandleFunc("/pages/", func(w http.ResponseWriter, r *http.Request) {
		for _, p := range seedPages {
			if p.path == r.URL.Path {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = w.Write([]byte("<!doctype html><html><head><title>" + p.title + "</title></head><body><main>" + p.body + "</main></body></html>"))
				return
			}
		}
		http.NotFound(w, r)
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// Issue 18's seed example: "Summarize the latest trends in quantum
// computing and their potential impact on AI." researched over a
// SearXNG-format server whose pages cover logical qubits, quantum machine
// learning and post-quantum cryptography. The plan asks for the trends and
// for their impact on AI; the report states the logical-qubit trend and
// the machine-learning impact and cites both pages.
func TestEndToEndSeedQuestionOverSearXNG(t *testing.T) {
	endToEnd(t)
	srv := newSeedSearXNG(t)
	cfg := llmConfig(t) // a fresh data dir, offline engine
	cfg.Search.SearXNGURL = srv.URL
	cfg.Fetch.AllowCIDRs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	all, _ := pools.Parse(pools.All)
	s, err := Start(ctx, cfg, Options{Pools: all, Logger: testLogger(), DevServer: temporalserver.StartDev, NoUI: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	run, err := s.Runs.Start(ctx, "", rf.ResearchInput{
		Question: "Summarize the latest trends in quantum computing and their potential impact on AI.",
		Sources:  []string{"searxng"}, Depth: new(int),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Runs.Result(ctx, run.ID)
	if err != nil {
		t.Fatalf("the run did not complete: %v", err)
	}
	prog, err := s.Runs.Progress(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for _, sq := range prog.SubQuestions {
		plan = append(plan, sq.Text)
	}
	for _, want := range []string{
		"What are the latest trends in quantum computing?",
		"What is the potential impact of the latest trends in quantum computing on AI?",
	} {
		found := false
		for _, p := range plan {
			found = found || p == want
		}
		if !found {
			t.Errorf("plan %q lacks %q", plan, want)
		}
	}
	body, sources, _ := strings.Cut(res.Report, "## Sources")
	if !strings.Contains(strings.ToLower(body), "logical qubit") {
		t.Errorf("the report does not state the logical-qubit trend:\n%s", res.Report)
	}
	// The sources list numbers the pages: "- [n] title — host — [url](url)".
	mark := map[string]string{}
	for _, line := range strings.Split(sources, "\n") {
		for _, p := range []string{"/pages/logical-qubits", "/pages/quantum-ml"} {
			if strings.Contains(line, srv.URL+p) {
				if _, rest, ok := strings.Cut(line, "["); ok {
					n, _, _ := strings.Cut(rest, "]")
					mark[p] = "[" + n + "]"
				}
			}
		}
	}
	for _, p := range []string{"/pages/logical-qubits", "/pages/quantum-ml"} {
		if mark[p] == "" || !strings.Contains(body, mark[p]) {
			t.Errorf("the report does not cite %s:\n%s", p, res.Report)
		}
	}
	// The impact on AI is stated from the machine-learning page: a
	// sentence citing it says what quantum computing does for AI or
	// machine learning.
	impact := false
	for _, sent := range strings.SplitAfter(body, "]") {
		if mark["/pages/quantum-ml"] != "" && strings.HasSuffix(sent, mark["/pages/quantum-ml"]) &&
			(strings.Contains(sent, " AI ") || strings.Contains(strings.ToLower(sent), "machine learning")) {
			impact = true
		}
	}
	if !impact {
		t.Errorf("no sentence citing the machine-learning page states the impact on AI:\n%s", res.Report)
	}
}
