package corpus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/memory"
)

// writeFile writes content to name under dir and returns the path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sectionNames(d Document) []string {
	var out []string
	for _, s := range d.Sections {
		out = append(out, s.Heading)
	}
	return out
}

// checkSections verifies that every section starts at its heading's text.
func checkSections(t *testing.T, d Document) {
	t.Helper()
	for _, s := range d.Sections {
		if !strings.HasPrefix(d.Text[s.Start:], s.Heading) {
			t.Errorf("section %q at %d: text there is %q", s.Heading, s.Start, d.Text[s.Start:min(len(d.Text), s.Start+len(s.Heading)+10)])
		}
	}
}

const testHTML = `<!DOCTYPE html>
<html><head><title>Channels  in Go</title>
<style>body { color: red }</style>
<script>var secret = "do not index";</script></head>
<body>
<nav><a href="/">Home</a> | <a href="/blog">Blog</a></nav>
<h1>Channels</h1>
<p>A channel   carries <b>values</b>
between goroutines.</p>
<p>A send blocks until a receiver is ready.</p>
<h2 id="close">Closing</h2>
<ul><li>Close from the sender.</li><li>Never close twice.</li></ul>
<pre>ch := make(chan int)
    close(ch)</pre>
<script>alert("noise")</script>
<h5>Minor</h5><p>End.</p>
</body></html>`

func TestLoadHTML(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "channels.html", testHTML)
	d, err := LoadFile(context.Background(), "notes", path)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if got, want := d.Title, "Channels in Go"; got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
	want := "Channels\n\nA channel carries values between goroutines.\n\nA send blocks until a receiver is ready.\n\n" +
		"Closing\n\nClose from the sender.\nNever close twice.\n\nch := make(chan int)\n    close(ch)\n\nMinor\n\nEnd."
	if d.Text != want {
		t.Errorf("Text =\n%q\nwant\n%q", d.Text, want)
	}
	if got, want := strings.Join(sectionNames(d), "|"), "Channels|Closing"; got != want {
		t.Errorf("sections = %q, want %q", got, want)
	}
	checkSections(t, d)
	if got, want := d.Location, path; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got, want := d.SourceID, memory.SourceID("notes", path); got != want {
		t.Errorf("SourceID = %q, want %q", got, want)
	}
	if got, want := d.DocHash, memory.Hash("extraction "+ExtractionVersion+"\n"+testHTML); got != want {
		t.Errorf("DocHash = %q, want hash of the extraction version and the raw file %q", got, want)
	}
}

func TestLoadHTMLTitles(t *testing.T) {
	tests := []struct {
		name, file, html, want string
	}{
		{"go doc comment", "mem.html", "<!--{\n\t\"Title\": \"The Go Memory Model\",\n\t\"Path\": \"/ref/mem\"\n}-->\n<h2>Introduction</h2><p>Text.</p>", "The Go Memory Model"},
		{"first heading", "a.html", "<html><body><h2>Second level</h2><p>x</p><h1>Later</h1></body></html>", "Second level"},
		{"file name", "plain-page.htm", "<p>No title here.</p>", "plain-page"},
		{"title element wins", "t.html", "<!--{\"Title\": \"Meta\"}--><html><head><title>Real</title></head><body><h1>H</h1></body></html>", "Real"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadFile(context.Background(), "c", writeFile(t, t.TempDir(), tt.file, tt.html))
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if d.Title != tt.want {
				t.Errorf("Title = %q, want %q", d.Title, tt.want)
			}
		})
	}
}

const testMarkdown = `---
title: "Front Matter Title"
layout: article
---

<!--
an editor's note
that spans lines
-->
<style>
  main ul li { margin: 0.5em 0; }
</style>

## Introduction {#intro}

Go has **goroutines** and _channels_; see [the tour](https://go.dev/tour) or ![a gopher](g.png).
A snake_case name and 2 * 3 stay, ` + "`*T` too" + `.

[ref]: https://example.com

` + "```go\nfunc main() {\n\tgo f()\n}\n```" + `

### Details ###
* one item
- another
`

func TestLoadMarkdown(t *testing.T) {
	d, err := LoadFile(context.Background(), "c", writeFile(t, t.TempDir(), "notes.md", testMarkdown))
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if got, want := d.Title, "Front Matter Title"; got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
	want := "Introduction\n\nGo has goroutines and channels; see the tour or a gopher.\n" +
		"A snake_case name and 2 * 3 stay, *T too.\n\nfunc main() {\n\tgo f()\n}\n\nDetails\n\n* one item\n- another"
	if d.Text != want {
		t.Errorf("Text =\n%q\nwant\n%q", d.Text, want)
	}
	if got, want := strings.Join(sectionNames(d), "|"), "Introduction|Details"; got != want {
		t.Errorf("sections = %q, want %q", got, want)
	}
	checkSections(t, d)

	// Without front matter the first heading is the title.
	d, err = LoadFile(context.Background(), "c", writeFile(t, t.TempDir(), "guide.markdown", "intro line\n\n# The *Guide*\n\ntext\n"))
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if got, want := d.Title, "The Guide"; got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
}

