package embedded

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unsafe"

	"github.com/researchflow/researchflow/internal/memory"
)

// A checkpoint is an image of the index as it stood after the log up to a
// position (segment S, byte offset O): its documents with their term
// sequences, vectors and binary codes, the term dictionary, the postings
// and the dense search's center. Open loads it and replays only the
// records after O in segment S and the segments after S, so reopening
// costs a read of the image instead of tokenizing every chunk again (as
// SQLite and litestream checkpoint their write-ahead logs). The vectors,
// codes and postings are stored as the arrays the index keeps them in and
// read straight into place.
//
// The terms are those of the text analysis (textproc.Tokenize) of the build
// that wrote the checkpoint, and the log that would let a newer build make
// its own is gone. So the checkpoint records textproc.AnalysisVersion, and
// an open with another version tokenizes the documents' text (which the
// checkpoint keeps whole) again and writes a new checkpoint (see
// Store.loadFrom); a checkpoint of format 1 or 2 records none and is
// analysed again once.
//
// It is written to checkpointFile+".tmp", fsynced and renamed into place;
// only then are the segments it covers removed. A crash at any point leaves
// either the old checkpoint (the .tmp is removed on open) with its whole
// log, or the new one with segments it covers (ignored and removed on
// open). The file is a sequence of records framed like the log's (length,
// CRC-32C, payload); a checkpoint whose records do not all check out, or
// that lacks its end record, is not used.
const (
	checkpointFile = "index.ckpt"

	// ckptFormat 2 keeps the vectors, the codes and the postings in bulk
	// records (below) that open reads straight into the index's arrays;
	// format 1 had each document's vector and code inside its document
	// record and no postings (open rebuilt them from the term sequences).
	// Format 3 adds the textproc.AnalysisVersion that made the terms to
	// the header; formats 1 and 2 are still read, as of analysis version 0
	// (unknown), and so are analysed again on open. Format 4 moves the
	// documents' term sequences out of their records into a sequence
	// record after each documents record, and puts a padding record
	// before each bulk record where needed so that its array starts at a
	// multiple of 8 bytes in the file: open uses the arrays in place, in
	// the mapped file (see readCheckpoint). Formats 1 to 3 are still read.
	ckptFormat   = 4
	ckptFormatV3 = 3
	ckptFormatV2 = 2
	ckptFormatV1 = 1

	ckptHeader byte = 1
	ckptTerms  byte = 2
	ckptDocs   byte = 3
	ckptEnd    byte = 4
	// Bulk records: the op byte, two uint32 little-endian (the first
	// document or term, and how many), then the raw little-endian array:
	// ckptVecs the float32 vectors of those documents, ckptCodes their
	// uint64 codes, ckptPostings the live postings (uint32 document, uint32
	// term frequency) of those terms one term after the other, as many per
	// term as its document frequency.
	ckptVecs     byte = 5
	ckptCodes    byte = 6
	ckptPostings byte = 7
	// ckptSeqs (format 4): the uint32 term sequences of documents lo to
	// lo+n (of the documents record just before), one after the other,
	// as long as the documents record says.
	ckptSeqs byte = 8
	// ckptPad: a record to skip, written so that the next bulk record's
	// array is aligned.
	ckptPad byte = 9

	// bulkPrefix is the size of a bulk record's op and two counts.
	bulkPrefix = 9
	// bulkAlign is the alignment of a bulk record's array in the file.
	bulkAlign = 8

	// ckptBlock is the number of documents or terms per record.
	ckptBlock = 1024
	// ckptPostingBlock bounds the postings in one record (a term with more
	// has a record of its own).
	ckptPostingBlock = 1 << 17

	// A write starts a checkpoint once the log written since the last one
	// is at least checkpointMinLog and twice the size of the last
	// checkpoint, so checkpoints cost a constant factor of the writes (and
	// an ingest ends with one at Close, not many on the way).
	checkpointMinLog = 128 << 20
	// Close writes a checkpoint once the log written since the last one is
	// at least closeCheckpointMinLog and a 32nd of the last checkpoint.
	closeCheckpointMinLog = 1 << 20
)

