package corpora

import (
	"context"
	"fmt"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/memory"
)

// runs is a RunLister of one page.
func runs(infos ...client.Info) RunLister {
	return func(context.Context, []byte, int) ([]client.Info, []byte, error) { return infos, nil, nil }
}

// A deleted corpus (its ingestions closed, no passages left) is not
// listed, nor one emptied or never filled; a corpus whose ingestion still
// runs is, with what it holds so far, as is one with passages (and, last,
// the Go documentation: see TestListListsTheBuiltInCorpus).
func TestListLeavesOutCorporaWithNothingLeft(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ingest := func(id, corpus string, closed bool, min int) client.Info {
		status := rf.StatusRunning
		if closed {
			status = rf.StatusCompleted
		}
		return client.Info{ID: id, Type: rf.IngestWorkflowType, Corpus: corpus, Status: status, Closed: closed, Started: at.Add(time.Duration(min) * time.Minute)}
	}
	ingestions := runs(
		ingest("ingest-deleted", "deleted", true, 4),
		ingest("ingest-uploading", "uploading", false, 3),
		ingest("ingest-notes", "notes", true, 2),
		ingest("ingest-failed", "unread", true, 1),
	)
	researched := runs(
		client.Info{ID: "research-folder", Type: rf.ResearchWorkflowType, Corpus: "folder", Status: rf.StatusCompleted, Closed: true, Started: at},
		client.Info{ID: "research-gone", Type: rf.ResearchWorkflowType, Corpus: "gone", Status: rf.StatusCompleted, Closed: true, Started: at},
	)
	listed, err := List(context.Background(), rf.LocalOwner, ingestions, researched, counts{"notes": 3, "folder": 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range listed {
		got = append(got, l.Name+" "+l.Last.ID)
	}
	want := []string{"uploading ingest-uploading", "notes ingest-notes", "folder research-folder", "go-docs "}
	if len(got) != len(want) {
		t.Fatalf("listed %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("listed %q, want %q", got, want)
			break
		}
	}
}

// A new user researched the Go documentation (go-docs, read from the Go
// installation by the run itself: no ingestion names it, and research runs
// on it are not a corpus of theirs) and `starter corpora` listed only
// their own corpus. The built-in corpus is listed for every owner, last,
// with the passages it holds, marked as built in; before any run read it,
// it is listed with none (--corpus go-docs researches it all the same, and
// the web app's picker offers it), and without a counter, uncounted.
func TestListListsTheBuiltInCorpus(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ingestions := runs(client.Info{ID: "ingest-trialc", Type: rf.IngestWorkflowType, Corpus: "trialc", Status: rf.StatusCompleted, Closed: true, Started: at})
	researched := runs(client.Info{ID: "research-go", Type: rf.ResearchWorkflowType, Corpus: rf.DefaultCorpus, Status: rf.StatusCompleted, Closed: true, Started: at.Add(time.Hour)})
	for _, tt := range []struct {
		name  string
		owner string
		c     Counter
		want  []string // "NAME PASSAGES", "?" when not counted
	}{
		{"read", rf.LocalOwner, counts{"trialc": 4, rf.DefaultCorpus: 920}, []string{"trialc 4", "go-docs 920"}},
		{"another owner", "alice", counts{rf.DefaultCorpus: 920}, []string{"go-docs 920"}},
		{"not read yet", rf.LocalOwner, counts{"trialc": 4}, []string{"trialc 4", "go-docs 0"}},
		{"not counted", rf.LocalOwner, nil, []string{"trialc ?", "go-docs ?"}},
	} {
		listed, err := List(context.Background(), tt.owner, ingestions, researched, tt.c)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range listed {
			n := "?"
			if l.Chunks != nil {
				n = fmt.Sprint(*l.Chunks)
			}
			got = append(got, l.Name+" "+n)
			if l.BuiltIn != (l.Name == rf.DefaultCorpus) {
				t.Errorf("%s: %s listed with BuiltIn %v", tt.name, l.Name, l.BuiltIn)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: listed %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Search workers of an earlier version refuse to count the Go
// documentation: it is listed uncounted, and the owner's corpora keep
// their counts (the whole list was read again without any).
func TestListListsTheBuiltInCorpusItCannotCount(t *testing.T) {
	ingestions := runs(client.Info{ID: "ingest-trialc", Type: rf.IngestWorkflowType, Corpus: "trialc", Status: rf.StatusCompleted, Closed: true, Started: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)})
	c := counts{"trialc": 4}
	listed, err := List(context.Background(), rf.LocalOwner, ingestions, runs(), refusing{c, rf.DefaultCorpus})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 2 || listed[0].Chunks == nil || *listed[0].Chunks != 4 || listed[1].Name != rf.DefaultCorpus || listed[1].Chunks != nil {
		t.Errorf("listed %+v, want trialc with 4 passages, then go-docs uncounted", listed)
	}
}

// refusing is a Counter that refuses to count one corpus.
type refusing struct {
	Counter
	corpus string
}

func (r refusing) Count(ctx context.Context, f memory.Filter) (int, error) {
	if f.Corpus == r.corpus {
		return 0, fmt.Errorf("corpus count: want a corpus other than %s", r.corpus)
	}
	return r.Counter.Count(ctx, f)
}
