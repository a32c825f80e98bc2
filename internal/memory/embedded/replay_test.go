package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/memory"
)

// The variables below let the test binary act as a separate process that
// opens a store written by the parent test and prints its live chunk IDs:
// a store must read back in a new process exactly as it was left.
const (
	childDirEnv = "RESEARCHFLOW_TEST_REPLAY_DIR"
	childIDsEnv = "RESEARCHFLOW_TEST_REPLAY_IDS"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		os.Exit(replayChild(dir, os.Getenv(childIDsEnv)))
	}
	if dir := os.Getenv(ingestChildEnv); dir != "" {
		os.Exit(ingestChild(dir))
	}
	os.Exit(m.Run())
}

// replayChild opens the store in dir, asks for the IDs listed in the file
// idsPath and prints those still present as JSON.
func replayChild(dir, idsPath string) int {
	raw, err := os.ReadFile(idsPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var all []string
	if err := json.Unmarshal(raw, &all); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s, err := Open(dir, Options{EmbeddingModel: "test-model", Dim: 4, Logger: quiet()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	got, err := s.Get(context.Background(), all)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out, _ := json.Marshal(ids(got))
	fmt.Println(string(out))
	return 0
}

// liveInNewProcess reopens dir in a child process and returns which of all
// are present there.
func liveInNewProcess(t *testing.T, dir string, all []string) []string {
	t.Helper()
	idsPath := filepath.Join(t.TempDir(), "ids.json")
	raw, _ := json.Marshal(all)
	if err := os.WriteFile(idsPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir, childIDsEnv+"="+idsPath)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reopen in a new process: %v\n%s", err, out)
	}
	var got []string
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(out))), &got); err != nil {
		t.Fatalf("child output %q: %v", out, err)
	}
	return got
}