// errBadCheckpoint marks a checkpoint that is torn, corrupt or of another
// store.
var errBadCheckpoint = errors.New("checkpoint unusable")

// ckptPos is the log position a checkpoint covers.
type ckptPos struct {
	seg    int
	offset int64
}

// writeCheckpoint writes the index as of log position pos to dir.
func (x *index) writeCheckpoint(dir string, pos ckptPos, dead int) (int64, error) {
	path := filepath.Join(dir, checkpointFile)
	tmp := path + ".tmp"
	size, err := x.writeCheckpointFile(tmp, pos, dead)
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("write checkpoint: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("write checkpoint: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return 0, fmt.Errorf("write checkpoint: %w", err)
	}
	return size, nil
}

func (x *index) writeCheckpointFile(path string, pos ckptPos, dead int) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	size := int64(0)
	var b []byte
	put := func(b []byte) error {
		size += int64(len(b))
		_, err := w.Write(b)
		return err
	}
	format := int64(ckptFormat)
	if x.writeFormat != 0 {
		format = int64(x.writeFormat)
	}
	var swapped []byte
	var seqs []uint32
	// bulk writes a bulk record whose array is raw (native byte order,
	// elements of width bytes).
	bulk := func(op byte, lo, n int, raw []byte, width int) error {
		if format >= ckptFormat {
			// A padding record (at least its header and op) moves the
			// array to the next multiple of bulkAlign.
			at := size + recordHeaderSize + 1
			pad := (bulkAlign - (at+recordHeaderSize+bulkPrefix)%bulkAlign) % bulkAlign
			b, start := beginRecord(b[:0])
			b = append(b, ckptPad)
			b = append(b, make([]byte, pad)...)
			b = endRecord(b, start)
			if err := put(b); err != nil {
				return err
			}
		}
		if !littleEndian {
			swapped = append(swapped[:0], raw...)
			swapBytes(swapped, width)
			raw = swapped
		}
		var head [recordHeaderSize + bulkPrefix]byte
		pre := head[recordHeaderSize:]
		pre[0] = op
		binary.LittleEndian.PutUint32(pre[1:], uint32(lo))
		binary.LittleEndian.PutUint32(pre[5:], uint32(n))
		binary.LittleEndian.PutUint32(head[:], uint32(bulkPrefix+len(raw)))
		binary.LittleEndian.PutUint32(head[4:], crc32.Update(crc32.Checksum(pre, castagnoli), castagnoli, raw))
		size += int64(len(head) + len(raw))
		if _, err := w.Write(head[:]); err != nil {
			return err
		}
		_, err := w.Write(raw)
		return err
	}

	b, start := beginRecord(b[:0])
	b = append(b, ckptHeader)
	for _, v := range []uint64{uint64(format), uint64(x.dim), uint64(pos.seg), uint64(pos.offset), uint64(dead),
		uint64(x.centeredAt), uint64(x.live), math.Float64bits(x.totalLen), uint64(len(x.docs)), uint64(len(x.postings))} {
		b = binary.AppendUvarint(b, v)
	}
	if format >= ckptFormatV3 {
		b = binary.AppendUvarint(b, uint64(x.analysis))
	}
	b = appendFloats(b, x.center)
	b = appendFloats(b, x.spread)
	b = endRecord(b, start)
	if err := put(b); err != nil {
		return 0, err
	}

	names := make([]string, len(x.postings))
	for t, id := range x.terms {
		names[id] = t
	}
	for lo := 0; lo < len(names); lo += ckptBlock {
		hi := min(lo+ckptBlock, len(names))
		b, start = beginRecord(b[:0])
		b = append(b, ckptTerms)
		b = binary.AppendUvarint(b, uint64(lo))
		b = binary.AppendUvarint(b, uint64(hi-lo))
		for t, name := range names[lo:hi] {
			b = appendString(b, name)
			b = binary.AppendUvarint(b, uint64(x.df[lo+t]))
		}
		b = endRecord(b, start)
		if err := put(b); err != nil {
			return 0, err
		}
	}

	for lo := 0; lo < len(x.docs); lo += ckptBlock {
		hi := min(lo+ckptBlock, len(x.docs))
		b, start = beginRecord(b[:0])
		b = append(b, ckptDocs)
		b = binary.AppendUvarint(b, uint64(lo))
		b = binary.AppendUvarint(b, uint64(hi-lo))
		for d := lo; d < hi; d++ {
			b = x.appendDoc(b, uint32(d), format < ckptFormat)
			if format == ckptFormatV1 {
				b = x.appendVecCode(b, uint32(d))
			}
		}
		b = endRecord(b, start)
		if err := put(b); err != nil {
			return 0, err
		}
		if format >= ckptFormat {
			seqs = seqs[:0]
			for d := lo; d < hi; d++ {
				if x.alive[d] {
					seqs = append(seqs, x.docs[d].seq...)
				}
			}
			if err := bulk(ckptSeqs, lo, hi-lo, rawBytes(seqs), 4); err != nil {
				return 0, err
			}
		}
	}

	if format != ckptFormatV1 {
		if x.dim > 0 {
			for i, b := range x.vecs {
				if err := bulk(ckptVecs, i*vecBlock, len(b)/x.dim, rawBytes(b), 4); err != nil {
					return 0, err
				}
			}
			for lo := 0; lo < len(x.docs); lo += ckptBlock {
				hi := min(lo+ckptBlock, len(x.docs))
				if err := bulk(ckptCodes, lo, hi-lo, rawBytes(x.codes[lo*x.words:hi*x.words]), 8); err != nil {
					return 0, err
				}
			}
		}
		// The live postings of each term, in document order: as many as
		// its document frequency (open checks).
		var ps []posting
		lo := 0
		for t := 0; t <= len(x.postings); t++ {
			if t > lo && (t == len(x.postings) || t-lo == ckptBlock || len(ps)+int(x.df[t]) > ckptPostingBlock) {
				if err := bulk(ckptPostings, lo, t-lo, rawBytes(ps), 4); err != nil {
					return 0, err
				}
				ps, lo = ps[:0], t
			}
			if t == len(x.postings) {
				break
			}
			for _, p := range x.postings[t] {
				if x.alive[p.doc] {
					ps = append(ps, p)
				}
			}
		}
	}

	b, start = beginRecord(b[:0])
	b = append(b, ckptEnd)
	b = binary.AppendUvarint(b, uint64(len(x.docs)))
	b = binary.AppendUvarint(b, uint64(len(x.postings)))
	b = endRecord(b, start)
	if err := put(b); err != nil {
		return 0, err
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return size, f.Close()
}

