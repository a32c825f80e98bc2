package chaos

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

// Result is what a chaos run found; it is written as JSON (--out).
type Result struct {
	Variant       string    `json:"variant"` // full or short
	StartedAt     time.Time `json:"startedAt"`
	EndedAt       time.Time `json:"endedAt"`
	ClusterDir    string    `json:"clusterDir"`
	PortBase      int       `json:"portBase"`
	UpSeconds     float64   `json:"upSeconds"`
	WarmUpSeconds float64   `json:"warmUpSeconds"`
	// WarmUpWorkers are the identities of the worker processes that
	// completed the warm-up run's workflow and activity tasks (from its
	// history); the cluster must spread a run over at least MinWorkers.
	WarmUpWorkers []string `json:"warmUpWorkers"`
	RunsWanted    int      `json:"runsWanted"`

	RunsStarted   int `json:"runsStarted"`
	RunsCompleted int `json:"runsCompleted"`
	// RunsLost counts runs that failed, were cancelled or timed out, or had
	// not finished when the wait ended.
	RunsLost int `json:"runsLost"`
	// RunsWithoutKill counts runs during which nothing was killed (the
	// suite then proves nothing about them).
	RunsWithoutKill int `json:"runsWithoutKill"`
	// RunsWithDeadLetters counts completed runs with searches that failed
	// for good (a degraded report, not a lost run).
	RunsWithDeadLetters int `json:"runsWithDeadLetters"`
	// ReportsNotDelivered counts completed runs whose report event the
	// webhook receiver never acknowledged.
	ReportsNotDelivered int `json:"reportsNotDelivered"`

	Kills    []Kill        `json:"kills"`
	Model    ModelCalls    `json:"modelCalls"`
	Webhooks DeliveryStats `json:"webhooks"`
	Runs     []RunRecord   `json:"runs"`

	// Failures lists the checks that failed; empty means the suite passed.
	Failures []string `json:"failures"`
}

// RunRecord is one research run of the suite.
type RunRecord struct {
	ID       string    `json:"id"`
	Question string    `json:"question"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"`
	Seconds  float64   `json:"seconds,omitempty"`
	Status   string    `json:"status"` // completed, failed, cancelled, or running (not finished)
	Failure  string    `json:"failure,omitempty"`
	Engine   string    `json:"engine,omitempty"`
	// KillsSeen are the targets killed while the run was in flight.
	KillsSeen       []string `json:"killsSeen"`
	Deliveries      int      `json:"deliveries"`
	ReportDelivered bool     `json:"reportDelivered"`
	DeadLetters     int      `json:"deadLetters,omitempty"`
}

// Passed reports whether every check passed.
func (r *Result) Passed() bool { return len(r.Failures) == 0 }