// replayFixture is a store with two corpora, three documents each, one of
// them with a DocHash.
func replayFixture(t *testing.T, dir string) (*Store, []memory.Chunk) {
	t.Helper()
	s := openT(t, dir, 4)
	var all []memory.Chunk
	for _, corpus := range []string{"notes", "other"} {
		for _, b := range batches(corpus, 3, 4, 4) {
			for i := range b {
				b[i].DocHash = memory.Hash(b[i].SourceID)
			}
			if err := s.Upsert(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
	}
	return s, all
}

// Every kind of delete a caller can ask for leaves, after a reopen in a new
// process and after a compaction, exactly the chunks the live call left.
// The prune case is the one that used to replay as "delete the corpus".
func TestEveryDeleteReplaysAsExecuted(t *testing.T) {
	src := func(corpus string, n int) string { return memory.SourceID(corpus, fmt.Sprintf("doc%d.md", n)) }
	cases := []struct {
		name   string
		filter memory.Filter
		then   *memory.Filter // a second delete, to replay in order
	}{
		{name: "prune keeps the listed sources", filter: memory.Filter{Corpus: "notes", ExcludeSourceIDs: []string{src("notes", 0), src("notes", 2)}}},
		{name: "prune keeping none of the corpus's sources", filter: memory.Filter{Corpus: "notes", ExcludeSourceIDs: []string{src("other", 0)}}},
		{name: "whole corpus", filter: memory.Filter{Corpus: "other"}},
		{name: "one source", filter: memory.Filter{SourceID: src("notes", 1)}},
		{name: "one source in its corpus", filter: memory.Filter{Corpus: "notes", SourceID: src("notes", 1)}},
		{name: "listed sources", filter: memory.Filter{SourceIDs: []string{src("notes", 1), src("other", 2)}}},
		{name: "document hash", filter: memory.Filter{DocHash: memory.Hash(src("other", 1))}},
		{name: "exclusion without corpus", filter: memory.Filter{ExcludeSourceIDs: []string{src("notes", 0)}}},
		{name: "prune then source", filter: memory.Filter{Corpus: "notes", ExcludeSourceIDs: []string{src("notes", 0), src("notes", 1)}},
			then: &memory.Filter{SourceID: src("notes", 0)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ctx := context.Background()
			s, chunks := replayFixture(t, dir)
			all := ids(chunks)
			if err := s.Delete(ctx, tc.filter); err != nil {
				t.Fatal(err)
			}
			if tc.then != nil {
				if err := s.Delete(ctx, *tc.then); err != nil {
					t.Fatal(err)
				}
			}
			live, err := s.Get(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			want := ids(live)
			if len(want) == len(all) {
				t.Fatalf("the delete removed nothing; the case tests nothing")
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if got := liveInNewProcess(t, dir, all); !slices.Equal(got, want) {
				t.Errorf("after reopen in a new process: %d chunks %v, want %d %v", len(got), got, len(want), want)
			}
			// Compaction writes the live set as a snapshot; it too must match.
			s = openT(t, dir, 4)
			if err := s.Compact(ctx); err != nil {
				t.Fatal(err)
			}
			s.Close()
			if got := liveInNewProcess(t, dir, all); !slices.Equal(got, want) {
				t.Errorf("after compaction and reopen: %d chunks, want %d", len(got), len(want))
			}
		})
	}
}

// A delete record of the older format is never replayed wider than it was
// executed: one that may have been a prune (its kept sources were not
// logged) is skipped; one narrowed by source is replayed.
func TestLegacyDeleteRecords(t *testing.T) {
	for _, tc := range []struct {
		name        string
		filter      func(chunks []memory.Chunk) memory.Filter
		wantRemoved int
	}{
		{"corpus-only record may have been a prune: skipped", func([]memory.Chunk) memory.Filter { return memory.Filter{Corpus: "notes"} }, 0},
		{"source record: replayed", func(c []memory.Chunk) memory.Filter { return memory.Filter{Corpus: "notes", SourceID: c[0].SourceID} }, 4},
		{"listed sources record: replayed", func(c []memory.Chunk) memory.Filter {
			return memory.Filter{SourceIDs: []string{c[0].SourceID, c[4].SourceID}}
		}, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, chunks := replayFixture(t, dir)
			all := ids(chunks)
			// Append the record as an older release wrote it.
			s.mu.Lock()
			err := s.write(appendLegacyDelete(nil, tc.filter(chunks)))
			s.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			got := liveInNewProcess(t, dir, all)
			if removed := len(all) - len(got); removed != tc.wantRemoved {
				t.Errorf("replay removed %d chunks, want %d", removed, tc.wantRemoved)
			}
		})
	}
}

// Every record type the store writes decodes to what was encoded.
func TestRecordsRoundTrip(t *testing.T) {
	chunks := batches("notes", 1, 3, 4)[0]
	chunks[1].Section = "A > B"
	chunks[2].DocHash = "abc"
	for _, tc := range []struct {
		name string
		b    []byte
		want record
	}{
		{"upsert", appendUpsert(nil, chunks), record{op: opUpsert, chunks: chunks}},
		{"delete by IDs", appendDeleteIDs(nil, []string{"a", "b", "ü"}), record{op: opDeleteIDs, ids: []string{"a", "b", "ü"}}},
		{"delete by IDs, none", appendDeleteIDs(nil, nil), record{op: opDeleteIDs, ids: []string{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeRecord(tc.b[recordHeaderSize:])
			if err != nil {
				t.Fatal(err)
			}
			if got.op != tc.want.op || !slices.Equal(got.ids, tc.want.ids) || len(got.chunks) != len(tc.want.chunks) {
				t.Fatalf("decoded %+v, want %+v", got, tc.want)
			}
			for i := range got.chunks {
				g, w := got.chunks[i], tc.want.chunks[i]
				if g.ID != w.ID || g.Text != w.Text || g.Section != w.Section || g.DocHash != w.DocHash || !slices.Equal(g.Vector, w.Vector) {
					t.Errorf("chunk %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