// Setext headings (CommonMark: a paragraph underlined with "=" or "-")
// are headings: the first is the title, each starts a section, and the
// underline is not text. A new user's "Tomato Planting Guide" over "====="
// was named after its file and the underline quoted. A rule after a blank
// line, and a line of dashes under a list item, stay what they are.
func TestMarkdownSetextHeadings(t *testing.T) {
	src := "Tomato Planting Guide\n=====================\n\nPlant seedlings after the last frost.\n\n" +
		"Watering and\nfeeding\n--------\n\nWater deeply twice a week.\n\n---\n\n- a list item\n---\n\nThe end.\n"
	d, err := LoadFile(context.Background(), "c", writeFile(t, t.TempDir(), "garden.md", src))
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if got, want := d.Title, "Tomato Planting Guide"; got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
	if got, want := strings.Join(sectionNames(d), "|"), "Tomato Planting Guide|Watering and feeding"; got != want {
		t.Errorf("sections = %q, want %q", got, want)
	}
	checkSections(t, d)
	if strings.Contains(d.Text, "==") || strings.Contains(d.Text, "--------") {
		t.Errorf("an underline is text:\n%s", d.Text)
	}
	for _, kept := range []string{"Plant seedlings after the last frost.", "Water deeply twice a week.", "- a list item", "The end."} {
		if !strings.Contains(d.Text, kept) {
			t.Errorf("text lacks %q:\n%s", kept, d.Text)
		}
	}
	if strings.Contains(d.Text, "feeding\nWater") || !strings.Contains(d.Text, "Watering and feeding\n\nWater deeply") {
		t.Errorf("the two-line heading is not a paragraph of its own:\n%q", d.Text)
	}
	// A paragraph that opens with an image has no text to start a
	// heading at: the paragraph before it is not taken in (a stale start
	// made "Intro paragraph." part of the title).
	d = parseMarkdown("Intro paragraph.\n\n![](logo.png)\nSecond line of a new paragraph\n---\nBody.\n")
	if strings.Contains(d.Title, "Intro") || !strings.Contains(d.Text, "Intro paragraph.") {
		t.Errorf("title %q, text %q: the paragraph before was taken into a heading", d.Title, d.Text)
	}
}

func TestLoadText(t *testing.T) {
	long := strings.Repeat("word ", 40)
	tests := []struct {
		name, file, content, wantTitle string
	}{
		{"short first line", "a.txt", "\n\n  Release notes  \nbody\r\nmore\n", "Release notes"},
		{"long first line", "b.txt", long + "\nbody\n", "b"},
		{"empty", "empty.txt", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadFile(context.Background(), "c", writeFile(t, t.TempDir(), tt.file, tt.content))
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if d.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", d.Title, tt.wantTitle)
			}
			if strings.Contains(d.Text, "\r") {
				t.Errorf("Text keeps carriage returns: %q", d.Text)
			}
		})
	}
}

