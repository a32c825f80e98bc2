package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/researchflow/researchflow/client"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/report"
)

// quietLogger logs warnings and errors only: the starter's stderr belongs to
// the progress display.
func quietLogger(w io.Writer, cfg config.Config) *slog.Logger {
	level := slog.LevelWarn
	if cfg.LogLevel < slog.LevelInfo {
		level = cfg.LogLevel
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// progressView draws progress: a redrawn bar on a terminal, one line per
// change otherwise (logs, CI).
type progressView struct {
	w    io.Writer
	tty  bool
	last string
}

func newProgressView(w io.Writer) *progressView {
	v := &progressView{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb" {
			v.tty = true
		}
	}
	return v
}

// stageSpan is the share of the bar each stage covers, in order.
var stageSpan = []struct {
	stage    string
	from, to float64
}{
	{rf.StageCorpus, 0, 0.10},
	{rf.StagePlan, 0.10, 0.20},
	{rf.StageApproval, 0.20, 0.20},
	{rf.StageSearch, 0.20, 0.50},
	{rf.StageAnalyze, 0.50, 0.80},
	{rf.StageReflect, 0.80, 0.85},
	{rf.StageSynthesize, 0.85, 0.95},
	{rf.StageNotify, 0.95, 1},
	{rf.StageDone, 1, 1},
}

func fraction(p rf.Progress) (float64, string) {
	done, total := 0, len(p.SubQuestions)
	for _, sq := range p.SubQuestions {
		switch {
		case p.Stage == rf.StageSearch && sq.State != rf.SQPending && sq.State != rf.SQSearching:
			done++
		case p.Stage == rf.StageAnalyze && (sq.State == rf.SQDone || sq.State == rf.SQFailed):
			done++
		}
	}
	for _, s := range stageSpan {
		if s.stage != p.Stage {
			continue
		}
		f := s.from
		detail := ""
		if (p.Stage == rf.StageSearch || p.Stage == rf.StageAnalyze) && total > 0 {
			f += (s.to - s.from) * float64(done) / float64(total)
			detail = fmt.Sprintf(" %d/%d sub-questions", done, total)
		}
		return f, detail
	}
	return 0, ""
}

func (v *progressView) show(p rf.Progress) {
	f, detail := fraction(p)
	// What was read, not what the report cites: a report lists only the
	// sources its findings come from ("7 sources" beside a report of one
	// source read as a miscount).
	line := fmt.Sprintf("%-10s%s · read %s from %s", p.Stage, detail, report.Count(p.Passages, "passage", ""), report.Count(p.Sources, "source", ""))
	if p.Round > 0 {
		line += fmt.Sprintf(" · round %d", p.Round+1)
	}
	if t := p.Usage.PromptTokens + p.Usage.CompletionTokens; t > 0 {
		line += " · " + report.Count(t, "token", "")
	}
	switch p.Status {
	case rf.StatusAwaitingApproval:
		line = "waiting for plan approval (approve it over the HTTP API or with `temporal workflow update`)"
	case rf.StatusAwaitingBudget:
		if p.BudgetPause != nil {
			line = pauseLine(p.ResearchID, p)
		}
	}
	v.draw(f, line)
}

// draw shows a bar at fraction f (0–1) with text on a terminal, or text as
// a new line when it changed.
func (v *progressView) draw(f float64, text string) {
	if v.tty {
		const width = 24
		n := max(0, min(int(f*width), width))
		fmt.Fprintf(v.w, "\r\033[K[%s%s] %3.0f%% %s", strings.Repeat("#", n), strings.Repeat("-", width-n), f*100, text)
		return
	}
	if text != v.last {
		fmt.Fprintf(v.w, "progress: %s\n", text)
		v.last = text
	}
}

func (v *progressView) showPlan(p rf.Progress) {
	v.end()
	fmt.Fprintln(v.w, "plan:")
	for _, sq := range p.SubQuestions {
		fmt.Fprintf(v.w, "  %s %s\n", sq.ID, sq.Text)
	}
}

func (v *progressView) end() {
	if v.tty {
		fmt.Fprint(v.w, "\r\033[K")
	}
}

// watchResearch shows a research run's progress until it ends, and
// returns its outcome.
func watchResearch(ctx context.Context, runs *client.Client, id string, v *progressView) (client.Outcome, error) {
	defer v.end()
	planShown, estimateShown, ingestShown := false, false, false
	return runs.Watch(ctx, id, client.WatchOptions{Poll: 250 * time.Millisecond}, func(p rf.Progress) error {
		if !ingestShown && p.Ingest != nil {
			// What a run of a folder read of it, and what it left out.
			v.end()
			in, corpus := p.Ingest, p.Corpus
			if _, name, ok := strings.Cut(corpus, rf.ScopeSeparator); ok {
				corpus = name // an API key owner's corpus, as its owner names it
			}
			dropped := ""
			if in.Removed > 0 {
				// Notes deleted or renamed since the folder was read.
				dropped = ", " + report.Count(in.Removed, "chunk", "") + " of files no longer there dropped"
			}
			fmt.Fprintf(v.w, "corpus %s: %s; %s written%s\n", corpus, fileCounts(in.Files, in.Unchanged, in.SkippedCount()), report.Count(in.Chunks, "chunk", ""), dropped)
			printSkipped(v.w, in.Skipped, in.SkippedCount())
			ingestShown = true
		}
		if !planShown && len(p.SubQuestions) > 0 {
			v.showPlan(p)
			planShown = true
		}
		if !estimateShown && p.Estimate != nil {
			v.end()
			for _, l := range estimateLines(p.Estimate) {
				fmt.Fprintln(v.w, l)
			}
			estimateShown = true
		}
		v.show(p)
		return nil
	})
}

// watchIngest shows an ingestion's progress until ctx ends.
func watchIngest(ctx context.Context, runs *client.Client, id string, v *progressView) {
	defer v.end()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		if p, err := runs.IngestProgress(ctx, id); err == nil {
			f := 0.0
			if p.Total > 0 {
				// Files already include the unreadable files; Skipped also
				// lists files outside Total (too large, links).
				f = min(float64(p.Files)/float64(p.Total), 1)
			}
			v.draw(f, fmt.Sprintf("%s · %s · %d skipped", report.Count(p.Files, "file", ""), report.Count(p.Chunks, "chunk", ""), p.SkippedCount()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
