package embedded

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
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
	// (unknown), and so are analysed again on open.
	ckptFormat   = 3
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
	bulkPrefix        = 9

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
	put := func() error {
		size += int64(len(b))
		_, err := w.Write(b)
		return err
	}
	var swapped []byte
	// bulk writes a bulk record whose array is raw (native byte order,
	// elements of width bytes).
	bulk := func(op byte, lo, n int, raw []byte, width int) error {
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
	format := uint64(ckptFormat)
	if x.writeV1 {
		format = ckptFormatV1
	}

	b, start := beginRecord(b[:0])
	b = append(b, ckptHeader)
	for _, v := range []uint64{format, uint64(x.dim), uint64(pos.seg), uint64(pos.offset), uint64(dead),
		uint64(x.centeredAt), uint64(x.live), math.Float64bits(x.totalLen), uint64(len(x.docs)), uint64(len(x.postings))} {
		b = binary.AppendUvarint(b, v)
	}
	if format == ckptFormat {
		b = binary.AppendUvarint(b, uint64(x.analysis))
	}
	b = appendFloats(b, x.center)
	b = appendFloats(b, x.spread)
	b = endRecord(b, start)
	if err := put(); err != nil {
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
		if err := put(); err != nil {
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
			b = x.appendDoc(b, uint32(d))
			if x.writeV1 {
				b = x.appendVecCode(b, uint32(d))
			}
		}
		b = endRecord(b, start)
		if err := put(); err != nil {
			return 0, err
		}
	}

	if !x.writeV1 {
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
	if err := put(); err != nil {
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
// chunk's fields (lengths, then the bytes of all of them) and term
// sequence. A dead document keeps its place (and its vector and code, in
// the bulk records).
func (x *index) appendDoc(b []byte, d uint32) []byte {
	if !x.alive[d] {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		c := &x.docs[d].chunk
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
func rawBytes[T float32 | uint64 | posting](s []T) []byte {
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
func readCheckpoint(dir string, dim int) (*index, ckptPos, int, error) {
	path := filepath.Join(dir, checkpointFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, ckptPos{}, 0, fmt.Errorf("read checkpoint: %w", err)
	}
	defer f.Close()
	l := ckptLoader{x: newIndex(dim)}
	// Large records are read past the buffer, straight into their place;
	// a small buffer keeps the bytes copied twice few.
	br := bufio.NewReaderSize(f, 64<<10)
	var head [recordHeaderSize]byte
	var payload []byte
	for !l.done {
		if _, err := io.ReadFull(br, head[:]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, ckptPos{}, 0, fmt.Errorf("%s ends before its end record: %w", checkpointFile, errBadCheckpoint)
			}
			return nil, ckptPos{}, 0, fmt.Errorf("read %s: %w", checkpointFile, err)
		}
		n := binary.LittleEndian.Uint32(head[:])
		sum := binary.LittleEndian.Uint32(head[4:])
		if n > maxRecordSize || n == 0 {
			return nil, ckptPos{}, 0, fmt.Errorf("%s: record length %d: %w", checkpointFile, n, errBadCheckpoint)
		}
		op, err := br.ReadByte()
		if err != nil {
			return nil, ckptPos{}, 0, fmt.Errorf("%s ends inside a record: %w", checkpointFile, errBadCheckpoint)
		}
		if op == ckptVecs || op == ckptCodes || op == ckptPostings {
			// Read the array straight into its place in the index.
			var pre [bulkPrefix]byte
			pre[0] = op
			if _, err := io.ReadFull(br, pre[1:]); err != nil {
				return nil, ckptPos{}, 0, fmt.Errorf("%s ends inside a record: %w", checkpointFile, errBadCheckpoint)
			}
			lo, cnt := binary.LittleEndian.Uint32(pre[1:]), binary.LittleEndian.Uint32(pre[5:])
			dst, width, err := l.bulkDst(op, int(lo), int(cnt), int(n)-bulkPrefix)
			if err != nil {
				return nil, ckptPos{}, 0, fmt.Errorf("%s: %w: %w", checkpointFile, err, errBadCheckpoint)
			}
			if _, err := io.ReadFull(br, dst); err != nil {
				return nil, ckptPos{}, 0, fmt.Errorf("%s ends inside a record: %w", checkpointFile, errBadCheckpoint)
			}
			if crc32.Update(crc32.Checksum(pre[:], castagnoli), castagnoli, dst) != sum {
				return nil, ckptPos{}, 0, fmt.Errorf("%s: checksum mismatch: %w", checkpointFile, errBadCheckpoint)
			}
			if !littleEndian {
				swapBytes(dst, width)
			}
			if err := l.bulkDone(op, int(lo), int(cnt)); err != nil {
				return nil, ckptPos{}, 0, fmt.Errorf("%s: %w: %w", checkpointFile, err, errBadCheckpoint)
			}
			continue
		}
		if cap(payload) < int(n) {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		payload[0] = op
		if _, err := io.ReadFull(br, payload[1:]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, ckptPos{}, 0, fmt.Errorf("%s ends inside a record: %w", checkpointFile, errBadCheckpoint)
			}
			return nil, ckptPos{}, 0, fmt.Errorf("read %s: %w", checkpointFile, err)
		}
		if crc32.Checksum(payload, castagnoli) != sum {
			return nil, ckptPos{}, 0, fmt.Errorf("%s: checksum mismatch: %w", checkpointFile, errBadCheckpoint)
		}
		if err := l.record(payload); err != nil {
			return nil, ckptPos{}, 0, fmt.Errorf("%s: %w: %w", checkpointFile, err, errBadCheckpoint)
		}
	}
	if err := l.finish(); err != nil {
		return nil, ckptPos{}, 0, fmt.Errorf("%s: %w: %w", checkpointFile, err, errBadCheckpoint)
	}
	return l.x, l.pos, l.dead, nil
}

// ckptLoader builds an index from checkpoint records.
type ckptLoader struct {
	x        *index
	format   uint64
	pos      ckptPos
	dead     int
	header   bool
	done     bool
	nextTerm int
	nextDoc  int
	nextVec  int // format 2: the next document of the bulk records
	nextCode int
	nextPost int // the next term of the postings records
	flat     []posting
	seqs     []uint32 // room for term sequences, shared by many documents
}

// bulkDst checks a bulk record's header (after the header record, in
// order, of the size its count implies) and returns the bytes of the
// index's array it fills and the width of its elements.
func (l *ckptLoader) bulkDst(op byte, lo, n, size int) ([]byte, int, error) {
	x := l.x
	if !l.header || l.format == ckptFormatV1 {
		return nil, 0, errors.New("bulk record out of place")
	}
	switch op {
	case ckptVecs, ckptCodes:
		next, per, width := &l.nextVec, x.dim, 4
		if op == ckptCodes {
			next, per, width = &l.nextCode, x.words, 8
		}
		if x.dim == 0 || lo != *next || n > len(x.docs)-lo || size != n*per*width {
			return nil, 0, errMalformed
		}
		if op == ckptVecs {
			// One record per block of vectors.
			if lo%vecBlock != 0 || n != min(vecBlock, len(x.docs)-lo) {
				return nil, 0, errMalformed
			}
			return rawBytes(x.vecs[lo/vecBlock]), width, nil
		}
		return rawBytes(x.codes[lo*per : (lo+n)*per]), width, nil
	default: // ckptPostings
		// The documents come first: postings are checked against them.
		if lo != l.nextPost || n > len(x.postings)-lo || l.nextTerm != len(x.postings) || l.nextDoc != len(x.docs) {
			return nil, 0, errMalformed
		}
		if l.flat == nil {
			total := 0
			for _, df := range x.df {
				if df < 0 {
					return nil, 0, errMalformed
				}
				total += int(df)
			}
			l.flat = make([]posting, total)
		}
		want := 0
		for _, df := range x.df[lo : lo+n] {
			want += int(df)
		}
		if size != 8*want || want > len(l.flat) {
			return nil, 0, errMalformed
		}
		return rawBytes(l.flat[:want]), 4, nil
	}
}

// bulkDone takes in a bulk record read into place by bulkDst.
func (l *ckptLoader) bulkDone(op byte, lo, n int) error {
	x := l.x
	switch op {
	case ckptVecs:
		l.nextVec += n
	case ckptCodes:
		l.nextCode += n
	default:
		// Each term's postings are live documents in ascending order.
		for t := lo; t < lo+n; t++ {
			df := int(x.df[t])
			ps := l.flat[:df:df]
			l.flat = l.flat[df:]
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
		var v [10]uint64
		for i := range v {
			v[i] = d.uvarint()
		}
		if d.err != nil {
			return d.err
		}
		if v[0] != ckptFormat && v[0] != ckptFormatV2 && v[0] != ckptFormatV1 {
			return fmt.Errorf("checkpoint format %d, this build reads %d to %d", v[0], ckptFormatV1, ckptFormat)
		}
		l.format = v[0]
		x.analysis = 0 // formats 1 and 2: not recorded
		if l.format == ckptFormat {
			x.analysis = int(d.uvarint())
		}
		if int(v[1]) != x.dim {
			return fmt.Errorf("checkpoint of a %d-dim index, store has %d", v[1], x.dim)
		}
		nDocs, nTerms := v[8], v[9]
		if nDocs > 1<<32-1 || nTerms > 1<<32-1 || uint64(len(p)) < 8*uint64(x.dim) {
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
			for lo := 0; lo < int(nDocs); lo += vecBlock {
				x.vecs = append(x.vecs, make([]float32, min(vecBlock, int(nDocs)-lo)*x.dim, vecBlock*x.dim))
			}
		}
		x.codes = make([]uint64, int(nDocs)*x.words)
		x.postings = make([][]posting, nTerms)
		x.df = make([]int32, nTerms)
		x.terms = make(map[string]uint32, nTerms)
		x.byID = make(map[string]uint32, x.live)
		l.header = true
	case ckptTerms:
		lo, n := int(d.uvarint()), int(d.uvarint())
		if d.err != nil || lo != l.nextTerm || n > len(x.postings)-lo {
			return errMalformed
		}
		for i := range n {
			x.terms[d.string()] = uint32(lo + i)
			x.df[lo+i] = int32(d.uvarint())
		}
		l.nextTerm += n
	case ckptDocs:
		lo, n := int(d.uvarint()), int(d.uvarint())
		if d.err != nil || lo != l.nextDoc || n > len(x.docs)-lo {
			return errMalformed
		}
		for i := range n {
			l.doc(d, uint32(lo+i))
		}
		l.nextDoc += n
	case ckptEnd:
		nDocs, nTerms := int(d.uvarint()), int(d.uvarint())
		if nDocs != len(x.docs) || nTerms != len(x.postings) || l.nextDoc != nDocs || l.nextTerm != nTerms {
			return errMalformed
		}
		if l.format != ckptFormatV1 && (l.nextPost != nTerms || x.dim > 0 && (l.nextVec != nDocs || l.nextCode != nDocs)) {
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

// doc decodes document dn (see appendDoc).
func (l *ckptLoader) doc(d *decoder, dn uint32) {
	x := l.x
	if d.byte() == 1 {
		var lens [9]uint64
		total := uint64(0)
		for i := range lens {
			lens[i] = d.uvarint()
			total += lens[i]
		}
		if d.err != nil || total > uint64(len(d.b)) {
			d.fail()
			return
		}
		all := string(d.b[:total]) // one allocation; the fields share it
		d.b = d.b[total:]
		var c memory.Chunk
		for i, p := range [...]*string{&c.ID, &c.Corpus, &c.SourceID, &c.SourceTitle, &c.SourceLocation, &c.Section, &c.Text, &c.ContentHash, &c.DocHash} {
			*p, all = all[:lens[i]], all[lens[i]:]
		}
		c.Start = int(d.varint())
		c.End = int(d.varint())
		if d.byte() == 1 {
			c.IngestedAt = time.Unix(0, d.varint()).UTC()
		}
		n := d.uvarint()
		if d.err != nil || n > uint64(len(d.b))/4 {
			d.fail()
			return
		}
		if len(l.seqs) < int(n) {
			l.seqs = make([]uint32, max(int(n), 1<<16))
		}
		seq := l.seqs[:n:n]
		l.seqs = l.seqs[n:]
		for i := range seq {
			t := binary.LittleEndian.Uint32(d.b[4*i:])
			if int(t) >= len(x.postings) {
				d.fail()
				return
			}
			seq[i] = t
		}
		d.b = d.b[4*n:]
		x.docs[dn] = doc{chunk: c, seq: seq}
		x.alive[dn] = true
		x.lens[dn] = float32(len(seq))
		x.corpusOf[dn] = x.corpora.id(c.Corpus)
		x.sourceOf[dn] = x.sources.id(c.SourceID)
		x.hashOf[dn] = x.hashes.id(c.DocHash)
		x.byID[c.ID] = dn
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

// finish builds the postings of a format 1 checkpoint from the live
// documents' term sequences, in document order as add builds them; the document frequencies (live
// documents per term) give their lengths.
func (l *ckptLoader) finish() error {
	x := l.x
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
