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
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/researchflow/researchflow/internal/memory"
)

// The log is a sequence of segment files named seg-NNNNNNNN.log. Each file
// is a sequence of records:
//
//	uint32 little-endian payload length
//	uint32 little-endian CRC-32C of the payload
//	payload
//
// The first record of a segment is a header saying whether the segment is a
// snapshot (written by compaction in stores of format 1, before
// checkpoints: it holds every live chunk, so earlier segments no longer
// matter) or a continuation of the previous one. Every other record is one
// Upsert or Delete call.
//
// A record must replay exactly as its call executed. An upsert holds the
// chunks themselves; a delete holds the IDs of the chunks it removed
// (opDeleteIDs), never the filter that chose them, so no later change to
// what a filter can say (a field the encoder forgot, a new matching rule)
// can make replay delete more or less than the live call did.

const (
	opHeader byte = 0
	opUpsert byte = 1
	// opDelete is the delete record of stores written before opDeleteIDs: it
	// held the filter without ExcludeSourceIDs, so a prune ("every chunk of
	// the corpus except these sources") was logged as "the whole corpus".
	// It is only read, never written (see Store.replay).
	opDelete byte = 2
	// opDeleteIDs lists the IDs of the chunks one Delete call removed.
	opDeleteIDs byte = 3

	segContinue byte = 0
	segSnapshot byte = 1

	logFormat        = 1
	recordHeaderSize = 8
	// maxRecordSize bounds one record so that a corrupt length field cannot
	// make replay allocate gigabytes.
	maxRecordSize = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func segmentName(n int) string { return fmt.Sprintf("seg-%08d.log", n) }

// listSegments returns the segment numbers in dir, ascending.
func listSegments(dir string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list segments in %s: %w", dir, err)
	}
	var nums []int
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "seg-") || !strings.HasSuffix(name, ".log") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "seg-"), ".log"))
		if err != nil || n <= 0 {
			continue
		}
		nums = append(nums, n)
	}
	sort.Ints(nums)
	return nums, nil
}

// beginRecord reserves room for a record header at the end of b.
func beginRecord(b []byte) ([]byte, int) {
	return append(b, make([]byte, recordHeaderSize)...), len(b)
}

// endRecord fills in the header of the record that starts at start.
func endRecord(b []byte, start int) []byte {
	payload := b[start+recordHeaderSize:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, castagnoli))
	return b
}

func encodeHeader(kind byte) []byte {
	b, start := beginRecord(nil)
	b = append(b, opHeader, kind)
	b = binary.AppendUvarint(b, logFormat)
	return endRecord(b, start)
}

// appendUpsert appends one upsert record holding chunks (vectors already
// normalized) to b.
func appendUpsert(b []byte, chunks []memory.Chunk) []byte {
	size := recordHeaderSize + 1 + binary.MaxVarintLen64
	for i := range chunks {
		c := &chunks[i]
		size += len(c.ID) + len(c.Corpus) + len(c.SourceID) + len(c.SourceTitle) + len(c.SourceLocation) +
			len(c.Section) + len(c.Text) + len(c.ContentHash) + len(c.DocHash) + 4*len(c.Vector) + 16*binary.MaxVarintLen64
	}
	b = slices.Grow(b, size)
	b, start := beginRecord(b)
	b = append(b, opUpsert)
	b = binary.AppendUvarint(b, uint64(len(chunks)))
	for i := range chunks {
		b = appendChunk(b, &chunks[i])
	}
	return endRecord(b, start)
}

func appendChunk(b []byte, c *memory.Chunk) []byte {
	for _, s := range [...]string{c.ID, c.Corpus, c.SourceID, c.SourceTitle, c.SourceLocation, c.Section, c.Text, c.ContentHash, c.DocHash} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, int64(c.Start))
	b = binary.AppendVarint(b, int64(c.End))
	if c.IngestedAt.IsZero() {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = binary.AppendVarint(b, c.IngestedAt.UnixNano())
	}
	b = binary.AppendUvarint(b, uint64(len(c.Vector)))
	for _, x := range c.Vector {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// appendDeleteIDs appends one delete record naming the chunks it removed.
func appendDeleteIDs(b []byte, ids []string) []byte {
	b, start := beginRecord(b)
	b = append(b, opDeleteIDs)
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		b = appendString(b, id)
	}
	return endRecord(b, start)
}

