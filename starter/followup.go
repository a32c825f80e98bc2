package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/stack"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// askFollowUp starts a follow-up of a finished run (client.StartFollowUp),
// waits for its answer and prints it (Markdown, or the result as JSON). key
// (--id) names the follow-up: the same key is the same follow-up.
func askFollowUp(ctx context.Context, in rf.FollowUpInput, key string, asJSON, noWait bool, stdout, stderr io.Writer) error {
	in, err := in.Normalize()
	if err != nil {
		return usageError("%v", err)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: quietLogger(stderr, cfg), DevServer: temporalserver.StartDev, SpawnBackground: spawnBackground})
	if err != nil {
		return err
	}
	defer s.Close()
	run, err := s.Runs.StartFollowUp(ctx, key, in)
	if err != nil {
		return fmt.Errorf("follow-up of %s: %w", in.ResearchID, err)
	}
	fmt.Fprintf(stderr, "follow-up %s of %s on %s\n", run.ID, in.ResearchID, s.Describe())
	if link := s.RunURL(run.ID); link != "" {
		fmt.Fprintf(stderr, "Web UI: %s\n", link)
	}
	if noWait {
		fmt.Fprintln(stdout, run.ID)
		return nil
	}
	res, err := s.Runs.FollowUpResult(ctx, run.ID)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("stopped waiting (the follow-up %s goes on; see it with `temporal workflow show -w %s`)", run.ID, run.ID)
		}
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printFollowUp(res, stdout, stderr)
	return nil
}

// printFollowUp prints a follow-up's answer on stdout (it states its
// confidence) and, on stderr, its confidence as printResult prints a
// report's, and how it was answered.
func printFollowUp(res rf.FollowUpResult, stdout, stderr io.Writer) {
	fmt.Fprintln(stdout, res.Answer)
	printConfidence(res.Confidence, stderr)
	switch {
	case res.FromEvidence:
		fmt.Fprintln(stderr, "answered from the run's own evidence: no new search")
	case len(res.Searches) == 0 && len(res.Findings) > 0:
		fmt.Fprintf(stderr, "answered from passages the run read (no new search), citing %d source(s) its report did not\n", len(res.NewSources))
	default:
		fmt.Fprintf(stderr, "%d targeted search(es) for what the run's evidence did not answer; %d new source(s)\n", len(res.Searches), len(res.NewSources))
	}
	if t := res.Usage.Tokens(); t > 0 || res.Usage.CostUSD > 0 {
		fmt.Fprintf(stderr, "model usage: %d tokens, $%.4f\n", t, res.Usage.CostUSD)
	}
}
