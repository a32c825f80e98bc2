package gateway

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/report"
)

// renderInNode renders md with the web app's renderMarkdown in Node.js,
// with just enough of a DOM, and returns the text of the page and the
// location spans (text and tooltip).
const renderInNode = `
const fs = require("fs"), vm = require("vm");
class Node {}
class Text extends Node { constructor(t) { super(); this.text = String(t); } get textContent() { return this.text; } }
class Elem extends Node {
  constructor(tag) { super(); this.tagName = tag.toUpperCase(); this.attrs = {}; this.children = []; this.className = ""; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  append(...cs) { for (const c of cs) this.children.push(c instanceof Node ? c : new Text(c)); }
  replaceChildren() { this.children = []; }
  addEventListener() {}
  get textContent() { return this.children.map((c) => c.textContent).join(""); }
}
globalThis.Node = Node;
globalThis.document = { createElement: (t) => new Elem(t), createTextNode: (t) => new Text(t), addEventListener() {}, getElementById: () => new Elem("div") };
globalThis.localStorage = { getItem: () => null };
vm.runInThisContext(fs.readFileSync(process.argv[1], "utf8"));
const root = new Elem("div");
renderMarkdown(root, fs.readFileSync(0, "utf8"));
const locations = [], links = [], quotes = [];
(function walk(e) {
  if (!(e instanceof Elem)) return;
  if (e.tagName === "BLOCKQUOTE") quotes.push(e.textContent);
  if (e.className === "location") locations.push({ text: e.textContent, title: e.attrs.title });
  if (e.tagName === "A" && e.attrs.target) links.push({ text: e.textContent, href: e.attrs.href });
  e.children.forEach(walk);
})(root);
process.stdout.write(JSON.stringify({ text: root.textContent, locations, links, quotes }));
`

// runApp runs script in Node.js with the web app's app.js path as its
// argument and stdin as its input, and returns what it printed; the test
// is skipped without node.
func runApp(t *testing.T, script, stdin string) []byte {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("needs node (apt-get install nodejs)")
	}
	cmd := exec.Command(node, "-e", script, filepath.Join("web", "app.js"))
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	return out
}

// TestWebAppShowsSourceLocations renders a report's sources in the web app's
// Markdown renderer: a local source shows its path as written (escapes
// undone) with the decoded path as its tooltip, whatever characters it has.
func TestWebAppShowsSourceLocations(t *testing.T) {
	paths := []string{
		"/docs/Release notes #3.md",
		"/docs/100% done.md",
		"/docs/what?.md",
		"/docs/数据 (draft) [v2].md",
		"/docs/<tag> & *stars*.md",
	}
	var sources []rf.Source
	for i, p := range paths {
		sources = append(sources, rf.Source{N: i + 1, SourceID: p, Title: "Doc", Location: p})
	}
	sources = append(sources, rf.Source{N: len(paths) + 1, SourceID: "web", Title: "Web", Location: "https://example.com/a_(b)"})
	md, _ := report.Render(report.Report{
		Question: "Where?",
		Draft:    reasoning.Draft{Title: "T", Summary: []reasoning.Sentence{{Text: "Here.", Cites: []int{1}}}},
		Sources:  sources,
	})

	out := runApp(t, renderInNode, md)
	var got struct {
		Text      string
		Locations []struct{ Text, Title string }
		Links     []struct{ Text, Href string }
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	if len(got.Locations) != len(paths) {
		t.Fatalf("%d location spans, want %d; page text:\n%s", len(got.Locations), len(paths), got.Text)
	}
	for i, p := range paths {
		if l := got.Locations[i]; l.Text != p || l.Title != p {
			t.Errorf("source %q shows %q with tooltip %q", p, l.Text, l.Title)
		}
	}
	if len(got.Links) != 1 || got.Links[0].Href != "https://example.com/a_%28b%29" || got.Links[0].Text != "https://example.com/a_(b)" {
		t.Errorf("web links = %+v", got.Links)
	}
}

// The low-confidence banner is a quote in the report's Markdown: the web
// app shows it as one (a trial showed "> The sources found …" as written).
func TestWebAppShowsTheLowConfidenceBanner(t *testing.T) {
	gaps := []rf.Gap{{SubQuestion: "Which caterer serves the offsite?", Reason: "no passage answers it"}}
	md, _ := report.Render(report.Report{Question: "Which caterer serves the offsite?", Gaps: gaps, Confidence: report.Confidence(nil, gaps)})
	md += "\n> a quote\n> over two lines\n\nafter\n"
	out := runApp(t, renderInNode, md)
	var got struct {
		Text   string
		Quotes []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	if strings.Contains(got.Text, ">") {
		t.Errorf("the page shows a quote mark: %q", got.Text)
	}
	want := []string{report.LowConfidenceBanner, "a quote over two lines"}
	if len(got.Quotes) != len(want) || got.Quotes[0] != want[0] || got.Quotes[1] != want[1] {
		t.Errorf("quotes %q, want %q", got.Quotes, want)
	}
}

// A read the rate limit refuses (429) is tried again after Retry-After, a
// write is not: a trial's fourth reload of a run's page showed "too many
// requests" and never the report.
func TestWebAppRetriesReadsTheRateLimitRefused(t *testing.T) {
	const script = `
const fs = require("fs"), vm = require("vm");
class Node {}
globalThis.Node = Node;
globalThis.document = { createElement: () => ({ append() {}, setAttribute() {} }), addEventListener() {}, getElementById: () => ({}) };
globalThis.localStorage = { getItem: () => null };
const calls = [];
globalThis.fetch = async (path, opts) => {
  calls.push((opts.method || "GET") + " " + path);
  const n = calls.length;
  const limited = n <= 2 || (n >= 4 && n <= 8);
  return {
    ok: !limited, status: limited ? 429 : 200,
    headers: { get: (h) => h === "Retry-After" ? "0" : "application/json" },
    json: async () => limited ? { error: { message: "too many requests; retry later" } } : { fine: true },
    text: async () => "",
  };
};
vm.runInThisContext(fs.readFileSync(process.argv[1], "utf8"));
(async () => {
  const out = {};
  out.read = await api("/v1/research/r1");
  try { await api("/v1/research", { method: "POST", body: "{}" }); } catch (e) { out.write = e.status; }
  try { await api("/v1/research/r2"); } catch (e) { out.gaveUp = e.status; }
  out.calls = calls;
  process.stdout.write(JSON.stringify(out));
})();
`
	out := runApp(t, script, "")
	var got struct {
		Read   struct{ Fine bool }
		Write  int
		GaveUp int
		Calls  []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	// The read: two refusals, then the answer (3 calls). The write: one
	// refusal, not repeated. The next read: refused 4 times, given up.
	if !got.Read.Fine || got.Write != 429 || got.GaveUp != 429 || len(got.Calls) != 8 {
		t.Errorf("read %+v, write %d, last read %d, calls %q", got.Read, got.Write, got.GaveUp, got.Calls)
	}
}
