package corpora

import (
	"context"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
)

// runs is a RunLister of one page.
func runs(infos ...client.Info) RunLister {
	return func(context.Context, []byte, int) ([]client.Info, []byte, error) { return infos, nil, nil }
}

// A deleted corpus (its ingestions closed, no passages left) is not
// listed, nor one emptied or never filled; a corpus whose ingestion still
// runs is, with what it holds so far, as is one with passages.
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
	want := []string{"uploading ingest-uploading", "notes ingest-notes", "folder research-folder"}
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
