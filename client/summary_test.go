package client

import (
	"context"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
)

// Runs, ingestions and follow-ups read in the Temporal Web UI's list by
// their question or corpus (StaticSummary), with the owner, corpus and
// sources in their details.
func TestTemporalUISummaries(t *testing.T) {
	t.Parallel()
	summary, details := researchSummary(rf.ResearchInput{Question: "How do goroutines communicate?", Owner: "alice",
		Corpus: rf.ScopedCorpus("alice", "notes"), Sources: []string{"corpus", "arxiv"}})
	if summary != "How do goroutines communicate?" {
		t.Errorf("summary = %q, want the question", summary)
	}
	for _, want := range []string{"**Owner:** alice", "**Corpus:** notes", "**Sources:** corpus, arxiv"} {
		if !strings.Contains(details, want) {
			t.Errorf("details %q lack %q", details, want)
		}
	}
	if s, _ := ingestSummary(rf.IngestInput{Corpus: rf.ScopedCorpus("alice", "notes"), Owner: "alice"}); s != "Ingest into corpus notes" {
		t.Errorf("ingestion summary = %q", s)
	}
	if s, d := followUpSummary(rf.FollowUpInput{ResearchID: "research-1", Question: "And mutexes?"}); s != "Follow-up: And mutexes?" || !strings.Contains(d, "research-1") {
		t.Errorf("follow-up summary = %q, %q", s, d)
	}
	long := strings.Repeat("why ", 100)
	if s, _ := researchSummary(rf.ResearchInput{Question: long}); len([]rune(s)) > summaryLength+1 || !strings.HasSuffix(s, "…") {
		t.Errorf("a long question's summary has %d characters, want %d and an ellipsis", len([]rune(s)), summaryLength)
	}
}

// TestStartsCarrySummaries: every start sets the Web UI's summary and
// details.
func TestStartsCarrySummaries(t *testing.T) {
	f := newFakeTemporal()
	c := New(f, "default")
	ctx := context.Background()
	if _, err := c.Start(ctx, "research-s", rf.ResearchInput{Question: "How do goroutines communicate?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartIngest(ctx, "ingest-s", rf.IngestInput{Corpus: "notes", Path: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	got := f.started()
	if len(got) != 2 {
		t.Fatalf("%d starts, want 2", len(got))
	}
	if got[0].opts.StaticSummary != "How do goroutines communicate?" || !strings.Contains(got[0].opts.StaticDetails, "**Corpus:** go-docs") {
		t.Errorf("research start: summary %q, details %q", got[0].opts.StaticSummary, got[0].opts.StaticDetails)
	}
	if got[1].opts.StaticSummary != "Ingest into corpus notes" {
		t.Errorf("ingestion start: summary %q", got[1].opts.StaticSummary)
	}
}