// appendDoc appends document d: whether it is live; for a live one its
// chunk's fields (lengths, then the bytes of all of them) and the length of
// its term sequence, followed by the sequence itself when inline (formats
// 1 to 3). A dead document keeps its place (and its vector and code, in the
// bulk records).
func (x *index) appendDoc(b []byte, d uint32, inline bool) []byte {
	if !x.alive[d] {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		c := x.chunk(d)
		fields := [...]string{c.ID, c.Corpus, c.SourceID, c.SourceTitle, c.SourceLocation, c.Section, c.Text, c.ContentHash, c.DocHash}
		for _, s := range fields {
			b = binary.AppendUvarint(b, uint64(len(s)))
		}
		for _, s := range fields {
			b = append(b, s...)
		}
		b = binary.AppendVarint(b, int64(c.Start))
		b = binary.AppendVarint(b, int64(c.End))
		if c.IngestedAt.IsZero() {
			b = append(b, 0)
		} else {
			b = append(b, 1)
			b = binary.AppendVarint(b, c.IngestedAt.UnixNano())
		}
		seq := x.docs[d].seq
		b = binary.AppendUvarint(b, uint64(len(seq)))
		for _, t := range seq {
			if !inline {
				break
			}
			b = binary.LittleEndian.AppendUint32(b, t)
		}
	}
	return b
}

