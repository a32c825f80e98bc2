package stack

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/eval"
	"github.com/researchflow/researchflow/internal/eval/runner"
)

// TestEvalCISet runs the CI question set (testdata/eval/ci.tsv: a few Go-docs
// questions, one unanswerable) through real research runs, as `starter eval`
// does, and holds the offline engine to the acceptance thresholds of issue 8.
// The full sets run with `task eval`.
func TestEvalCISet(t *testing.T) {
	endToEnd(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs a Go installation for the default corpus")
	}
	set, err := eval.LoadSet("../../testdata/eval/ci.tsv")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r := &runner.Workflows{Runs: shared.Runs, IDPrefix: "eval-ci-"}
	res, err := eval.Run(ctx, set, r, eval.Configuration{Engine: "extractive", Embedder: "hashing"}, eval.Options{KeepReports: true})
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	eval.PrintTable(&table, res)
	t.Log("\n" + table.String())
	tot := res.Totals
	if tot.Errors > 0 {
		t.Errorf("%d questions failed", tot.Errors)
	}
	if tot.NuggetRecall < 0.60 {
		t.Errorf("nugget recall %.3f, want ≥ 0.60", tot.NuggetRecall)
	}
	if tot.CitationPrecision < 0.75 {
		t.Errorf("citation precision %.3f, want ≥ 0.75", tot.CitationPrecision)
	}
	if tot.GoldCitedShare < 0.95 {
		t.Errorf("gold source cited for %.0f%% of answerable questions, want ≥ 95%%", 100*tot.GoldCitedShare)
	}
	if tot.AbstainedShare < 1 {
		t.Errorf("only %.0f%% of unanswerable questions ended with gaps and no findings", 100*tot.AbstainedShare)
	}
	if tot.UncitedSources > 0 {
		t.Errorf("%d listed sources are never cited", tot.UncitedSources)
	}
	if t.Failed() && os.Getenv("RESEARCHFLOW_PRINT_REPORT") != "" {
		for _, q := range set.Questions {
			t.Logf("%s:\n%s", q.ID, res.Reports[q.ID])
		}
	}
}
