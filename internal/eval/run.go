package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Researcher answers one question. The harness does not care how: the
// starter's researcher runs a real research workflow.
type Researcher interface {
	Research(ctx context.Context, q Question) (Answer, error)
}

// Configuration records what produced a run, so that two runs can be
// compared knowingly.
type Configuration struct {
	Engine string `json:"engine"`
	// Models and PromptVersions are "role=value" entries, sorted.
	Models         []string `json:"models,omitempty"`
	PromptVersions []string `json:"promptVersions,omitempty"`
	Embedder       string   `json:"embedder"`
	// Revision is the source revision when known (git describe).
	Revision string `json:"revision,omitempty"`
	// MaxSources is the passages per sub-question the runs asked for (0:
	// the research default).
	MaxSources int `json:"maxSources,omitempty"`
}

// Results is what a run writes.
type Results struct {
	Set           string        `json:"set"`
	StartedAt     time.Time     `json:"startedAt"`
	Configuration Configuration `json:"configuration"`
	Totals        Totals        `json:"totals"`
	// Halves are the totals of the tune and test halves (see Half), for
	// the halves that have questions in this run.
	Halves map[string]Totals `json:"halves,omitempty"`
	// GeneralizationGap is tune nugget recall minus test nugget recall,
	// when the run has both halves.
	GeneralizationGap *float64 `json:"generalizationGap,omitempty"`
	Questions         []Score  `json:"questions"`
	// Reports keeps each report's Markdown by question ID, to read why a
	// question failed.
	Reports map[string]string `json:"reports,omitempty"`
}

// Options tune Run.
type Options struct {
	// Progress, if set, gets a line per question.
	Progress io.Writer
	// KeepReports stores the reports in Results.
	KeepReports bool
}

// Run asks every question of set, in order, and scores the answers. A
// question whose research fails is scored with its error (zero recall) and
// the run goes on; Run fails only when ctx ends.
func Run(ctx context.Context, set Set, r Researcher, cfg Configuration, opts Options) (Results, error) {
	res := Results{Set: set.Name, StartedAt: time.Now().UTC(), Configuration: cfg}
	if opts.KeepReports {
		res.Reports = map[string]string{}
	}
	for i, q := range set.Questions {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("eval %s stopped at %s: %w", set.Name, q.ID, err)
		}
		a, err := r.Research(ctx, q)
		var s Score
		if err != nil {
			if ctx.Err() != nil {
				return res, fmt.Errorf("eval %s stopped at %s: %w", set.Name, q.ID, ctx.Err())
			}
			s = Score{ID: q.ID, Answerable: q.Answerable, Error: err.Error(), Missed: q.Nuggets, EvidenceRecall: -1}
		} else {
			s = ScoreAnswer(q, a)
			if opts.KeepReports {
				res.Reports[q.ID] = a.Report
			}
		}
		res.Questions = append(res.Questions, s)
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "[%d/%d] %s recall=%.2f evidence=%.2f gold=%v precision=%d/%d words=%d %dms %s\n",
				i+1, len(set.Questions), q.ID, s.NuggetRecall, s.EvidenceRecall, s.GoldCited, s.GoldCitations, s.Citations, s.Words, s.LatencyMS, s.Error)
		}
	}
	res.Totals = Total(res.Questions)
	res.Halves, res.GeneralizationGap = halves(res.Questions)
	return res, nil
}

// halves totals the tune and test halves of scores and, when both are
// there, the generalization gap (tune recall − test recall).
func halves(scores []Score) (map[string]Totals, *float64) {
	by := map[string][]Score{}
	for _, s := range scores {
		by[Half(s.ID)] = append(by[Half(s.ID)], s)
	}
	out := map[string]Totals{}
	for h, ss := range by {
		out[h] = Total(ss)
	}
	tune, okTune := out[HalfTune]
	test, okTest := out[HalfTest]
	if !okTune || !okTest || tune.Answerable == 0 || test.Answerable == 0 {
		return out, nil
	}
	gap := tune.NuggetRecall - test.NuggetRecall
	return out, &gap
}

