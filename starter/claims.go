package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/stack"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// claimFeedback gives a reader's verdict on claim args[0] of finished run
// id (client.Feedback), the rest of args being the reason; it waits for the
// review and prints what it found and, for a dispute, the revision it wrote
// (Markdown, or the review as JSON).
func claimFeedback(ctx context.Context, verdict, id string, args []string, asJSON, noWait bool, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("--%s %s takes the claim ID (GET the report as JSON to list them), then an optional reason", verdict, id)
	}
	in := claims.ReviewInput{ResearchID: id, ClaimID: args[0], Verdict: verdict, Reason: strings.Join(args[1:], " "), Revision: 2}
	if _, err := in.Normalize(); err != nil {
		return usageError("%v", err)
	}
	in.Revision = 0
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: quietLogger(stderr, cfg), DevServer: temporalserver.StartDev, SpawnBackground: spawnBackground})
	if err != nil {
		return err
	}
	defer s.Close()
	run, in, err := s.Runs.Feedback(ctx, "", in)
	if err != nil {
		return fmt.Errorf("%s %s of %s: %w", verdict, in.ClaimID, id, err)
	}
	fmt.Fprintf(stderr, "%s of %s: review %s (revision %d) on %s\n", verdict, in.ClaimID, run.ID, in.Revision, s.Describe())
	if noWait {
		fmt.Fprintln(stdout, run.ID)
		return nil
	}
	res, err := s.Runs.ReviewResult(ctx, run.ID)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("stopped waiting (the review %s goes on; see it with `temporal workflow show -w %s`)", run.ID, run.ID)
		}
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if res.Report != nil {
		fmt.Fprintln(stdout, res.Report.Report)
	}
	fmt.Fprintln(stderr, res.Check.Change)
	return nil
}