// appendVecCode appends document d's vector and code (format 1 only).
func (x *index) appendVecCode(b []byte, d uint32) []byte {
	if x.dim > 0 {
		b = appendFloats(b, x.vec(d))
		for _, w := range x.code(d) {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
	}
	return b
}

// rawBytes is the memory of s as bytes.
func rawBytes[T float32 | uint32 | uint64 | posting](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0])))
}

// swapBytes reverses the byte order of each width-byte element of b (the
// checkpoint is little-endian; a big-endian machine converts).
func swapBytes(b []byte, width int) {
	for i := 0; i+width <= len(b); i += width {
		slices.Reverse(b[i : i+width])
	}
}

func appendFloats(b []byte, v []float32) []byte {
	for _, f := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

// readCheckpoint loads the checkpoint in dir into a new index. It returns
// os.ErrNotExist (wrapped) when there is none, and errBadCheckpoint
// (wrapped) when it is torn or corrupt.
//
// The file is mapped into memory (mapFile) and the index's largest parts
// are not copied out of it: the vectors, postings and term sequences of
// format 4 (laid out in the file at their types' alignment) are slices of
// the mapping, and the chunks' strings point into it. Reopening a large
// store so costs about a pass over its pages instead of reading them into
// fresh memory (the reads and the first touches of that memory were most
// of it). The index must not be used after the mapping is released
// (Store.Close does it, and the store copies what it hands out, see
// detached). The records' checksums are checked on a second
// goroutine while the first decodes; the index is only used once all have
// checked out.
func readCheckpoint(dir string, dim int) (*loadedCheckpoint, error) {
	path := filepath.Join(dir, checkpointFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	if st.Size() > math.MaxInt/2 {
		return nil, fmt.Errorf("%s of %d bytes: %w", checkpointFile, st.Size(), errBadCheckpoint)
	}
	m, err := mapFile(f, int(st.Size()))
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	b := m.b
	verified := make(chan error, 1)
	go func() { verified <- verifyRecords(b) }()
	l := ckptLoader{x: newIndex(dim), size: len(b)}
	derr := l.load(b)
	verr := <-verified // the mapping is in use until then
	if err := cmp.Or(verr, derr); err != nil {
		m.release()
		return nil, fmt.Errorf("%s: %w: %w", checkpointFile, err, errBadCheckpoint)
	}
	return &loadedCheckpoint{x: l.x, pos: l.pos, dead: l.dead, format: int(l.format), m: m}, nil
}

// loadedCheckpoint is a checkpoint read into an index.
type loadedCheckpoint struct {
	x      *index
	pos    ckptPos // the log position it covers
	dead   int     // dead records in the log it covers
	format int
	m      *mapped // the file, parts of x in it
}

// frame returns the payload of the record at off in b and the offset of
// the next one.
func frame(b []byte, off int) (payload []byte, sum uint32, next int, err error) {
	if len(b)-off < recordHeaderSize {
		return nil, 0, 0, errors.New("ends before its end record")
	}
	n := binary.LittleEndian.Uint32(b[off:])
	if n == 0 || n > maxRecordSize || int64(n) > int64(len(b)-off-recordHeaderSize) {
		return nil, 0, 0, fmt.Errorf("record of %d bytes at offset %d", n, off)
	}
	start := off + recordHeaderSize
	return b[start : start+int(n)], binary.LittleEndian.Uint32(b[off+4:]), start + int(n), nil
}

// verifyRecords checks the checksum of every record up to the end record.
func verifyRecords(b []byte) error {
	for off := 0; ; {
		p, sum, next, err := frame(b, off)
		if err != nil {
			return err
		}
		if crc32.Checksum(p, castagnoli) != sum {
			return fmt.Errorf("checksum mismatch at offset %d", off)
		}
		if p[0] == ckptEnd {
			return nil
		}
		off = next
	}
}

// ckptLoader builds an index from checkpoint records.
type ckptLoader struct {
	x        *index
	size     int // of the file: bounds the counts the header gives
	format   uint64
	pos      ckptPos
	dead     int
	header   bool
	done     bool
	nextTerm int
	nextDoc  int
	nextVec  int // formats 2 and later: the next document of the bulk records
	nextCode int
	nextSeq  int // format 4: the next document of the sequence records
	nextPost int // the next term of the postings records
	seqLens  []int
	seqs     []uint32 // room for term sequences copied out, shared by many documents
}

// load decodes the records of b (whose checksums are checked elsewhere;
// a record that does not decode is an error, never a panic).
func (l *ckptLoader) load(b []byte) error {
	for off := 0; !l.done; {
		p, sum, next, err := frame(b, off)
		if err != nil {
			return err
		}
		if !l.header && crc32.Checksum(p, castagnoli) != sum {
			// The header sizes the index: it is checked before use.
			return errors.New("checksum mismatch in the header")
		}
		switch p[0] {
		case ckptVecs, ckptCodes, ckptPostings, ckptSeqs:
			err = l.bulk(p)
		default:
			err = l.record(p)
		}
		if err != nil {
			return err
		}
		off = next
	}
	return l.finish()
}

// view returns b as a slice of T: b itself where the machine's byte order
// and b's alignment allow (its length and capacity equal, so appending
// copies), else a copy.
func view[T float32 | uint32 | posting](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	n := len(b) / size
	if n == 0 {
		return nil
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if littleEndian && uintptr(p)%unsafe.Alignof(zero) == 0 {
		return unsafe.Slice((*T)(p), n)
	}
	out := make([]T, n)
	raw := rawBytes(out)
	copy(raw, b)
	if !littleEndian {
		swapBytes(raw, 4)
	}
	return out
}

// bulk takes in a bulk record p (in order, after the header record, of the
// size its count implies).
func (l *ckptLoader) bulk(p []byte) error {
	x := l.x
	if len(p) < bulkPrefix {
		return errMalformed
	}
	if !l.header || l.format == ckptFormatV1 || p[0] == ckptSeqs && l.format < ckptFormat {
		return errors.New("bulk record out of place")
	}
	op, lo, n, data := p[0], int(binary.LittleEndian.Uint32(p[1:])), int(binary.LittleEndian.Uint32(p[5:])), p[bulkPrefix:]
	switch op {
	case ckptVecs:
		// One record per block of vectors; a full block is used in place,
		// the last (which grows) is copied into a block of its own.
		if x.dim == 0 || lo != l.nextVec || lo%vecBlock != 0 || n != min(vecBlock, len(x.docs)-lo) || len(data) != 4*n*x.dim {
			return errMalformed
		}
		v := view[float32](data)
		if n < vecBlock {
			v = append(make([]float32, 0, vecBlock*x.dim), v...)
		}
		x.vecs = append(x.vecs, v)
		l.nextVec += n
	case ckptCodes:
		if x.dim == 0 || lo != l.nextCode || n > len(x.docs)-lo || len(data) != 8*n*x.words {
			return errMalformed
		}
		code := x.codes[lo*x.words : (lo+n)*x.words]
		for i := range code {
			code[i] = binary.LittleEndian.Uint64(data[8*i:])
		}
		l.nextCode += n
	case ckptSeqs:
		// The term sequences of documents lo to lo+n, one after the other.
		if lo != l.nextSeq || n > l.nextDoc-lo {
			return errMalformed
		}
		want := 0
		for _, k := range l.seqLens[:n] {
			want += k
		}
		if len(data) != 4*want {
			return errMalformed
		}
		all := view[uint32](data)
		for _, t := range all {
			if int(t) >= len(x.postings) {
				return errMalformed
			}
		}
		for i, k := range l.seqLens[:n] {
			if k > 0 {
				x.docs[lo+i].seq, all = all[:k:k], all[k:]
			}
		}
		l.seqLens = l.seqLens[n:]
		l.nextSeq += n
	default: // ckptPostings
		// The documents come first: postings are checked against them.
		if lo != l.nextPost || n > len(x.postings)-lo || l.nextTerm != len(x.postings) || l.nextDoc != len(x.docs) {
			return errMalformed
		}
		want := 0
		for _, df := range x.df[lo : lo+n] {
			if df < 0 {
				return errMalformed
			}
			want += int(df)
		}
		if len(data) != 8*want {
			return errMalformed
		}
		all := view[posting](data)
		// Each term's postings are live documents in ascending order.
		for t := lo; t < lo+n; t++ {
			df := int(x.df[t])
			ps := all[:df:df]
			all = all[df:]
			prev := -1
			for _, p := range ps {
				if int(p.doc) <= prev || int(p.doc) >= len(x.docs) || !x.alive[p.doc] || p.tf == 0 {
					return fmt.Errorf("term %d: bad posting", t)
				}
				prev = int(p.doc)
			}
			if df > 0 {
				x.postings[t] = ps
			}
		}
		l.nextPost += n
	}
	return nil
}

func (l *ckptLoader) record(p []byte) error {
	d := &decoder{b: p}
	x := l.x
	op := d.byte()
	if op != ckptHeader && !l.header {
		return errors.New("no header record")
	}
	switch op {
	case ckptHeader:
		if l.header {
			return errors.New("a second header record")
		}
		var v [10]uint64
		for i := range v {
			v[i] = d.uvarint()
		}
		if d.err != nil {
			return d.err
		}
		if v[0] != ckptFormat && v[0] != ckptFormatV3 && v[0] != ckptFormatV2 && v[0] != ckptFormatV1 {
			return fmt.Errorf("checkpoint format %d, this build reads %d to %d", v[0], ckptFormatV1, ckptFormat)
		}
		l.format = v[0]
		x.analysis = 0 // formats 1 and 2: not recorded
		if l.format >= ckptFormatV3 {
			x.analysis = int(d.uvarint())
		}
		if int(v[1]) != x.dim {
			return fmt.Errorf("checkpoint of a %d-dim index, store has %d", v[1], x.dim)
		}
		// Every document and term takes at least a byte of the file.
		nDocs, nTerms := v[8], v[9]
		if nDocs > uint64(l.size) || nTerms > uint64(l.size) || uint64(len(p)) < 8*uint64(x.dim) {
			return errMalformed
		}
		l.pos = ckptPos{seg: int(v[2]), offset: int64(v[3])}
		l.dead = int(v[4])
		x.centeredAt, x.live, x.totalLen = int(v[5]), int(v[6]), math.Float64frombits(v[7])
		d.floats(x.center)
		d.floats(x.spread)
		x.docs = make([]doc, nDocs)
		x.alive = make([]bool, nDocs)
		x.lens = make([]float32, nDocs)
		x.corpusOf = make([]uint32, nDocs)
		x.sourceOf = make([]uint32, nDocs)
		x.hashOf = make([]uint32, nDocs)
		if x.dim > 0 {
			if l.format == ckptFormatV1 {
				// The vectors come inside the document records.
				for lo := 0; lo < int(nDocs); lo += vecBlock {
					x.vecs = append(x.vecs, make([]float32, min(vecBlock, int(nDocs)-lo)*x.dim, vecBlock*x.dim))
				}
			} else {
				x.vecs = make([][]float32, 0, (nDocs+vecBlock-1)/vecBlock)
			}
		}
		x.codes = make([]uint64, int(nDocs)*x.words)
		x.postings = make([][]posting, nTerms)
		x.df = make([]int32, nTerms)
		x.terms = make(map[string]uint32, nTerms)
		x.byID = make(map[string]uint32, min(x.live, int(nDocs)))
		l.header = true
	case ckptTerms:
		lo, n := int(d.uvarint()), int(d.uvarint())
		if d.err != nil || lo != l.nextTerm || n > len(x.postings)-lo {
			return errMalformed
		}
		for i := range n {
			x.terms[d.string()] = uint32(lo + i)
			// A term is in at most every document (format 1 sizes the
			// postings it builds by it, before the checksums are known).
			df := d.uvarint()
			if df > uint64(len(x.docs)) {
				d.fail()
			}
			x.df[lo+i] = int32(df)
		}
		l.nextTerm += n
	case ckptDocs:
		lo, n := int(d.uvarint()), int(d.uvarint())
		if d.err != nil || lo != l.nextDoc || n > len(x.docs)-lo {
			return errMalformed
		}
		if l.format >= ckptFormat && l.nextSeq != lo {
			return errMalformed // the sequences of the documents before are missing
		}
		for i := range n {
			l.doc(d, uint32(lo+i))
		}
		l.nextDoc += n
	case ckptPad:
		return nil // aligns the next record's array
	case ckptEnd:
		nDocs, nTerms := int(d.uvarint()), int(d.uvarint())
		if nDocs != len(x.docs) || nTerms != len(x.postings) || l.nextDoc != nDocs || l.nextTerm != nTerms {
			return errMalformed
		}
		if l.format != ckptFormatV1 && (l.nextPost != nTerms || x.dim > 0 && (l.nextVec != nDocs || l.nextCode != nDocs)) {
			return errMalformed
		}
		if l.format >= ckptFormat && l.nextSeq != nDocs {
			return errMalformed
		}
		l.done = true
	default:
		return fmt.Errorf("unknown checkpoint record %d: %w", op, errMalformed)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	return d.err
}

// doc decodes document dn (see appendDoc). Its chunk stays encoded in the
// record (the mapped file), read when asked for (index.chunk); its term
// sequence is in place too where aligned (format 4 keeps it in a sequence
// record after the documents').
func (l *ckptLoader) doc(d *decoder, dn uint32) {
	x := l.x
	if d.byte() == 1 {
		enc := d.b
		c := decodeChunk(d)
		if d.err != nil {
			return
		}
		enc = enc[:len(enc)-len(d.b)]
		n := d.uvarint()
		if d.err != nil || l.format < ckptFormat && n > uint64(len(d.b))/4 || n > uint64(l.size)/4 {
			d.fail()
			return
		}
		var seq []uint32
		if l.format < ckptFormat {
			seq = l.inlineSeq(d, int(n))
		} else {
			l.seqLens = append(l.seqLens, int(n))
		}
		if d.err != nil {
			return
		}
		x.docs[dn] = doc{enc: enc, seq: seq}
		x.alive[dn] = true
		x.lens[dn] = float32(n)
		x.corpusOf[dn] = x.corpora.id(c.Corpus)
		x.sourceOf[dn] = x.sources.id(c.SourceID)
		x.hashOf[dn] = x.hashes.id(c.DocHash)
		x.byID[c.ID] = dn
	} else if l.format >= ckptFormat {
		l.seqLens = append(l.seqLens, 0)
	}
	if x.dim > 0 && l.format == ckptFormatV1 {
		d.floats(x.vec(dn))
		code := x.code(dn)
		if len(d.b) < 8*len(code) {
			d.fail()
			return
		}
		for i := range code {
			code[i] = binary.LittleEndian.Uint64(d.b[8*i:])
		}
		d.b = d.b[8*len(code):]
	}
}

// decodeChunk decodes a chunk's fields (see appendDoc); its strings point
// into d's bytes.
func decodeChunk(d *decoder) memory.Chunk {
	var c memory.Chunk
	var lens [9]uint64
	total := uint64(0)
	for i := range lens {
		lens[i] = d.uvarint()
		// Each length is checked before it is added: damaged ones could
		// otherwise sum past 2^64 to a total that fits.
		if lens[i] > uint64(len(d.b)) {
			d.fail()
			return c
		}
		total += lens[i]
	}
	if d.err != nil || total > uint64(len(d.b)) {
		d.fail()
		return c
	}
	all := ""
	if total > 0 {
		all = unsafe.String(&d.b[0], total)
	}
	d.b = d.b[total:]
	for i, p := range [...]*string{&c.ID, &c.Corpus, &c.SourceID, &c.SourceTitle, &c.SourceLocation, &c.Section, &c.Text, &c.ContentHash, &c.DocHash} {
		*p, all = all[:lens[i]], all[lens[i]:]
	}
	c.Start = int(d.varint())
	c.End = int(d.varint())
	if d.byte() == 1 {
		c.IngestedAt = time.Unix(0, d.varint()).UTC()
	}
	return c
}

// inlineSeq decodes a term sequence of n IDs kept inside a document record
// (formats 1 to 3).
func (l *ckptLoader) inlineSeq(d *decoder, n int) []uint32 {
	var seq []uint32
	if aligned := view[uint32](d.b[:4*n]); n > 0 && unsafe.SliceData(aligned) == (*uint32)(unsafe.Pointer(unsafe.SliceData(d.b))) {
		seq = aligned
	} else {
		if len(l.seqs) < n {
			l.seqs = make([]uint32, max(n, 1<<16))
		}
		seq = l.seqs[:n:n]
		l.seqs = l.seqs[n:]
		for i := range seq {
			seq[i] = binary.LittleEndian.Uint32(d.b[4*i:])
		}
	}
	for _, t := range seq {
		if int(t) >= len(l.x.postings) {
			d.fail()
			return nil
		}
	}
	d.b = d.b[4*n:]
	return seq
}

// finish checks that the header's live count is the live documents', and
// builds the postings of a format 1 checkpoint from the live documents'
// term sequences, in document order as add builds them; the document
// frequencies (live documents per term) give their lengths.
func (l *ckptLoader) finish() error {
	x := l.x
	// The header's live count is the number of live documents: searches
	// divide by it and size by it.
	live := 0
	for _, a := range x.alive {
		if a {
			live++
		}
	}
	if live != x.live {
		return fmt.Errorf("%d live documents, the header says %d", live, x.live)
	}
	if l.format != ckptFormatV1 {
		return nil // the postings records held them, checked as read
	}
	for t, n := range x.df {
		if n > 0 {
			x.postings[t] = make([]posting, 0, n)
		}
	}
	last := make([]uint32, len(x.postings))
	for i := range last {
		last[i] = math.MaxUint32
	}
	for d := range x.docs {
		for _, t := range x.docs[d].seq {
			ps := x.postings[t]
			if last[t] == uint32(d) {
				ps[len(ps)-1].tf++
				continue
			}
			last[t] = uint32(d)
			x.postings[t] = append(ps, posting{doc: uint32(d), tf: 1})
		}
	}
	for t, ps := range x.postings {
		if len(ps) != int(x.df[t]) {
			return fmt.Errorf("term %d: %d live documents, recorded %d", t, len(ps), x.df[t])
		}
	}
	return nil
}

func (d *decoder) floats(dst []float32) {
	if len(d.b) < 4*len(dst) {
		d.fail()
		return
	}
	if littleEndian && len(dst) > 0 {
		// The encoding is the machine's own: one copy of the bytes.
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), d.b)
	} else {
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(d.b[4*i:]))
		}
	}
	d.b = d.b[4*len(dst):]
}

// littleEndian reports whether this machine stores numbers as the
// checkpoint does.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1
