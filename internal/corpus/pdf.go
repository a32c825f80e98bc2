package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/tmc/langchaingo/documentloaders"
)

// ErrNoText reports a document without extractable text (a scanned PDF, an
// empty or blank file): ingestion writes no passage of it (and drops the
// passages of the file's earlier version), and Usable refuses it.
var ErrNoText = errors.New("no extractable text")

// parsePDF extracts the text of every page; each page starts a section
// "Page N" so that citations can point at it. The built-in reader (Go, no
// dependencies) reads most files; one it cannot read, or reads no text
// from, is read with poppler's pdftotext when that is installed (it reads
// PDFs the built-in reader rejects as malformed: Debian's own reference
// manual, files with a broken cross-reference table). The reader panics on
// some malformed files; that is reported as an error. A pdftotext run
// stops when ctx is done (a cancelled ingestion does not wait for it).
func parsePDF(ctx context.Context, raw []byte) (Document, error) {
	doc, err := builtinPDF(ctx, raw)
	if err == nil {
		return doc, nil
	}
	tool, lookErr := exec.LookPath(pdfTool)
	if lookErr != nil {
		if errors.Is(err, ErrNoText) {
			return Document{}, err
		}
		return Document{}, fmt.Errorf("%w (installing poppler-utils lets %s read it)", err, pdfTool)
	}
	pages, toolErr := toolPDF(ctx, tool, raw)
	if toolErr != nil {
		return Document{}, fmt.Errorf("%w; %w", err, toolErr)
	}
	return pdfDocument(pages)
}

// pdfTool is poppler's text extractor, the reader of the PDFs the built-in
// one cannot read.
const pdfTool = "pdftotext"

// Bounds of a pdftotext run: its time and how much text it may write.
const (
	pdfToolTimeout   = 2 * time.Minute
	pdfToolWaitDelay = 5 * time.Second
	pdfToolMaxText   = 64 << 20
)

// builtinPDF reads the pages' text with the Go reader.
func builtinPDF(ctx context.Context, raw []byte) (doc Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("read pdf: malformed file: %v", r)
		}
	}()
	pages, err := documentloaders.NewPDF(bytes.NewReader(raw), int64(len(raw))).Load(ctx)
	if err != nil {
		return Document{}, fmt.Errorf("read pdf: %w", err)
	}
	texts := make([]string, len(pages))
	for i, p := range pages {
		texts[i] = p.PageContent
	}
	return pdfDocument(texts)
}

// toolPDF reads the pages' text with pdftotext at path tool: the file on
// its standard input, UTF-8 text on its output, one form feed after each
// page. It stops at pdfToolTimeout or when ctx is done.
func toolPDF(ctx context.Context, tool string, raw []byte) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, pdfToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(raw)
	out := &cappedBuffer{max: pdfToolMaxText}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	// Killed at the timeout, it may leave children holding its output:
	// the wait gives up on them soon after.
	cmd.WaitDelay = pdfToolWaitDelay
	err := cmd.Run()
	if out.over {
		return nil, fmt.Errorf("%s: more than %d MiB of text", pdfTool, pdfToolMaxText>>20)
	}
	if err != nil {
		if msg := complaint(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return nil, fmt.Errorf("%s: %w", pdfTool, err)
	}
	pages := strings.Split(out.buf.String(), "\f")
	if len(pages) > 1 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1] // after the last page's form feed
	}
	return pages, nil
}

// complaint is what pdftotext said of a file it could not read: its first
// error, else its first line ("Syntax Warning: May not be a PDF file" comes
// before the error that says why).
func complaint(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		if strings.Contains(l, "Error") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(lines[0])
}

// cappedBuffer takes at most max bytes: a write beyond them fails, which
// ends the writing process's output early. It has Write only (an
// embedded bytes.Buffer would give io.Copy its ReadFrom, past the cap).
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

var errTooMuchText = errors.New("too much text")

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if len(p) > b.max-b.buf.Len() {
		b.over = true
		return 0, errTooMuchText
	}
	return b.buf.Write(p)
}

// pdfDocument assembles pages' text, page i+1 a section "Page i+1"; a
// document without text is ErrNoText.
func pdfDocument(pages []string) (Document, error) {
	var t textBuilder
	for i, p := range pages {
		text := strings.TrimSpace(toText(p))
		if text == "" {
			continue
		}
		t.brk(2)
		t.flush()
		t.sections = append(t.sections, Section{Heading: "Page " + strconv.Itoa(i+1), Start: len(t.buf)})
		t.raw(text)
		t.brk(2)
	}
	doc := t.document()
	if strings.TrimSpace(doc.Text) == "" {
		return Document{}, ErrNoText
	}
	return doc, nil
}
