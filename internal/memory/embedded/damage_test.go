package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/researchflow/researchflow/internal/memory"
)

// formatCheckpoint writes a small store (dim 8 or 0, a deleted chunk) and
// a checkpoint of it in the given format, with no log before it, and
// returns the directory.
func formatCheckpoint(t *testing.T, format, dim int) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(31, 32))
	s := openT(t, dir, dim)
	chunks := phraseCorpus(r, 200, max(dim, 1))
	for i := range chunks {
		if dim == 0 {
			chunks[i].Vector = nil
		}
	}
	for b := range slices.Chunk(chunks, 64) {
		if err := s.Upsert(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, memory.Filter{SourceID: chunks[3].SourceID}); err != nil {
		t.Fatal(err)
	}
	s.idx.writeFormat = format
	s.mu.Lock()
	err := s.checkpoint()
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	crash(t, s)
	return dir
}

// records returns the offsets of a checkpoint's records, up to its end
// record.
func records(t *testing.T, b []byte) []int {
	t.Helper()
	var offs []int
	for off := 0; ; {
		p, _, next, err := frame(b, off)
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, off)
		if p[0] == ckptEnd {
			return offs
		}
		off = next
	}
}

// splice returns b with the payload of the record at off replaced by p
// (its checksum left as it was: the record is damaged).
func splice(b []byte, off int, p []byte) []byte {
	n := int(binary.LittleEndian.Uint32(b[off:]))
	var head [recordHeaderSize]byte
	binary.LittleEndian.PutUint32(head[:], uint32(len(p)))
	copy(head[4:], b[off+4:off+8])
	out := slices.Concat(b[:off], head[:], p, b[off+recordHeaderSize+n:])
	return out
}

// A damaged field length or count in a record that open decodes before
// the checksums are confirmed (on the other goroutine) makes open fail
// with errBadCheckpoint: it neither panics nor allocates by the damaged
// number.
func TestDamagedCheckpointCounts(t *testing.T) {
	// firstDocLens rewrites the first live document of the first
	// documents record: its first two field lengths become a and b.
	firstDocLens := func(a, b uint64) func(p []byte) []byte {
		return func(p []byte) []byte {
			d := &decoder{b: p[1:]}
			d.uvarint()
			d.uvarint()
			for d.byte() != 1 && d.err == nil {
			}
			head := p[:len(p)-len(d.b)]
			d.uvarint()
			d.uvarint()
			out := slices.Clone(head)
			out = binary.AppendUvarint(out, a)
			out = binary.AppendUvarint(out, b)
			return append(out, d.b...)
		}
	}
	// firstTermDF rewrites the document frequency of the first term.
	firstTermDF := func(df uint64) func(p []byte) []byte {
		return func(p []byte) []byte {
			d := &decoder{b: p[1:]}
			d.uvarint()
			d.uvarint()
			d.string()
			head := p[:len(p)-len(d.b)]
			d.uvarint()
			out := slices.Clone(head)
			out = binary.AppendUvarint(out, df)
			return append(out, d.b...)
		}
	}
	tests := []struct {
		name   string
		format int
		op     byte
		damage func(p []byte) []byte
	}{
		// The lengths sum past 2^64 to fewer bytes than the record has.
		{"chunk field lengths wrap", ckptFormat, ckptDocs, firstDocLens(math.MaxUint64, 2)},
		{"chunk field lengths wrap format 3", ckptFormatV3, ckptDocs, firstDocLens(math.MaxUint64, 2)},
		{"chunk field lengths wrap format 1", ckptFormatV1, ckptDocs, firstDocLens(math.MaxUint64, 2)},
		{"chunk field length huge", ckptFormat, ckptDocs, firstDocLens(1<<62, 3)},
		// Format 1 builds the postings at open, each term's sized by its
		// document frequency.
		{"document frequency huge format 1", ckptFormatV1, ckptTerms, firstTermDF(math.MaxInt32)},
		{"document frequency huge", ckptFormat, ckptTerms, firstTermDF(math.MaxInt32)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := formatCheckpoint(t, tt.format, 8)
			b := changeFirstRecord(t, dir, tt.op, func(b []byte, off int, p []byte) []byte {
				return splice(b, off, tt.damage(p))
			})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			c, err := readCheckpoint(dir, 8)
			runtime.ReadMemStats(&after)
			if err == nil {
				c.m.release()
				t.Fatal("a damaged checkpoint was read")
			}
			if !errors.Is(err, errBadCheckpoint) {
				t.Errorf("readCheckpoint = %v, want errBadCheckpoint", err)
			}
			if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(64*len(b)); got > limit {
				t.Errorf("reading a damaged checkpoint of %d bytes allocated %d bytes", len(b), got)
			}
		})
	}
}

