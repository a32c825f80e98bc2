package client

import (
	"context"
	"fmt"

	"go.temporal.io/api/workflowservice/v1"

	rf "github.com/researchflow/researchflow"
)

// Ingestions lists ingestion runs (IngestWorkflow) a page of pageSize at a
// time, from pageToken (nil: the first page); Info.Corpus is the stored
// corpus name. The next page's token is nil after the last page.
func (c *Client) Ingestions(ctx context.Context, pageToken []byte, pageSize int) ([]Info, []byte, error) {
	resp, err := c.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: c.namespace, PageSize: int32(pageSize), NextPageToken: pageToken,
		Query: "WorkflowType = " + quoteQuery(rf.IngestWorkflowType),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list ingestions: %w", err)
	}
	out := make([]Info, 0, len(resp.GetExecutions()))
	for _, info := range resp.GetExecutions() {
		out = append(out, c.toInfo(info))
	}
	return out, resp.GetNextPageToken(), nil
}

// DescribeIngestion returns what Temporal knows of ingestion run id
// (Info.Corpus is the stored corpus name). A run of another workflow type
// is ErrNotFound.
func (c *Client) DescribeIngestion(ctx context.Context, id string) (Info, error) {
	info, err := c.describe(ctx, id, "")
	if err != nil {
		return Info{}, err
	}
	if info.GetType().GetName() != rf.IngestWorkflowType {
		return Info{}, fmt.Errorf("ingestion %q: %w", id, ErrNotFound)
	}
	return c.toInfo(info), nil
}

// CorpusRuns lists the research runs on a corpus other than the Go
// documentation a page of pageSize at a time, from pageToken (nil: the
// first page); Info.Corpus is the stored corpus name. A run started on a
// folder (ResearchInput.CorpusPath: `starter --corpus ./notes`) ingests
// it into that corpus itself, without an IngestWorkflow, so these runs are
// where such a corpus is found. The next page's token is nil after the
// last page.
func (c *Client) CorpusRuns(ctx context.Context, pageToken []byte, pageSize int) ([]Info, []byte, error) {
	resp, err := c.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: c.namespace, PageSize: int32(pageSize), NextPageToken: pageToken,
		Query: "WorkflowType = " + quoteQuery(rf.ResearchWorkflowType) +
			" AND " + rf.SearchAttrCorpus + " != " + quoteQuery(rf.DefaultCorpus),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list research runs on corpora: %w", err)
	}
	out := make([]Info, 0, len(resp.GetExecutions()))
	for _, info := range resp.GetExecutions() {
		out = append(out, c.toInfo(info))
	}
	return out, resp.GetNextPageToken(), nil
}
