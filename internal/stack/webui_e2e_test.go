package stack

import (
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

	rf "github.com/researchflow/researchflow"
)

// A run started through the client reads in the Temporal Web UI without
// opening payloads: its summary is the question, its details name the
// owner, corpus and sources, and its searches and analyses are named by
// sub-question (the server keeps them as the workflow's and activities'
// user metadata).
func TestEndToEndTemporalUISummaries(t *testing.T) {
	endToEnd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	question := "How do beekeepers find queen cells?"
	run, err := startIdempotent(ctx, "e2e-webui-summary", rf.ResearchInput{Question: question, CorpusPath: writeCorpus(t), MaxSubQuestions: 1})
	if err != nil {
		t.Fatal(err)
	}
	var res rf.ResearchResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	dc := converter.GetDefaultDataConverter()
	d, err := shared.Client.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	md := d.GetExecutionConfig().GetUserMetadata()
	var summary, details string
	if err := dc.FromPayload(md.GetSummary(), &summary); err != nil {
		t.Fatalf("summary: %v", err)
	}
	if err := dc.FromPayload(md.GetDetails(), &details); err != nil {
		t.Fatalf("details: %v", err)
	}
	if summary != question || !strings.Contains(details, "**Owner:** local") || !strings.Contains(details, "**Sources:** corpus") {
		t.Errorf("summary %q, details %q", summary, details)
	}
	it := shared.Client.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var named []string
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetActivityTaskScheduledEventAttributes() == nil || ev.GetUserMetadata().GetSummary() == nil {
			continue
		}
		var s string
		if err := dc.FromPayload(ev.GetUserMetadata().GetSummary(), &s); err != nil {
			t.Fatal(err)
		}
		named = append(named, s)
	}
	joined := strings.Join(named, " | ")
	if !strings.Contains(joined, "search the corpus: ") || !strings.Contains(joined, "analyze: ") {
		t.Errorf("activity summaries = %q, want the searches and analyses named by sub-question", joined)
	}
}