// A text file's first line is its title only when it is written as one;
// otherwise the file's name is (documentation trees ship fragments that
// begin with an option's term, a comment or the middle of a paragraph,
// and their first line was cited as the source's name).
func TestPlainTextTitles(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"marked", "= Sparse Checkouts\nA sparse checkout keeps part of the tree.\n", "Sparse Checkouts"},
		{"marked both sides", "== Hooks ==\n\nHooks run at points of the workflow.\n", "Hooks"},
		{"underlined", "PACK WINDOWS\n------------\nThe window bounds the objects compared.\n", "PACK WINDOWS"},
		{"alone", "Mirror setup\n\nA mirror copies every ref.\n", "Mirror setup"},
		{"anchor", "REMOTE NAMES[[NAMES]]\n~~~~~~~~~~~~~\n\nA remote has a name.\n", "REMOTE NAMES"},
		{"a few words above text", "Release notes\nbody\n", "Release notes"},
		{"paragraph start", "Fetching several remotes in one call involves a series of requests whose\nanswers are merged.\n", "frag"},
		{"definition term", "--prune-tags::\n\tRemove local tags that the remote no longer has.\n", "frag"},
		{"term on its own", "-q::\n\n\tQuiet.\n", "frag"},
		{"comment", "// Keep this line: the processor needs text before the first term\n// of an included file.\n-v::\n\tBe verbose.\n", "frag"},
		{"one-sentence paragraph", "Every tool here writes UTF-8.\n\nSome read other encodings.\n", "frag"},
		{"introduces a list", "'<from>' takes one of these forms:\n\n- a number\n", "frag"},
		{"delimiter", "--\n* `1` - on\n--\n", "frag"},
		{"table row", "`meld`;;     Use Meld (needs a graphical session)\n`vim`;;     Use Vim\n", "frag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadFile(context.Background(), "c", writeFile(t, t.TempDir(), "frag.txt", tt.content))
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if d.Title != tt.want {
				t.Errorf("Title = %q, want %q", d.Title, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	unsupported := writeFile(t, dir, "image.png", "\x89PNG")
	_, err := LoadFile(context.Background(), "c", unsupported)
	if !errors.Is(err, ErrUnsupported) {
		t.Errorf("LoadFile(context.Background(), .png) error = %v, want ErrUnsupported", err)
	}
	if err == nil || !strings.Contains(err.Error(), unsupported) {
		t.Errorf("error %v does not name the file", err)
	}

	corrupt := writeFile(t, dir, "broken.pdf", "%PDF-1.4\nthis is not really a pdf\n%%EOF\n")
	_, err = LoadFile(context.Background(), "c", corrupt)
	if err == nil {
		t.Fatal("LoadFile(context.Background(), corrupt pdf) = nil error, want one")
	}
	if errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), corrupt) {
		t.Errorf("corrupt pdf error = %v, want a read error naming the file", err)
	}

	missing := filepath.Join(dir, "missing.md")
	if _, err := LoadFile(context.Background(), "c", missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile(context.Background(), missing) error = %v, want os.ErrNotExist", err)
	}
}

// minimalPDF builds a one-page PDF that shows text in Helvetica.
func minimalPDF(text string) string {
	stream := fmt.Sprintf("BT /F1 12 Tf 72 712 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.String()
}

func TestLoadPDF(t *testing.T) {
	path := writeFile(t, t.TempDir(), "paper.pdf", minimalPDF("Goroutines are cheap."))
	d, err := LoadFile(context.Background(), "c", path)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if !strings.Contains(d.Text, "Goroutines are cheap.") {
		t.Errorf("Text = %q, want the page text", d.Text)
	}
	if got, want := strings.Join(sectionNames(d), "|"), "Page 1"; got != want {
		t.Errorf("sections = %q, want %q", got, want)
	}
	if got, want := d.Title, "paper"; got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
}

// A PDF the built-in reader rejects (here its cross-reference offset is
// wrong, as in files edited by tools that do not rewrite it) is read with
// pdftotext when that is installed, page by page; without it the error
// says what would read it. A file that is no PDF stays an error either way.
func TestLoadPDFTheBuiltinReaderRejects(t *testing.T) {
	good := minimalPDF("Budgets are set per quarter.")
	at := strings.LastIndex(good, "startxref\n")
	broken := good[:at] + "startxref\n7\n%%EOF\n"
	if _, err := builtinPDF(context.Background(), []byte(broken)); err == nil {
		t.Fatal("the built-in reader read the broken file: the test needs one it rejects")
	}
	dir := t.TempDir()
	path := writeFile(t, dir, "broken-xref.pdf", broken)
	junk := writeFile(t, dir, "junk.pdf", "%PDF-1.4\nthis is not really a pdf\n%%EOF\n")

	t.Run("with pdftotext", func(t *testing.T) {
		if _, err := exec.LookPath(pdfTool); err != nil {
			t.Skip("needs pdftotext (apt-get install poppler-utils)")
		}
		d, err := LoadFile(context.Background(), "c", path)
		if err != nil {
			t.Fatalf("LoadFile: %v", err)
		}
		if !strings.Contains(d.Text, "Budgets are set per quarter.") {
			t.Errorf("Text = %q, want the page text", d.Text)
		}
		if got, want := strings.Join(sectionNames(d), "|"), "Page 1"; got != want {
			t.Errorf("sections = %q, want %q", got, want)
		}
		if _, err := LoadFile(context.Background(), "c", junk); err == nil || !strings.Contains(err.Error(), junk) || !strings.Contains(err.Error(), pdfTool) {
			t.Errorf("junk pdf error = %v, want one naming the file and what both readers said", err)
		}
	})
	t.Run("without pdftotext", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		_, err := LoadFile(context.Background(), "c", path)
		if err == nil || !strings.Contains(err.Error(), "poppler-utils") || !strings.Contains(err.Error(), path) {
			t.Errorf("error = %v, want one naming the file and poppler-utils", err)
		}
	})
}

