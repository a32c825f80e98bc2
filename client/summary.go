package client

import (
	"fmt"
	"strings"

	rf "github.com/researchflow/researchflow"
)

// summaryLength bounds a workflow's one-line summary in the Temporal Web UI.
const summaryLength = 200

// researchSummary is what the Temporal Web UI shows of a research run
// (StartWorkflowOptions.StaticSummary and StaticDetails): the question on
// its row, and who asked, on which corpus and sources, in its details. With
// a payload codec they are encrypted like any payload, and the Web UI shows
// them through the codec server.
func researchSummary(in rf.ResearchInput) (summary, details string) {
	owner := in.Owner
	if owner == "" {
		owner = rf.LocalOwner
	}
	sources := strings.Join(in.Sources, ", ")
	if sources == "" {
		sources = rf.SourceCorpus
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Question:** %s\n\n", in.Question)
	fmt.Fprintf(&b, "**Owner:** %s · **Corpus:** %s · **Sources:** %s", owner, rf.PublicCorpus(owner, in.Corpus), sources)
	if in.RequireApproval {
		b.WriteString(" · the plan waits for approval")
	}
	if in.RedriveOf != "" {
		fmt.Fprintf(&b, "\n\nRedrive of %s", in.RedriveOf)
	}
	return truncate(in.Question, summaryLength), b.String()
}

// ingestSummary is what the Temporal Web UI shows of an ingestion.
func ingestSummary(in rf.IngestInput) (summary, details string) {
	owner := in.Owner
	if owner == "" {
		owner = rf.LocalOwner
	}
	name := rf.PublicCorpus(owner, in.Corpus)
	return truncate("Ingest into corpus "+name, summaryLength),
		fmt.Sprintf("**Corpus:** %s · **Owner:** %s\n\n**Folder:** %s", name, owner, in.Path)
}

// followUpSummary is what the Temporal Web UI shows of a follow-up.
func followUpSummary(in rf.FollowUpInput) (summary, details string) {
	return truncate("Follow-up: "+in.Question, summaryLength),
		fmt.Sprintf("**Follow-up question:** %s\n\n**About run:** %s", in.Question, in.ResearchID)
}
