package corpus

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/researchflow/researchflow/internal/memory"
)

// sentences builds n distinct sentences of about 60 bytes.
func sentences(n int, prefix string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s sentence %d says goroutines share memory by communicating.", prefix, i)
	}
	return b.String()
}

// numbered repeats format n times with the count filled in, so that no two
// chunks have the same text (Split keeps equal chunks once).
func numbered(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

func paragraphs(n, sentencesEach int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = sentences(sentencesEach, fmt.Sprintf("Paragraph %d", i))
	}
	return strings.Join(ps, "\n\n")
}

// checkChunks verifies the properties every split must have.
func checkChunks(t *testing.T, doc Document, corpus string, opt SplitOptions, chunks []memory.Chunk, longWords bool) {
	t.Helper()
	o := opt.withDefaults()
	text := doc.Text
	if strings.TrimSpace(text) != "" && len(chunks) == 0 {
		t.Fatal("no chunks for a non-empty text")
	}
	covered := 0 // text[:covered] is covered by chunks so far
	for i, c := range chunks {
		if c.Start < 0 || c.End > len(text) || c.Start >= c.End {
			t.Fatalf("chunk %d: bad span [%d,%d) of %d bytes", i, c.Start, c.End, len(text))
		}
		if c.Text != text[c.Start:c.End] {
			t.Errorf("chunk %d: Text differs from doc.Text[%d:%d]", i, c.Start, c.End)
		}
		if strings.TrimSpace(c.Text) != c.Text {
			t.Errorf("chunk %d: Text has white space at an end: %q", i, c.Text)
		}
		if !utf8.ValidString(c.Text) {
			t.Errorf("chunk %d: not valid UTF-8", i)
		}
		if len(c.Text) > o.Size {
			t.Errorf("chunk %d: %d bytes, more than Size %d", i, len(c.Text), o.Size)
		}
		if !longWords {
			if c.Start > 0 && !isSpaceByte(text[c.Start-1]) {
				t.Errorf("chunk %d starts inside a word: %q", i, text[max(0, c.Start-10):c.Start+10])
			}
			if c.End < len(text) && !isSpaceByte(text[c.End]) {
				t.Errorf("chunk %d ends inside a word: %q", i, text[c.End-10:min(len(text), c.End+10)])
			}
		}
		if i > 0 {
			prev := chunks[i-1]
			if c.Start <= prev.Start || c.End <= prev.End {
				t.Errorf("chunk %d [%d,%d) does not move past chunk %d [%d,%d)", i, c.Start, c.End, i-1, prev.Start, prev.End)
			}
			if overlap := prev.End - c.Start; overlap > o.Overlap {
				t.Errorf("chunk %d overlaps the previous one by %d bytes, more than %d", i, overlap, o.Overlap)
			}
		}
		if c.Start > covered && strings.TrimSpace(text[covered:c.Start]) != "" {
			t.Errorf("text [%d,%d) before chunk %d is in no chunk", covered, c.Start, i)
		}
		covered = max(covered, c.End)
		if got, want := c.ContentHash, memory.Hash(c.Text); got != want {
			t.Errorf("chunk %d: ContentHash %s, want %s", i, got, want)
		}
		if got, want := c.ID, memory.ChunkID(corpus, doc.Location, c.ContentHash); got != want {
			t.Errorf("chunk %d: ID %s, want %s", i, got, want)
		}
		if c.Corpus != corpus || c.SourceID != doc.SourceID || c.SourceTitle != doc.Title ||
			c.SourceLocation != doc.Location || c.DocHash != doc.DocHash {
			t.Errorf("chunk %d: provenance not filled from the document: %+v", i, c)
		}
		if got, want := c.Section, doc.SectionAt(c.Start); got != want {
			t.Errorf("chunk %d: Section %q, want %q", i, got, want)
		}
	}
	if strings.TrimSpace(text[covered:]) != "" {
		t.Errorf("text after byte %d is in no chunk", covered)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		opt       SplitOptions
		wantN     int // 0: any number
		longWords bool
	}{
		{name: "empty", text: "", wantN: -1},
		{name: "white space only", text: " \n\n\t ", wantN: -1},
		{name: "short", text: "  One short text.\n", wantN: 1},
		{name: "paragraphs default", text: paragraphs(12, 8)},
		{name: "one long paragraph", text: sentences(80, "Long")},
		{name: "lines", text: numbered(200, "a line of a preformatted code block %d\n")},
		{name: "no overlap", text: paragraphs(10, 10), opt: SplitOptions{Size: 500, Overlap: -1}},
		{name: "small size", text: paragraphs(3, 5), opt: SplitOptions{Size: 100, Overlap: 30}},
		{name: "overlap clamped", text: sentences(30, "X"), opt: SplitOptions{Size: 200, Overlap: 500}},
		{name: "unicode", text: numbered(100, "Каналы передают значения между горутинами %d. ")},
		{name: "word longer than size", text: "start " + numbered(600, "x%03d") + " end", opt: SplitOptions{Size: 1000}, longWords: true},
		{name: "unicode word longer than size", text: numbered(300, "é%03d"), opt: SplitOptions{Size: 301}, longWords: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Document{SourceID: "src", Title: "T", Location: "/x/t.md", Text: tt.text, DocHash: "dh",
				Sections: []Section{{Heading: "First", Start: 0}, {Heading: "Second", Start: len(tt.text) / 2}}}
			chunks := Split(doc, "c", tt.opt)
			switch {
			case tt.wantN == -1 && len(chunks) != 0:
				t.Errorf("got %d chunks, want none", len(chunks))
			case tt.wantN > 0 && len(chunks) != tt.wantN:
				t.Errorf("got %d chunks, want %d", len(chunks), tt.wantN)
			}
			checkChunks(t, doc, "c", tt.opt, chunks, tt.longWords)
			if again := Split(doc, "c", tt.opt); !reflect.DeepEqual(again, chunks) {
				t.Error("a second Split of the same document gives other chunks")
			}
		})
	}
}

