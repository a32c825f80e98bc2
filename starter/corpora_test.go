package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
)

// fixedRuns lists fixed ingestions and research runs on a corpus.
type fixedRuns struct{ ingestions, researched []client.Info }

func (f fixedRuns) Ingestions(context.Context, []byte, int) ([]client.Info, []byte, error) {
	return f.ingestions, nil, nil
}

func (f fixedRuns) CorpusRuns(context.Context, []byte, int) ([]client.Info, []byte, error) {
	return f.researched, nil, nil
}

func corporaFixture() fixedRuns {
	at := func(h int) time.Time { return time.Date(2026, 5, 1, h, 0, 0, 0, time.UTC) }
	return fixedRuns{
		ingestions: []client.Info{
			{ID: "ingest-1", Type: rf.IngestWorkflowType, Corpus: "notes", Status: "completed", Started: at(9)},
			{ID: "ingest-2", Type: rf.IngestWorkflowType, Corpus: "alice--notes", Status: "completed", Started: at(10)},
			{ID: "ingest-3", Type: rf.IngestWorkflowType, Corpus: "empty-one", Status: "failed", Started: at(8)},
		},
		researched: []client.Info{
			{ID: "research-1", Type: rf.ResearchWorkflowType, Corpus: "meetings", Status: "completed", Started: at(11)},
			{ID: "research-2", Type: rf.ResearchWorkflowType, Corpus: "nosuch", Status: "failed", Started: at(12)},
		},
	}
}

// A refusal of --corpus pointed to GET /v1/corpora, which the background
// stack the starter runs does not serve: there was no way to see the
// corpora from the starter. `starter corpora` lists the owner's corpora,
// whatever filled them (an ingestion, a research run on a folder), newest
// first, with their passages, counted as --corpus is checked, and last the
// built-in Go documentation, saying where it comes from (a new user's
// research on it left it out of the list).
func TestCorporaListsTheOwnersCorporaWithTheirPassages(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	counts := chunkCounts{"notes": 4, "meetings": 3, "alice--notes": 2, rf.DefaultCorpus: 920}
	for _, tt := range []struct {
		owner string
		want  []string // "NAME PASSAGES STATUS ID", newest first
	}{
		{rf.LocalOwner, []string{"meetings 3 completed research-1", "notes 4 completed ingest-1", "empty-one 0 failed ingest-3"}},
		{"alice", []string{"notes 2 completed ingest-2"}},
		{"bob", nil},
	} {
		listed, err := listCorpora(context.Background(), corporaFixture(), counts, tt.owner, logger)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := printCorpora(&out, listed, tt.owner); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(tt.want) == 0 {
			if len(lines) != 3 || !strings.Contains(lines[2], "no corpora of bob yet") || !strings.Contains(lines[2], "starter ingest FOLDER --corpus NAME") {
				t.Errorf("%s: printed %q, want go-docs and how to fill one", tt.owner, out.String())
			}
			lines = lines[:2]
		}
		if len(lines) != len(tt.want)+2 || !strings.HasPrefix(lines[0], "CORPUS") {
			t.Fatalf("%s: printed\n%s\nwant a header, %d corpora and go-docs", tt.owner, out.String(), len(tt.want))
		}
		for i, w := range tt.want {
			f := strings.Fields(lines[i+1])
			wf := strings.Fields(w)
			if len(f) != 6 || f[0] != wf[0] || f[1] != wf[1] || f[4] != wf[2] || f[5] != wf[3] {
				t.Errorf("%s: line %d = %q, want %q", tt.owner, i+1, lines[i+1], w)
			}
		}
		if f := strings.Fields(lines[len(lines)-1]); len(f) < 3 || f[0] != rf.DefaultCorpus || f[1] != "920" || !strings.Contains(lines[len(lines)-1], "built in: the Go documentation") {
			t.Errorf("%s: last line %q, want go-docs, its 920 passages, built in", tt.owner, lines[len(lines)-1])
		}
	}
}

// A count that fails (search workers of an older version, or none
// running) lists the corpora all the same, without their passages (and
// without those only a research run names, not known to have documents),
// the built-in go-docs too.
func TestCorporaWithoutCountsStillLists(t *testing.T) {
	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	listed, err := listCorpora(context.Background(), corporaFixture(), chunkCounts{"notes": -1}, rf.LocalOwner, logger)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := printCorpora(&out, listed, rf.LocalOwner); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "notes") || !strings.Contains(got, "empty-one") || !strings.Contains(got, rf.DefaultCorpus) || strings.Contains(got, "meetings") || strings.Count(got, " ? ") != 3 {
		t.Errorf("printed\n%s\nwant notes, empty-one and go-docs, counts unknown", got)
	}
	if !strings.Contains(logged.String(), "passages not counted") {
		t.Errorf("logged %q, want it to say the counts failed", logged.String())
	}
	if _, err := listCorpora(context.Background(), fixedRuns{}, chunkCounts{}, rf.LocalOwner, logger); err != nil {
		t.Errorf("no corpora: %v", err)
	}
}

// `starter corpora` takes no arguments: a word after it is a usage error
// that starts nothing.
func TestCorporaTakesNoArguments(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"corpora", "notes"}, &out, &errOut)
	if !errors.Is(err, errUsage) || exitCode(err) != 2 || !strings.Contains(err.Error(), "corpora takes no arguments") {
		t.Errorf("starter corpora notes = %v (exit %d)", err, exitCode(err))
	}
}
