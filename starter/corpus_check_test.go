package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/memory"
)

// chunkCounts is a corpora.Counter over fixed counts.
type chunkCounts map[string]int

func (c chunkCounts) Count(_ context.Context, f memory.Filter) (int, error) {
	if n, ok := c[f.Corpus]; ok && n < 0 {
		return 0, errors.New("memory unavailable")
	}
	return c[f.Corpus], nil
}

// startsRecorder records the runs started; the corpora of its runs are
// those of ingested and researched.
type startsRecorder struct {
	ids                  []string
	ingested, researched []string // stored corpus names
}

func infos(corpora []string) []client.Info {
	var out []client.Info
	for _, c := range corpora {
		out = append(out, client.Info{Corpus: c})
	}
	return out
}

func (r *startsRecorder) Ingestions(context.Context, []byte, int) ([]client.Info, []byte, error) {
	return infos(r.ingested), nil, nil
}

func (r *startsRecorder) CorpusRuns(context.Context, []byte, int) ([]client.Info, []byte, error) {
	return infos(r.researched), nil, nil
}

func (r *startsRecorder) Start(_ context.Context, id string, _ rf.ResearchInput) (client.Run, error) {
	r.ids = append(r.ids, id)
	return client.Run{ID: id}, nil
}

// `starter --corpus nosuch "…"` is refused before anything starts, by the
// gateway's rule, naming the corpus, how to fill it and where the corpora
// there are are listed: the run it started failed at its first step. The
// starter checks with its stack's count in either mode (stack.Chunks), so
// what it refuses does not depend on the mode.
func TestResearchOnAnUnknownCorpusStartsNothing(t *testing.T) {
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	counts := chunkCounts{"notes": 4, "alice--notes": 2, "flaky": -1}
	for _, tt := range []struct {
		owner, corpus string
		in            rf.ResearchInput
		refused       bool
	}{
		{rf.LocalOwner, "nosuch", rf.ResearchInput{Question: "What is q?", Corpus: "nosuch"}, true},
		{rf.LocalOwner, "notes", rf.ResearchInput{Question: "What is q?", Corpus: "notes"}, false},
		{"alice", "nosuch", rf.ResearchInput{Question: "What is q?", Corpus: "nosuch"}, true},
		{"alice", "notes", rf.ResearchInput{Question: "What is q?", Corpus: "notes"}, false},
		{rf.LocalOwner, rf.DefaultCorpus, rf.ResearchInput{Question: "What is q?"}, false},
		{rf.LocalOwner, "nosuch", rf.ResearchInput{Question: "What is q?", Corpus: "nosuch", Sources: []string{rf.SourceWikipedia}}, false},
		{rf.LocalOwner, "flaky", rf.ResearchInput{Question: "What is q?", Corpus: "flaky"}, false}, // the count failed: let through
	} {
		in, err := ownedInput(tt.in, tt.owner)
		if err != nil {
			t.Fatal(err)
		}
		var runs startsRecorder
		_, err = startChecked(context.Background(), &runs, counts, cfg, tt.owner, "research-1", in, logger)
		if !tt.refused {
			if err != nil || len(runs.ids) != 1 {
				t.Errorf("%s's %s: %v, %d runs started, want one", tt.owner, tt.corpus, err, len(runs.ids))
			}
			continue
		}
		if err == nil || len(runs.ids) != 0 {
			t.Errorf("%s's %s: %v, %d runs started, want none and an error", tt.owner, tt.corpus, err, len(runs.ids))
			continue
		}
		msg := err.Error()
		list := "the corpora there are: starter corpora"
		if tt.owner != rf.LocalOwner {
			list += " --owner " + tt.owner
		}
		for _, want := range []string{`corpus named "` + tt.corpus + `"`, "starter ingest FOLDER --corpus " + tt.corpus, list} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s's %s: %q does not say %q", tt.owner, tt.corpus, msg, want)
			}
		}
		if exitCode(err) == 0 {
			t.Errorf("%s's %s: exit 0", tt.owner, tt.corpus)
		}
	}
}

// `--corpus Kestrel` when "kestrel" is there (names are case-sensitive), or
// a near misspelling of a corpus with documents, is refused with the
// corpus meant; a near name that has no documents, another owner's, or a
// listing that fails suggests nothing.
func TestUnknownCorpusSuggestsTheNearest(t *testing.T) {
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	counts := chunkCounts{"kestrel": 3, "opsdocs": 5, "handbook": 2, "alice--notes": 2, "bob--kestrel": 4}
	ingested := []string{"kestrel", "opsdocs", "handbook", "empty-one", "alice--notes", "bob--kestrel"}
	researched := []string{"opsdocs", "run:research-1"}
	for _, tt := range []struct {
		owner, corpus, want string // want: the suggestion, "" for none
	}{
		{rf.LocalOwner, "Kestrel", "kestrel"},
		{rf.LocalOwner, "KESTREL", "kestrel"},
		{rf.LocalOwner, "kestrl", "kestrel"},
		{rf.LocalOwner, "opsdcos", "opsdocs"},
		{rf.LocalOwner, "hanbook", "handbook"},
		{rf.LocalOwner, "empty-on", ""}, // near, but it has no documents either
		{rf.LocalOwner, "nosuch", ""},
		{"alice", "Notes", "notes"},
		{"alice", "kestrel", ""}, // bob's
	} {
		in, err := ownedInput(rf.ResearchInput{Question: "What is q?", Corpus: tt.corpus}, tt.owner)
		if err != nil {
			t.Fatal(err)
		}
		runs := startsRecorder{ingested: ingested, researched: researched}
		_, err = startChecked(context.Background(), &runs, counts, cfg, tt.owner, "research-1", in, logger)
		if err == nil || len(runs.ids) != 0 {
			t.Errorf("%s's %s: %v, %d runs started, want none and an error", tt.owner, tt.corpus, err, len(runs.ids))
			continue
		}
		msg := err.Error()
		if tt.want == "" {
			if strings.Contains(msg, "did you mean") || !strings.Contains(msg, `corpus named "`+tt.corpus+`"`) {
				t.Errorf("%s's %s: %q, want no suggestion", tt.owner, tt.corpus, msg)
			}
			continue
		}
		if want := `no corpus "` + tt.corpus + `"; did you mean "` + tt.want + `"?`; !strings.HasPrefix(msg, want) || !strings.Contains(msg, "the corpora there are: starter corpora") {
			t.Errorf("%s's %s: %q, want %q and where the corpora are listed", tt.owner, tt.corpus, msg, want)
		}
	}
}