// A checkpoint of any format, with or without vectors, that is cut short
// at any record or damaged anywhere in one (bytes flipped or set to 0xff,
// so that the loader, which decodes before the checksums are confirmed,
// meets lengths and counts of every size) fails to read with
// errBadCheckpoint, allocating no more than a small multiple of the file.
func TestDamagedCheckpointEveryFormat(t *testing.T) {
	for _, format := range []int{ckptFormatV1, ckptFormatV2, ckptFormatV3, ckptFormat} {
		for _, dim := range []int{0, 8} {
			t.Run(fmt.Sprintf("format %d dim %d", format, dim), func(t *testing.T) {
				dir := formatCheckpoint(t, format, dim)
				path := filepath.Join(dir, checkpointFile)
				good, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				offs := records(t, good)
				r := rand.New(rand.NewPCG(uint64(format), uint64(dim)))
				var cases []string
				var files [][]byte
				for i, off := range offs {
					n := int(binary.LittleEndian.Uint32(good[off:]))
					for _, cut := range []int{off, off + recordHeaderSize/2, off + recordHeaderSize + n/2, off + recordHeaderSize + n - 1} {
						cases = append(cases, fmt.Sprintf("cut at %d in record %d", cut, i))
						files = append(files, good[:cut])
					}
					for k := range 10 {
						b := slices.Clone(good)
						p := b[off+recordHeaderSize : off+recordHeaderSize+n]
						at := r.IntN(len(p))
						if k%2 == 0 {
							for j := at; j < min(len(p), at+1+r.IntN(10)); j++ {
								p[j] = 0xff
							}
						} else {
							for range 1 + r.IntN(3) {
								p[r.IntN(len(p))] ^= byte(1 + r.IntN(255))
							}
						}
						if slices.Equal(b, good) {
							continue // 0xff over 0xff
						}
						cases = append(cases, fmt.Sprintf("record %d damaged at %d (%d)", i, at, k))
						files = append(files, b)
					}
				}
				for i, b := range files {
					if err := os.WriteFile(path, b, 0o644); err != nil {
						t.Fatal(err)
					}
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					c, err := readCheckpoint(dir, dim)
					runtime.ReadMemStats(&after)
					if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(64*len(good)); got > limit {
						t.Errorf("%s: allocated %d bytes reading %d", cases[i], got, len(b))
					}
					if err == nil {
						c.m.release()
						t.Errorf("%s: read", cases[i])
						continue
					}
					if !errors.Is(err, errBadCheckpoint) {
						t.Errorf("%s: %v, want errBadCheckpoint", cases[i], err)
					}
				}
			})
		}
	}
}

// changeFirstRecord rewrites dir's checkpoint with change applied to its
// first record of type op (given the file, the record's offset and its
// payload), and returns what it wrote.
func changeFirstRecord(t *testing.T, dir string, op byte, change func(b []byte, off int, p []byte) []byte) []byte {
	t.Helper()
	path := filepath.Join(dir, checkpointFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range records(t, b) {
		if b[off+recordHeaderSize] != op {
			continue
		}
		n := int(binary.LittleEndian.Uint32(b[off:]))
		b = change(b, off, b[off+recordHeaderSize:off+recordHeaderSize+n])
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Fatalf("no record %d in the checkpoint", op)
	return nil
}

// resum returns b with the payload of the record at off replaced by p and
// its checksum made right: a record the writer could have written.
func resum(b []byte, off int, p []byte) []byte {
	out := splice(b, off, p)
	binary.LittleEndian.PutUint32(out[off+4:], crc32.Checksum(p, castagnoli))
	return out
}

// A checkpoint whose records are whole (checksums right) but do not agree
// with each other — a live count beyond its documents or unlike the live
// documents it holds, a block of vectors missing — fails to read with
// errBadCheckpoint, neither panicking nor opening an index that would.
func TestInconsistentCheckpoint(t *testing.T) {
	// header rewrites the header's value i (see writeCheckpoint's order).
	header := func(i int, v func(old uint64) uint64) func(p []byte) []byte {
		return func(p []byte) []byte {
			d := &decoder{b: p[1:]}
			out := []byte{p[0]}
			for j := 0; len(d.b) > 0 && d.err == nil; j++ {
				old := d.uvarint()
				if j == i {
					old = v(old)
				}
				out = binary.AppendUvarint(out, old)
			}
			return out
		}
	}
	const liveField = 6
	tests := []struct {
		name   string
		format int
		op     byte
		damage func(p []byte) []byte // nil: the record is left out
	}{
		{"live count past 2^63", ckptFormat, ckptHeader, header(liveField, func(uint64) uint64 { return math.MaxUint64 })},
		{"live count past its documents", ckptFormat, ckptHeader, header(liveField, func(old uint64) uint64 { return old + 1000 })},
		{"live count one short", ckptFormat, ckptHeader, header(liveField, func(old uint64) uint64 { return old - 1 })},
		{"live count past 2^63 format 3", ckptFormatV3, ckptHeader, header(liveField, func(uint64) uint64 { return math.MaxUint64 })},
		{"live count one short format 1", ckptFormatV1, ckptHeader, header(liveField, func(old uint64) uint64 { return old - 1 })},
		{"vectors left out", ckptFormat, ckptVecs, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := formatCheckpoint(t, tt.format, 8)
			b := changeFirstRecord(t, dir, tt.op, func(b []byte, off int, p []byte) []byte {
				if tt.damage == nil {
					return slices.Delete(b, off, off+recordHeaderSize+len(p))
				}
				return resum(b, off, tt.damage(slices.Clone(p)))
			})
			if err := verifyRecords(b); err != nil {
				t.Fatalf("the changed checkpoint's records are not whole: %v", err)
			}
			c, err := readCheckpoint(dir, 8)
			if err == nil {
				c.m.release()
				t.Fatal("an inconsistent checkpoint was read")
			}
			if !errors.Is(err, errBadCheckpoint) {
				t.Errorf("readCheckpoint = %v, want errBadCheckpoint", err)
			}
		})
	}
}
