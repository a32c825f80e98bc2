// Package runner connects the evaluation harness to real research runs: each
// question starts a ResearchWorkflow through the same start function the
// starter uses, and its result becomes an eval.Answer.
package runner

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/researchflow/researchflow/internal/eval"
	"github.com/researchflow/researchflow/workflows"
)

// StartFunc starts (or attaches to) a research run with workflow ID id:
// stack.StartResearch bound to a client.
type StartFunc func(ctx context.Context, id string, in workflows.ResearchInput) (client.WorkflowRun, error)

// Workflows answers questions with research workflows.
type Workflows struct {
	Start StartFunc
	// IDPrefix starts every workflow ID; the question ID follows. Use a
	// fresh prefix per run: the same ID twice is one run.
	IDPrefix string
	// Timeout bounds one question (default 5 minutes).
	Timeout time.Duration

	ingested map[string]bool // corpus paths already ingested in this run
}

var _ eval.Researcher = (*Workflows)(nil)

// Research runs q as a research run. A question with a CorpusPath ingests
// the folder with its first question; later questions of the same corpus
// name only the corpus.
func (w *Workflows) Research(ctx context.Context, q eval.Question) (eval.Answer, error) {
	if w.ingested == nil {
		w.ingested = map[string]bool{}
	}
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	in := workflows.ResearchInput{Question: q.Question, Corpus: q.Corpus}
	if q.CorpusPath != "" && !w.ingested[q.CorpusPath] {
		in.CorpusPath = q.CorpusPath
	}
	start := time.Now()
	run, err := w.Start(ctx, w.IDPrefix+q.ID, in)
	if err != nil {
		return eval.Answer{}, fmt.Errorf("%s: %w", q.ID, err)
	}
	var res workflows.ResearchResult
	if err := run.Get(ctx, &res); err != nil {
		return eval.Answer{}, fmt.Errorf("%s: research %s: %w", q.ID, run.GetID(), err)
	}
	if in.CorpusPath != "" {
		w.ingested[q.CorpusPath] = true
	}
	a := eval.Answer{
		Report: res.Report, Gaps: len(res.Gaps), Engine: res.Engine, Latency: time.Since(start),
		PromptTokens: res.Usage.PromptTokens, CompletionTokens: res.Usage.CompletionTokens, CostUSD: res.Usage.CostUSD,
	}
	for _, s := range res.Sources {
		a.Sources = append(a.Sources, eval.Source{N: s.N, Title: s.Title, Location: s.Location})
	}
	return a, nil
}