// WriteJSON writes results to path, indented.
func WriteJSON(path string, res Results) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// ReadJSON reads results written by WriteJSON.
func ReadJSON(path string) (Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Results{}, fmt.Errorf("read results: %w", err)
	}
	var res Results
	if err := json.Unmarshal(data, &res); err != nil {
		return Results{}, fmt.Errorf("results %s: %w", path, err)
	}
	return res, nil
}

// PrintTable prints one line per question and the totals.
func PrintTable(w io.Writer, res Results) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "id\thalf\trecall\tevidence\tgold\tprecision\tsources\tuncited\twords\tgaps\tconfidence\tms\tpass\t")
	for _, s := range res.Questions {
		recall, gold, prec := fmt.Sprintf("%.2f", s.NuggetRecall), yesNo(s.GoldCited), fmt.Sprintf("%d/%d", s.GoldCitations, s.Citations)
		evidence := fmt.Sprintf("%.2f", s.EvidenceRecall)
		if s.EvidenceRecall < 0 {
			evidence = "?"
		}
		if !s.Answerable {
			recall, gold, prec, evidence = "-", "-", "-", "-"
		}
		conf := s.Confidence
		if conf == "" {
			conf = "-"
		}
		pass := yesNo(s.Pass)
		if s.Error != "" {
			pass = "error"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%d\t%s\t\n", s.ID, Half(s.ID), recall, evidence, gold, prec, s.Sources, s.Uncited, s.Words, s.Gaps, conf, s.LatencyMS, pass)
	}
	tw.Flush()
	fmt.Fprintln(w)
	printTotals(w, res)
	printCalibration(w, res)
}

