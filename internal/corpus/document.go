package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/researchflow/researchflow/internal/doctypes"

	"github.com/researchflow/researchflow/internal/memory"
)

// Document is a source file turned into plain text.
type Document struct {
	// SourceID is memory.SourceID(corpus, Location).
	SourceID string `json:"sourceId"`
	// Title is a human title: the document's own title, else its file name.
	Title string `json:"title"`
	// Location is where a reader finds the source: an absolute file path.
	Location string `json:"location"`
	// Text is the extracted text: paragraphs separated by blank lines,
	// preformatted blocks line by line, markup removed.
	Text string `json:"text"`
	// DocHash is memory.Hash of the raw file (of the doc comment for Go
	// package documentation) and the ExtractionVersion it was read with;
	// ingestion uses it to skip unchanged documents.
	DocHash string `json:"docHash"`
	// Sections lists the headings in order of appearance.
	Sections []Section `json:"sections,omitempty"`
}

// Section is a heading of a document.
type Section struct {
	Heading string `json:"heading"`
	// Start is the byte offset in Document.Text where the section (its
	// heading text) begins.
	Start int `json:"start"`
}

// SectionAt returns the heading in effect at byte offset off of Text, or ""
// before the first heading.
func (d Document) SectionAt(off int) string {
	heading := ""
	for _, s := range d.Sections {
		if s.Start > off {
			break
		}
		heading = s.Heading
	}
	return heading
}

// ErrUnsupported is returned (wrapped) by LoadFile for a file type it cannot
// read; callers report such files as skipped.
var ErrUnsupported = errors.New("unsupported file type")

// Supported reports whether LoadFile reads files with the name's extension
// (doctypes.List, the one list every surface uses).
func Supported(name string) bool { return doctypes.Readable(name) }

// LoadFile reads the file at path as a document of the named corpus. The
// type follows the extension (case-insensitive): .md and .markdown, .txt,
// .html and .htm, .pdf, .docx, .odt, .epub (doctypes.List).
// Other extensions give an error wrapping ErrUnsupported. Errors name the
// file. A reader that runs a tool (pdftotext) stops when ctx is done.
func LoadFile(ctx context.Context, corpusName, path string) (Document, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Document{}, fmt.Errorf("load %s: %w", path, err)
	}
	ext := strings.ToLower(filepath.Ext(abs))
	if !Supported(abs) {
		return Document{}, fmt.Errorf("load %s: %w %q (%s are read)", path, ErrUnsupported, ext, doctypes.Text())
	}
	raw, err := os.ReadFile(abs)
	if err != nil {
		return Document{}, fmt.Errorf("load %s: %w", path, err)
	}
	doc, err := read(ctx, abs, raw)
	if err != nil {
		return Document{}, fmt.Errorf("load %s: %w", path, err)
	}
	if doc.Title == "" {
		doc.Title = strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
	}
	doc.Location = abs
	doc.SourceID = memory.SourceID(corpusName, abs)
	doc.DocHash = docHash(string(raw))
	return doc, nil
}

// read turns raw, the bytes of a file of that name, into a document's
// text with the reader of its extension (the name is not opened).
func read(ctx context.Context, name string, raw []byte) (Document, error) {
	var doc Document
	var err error
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".md", ".markdown", ".txt":
		var text string
		if text, err = decodeText(raw); err == nil {
			if ext == ".txt" {
				doc = parsePlain(toText(text))
			} else {
				doc = parseMarkdown(toText(text))
			}
		}
	case ".html", ".htm":
		var page []byte
		if page, err = decodeHTML(raw); err == nil {
			doc, err = parseHTML(page)
		}
	case ".pdf":
		doc, err = parsePDF(ctx, raw)
	case ".docx":
		doc, err = parseDOCX(raw)
	case ".odt":
		doc, err = parseODT(raw)
	case ".epub":
		doc, err = parseEPUB(raw)
	default:
		return Document{}, fmt.Errorf("%w %q (%s are read)", ErrUnsupported, ext, doctypes.Text())
	}
	if err != nil {
		return Document{}, err
	}
	return withoutMachineAddressed(doc), nil
}