func TestSplitPrefersParagraphs(t *testing.T) {
	// Paragraphs of about 480 bytes: a 1200-byte chunk holds two whole ones
	// and must end at a paragraph break, not inside the third.
	text := paragraphs(6, 8)
	doc := Document{Location: "/p.txt", Text: text}
	chunks := Split(doc, "c", SplitOptions{})
	checkChunks(t, doc, "c", SplitOptions{}, chunks, false)
	for i, c := range chunks[:len(chunks)-1] {
		if !strings.HasPrefix(text[c.End:], "\n\n") {
			t.Errorf("chunk %d ends at %q, want a paragraph break", i, text[c.End-20:c.End+5])
		}
	}
	// Overlap: each later chunk starts at a sentence inside the previous one.
	for i := 1; i < len(chunks); i++ {
		if chunks[i].Start >= chunks[i-1].End {
			t.Errorf("chunk %d does not overlap chunk %d", i, i-1)
		}
		if !strings.HasPrefix(chunks[i].Text, "Paragraph ") {
			t.Errorf("chunk %d starts %q, want the start of a sentence", i, chunks[i].Text[:20])
		}
	}
}

func TestSplitSectionsAndDuplicates(t *testing.T) {
	intro := sentences(15, "Intro")
	body := sentences(15, "Body")
	text := "Intro\n\n" + intro + "\n\nBody\n\n" + body
	doc := Document{Location: "/s.md", Text: text, Sections: []Section{{"Intro", 0}, {"Body", strings.Index(text, "Body\n")}}}
	chunks := Split(doc, "c", SplitOptions{Size: 400, Overlap: 100})
	checkChunks(t, doc, "c", SplitOptions{Size: 400, Overlap: 100}, chunks, false)
	if got, want := chunks[0].Section, "Intro"; got != want {
		t.Errorf("first chunk Section = %q, want %q", got, want)
	}
	if got, want := chunks[len(chunks)-1].Section, "Body"; got != want {
		t.Errorf("last chunk Section = %q, want %q", got, want)
	}

	// The same paragraph twice yields one chunk: both would have the same ID.
	para := sentences(10, "Same")
	dup := Document{Location: "/d.txt", Text: para + "\n\n" + para}
	got := Split(dup, "c", SplitOptions{Size: len(para) + 10, Overlap: -1})
	if len(got) != 1 {
		t.Errorf("duplicate paragraphs gave %d chunks, want 1", len(got))
	}
}

func BenchmarkSplit(b *testing.B) {
	doc := Document{Location: "/bench.txt", Text: paragraphs(200, 10)}
	b.SetBytes(int64(len(doc.Text)))
	chunks := 0
	for b.Loop() {
		chunks += len(Split(doc, "c", SplitOptions{}))
	}
	b.ReportMetric(float64(chunks)/b.Elapsed().Seconds(), "chunks/s")
}
