package corpus

import (
	"unicode/utf8"

	"github.com/researchflow/researchflow/internal/memory"
)

// Default chunk sizes, in bytes of text.
const (
	DefaultChunkSize    = 1200
	DefaultChunkOverlap = 200
)

// SplitOptions sizes chunks. Zero fields take the defaults; a negative
// Overlap means no overlap. Overlap is kept below half of Size.
type SplitOptions struct {
	// Size is the most bytes of text in a chunk (default 1200). Only a single
	// word longer than Size is cut, at a character boundary.
	Size int `json:"size,omitempty"`
	// Overlap is how many bytes at the end of a chunk the next chunk may
	// repeat (default 200), so that a passage cut at a boundary is whole in
	// one of them.
	Overlap int `json:"overlap,omitempty"`
}

func (o SplitOptions) withDefaults() SplitOptions {
	if o.Size <= 0 {
		o.Size = DefaultChunkSize
	}
	switch {
	case o.Overlap < 0:
		o.Overlap = 0
	case o.Overlap == 0:
		o.Overlap = DefaultChunkOverlap
	}
	o.Overlap = min(o.Overlap, o.Size/2)
	return o
}

// Break strengths: where a chunk may end or begin, best first.
const (
	breakNone = iota
	breakWord
	breakSentence
	breakLine
	breakParagraph
)

// Split cuts doc.Text into chunks of at most opt.Size bytes in the manner of
// a recursive character splitter: a chunk ends at the last paragraph break
// that leaves it at least half full, else at a line break, else after a
// sentence, else between words; a word is never cut (unless it alone is
// longer than Size). The next chunk starts up to opt.Overlap bytes before
// the end of the previous one, at the strongest break in that stretch.
//
// Offsets are exact: chunk.Text == doc.Text[chunk.Start:chunk.End], and a
// chunk's text never starts or ends with white space. Section is the heading
// in effect at Start. Chunks with the same text (hence the same ID) are kept
// once. IngestedAt is left zero for the caller. The result depends only on
// doc, corpus and opt.
func Split(doc Document, corpus string, opt SplitOptions) []memory.Chunk {
	opt = opt.withDefaults()
	text := doc.Text
	var chunks []memory.Chunk
	seen := map[string]bool{}
	emit := func(start, end int) {
		start, end = trimSpan(text, start, end)
		if start >= end {
			return
		}
		t := text[start:end]
		hash := memory.Hash(t)
		id := memory.ChunkID(corpus, doc.Location, hash)
		if seen[id] {
			return
		}
		seen[id] = true
		chunks = append(chunks, memory.Chunk{
			ID:             id,
			Corpus:         corpus,
			SourceID:       doc.SourceID,
			SourceTitle:    doc.Title,
			SourceLocation: doc.Location,
			Section:        doc.SectionAt(start),
			Text:           t,
			Start:          start,
			End:            end,
			ContentHash:    hash,
			DocHash:        doc.DocHash,
		})
	}

	start, last := trimSpan(text, 0, len(text))
	prevEnd := start
	for start < last {
		if last-start <= opt.Size {
			emit(start, last)
			break
		}
		end := chunkEnd(text, start, max(start, prevEnd), opt.Size)
		emit(start, end)
		prevEnd = end
		next := nextStart(text, start, end, opt.Overlap)
		next, _ = trimSpan(text, next, last)
		start = next
	}
	return chunks
}

// chunkEnd returns where the chunk that starts at start ends: the strongest
// break in (start+size/2, start+size], the last of its strength; else the
// last word break after start; else a cut at a character boundary. The end
// is always beyond after (the previous chunk's end), so that every chunk
// brings new text.
func chunkEnd(text string, start, after, size int) int {
	limit := start + size
	best, bestAt := breakNone, -1
	for p := limit; p > after; p-- {
		s := breakAt(text, p)
		if s == breakNone {
			continue
		}
		if s > best && (p > start+size/2 || s == breakWord && best == breakNone) {
			best, bestAt = s, p
			if s == breakParagraph {
				break
			}
		}
	}
	if bestAt > after {
		return bestAt
	}
	// One word longer than what is left: cut it at a character boundary.
	p := limit
	for p > after+1 && !utf8.RuneStart(text[p]) {
		p--
	}
	return p
}

// nextStart returns where the chunk after [start, end) begins: the earliest
// of the strongest breaks in [end-overlap, end), so that the overlap begins
// at a paragraph, line, sentence or word; end when there is no overlap.
func nextStart(text string, start, end, overlap int) int {
	if overlap <= 0 {
		return end
	}
	from := max(end-overlap, start+1)
	best, bestAt := breakNone, end
	for p := from; p < end; p++ {
		if s := breakAt(text, p); s > best {
			best, bestAt = s, p
		}
	}
	return bestAt
}

// breakAt tells how strong a boundary lies between text[:p] and text[p:]. A
// break is always at the start of a word: white space before, none after.
func breakAt(text string, p int) int {
	if p <= 0 || p >= len(text) {
		return breakParagraph
	}
	if isSpaceByte(text[p]) || !isSpaceByte(text[p-1]) {
		return breakNone
	}
	// Walk back over the white space run before p.
	q := p - 1
	newlines := 0
	for q >= 0 && isSpaceByte(text[q]) {
		if text[q] == '\n' {
			newlines++
		}
		q--
	}
	switch {
	case newlines >= 2:
		return breakParagraph
	case newlines == 1:
		return breakLine
	}
	if q >= 0 {
		c := text[q]
		if c == ')' || c == '"' || c == '\'' {
			if q > 0 {
				c = text[q-1]
			}
		}
		if c == '.' || c == '!' || c == '?' || c == ':' || c == ';' {
			return breakSentence
		}
	}
	return breakWord
}

// trimSpan narrows [start, end) to leave out white space at both ends.
func trimSpan(text string, start, end int) (int, int) {
	for start < end && isSpaceByte(text[start]) {
		start++
	}
	for end > start && isSpaceByte(text[end-1]) {
		end--
	}
	return start, end
}