// The text pdftotext may write is capped (io.Copy went around the cap
// through an embedded buffer's ReadFrom), and a tool that keeps writing
// through a child process is given up on.
func TestPDFToolOutputIsCapped(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh")
	}
	dir := t.TempDir()
	tool := filepath.Join(dir, "fake-pdftotext")
	script := "#!/bin/sh\ncat >/dev/null\nexec head -c " + strconv.Itoa(pdfToolMaxText+1024) + " /dev/zero\n"
	if err := os.WriteFile(tool, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	pages, err := toolPDF(context.Background(), tool, []byte("%PDF-1.4"))
	if err == nil || !strings.Contains(err.Error(), "MiB of text") {
		t.Errorf("toolPDF of %d bytes of text = %d pages, %v; want the cap's error", pdfToolMaxText+1024, len(pages), err)
	}
}

// A pdftotext run ends with its caller's context: a cancelled ingestion
// does not wait out the tool's two-minute bound.
func TestPDFToolStopsWithItsContext(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh")
	}
	tool := filepath.Join(t.TempDir(), "fake-pdftotext")
	if err := os.WriteFile(tool, []byte("#!/bin/sh\nexec sleep 600\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := toolPDF(ctx, tool, []byte("%PDF-1.4"))
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a cancelled run gave pages")
		}
	case <-time.After(pdfToolTimeout / 2):
		t.Fatal("pdftotext ran on after its context was cancelled")
	}
}

// Ordered lists keep their numbers as a browser shows them, the number
// before the item's first content (not inside its code, not after an item
// that opens with a list or an image); reversed and typed lists count as
// browsers do. (A reviewer's cases.)
func TestOrderedListNumbers(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"start and value", `<ol start="3"><li>three</li><li value="7">seven</li><li>eight</li></ol>`, "3. three\n7. seven\n8. eight"},
		{"reversed", `<ol reversed><li>two</li><li>one</li></ol>`, "2. two\n1. one"},
		{"lettered and Roman", `<ol type="a"><li>x</li><li>y</li></ol><ol type="I" start="4"><li>four</li></ol>`, "a. x\nb. y\n\nIV. four"},
		{"code first", "<ol><li><pre>$ git add .\n$ git commit</pre></li></ol>", "1.\n\n$ git add .\n$ git commit"},
		{"a list first", `<ol><li><ol><li>x</li><li>y</li></ol>tail</li><li>next</li></ol>`, "1.\n1. x\n2. y\n\ntail\n2. next"},
		{"an image first", `<ol><li><img alt="icon"> text</li></ol>`, "1. icon text"},
		{"no list", `<ul><li>a</li></ul><li>loose</li>`, "a\n\nloose"},
	}
	for _, tt := range tests {
		d, err := ParseHTML([]byte("<html><body>" + tt.html + "</body></html>"))
		if err != nil {
			t.Fatal(err)
		}
		if d.Text != tt.want {
			t.Errorf("%s: text %q, want %q", tt.name, d.Text, tt.want)
		}
	}
	// A long list is numbered in one pass (20000 items took 12 s when
	// each item counted its predecessors; see BenchmarkParseLongOrderedList).
	d, err := ParseHTML([]byte("<ol>" + strings.Repeat("<li>x", 20000) + "</ol>"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(d.Text, "\n20000. x") {
		t.Errorf("long list ends %q", d.Text[max(0, len(d.Text)-20):])
	}
}

func BenchmarkParseLongOrderedList(b *testing.B) {
	page := []byte("<ol>" + strings.Repeat("<li>x", 20000) + "</ol>")
	for b.Loop() {
		if _, err := ParseHTML(page); err != nil {
			b.Fatal(err)
		}
	}
}

// A plain-text file written in AsciiDoc (git-doc ships its included
// fragments as .txt) is read without the preprocessor's lines
// ("endif::git-pull[]" was quoted in reports) and its title without the
// title's marks ("== Git Repository Format Versions" was a source title);
// a line that only mentions a directive is text.
func TestPlainTextWithoutAsciiDocDirectives(t *testing.T) {
	src := "== Git Repository Format Versions\n\nEvery repository has a version.\nifdef::git-pull[]\nPull merges the fetched refs.\nendif::git-pull[]\ninclude::config/core.txt[]\n\nWrite ifdef::name[] to keep a part for one page.\n"
	d := ParsePlain([]byte(src))
	if d.Title != "Git Repository Format Versions" {
		t.Errorf("title %q", d.Title)
	}
	for _, gone := range []string{"ifdef::git-pull[]", "endif::", "include::"} {
		if strings.Contains(d.Text, gone) {
			t.Errorf("text keeps %q:\n%s", gone, d.Text)
		}
	}
	for _, kept := range []string{"Every repository has a version.\nPull merges the fetched refs.\n", "Write ifdef::name[] to keep a part for one page."} {
		if !strings.Contains(d.Text, kept) {
			t.Errorf("text lacks %q:\n%s", kept, d.Text)
		}
	}
}
