package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/stack"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

const budgetUsage = `usage: starter budget ID (--max-tokens TOKENS | --max-cost DOLLARS) [--json]`

const finishUsage = `usage: starter finish ID [--json]`

// runBudget sends new limits to run ID (the extendBudget update): a run
// paused in awaiting_budget resumes where it stopped.
func runBudget(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("starter budget", flag.ContinueOnError)
	usage := setUsage(fs, budgetUsage, stdout)
	maxTokens := fs.Int("max-tokens", 0, "the run's new token limit, above what it has used (0 keeps it)")
	maxCost := fs.Float64("max-cost", 0, "the run's new cost limit in US `DOLLARS`, above what it has spent (0 keeps it)")
	asJSON := fs.Bool("json", false, "print the run's progress as JSON")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		usage(stderr)
		return usageError("budget needs one run ID")
	}
	if err := checkRunID("ID", positional[0]); err != nil {
		return err
	}
	e, err := rf.BudgetRequest{MaxTokens: *maxTokens, MaxCostUSD: *maxCost, By: "starter"}.Normalize()
	if err != nil {
		return usageError("%v", err)
	}
	return budgetUpdate(ctx, positional[0], *asJSON, stdout, stderr, func(s *stack.Stack) (rf.Progress, error) {
		return s.Runs.ExtendBudget(ctx, positional[0], e)
	})
}

// runFinish makes run ID write its report from what it has (the finishNow
// update).
func runFinish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("starter finish", flag.ContinueOnError)
	usage := setUsage(fs, finishUsage, stdout)
	asJSON := fs.Bool("json", false, "print the run's progress as JSON")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		usage(stderr)
		return usageError("finish needs one run ID")
	}
	if err := checkRunID("ID", positional[0]); err != nil {
		return err
	}
	return budgetUpdate(ctx, positional[0], *asJSON, stdout, stderr, func(s *stack.Stack) (rf.Progress, error) {
		return s.Runs.FinishNow(ctx, positional[0], rf.BudgetRequest{By: "starter"})
	})
}

func budgetUpdate(ctx context.Context, id string, asJSON bool, stdout, stderr io.Writer, send func(*stack.Stack) (rf.Progress, error)) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: quietLogger(stderr, cfg), DevServer: temporalserver.StartDev, SpawnBackground: spawnBackground})
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := send(s)
	switch {
	case client.IsNotFound(err) || errors.Is(err, client.ErrNotRunning):
		return err // `run "ID": no such run`, or not running
	case err != nil:
		return fmt.Errorf("%s: %w", id, err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	fmt.Fprintf(stdout, "%s: %s, %s\n", id, p.Status, budgetLine(p))
	return nil
}

// budgetLine says what a run has used of its budget.
func budgetLine(p rf.Progress) string {
	line := fmt.Sprintf("used %d tokens, $%.4f", p.Usage.Tokens(), p.Usage.CostUSD)
	if b := p.Budget; b != nil {
		line += " of"
		if b.MaxTokens > 0 {
			line += fmt.Sprintf(" %d tokens", b.MaxTokens)
		}
		if b.MaxCostUSD > 0 {
			line += fmt.Sprintf(" $%.4f", b.MaxCostUSD)
		}
	}
	return line
}

// estimateLines shows a plan's estimate, one line per sub-question.
func estimateLines(e *rf.Spend) []string {
	lines := []string{fmt.Sprintf("estimate (%s): %d searches, %d passages, %d model calls, %d tokens, $%.4f",
		e.Engine, e.Searches, e.Passages, e.ModelCalls, e.Usage.Tokens(), e.Usage.CostUSD)}
	for _, sq := range e.SubQuestions {
		lines = append(lines, fmt.Sprintf("  %-7s %d searches, %d passages, %d model calls, %d tokens, $%.4f  %s",
			sq.ID, sq.Searches, sq.Passages, sq.ModelCalls, sq.Usage.Tokens(), sq.Usage.CostUSD, sq.Text))
	}
	return lines
}

// pauseLine says why a run waits in awaiting_budget and what to do.
func pauseLine(id string, p rf.Progress) string {
	bp := p.BudgetPause
	what := bp.Step
	if bp.ID != "" {
		what += " " + bp.ID
	}
	return fmt.Sprintf("paused: the next step (%s, about %d tokens, $%.4f) would exceed the budget (%s); until %s: starter budget %s --max-tokens N | starter finish %s",
		what, bp.Usage.Tokens(), bp.Usage.CostUSD, budgetLine(p), until(bp), id, id)
}

// estimateVersusActual puts a run's estimate and its use side by side.
func estimateVersusActual(e *rf.Spend, a *rf.Spend) string {
	return fmt.Sprintf("%-10s %9s %9s %12s %9s %10s\n%-10s %9d %9d %12d %9d %10.4f\n%-10s %9d %9d %12d %9d %10.4f\n",
		"", "searches", "passages", "model calls", "tokens", "USD",
		"estimate", e.Searches, e.Passages, e.ModelCalls, e.Usage.Tokens(), e.Usage.CostUSD,
		"actual", a.Searches, a.Passages, a.ModelCalls, a.Usage.Tokens(), a.Usage.CostUSD)
}

func until(bp *rf.Spend) string {
	if bp.Until == nil {
		return "it is decided"
	}
	return bp.Until.Format("2006-01-02 15:04 MST")
}