// Usable says why ingestion could not use raw as the content of a file
// named name: the error of the reader LoadFile uses for its type (a
// malformed PDF, a .docx that is no zip, ErrUnsupported for a type not
// read), or ErrNoText when it reads no passage from it (an empty or blank
// file, a scanned PDF), a file whose earlier version's passages ingestion
// would drop. It is nil for a file ingestion writes passages of. Errors do
// not name the file; a pdftotext run stops when ctx is done. The upload
// route reads a replacement with it before the file takes the stored
// one's place.
func Usable(ctx context.Context, name string, raw []byte) error {
	doc, err := read(ctx, name, raw)
	if err != nil {
		return err
	}
	if len(Split(doc, "", SplitOptions{})) == 0 {
		return ErrNoText
	}
	return nil
}

// ExtractionVersion names what documents' text is extracted as: it changes
// when a change of extraction changes the text of documents already read
// (2: an ordered list's items are numbered; 3: as browsers number
// reversed, Roman and nested lists, the number before an item's code; 4:
// plain text without AsciiDoc's preprocessor lines; 5: a text file's
// first line is its title only when written as one, see plainTitle, and
// a Markdown file's setext headings are headings; 6: a Markdown empty ATX
// heading, "#" alone on a line, is no text, where it was the passage "#"),
// so that the next ingestion of an unchanged file writes its chunks again
// instead of keeping the text or title the older extraction gave.
const ExtractionVersion = "6"

// docHash is a document's DocHash: the hash of its raw bytes and the
// extraction they were read with (version 1 hashed the bytes alone).
func docHash(raw string) string {
	return memory.Hash("extraction " + ExtractionVersion + "\n" + raw)
}

