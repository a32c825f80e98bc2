// Package runner connects the evaluation harness to real research runs: each
// question starts a ResearchWorkflow through the client the starter uses
// (package client), and its result becomes an eval.Answer.
package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	rf "github.com/researchflow/researchflow"
	rfclient "github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/eval"
	"github.com/researchflow/researchflow/internal/memory"
)

// Runs starts research runs and waits for their results: *client.Client.
type Runs interface {
	Start(ctx context.Context, id string, in rf.ResearchInput) (rfclient.Run, error)
	Result(ctx context.Context, id string) (rf.ResearchResult, error)
}

var _ Runs = (*rfclient.Client)(nil)

// Auditor reads a run's audit: *client.Client. When Runs is one and
// Chunks is set, answers carry their evidence (the passages handed to the
// analyst and writer).
type Auditor interface {
	Audit(ctx context.Context, id string) (rf.Audit, error)
}

// Chunks returns stored chunks by ID: memory.Store.
type Chunks interface {
	Get(ctx context.Context, ids []string) ([]memory.Chunk, error)
}

// Workflows answers questions with research workflows.
type Workflows struct {
	Runs Runs
	// IDPrefix starts every workflow ID; the question ID follows. Use a
	// fresh prefix per run: the same ID twice is one run.
	IDPrefix string
	// Timeout bounds one question (default 5 minutes).
	Timeout time.Duration
	// MaxSources is the passages per sub-question each run asks for (0:
	// the research default).
	MaxSources int
	// Chunks, if set, resolves the audit's passages to their texts.
	Chunks Chunks
	// CorpusRoot holds the folders made for corpus patterns (see
	// eval.CorpusFolder); default a folder under the system's temporary one.
	CorpusRoot string

	ingested map[string]bool // corpus paths already ingested in this run
}

var _ eval.Researcher = (*Workflows)(nil)

// Research runs q as a research run. A question with a CorpusPath ingests
// the folder with its first question; later questions of the same corpus
// name only the corpus. Latency counts from the start to the result, so the
// first question of a folder includes its ingestion.
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
	in := rf.ResearchInput{Question: q.Question, Corpus: q.Corpus, MaxSources: w.MaxSources}
	if q.CorpusPath != "" && !w.ingested[q.CorpusPath] {
		root := w.CorpusRoot
		if root == "" {
			root = filepath.Join(os.TempDir(), "researchflow-eval-corpora")
		}
		dir, err := eval.CorpusFolder(q.CorpusPath, root)
		if err != nil {
			return eval.Answer{}, fmt.Errorf("%s: %w", q.ID, err)
		}
		in.CorpusPath = dir
	}
	start := time.Now()
	run, err := w.Runs.Start(ctx, w.IDPrefix+q.ID, in)
	if err != nil {
		return eval.Answer{}, fmt.Errorf("%s: %w", q.ID, err)
	}
	res, err := w.Runs.Result(ctx, run.ID)
	if err != nil {
		return eval.Answer{}, fmt.Errorf("%s: research %s: %w", q.ID, run.ID, err)
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
	a.Confidence = res.Confidence
	if e, u := res.Estimate, res.Actual; e != nil && u != nil {
		a.Estimate = &eval.EstimateCheck{
			Estimated: eval.Counts{Searches: e.Searches, Passages: e.Passages, ModelCalls: e.ModelCalls, Tokens: e.Usage.Tokens(), Prompt: e.Usage.PromptTokens, CostUSD: e.Usage.CostUSD},
			Actual:    eval.Counts{Searches: u.Searches, Passages: u.Passages, ModelCalls: u.ModelCalls, Tokens: u.Usage.Tokens(), Prompt: u.Usage.PromptTokens, CostUSD: u.Usage.CostUSD},
		}
	}
	if au, ok := w.Runs.(Auditor); ok && w.Chunks != nil {
		ev, sig, err := w.evidence(ctx, au, run.ID)
		if err != nil {
			return eval.Answer{}, fmt.Errorf("%s: evidence of %s: %w", q.ID, run.ID, err)
		}
		a.Evidence, a.Signals = ev, sig
	}
	return a, nil
}

// evidence returns the texts of the passages the run chose for analysis,
// over all its sub-questions (each passage once), and the signals of its
// confidence: how many sub-questions the analyst found evidence for, and
// the score of its best finding.
func (w *Workflows) evidence(ctx context.Context, au Auditor, id string) ([]string, *eval.Signals, error) {
	audit, err := au.Audit(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	sig := &eval.Signals{SubQuestions: len(audit.SubQuestions)}
	support := -1.0
	for _, sq := range audit.SubQuestions {
		if len(sq.Findings) > 0 {
			sig.Answered++
		}
		best := 0.0
		for _, f := range sq.Findings {
			sig.BestScore = max(sig.BestScore, f.Score)
			best = max(best, f.Support)
		}
		if len(sq.Findings) > 0 && (support < 0 || best < support) {
			support = best
		}
	}
	sig.Support = max(support, 0)
	var ids []string
	seen := map[string]bool{}
	for _, sq := range audit.SubQuestions {
		if sq.Retrieval == nil {
			continue
		}
		for _, p := range sq.Retrieval.Passages {
			if !seen[p.ChunkID] {
				seen[p.ChunkID] = true
				ids = append(ids, p.ChunkID)
			}
		}
	}
	out := []string{}
	if len(ids) == 0 {
		return out, sig, nil
	}
	chunks, err := w.Chunks.Get(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range chunks {
		out = append(out, c.Text)
	}
	return out, sig, nil
}
