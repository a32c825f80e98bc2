//go:build linux

package embedded

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"testing"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/textproc"
)

// A store whose checkpoint is of an earlier format opens even when writing
// it again in the current format fails (here the file size limit stops
// the write, as a full disk would): the rewrite only makes the next open
// faster, and the store it read is whole. The next open that can write it
// does.
func TestEarlierFormatOpensWhenRewriteFails(t *testing.T) {
	dir := formatCheckpoint(t, ckptFormatV3, 8)
	twin := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(twin, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := openT(t, twin, 8)
	r := rand.New(rand.NewPCG(61, 62))
	var queries []memory.Query
	for _, q := range phraseQueries(r, phraseCorpus(rand.New(rand.NewPCG(31, 32)), 200, 8), 10) {
		queries = append(queries, memory.Query{Text: q, TopK: 10}, memory.Query{Text: q, Vector: gaussUnit(r, 8, nil, 0), TopK: 10})
	}
	want := searches(t, s, queries)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = openWithFileLimit(t, dir, 8)
	if err != nil {
		t.Fatalf("Open when the checkpoint cannot be written again: %v", err)
	}
	if f := checkpointFormat(t, dir); f != ckptFormatV3 {
		t.Fatalf("checkpoint format = %d, want %d (the rewrite was not stopped; the test covers less than it says)", f, ckptFormatV3)
	}
	if got := searches(t, s, queries); !slices.Equal(got, want) {
		t.Error("search differs from the same store opened with its rewrite")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, 8)
	defer s.Close()
	if f := checkpointFormat(t, dir); f != ckptFormat {
		t.Errorf("checkpoint format after an open that can write = %d, want %d", f, ckptFormat)
	}
	if got := searches(t, s, queries); !slices.Equal(got, want) {
		t.Error("search after the rewrite differs")
	}
}

// A store whose checkpoint was indexed by another text analysis opens
// when writing the checkpoint of the new analysis fails (the file size
// limit stops it, as a full disk would): its chunks are analysed again in
// memory, and the next open that can write does.
func TestReanalysedStoreOpensWhenCheckpointFails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openT(t, dir, 8)
	chunks := phraseCorpus(rand.New(rand.NewPCG(71, 72)), 200, 8)
	if err := s.Upsert(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	queries := []memory.Query{{Text: chunks[5].Text, TopK: 5}, {Text: chunks[50].Text, TopK: 5}}
	want := searches(t, s, queries)
	s.mu.Lock()
	s.idx.analysis = textproc.AnalysisVersion - 1
	err := s.checkpoint()
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	crash(t, s)

	s, err = openWithFileLimit(t, dir, 8)
	if err != nil {
		t.Fatalf("Open when the checkpoint of the new analysis cannot be written: %v", err)
	}
	if got := searches(t, s, queries); !slices.Equal(got, want) {
		t.Error("search after analysing again in memory differs")
	}
	s.Close()
	s = openT(t, dir, 8)
	defer s.Close()
	if s.idx.analysis != textproc.AnalysisVersion {
		t.Errorf("analysis after an open that can write = %d, want %d", s.idx.analysis, textproc.AnalysisVersion)
	}
	if got := searches(t, s, queries); !slices.Equal(got, want) {
		t.Error("search after the checkpoint of the new analysis differs")
	}
}

// openWithFileLimit opens the store in dir while no file may grow past 4
// KiB (as on a full disk: writing a checkpoint fails), and lifts the limit
// again; it skips the test where the limit cannot be set.
func openWithFileLimit(t *testing.T, dir string, dim int) (*Store, error) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("no file size limit to set: %v", err)
	}
	small := lim
	small.Cur = 4096
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &small); err != nil {
		t.Skipf("cannot set the file size limit: %v", err)
	}
	s, err := Open(dir, Options{EmbeddingModel: "test-model", Dim: dim, Logger: quiet()})
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	return s, err
}
