package client

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"

	rf "github.com/researchflow/researchflow"
)

// Redrive starts the next revision of finished research run id: a new run
// (ID rf.RevisionID of the first run and the next revision number) resumed
// from id's state, that retries only id's dead letters and reuses every
// search and analysis that succeeded (see rf.RedriveInput). Redriving the
// same revision twice returns the same run. A run that is still running,
// did not complete, or has no dead letter is refused with a
// *RejectedError; an unknown run is ErrNotFound. A closed run is read by a
// query, which needs a workflow worker: bound the wait with ctx.
func (c *Client) Redrive(ctx context.Context, id string) (Run, error) {
	v, err := c.tc.QueryWorkflow(ctx, id, "", rf.StateQuery)
	if err != nil {
		var notFound *serviceerror.NotFound
		var queryFailed *serviceerror.QueryFailed
		switch {
		case errors.As(err, &notFound):
			return Run{}, fmt.Errorf("redrive %s: %w", id, ErrNotFound)
		case errors.As(err, &queryFailed):
			return Run{}, &RejectedError{Reason: "the run cannot tell its state (it predates redrive): " + queryFailed.Message}
		}
		return Run{}, fmt.Errorf("read the state of %s: %w", id, err)
	}
	var rec rf.RunRecord
	if err := v.Get(&rec); err != nil {
		return Run{}, fmt.Errorf("decode the state of %s: %w", id, err)
	}
	if rec.ResearchID == "" {
		rec.ResearchID = id
	}
	next, in, err := rf.RedriveInput(rec)
	var inputErr *rf.InputError
	if errors.As(err, &inputErr) {
		return Run{}, &RejectedError{Reason: inputErr.Message}
	}
	if err != nil {
		return Run{}, err
	}
	return c.Start(ctx, next, in)
}