func (r *Result) finish(tr *tracker, kills []Kill, calls []llmtest.Request, ds []Delivery) {
	runs := tr.snapshot()
	r.Model = CountCalls(calls)
	r.Webhooks = CountDeliveries(ds)
	r.Kills = kills
	for i := range r.Kills {
		r.Kills[i].RecoverFirstSeconds, r.Kills[i].RecoverAllSeconds = recovery(r.Kills[i].At, runs)
	}
	r.RunsStarted = len(runs)
	var lost []string
	for _, s := range runs {
		rec := RunRecord{ID: s.ID, Question: s.Question, Start: s.Start, End: s.End, Status: s.Status, Failure: s.Failure,
			Engine: s.Engine, DeadLetters: s.DeadLetters, Deliveries: r.Webhooks.PerRun[s.ID], ReportDelivered: r.Webhooks.ReportsAcked[s.ID],
			KillsSeen: []string{}}
		if s.End.IsZero() {
			rec.Status = rf.StatusRunning
		} else {
			rec.Seconds = secs(s.End.Sub(s.Start))
		}
		for _, k := range kills {
			if k.At.After(s.Start) && (s.End.IsZero() || k.At.Before(s.End)) {
				rec.KillsSeen = append(rec.KillsSeen, k.Target)
			}
		}
		switch {
		case rec.Status == rf.StatusCompleted && !s.Report:
			rec.Status, rec.Failure = rf.StatusFailed, "completed without a report"
			fallthrough
		case rec.Status != rf.StatusCompleted:
			r.RunsLost++
			lost = append(lost, fmt.Sprintf("%s (%s%s)", s.ID, rec.Status, prefixed(": ", rec.Failure)))
		default:
			r.RunsCompleted++
			if !rec.ReportDelivered {
				r.ReportsNotDelivered++
			}
			if rec.DeadLetters > 0 {
				r.RunsWithDeadLetters++
			}
		}
		if len(rec.KillsSeen) == 0 {
			r.RunsWithoutKill++
		}
		r.Runs = append(r.Runs, rec)
	}
	if r.RunsLost > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d of %d runs lost: %s", r.RunsLost, r.RunsStarted, strings.Join(lost, "; ")))
	}
	if len(r.WarmUpWorkers) < MinWorkers {
		r.Failures = append(r.Failures, fmt.Sprintf("the warm-up run's tasks were completed by %d worker processes %v, want at least %d: the pools do not run as separate processes", len(r.WarmUpWorkers), r.WarmUpWorkers, MinWorkers))
	}
	if r.RunsStarted < r.RunsWanted {
		r.Failures = append(r.Failures, fmt.Sprintf("only %d of %d runs started", r.RunsStarted, r.RunsWanted))
	}
	if r.Webhooks.Duplicates > 0 {
		var ex []string
		for _, d := range r.Webhooks.Duplicated {
			ex = append(ex, fmt.Sprintf("%s acknowledged at %s%s, delivered again %.2fs later", d.ID, d.FirstAcked.Format("15:04:05.000"),
				killBefore(kills, d.FirstAcked), d.Again.Sub(d.FirstAcked).Seconds()))
		}
		r.Failures = append(r.Failures, fmt.Sprintf("%d duplicate webhook deliveries (IDs already acknowledged): %s",
			r.Webhooks.Duplicates, strings.Join(ex, "; ")))
	}
	if r.Webhooks.BadSignatures > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d webhook deliveries with a signature that does not verify", r.Webhooks.BadSignatures))
	}
	if r.ReportsNotDelivered > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d completed runs whose report the webhook never acknowledged", r.ReportsNotDelivered))
	}
	if r.Model.RePaid > 0 {
		var ex []string
		for _, c := range r.Model.RePaidCalls {
			ex = append(ex, fmt.Sprintf("%s call %s of %s (%q) complete at %s%s, asked again %.2fs later",
				c.Role, c.Hash, runOf(runs, c.Question), c.Question, c.FirstCompleted.Format("15:04:05.000"),
				killBefore(kills, c.FirstCompleted), c.Again.Sub(c.FirstCompleted).Seconds()))
		}
		r.Failures = append(r.Failures, fmt.Sprintf("%d completed model calls paid again: %s", r.Model.RePaid, strings.Join(ex, "; ")))
	}
	if r.RunsWithoutKill > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d runs saw no kill (the schedule did not cover them)", r.RunsWithoutKill))
	}
	for _, k := range kills {
		if k.RunsInFlight == 0 {
			r.Failures = append(r.Failures, fmt.Sprintf("%s %s came after every run had closed (the runs did not outlast the schedule)", k.Action, k.Target))
		}
		if k.Error != "" {
			r.Failures = append(r.Failures, fmt.Sprintf("%s %s failed: %s", k.Action, k.Target, strings.SplitN(k.Error, "\n", 2)[0]))
		}
	}
}

// runOf names the run whose question is q.
func runOf(runs []runState, q string) string {
	for _, s := range runs {
		if s.Question == q {
			return s.ID
		}
	}
	return "no run of the suite"
}