// appendLegacyDelete appends a delete record in the format stores wrote
// before opDeleteIDs. Only tests use it, to build such stores.
func appendLegacyDelete(b []byte, f memory.Filter) []byte {
	b, start := beginRecord(b)
	b = append(b, opDelete)
	b = appendString(b, f.Corpus)
	b = appendString(b, f.SourceID)
	b = appendString(b, f.DocHash)
	b = binary.AppendUvarint(b, uint64(len(f.SourceIDs)))
	for _, s := range f.SourceIDs {
		b = appendString(b, s)
	}
	return endRecord(b, start)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// record is one decoded log record.
type record struct {
	op     byte
	kind   byte // opHeader: segContinue or segSnapshot
	chunks []memory.Chunk
	filter memory.Filter // opDelete
	ids    []string      // opDeleteIDs
}

var errMalformed = errors.New("malformed record")

// decoder reads a payload; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errMalformed
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func decodeRecord(payload []byte) (record, error) {
	d := &decoder{b: payload}
	r := record{op: d.byte()}
	switch r.op {
	case opHeader:
		r.kind = d.byte()
		if v := d.uvarint(); d.err == nil && v != logFormat {
			return r, fmt.Errorf("log format %d, want %d", v, logFormat)
		}
	case opUpsert:
		n := d.uvarint()
		if n > uint64(len(payload)) {
			d.fail()
			break
		}
		r.chunks = make([]memory.Chunk, 0, n)
		for i := uint64(0); i < n && d.err == nil; i++ {
			r.chunks = append(r.chunks, d.chunk())
		}
	case opDelete:
		r.filter.Corpus = d.string()
		r.filter.SourceID = d.string()
		r.filter.DocHash = d.string()
		n := d.uvarint()
		if n > uint64(len(payload)) {
			d.fail()
			break
		}
		for i := uint64(0); i < n && d.err == nil; i++ {
			r.filter.SourceIDs = append(r.filter.SourceIDs, d.string())
		}
	case opDeleteIDs:
		n := d.uvarint()
		if n > uint64(len(payload)) {
			d.fail()
			break
		}
		r.ids = make([]string, 0, n)
		for i := uint64(0); i < n && d.err == nil; i++ {
			r.ids = append(r.ids, d.string())
		}
	default:
		return r, fmt.Errorf("unknown record type %d: %w", r.op, errMalformed)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	return r, d.err
}

func (d *decoder) chunk() memory.Chunk {
	var c memory.Chunk
	for _, p := range [...]*string{&c.ID, &c.Corpus, &c.SourceID, &c.SourceTitle, &c.SourceLocation, &c.Section, &c.Text, &c.ContentHash, &c.DocHash} {
		*p = d.string()
	}
	c.Start = int(d.varint())
	c.End = int(d.varint())
	if d.byte() == 1 {
		c.IngestedAt = time.Unix(0, d.varint()).UTC()
	}
	n := d.uvarint()
	if n > uint64(len(d.b))/4 {
		d.fail()
		return c
	}
	if n > 0 {
		c.Vector = make([]float32, n)
		for i := range c.Vector {
			c.Vector[i] = math.Float32frombits(binary.LittleEndian.Uint32(d.b[4*i:]))
		}
		d.b = d.b[4*n:]
	}
	return c
}

// readSegmentFrom calls fn with every intact record of the segment at path, in
// order. It returns the size of the intact prefix and whether the whole file
// was intact; a short or corrupt record ends the intact prefix. An error
// from fn, or a record that is intact but cannot be decoded, is returned as
// an error.
// It starts at byte offset from (a record
// boundary); good counts from the start of the file.
func readSegmentFrom(path string, from int64, fn func(r record) error) (good int64, intact bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, fmt.Errorf("open segment: %w", err)
	}
	defer f.Close()
	if from > 0 {
		st, err := f.Stat()
		if err != nil {
			return 0, false, fmt.Errorf("stat segment: %w", err)
		}
		if st.Size() < from {
			return 0, false, fmt.Errorf("%s is %d bytes, shorter than the %d the checkpoint covers", filepath.Base(path), st.Size(), from)
		}
		if _, err := f.Seek(from, io.SeekStart); err != nil {
			return 0, false, fmt.Errorf("seek segment: %w", err)
		}
		good = from
	}
	br := bufio.NewReaderSize(f, 1<<20)
	var head [recordHeaderSize]byte
	var payload []byte
	for {
		if _, err := io.ReadFull(br, head[:]); err != nil {
			if err == io.EOF {
				return good, true, nil
			}
			if err == io.ErrUnexpectedEOF {
				return good, false, nil
			}
			return good, false, fmt.Errorf("read %s: %w", filepath.Base(path), err)
		}
		n := binary.LittleEndian.Uint32(head[:])
		sum := binary.LittleEndian.Uint32(head[4:])
		if n > maxRecordSize {
			return good, false, nil
		}
		if cap(payload) < int(n) {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(br, payload); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return good, false, nil
			}
			return good, false, fmt.Errorf("read %s: %w", filepath.Base(path), err)
		}
		if crc32.Checksum(payload, castagnoli) != sum {
			return good, false, nil
		}
		r, err := decodeRecord(payload)
		if err != nil {
			return good, false, fmt.Errorf("%s at offset %d: %w", filepath.Base(path), good, err)
		}
		if err := fn(r); err != nil {
			return good, false, err
		}
		good += recordHeaderSize + int64(n)
	}
}

// segmentKind reads the header record of a segment; an empty or torn
// segment counts as a continuation.
func segmentKind(path string) (byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open segment: %w", err)
	}
	defer f.Close()
	var head [recordHeaderSize + 2]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return segContinue, nil
	}
	if head[recordHeaderSize] != opHeader {
		return segContinue, nil
	}
	return head[recordHeaderSize+1], nil
}

// syncDir makes renames, creations and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}
