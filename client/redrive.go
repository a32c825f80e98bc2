package client

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"

	rf "github.com/researchflow/researchflow"
)

// Redrive starts the next revision of finished research run id: a new run
// resumed from id's state, that retries only id's dead letters and reuses
// every search and analysis that succeeded. The run itself says how (the
// rf.RedriveQuery answers with an rf.Redrive); the client starts what it
// says. Redriving the same revision twice returns the same run. A run that
// is still running, did not complete, or has no dead letter is refused with
// a *RejectedError; an unknown run is ErrNotFound. A closed run is read by
// a query, which needs a workflow worker: bound the wait with ctx.
func (c *Client) Redrive(ctx context.Context, id string) (Run, error) {
	if err := unknownID(id); err != nil {
		return Run{}, err
	}
	v, err := c.tc.QueryWorkflow(ctx, id, "", rf.RedriveQuery)
	if err != nil {
		var notFound *serviceerror.NotFound
		var queryFailed *serviceerror.QueryFailed
		switch {
		case errors.As(err, &notFound):
			return Run{}, fmt.Errorf("run %q: %w", id, ErrNotFound)
		case errors.As(err, &queryFailed):
			return Run{}, &RejectedError{Reason: "the run cannot say how to redrive it (it predates redrive, or its workers do): " + queryFailed.Message}
		}
		return Run{}, fmt.Errorf("ask %s how to redrive it: %w", id, err)
	}
	var next rf.Redrive
	if err := v.Get(&next); err != nil {
		return Run{}, fmt.Errorf("decode the redrive of %s: %w", id, err)
	}
	if next.Refused != "" {
		return Run{}, &RejectedError{Reason: next.Refused}
	}
	if next.WorkflowID == "" {
		return Run{}, fmt.Errorf("redrive %s: the run named no workflow ID for the next revision", id)
	}
	return c.Start(ctx, next.WorkflowID, next.Input)
}