// killBefore says which faults came in the 15 s before t.
func killBefore(kills []Kill, t time.Time) string {
	var near []string
	for _, k := range kills {
		if d := t.Sub(k.At); d >= 0 && d <= 15*time.Second {
			near = append(near, fmt.Sprintf("%.2fs after the %s of %s", d.Seconds(), k.Action, k.Target))
		}
	}
	if len(near) == 0 {
		return ""
	}
	return " (" + strings.Join(near, ", ") + ")"
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// recovery measures, for a kill at at, how long until the first and until
// the last of the runs in flight at that moment made progress: its
// progress Seq grew past what it was at the kill, or it closed. nil when
// no run was in flight or one never progressed.
func recovery(at time.Time, runs []runState) (first, all *float64) {
	var lo, hi time.Duration
	n := 0
	for _, s := range runs {
		if !s.Start.Before(at) || (!s.End.IsZero() && !s.End.After(at)) {
			continue
		}
		var seq int64
		var next time.Time
		for _, o := range s.Obs {
			if !o.At.After(at) {
				seq = o.Seq
				continue
			}
			if o.Seq > seq {
				next = o.At
				break
			}
		}
		if !s.End.IsZero() && (next.IsZero() || s.End.Before(next)) {
			next = s.End
		}
		if next.IsZero() {
			return nil, nil
		}
		d := next.Sub(at)
		if n == 0 || d < lo {
			lo = d
		}
		if n == 0 || d > hi {
			hi = d
		}
		n++
	}
	if n == 0 {
		return nil, nil
	}
	f, a := secs(lo), secs(hi)
	return &f, &a
}

// WriteJSON writes r to path.
func (r *Result) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// WriteTable prints the summary table.
func (r *Result) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Chaos suite (%s)\t\n", r.Variant)
	fmt.Fprintf(tw, "runs completed / started\t%d / %d\n", r.RunsCompleted, r.RunsStarted)
	fmt.Fprintf(tw, "runs lost\t%d\n", r.RunsLost)
	fmt.Fprintf(tw, "runs that saw no kill\t%d\n", r.RunsWithoutKill)
	fmt.Fprintf(tw, "duplicate webhook deliveries\t%d (of %d deliveries, %d distinct IDs)\n", r.Webhooks.Duplicates, r.Webhooks.Total, r.Webhooks.Distinct)
	fmt.Fprintf(tw, "reports not delivered\t%d\n", r.ReportsNotDelivered)
	fmt.Fprintf(tw, "re-paid model calls\t%d\n", r.Model.RePaid)
	fmt.Fprintf(tw, "model calls\t%d (%d completed, %d distinct, %d retried, by role %s)\n", r.Model.Total, r.Model.Completed, r.Model.Distinct, r.Model.Retried, roles(r.Model.ByRole))
	fmt.Fprintf(tw, "kills\t%d\n", len(r.Kills))
	fmt.Fprintf(tw, "cluster up / warm-up\t%.1fs / %.1fs\n", r.UpSeconds, r.WarmUpSeconds)
	fmt.Fprintf(tw, "worker processes in the warm-up run\t%d (%s)\n", len(r.WarmUpWorkers), strings.Join(r.WarmUpWorkers, ", "))
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "target\taction\tat\tdown\truns in flight\tcalls in flight\trecover first\trecover all\tbusy with")
	for _, k := range r.Kills {
		fmt.Fprintf(tw, "%s\t%s\t+%.1fs\t%.1fs\t%d\t%d\t%s\t%s\t%s\n", k.Target, k.Action, k.At.Sub(r.firstRun()).Seconds(), k.Back.Sub(k.At).Seconds(),
			k.RunsInFlight, k.ModelCallsInFlight, optSecs(k.RecoverFirstSeconds, k.RunsInFlight), optSecs(k.RecoverAllSeconds, k.RunsInFlight), orIdle(k.Busy))
	}
	tw.Flush()
	if len(r.Failures) == 0 {
		fmt.Fprintln(w, "\nPASS: no run lost, no delivery duplicated, no completed model call paid again")
		return
	}
	fmt.Fprintln(w, "\nFAIL:")
	for _, f := range r.Failures {
		fmt.Fprintln(w, "  - "+f)
	}
}

func (r *Result) firstRun() time.Time {
	var t time.Time
	for _, x := range r.Runs {
		if t.IsZero() || x.Start.Before(t) {
			t = x.Start
		}
	}
	return t
}

func optSecs(v *float64, inFlight int) string {
	if inFlight == 0 {
		return "-"
	}
	if v == nil {
		return "never"
	}
	return fmt.Sprintf("%.1fs", *v)
}

func roles(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