func printTotals(w io.Writer, res Results) {
	t := res.Totals
	c := res.Configuration
	fmt.Fprintf(w, "set %s · engine %s · embedder %s", res.Set, c.Engine, c.Embedder)
	if len(c.Models) > 0 {
		fmt.Fprintf(w, " · models %s", strings.Join(c.Models, ", "))
	}
	fmt.Fprintln(w)
	for _, row := range totalRows(t) {
		fmt.Fprintf(w, "  %-24s %s\n", row.name, row.format(row.value))
	}
	if len(res.Halves) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "half\t")
	names := []string{HalfTune, HalfTest}
	for _, h := range names {
		if _, ok := res.Halves[h]; ok {
			fmt.Fprintf(tw, "%s\t", h)
		}
	}
	fmt.Fprintln(tw)
	for i, row := range totalRows(t) {
		if !row.half {
			continue
		}
		fmt.Fprintf(tw, "%s\t", row.name)
		for _, h := range names {
			if ht, ok := res.Halves[h]; ok {
				r := totalRows(ht)[i]
				fmt.Fprintf(tw, "%s\t", r.format(r.value))
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if res.GeneralizationGap != nil {
		fmt.Fprintf(w, "  generalization gap (tune recall − test recall) %+.3f\n", *res.GeneralizationGap)
	}
}

// confidenceLevels are the confidences a report states, most sure first
// (internal/report's ConfidenceHigh, ConfidenceMedium, ConfidenceLow).
var confidenceLevels = []string{"high", "medium", "low"}

// printCalibration prints, for each stated confidence, how many reports
// stated it and the share of them that were right, overall and per half:
// a calibrated confidence is right more often the surer it says it is.
func printCalibration(w io.Writer, res Results) {
	if res.Totals.Calibration == (Calibration{}) {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	cols := []Totals{res.Totals}
	fmt.Fprint(tw, "confidence (reports, right)\tall\t")
	for _, h := range []string{HalfTune, HalfTest} {
		if ht, ok := res.Halves[h]; ok {
			cols = append(cols, ht)
			fmt.Fprintf(tw, "%s\t", h)
		}
	}
	fmt.Fprintln(tw)
	for _, level := range confidenceLevels {
		if res.Totals.Calibration.Level(level).Reports == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t", level)
		for _, t := range cols {
			c := t.Calibration.Level(level)
			if c.Reports == 0 {
				fmt.Fprint(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%d, %.0f%%\t", c.Reports, 100*c.RightShare())
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w, "  right: cites a gold source and states half the nuggets, or abstains when there is nothing to find")
}

type totalRow struct {
	name   string
	value  float64
	format func(float64) string
	// higher says whether a higher value is better (for compare).
	higher bool
	// half: the row is printed per half too.
	half bool
}

func totalRows(t Totals) []totalRow {
	pct := func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }
	f2 := func(v float64) string { return fmt.Sprintf("%.3f", v) }
	n := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	f1 := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	usd := func(v float64) string { return fmt.Sprintf("$%.4f", v) }
	ev := func(v float64) string {
		if v < 0 {
			return "unknown"
		}
		return f2(v)
	}
	return append([]totalRow{
		{"questions", float64(t.Questions), n, true, true},
		{"passed", float64(t.Passed), n, true, true},
		{"errors", float64(t.Errors), n, false, false},
		{"nugget recall", t.NuggetRecall, f2, true, true},
		{"evidence recall", t.EvidenceRecall, ev, true, true},
		{"citation precision", t.CitationPrecision, f2, true, true},
		{"gold source cited", t.GoldCitedShare, pct, true, true},
		{"confident off-topic", t.ConfidentOffTopicShare, pct, false, true},
		{"off-topic (any conf.)", t.OffTopicShare, pct, false, true},
		{"unanswerable abstained", t.AbstainedShare, pct, true, true},
		{"sources per report", t.MeanSources, f1, false, false},
		{"uncited sources", float64(t.UncitedSources), n, false, false},
		{"median words", t.MedianWords, n, false, true},
		{"median latency ms", float64(t.MedianLatencyMS), n, false, false},
		{"tokens", float64(t.PromptTokens + t.CompletionTokens), n, false, false},
		{"cost", t.CostUSD, usd, false, false},
	}, estimateRows(t.EstimateError)...)
}

// Compare prints the totals of a and b side by side with the change, then
// the questions whose recall, gold citation or pass changed.
func Compare(w io.Writer, a, b Results) {
	fmt.Fprintf(w, "A: set %s · %s · engine %s · embedder %s\n", a.Set, a.StartedAt.Format(time.RFC3339), a.Configuration.Engine, a.Configuration.Embedder)
	fmt.Fprintf(w, "B: set %s · %s · engine %s · embedder %s\n\n", b.Set, b.StartedAt.Format(time.RFC3339), b.Configuration.Engine, b.Configuration.Embedder)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tA\tB\tchange\t")
	ra, rb := totalRows(a.Totals), totalRows(b.Totals)
	for i := range ra {
		d := rb[i].value - ra[i].value
		if math.IsNaN(d) { // not measured in A or B
			fmt.Fprintf(tw, "%s\t%s\t%s\tn/a\t\n", ra[i].name, ra[i].format(ra[i].value), rb[i].format(rb[i].value))
			continue
		}
		mark := ""
		switch {
		case d > 1e-9 && ra[i].higher, d < -1e-9 && !ra[i].higher:
			mark = " better"
		case d > 1e-9, d < -1e-9:
			mark = " worse"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%+.3f%s\t\n", ra[i].name, ra[i].format(ra[i].value), rb[i].format(rb[i].value), d, mark)
	}
	tw.Flush()

	byID := map[string]Score{}
	for _, s := range a.Questions {
		byID[s.ID] = s
	}
	var lines []string
	for _, sb := range b.Questions {
		sa, ok := byID[sb.ID]
		if !ok {
			lines = append(lines, fmt.Sprintf("  %s: only in B", sb.ID))
			continue
		}
		if sa.NuggetRecall != sb.NuggetRecall || sa.GoldCited != sb.GoldCited || sa.Pass != sb.Pass {
			lines = append(lines, fmt.Sprintf("  %s: recall %.2f → %.2f, gold %s → %s, pass %s → %s",
				sb.ID, sa.NuggetRecall, sb.NuggetRecall, yesNo(sa.GoldCited), yesNo(sb.GoldCited), yesNo(sa.Pass), yesNo(sb.Pass)))
		}
	}
	sort.Strings(lines)
	if len(lines) > 0 {
		fmt.Fprintln(w, "\nchanged questions:")
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