// toText gives decoded text "\n" line ends (and valid UTF-8 whatever it
// is given).
func toText(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// parsePlain keeps the text as it is. The title is the first non-empty
// line when it is written as one (see plainTitle); otherwise it is left
// empty, and LoadFile names the document after its file.
func parsePlain(text string) Document {
	doc := Document{Text: withoutDirectives(text)}
	lines := strings.Split(doc.Text, "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		next := ""
		if i+1 < len(lines) {
			next = lines[i+1]
		}
		doc.Title = plainTitle(line, next)
		break
	}
	return doc
}

// plainTitle is line as the title of a text file, or "" when it is not
// written as a title: a title is short and marked as a heading ("=
// Title", "== Title", "# Title"), or ends no sentence and stands alone
// (followed by a blank line, an underline "-----" or nothing) or is a
// few words (looseTitleWords). The
// first line of a paragraph ("Rebases and cherry-picks involve a sequence
// of merges whose results are"), an AsciiDoc definition list's term
// ("--all::") or comment ("// Please don't remove this comment …"), and a
// one-line paragraph ("Git is to some extent character encoding
// agnostic.") are text, not what the file is called. AsciiDoc anchors
// ("GIT URLS[[URLS]]") are no part of a title.
func plainTitle(line, next string) string {
	line = strings.TrimSpace(anchor.ReplaceAllString(line, ""))
	if line == "" || utf8.RuneCountInString(line) > maxTitleRunes || strings.HasPrefix(line, "//") {
		return ""
	}
	for _, mark := range []string{"=", "#"} {
		if t := strings.TrimLeft(line, mark); t != line && strings.HasPrefix(t, " ") {
			return strings.TrimSpace(strings.TrimRight(t, mark+" "))
		}
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	if strings.ContainsRune(".:;,", last) || strings.IndexFunc(line, unicode.IsLetter) < 0 {
		return "" // a sentence, a term ("--all::"), a delimiter ("--")
	}
	next = strings.TrimSpace(next)
	if next == "" || underline(next) || len(strings.Fields(line)) <= looseTitleWords {
		return line
	}
	return ""
}

// looseTitleWords is the most words of a first line taken as the title
// though text follows it on the next line ("Release notes" above its
// body); a longer one is the start of a paragraph.
const looseTitleWords = 6

// anchor matches an AsciiDoc anchor ("[[URLS]]").
var anchor = regexp.MustCompile(`\[\[[^\]]*\]\]`)

// underline reports whether line underlines the line above it as a
// heading (setext and AsciiDoc two-line titles): three or more of one of
// = - ~ ^ + and nothing else.
func underline(line string) bool {
	if len(line) < 3 || !strings.ContainsRune("=-~^+", rune(line[0])) {
		return false
	}
	return strings.Trim(line, line[:1]) == ""
}

// directive matches a line of AsciiDoc's preprocessor ("ifdef::git-pull[]",
// "endif::git-pull[]", "include::pull-fetch-param.txt[]"): documentation
// trees ship such files as plain text (git-doc's included fragments), and
// the lines say nothing to a reader of the rendered page.
var directive = regexp.MustCompile(`(?m)^(?:ifdef|ifndef|ifeval|endif|include)::[^\s\[]*\[[^\]\n]*\][ \t]*(?:\n|$)`)

// withoutDirectives is text less its AsciiDoc preprocessor lines.
func withoutDirectives(text string) string {
	return directive.ReplaceAllString(text, "")
}

// maxTitleRunes is the longest first line of a text file taken as its title.
const maxTitleRunes = 100

// textBuilder assembles extracted text: it collapses white space in running
// text, writes requested line and paragraph breaks only between content, and
// records section starts.
type textBuilder struct {
	buf      []byte
	breaks   int  // newlines owed before the next content (0, 1 or 2)
	space    bool // a space is owed before the next running text
	sections []Section
}

// brk asks for n newlines (1: line break, 2: paragraph break) before the
// next content.
func (t *textBuilder) brk(n int) {
	t.breaks = max(t.breaks, n)
	t.space = false
}

// flush writes what is owed before new content.
func (t *textBuilder) flush() {
	if t.breaks > 0 {
		t.buf = bytes.TrimRight(t.buf, " \t\n")
	}
	if len(t.buf) == 0 {
		t.breaks, t.space = 0, false
		return
	}
	if t.breaks > 0 {
		t.buf = append(t.buf, "\n\n"[:t.breaks]...)
	} else if t.space {
		t.buf = append(t.buf, ' ')
	}
	t.breaks, t.space = 0, false
}

// inline writes running text with white space collapsed.
func (t *textBuilder) inline(s string) {
	if s == "" {
		return
	}
	lead := isSpaceByte(s[0])
	trail := isSpaceByte(s[len(s)-1])
	fields := strings.Fields(s)
	if len(fields) == 0 {
		if len(t.buf) > 0 && t.breaks == 0 {
			t.space = true
		}
		return
	}
	if lead && t.breaks == 0 {
		t.space = true
	}
	t.flush()
	for i, f := range fields {
		if i > 0 {
			t.buf = append(t.buf, ' ')
		}
		t.buf = append(t.buf, f...)
	}
	t.space = trail
}

// raw writes s as it is (preformatted text), after what is owed.
func (t *textBuilder) raw(s string) {
	if s == "" {
		return
	}
	if t.breaks > 0 || len(t.buf) == 0 {
		s = strings.TrimLeft(s, "\n")
		if strings.TrimSpace(s) == "" {
			return
		}
	}
	t.flush()
	t.buf = append(t.buf, s...)
}

// line writes s as one preformatted line (trailing white space dropped); an
// empty line asks for a paragraph break.
func (t *textBuilder) line(s string) {
	s = strings.TrimRight(s, " \t")
	if strings.TrimSpace(s) == "" {
		t.brk(2)
		return
	}
	t.brk(1)
	t.flush()
	t.buf = append(t.buf, s...)
	t.brk(1)
}

// heading writes a heading as its own paragraph and starts a section.
func (t *textBuilder) heading(h string) {
	h = strings.Join(strings.Fields(h), " ")
	if h == "" {
		return
	}
	t.brk(2)
	t.flush()
	t.sections = append(t.sections, Section{Heading: h, Start: len(t.buf)})
	t.buf = append(t.buf, h...)
	t.brk(2)
}

func (t *textBuilder) document() Document {
	text := strings.TrimRight(string(t.buf), " \t\n")
	return Document{Text: text, Sections: t.sections}
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
