package chaos

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	sdkclient "go.temporal.io/sdk/client"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
)

// Options configure a chaos run.
type Options struct {
	// Runs is how many research runs are in flight during the kills
	// (default 20; 4 with Short).
	Runs int
	// Short is the CI variant: a few runs, one kill per pool, one Temporal
	// server kill, one PostgreSQL restart, shorter pauses.
	Short bool
	// RepoRoot is the repository whose deploy/local/cluster.sh runs.
	RepoRoot string
	// ClusterDir is the cluster's state directory. Empty: a fresh private
	// directory, removed at the end (cluster.sh down --purge) unless Keep.
	ClusterDir string
	// PortBase is RESEARCHFLOW_CLUSTER_PORT_BASE (0: the first free of
	// 17400, 17500, …).
	PortBase int
	// Keep leaves the cluster running at the end.
	Keep bool
	// Wait bounds the wait for the runs, from their start (default 15 min;
	// 6 min with Short).
	Wait time.Duration
	// Log receives progress lines (default: discarded).
	Log io.Writer
}

func (o Options) withDefaults() Options {
	if o.Runs <= 0 {
		o.Runs = 20
		if o.Short {
			o.Runs = 4
		}
	}
	if o.Wait <= 0 {
		o.Wait = 15 * time.Minute
		if o.Short {
			o.Wait = 6 * time.Minute
		}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o
}

// schedule is the pacing of the kills.
type schedule struct {
	pause   time.Duration // between a kill and the start again
	gap     time.Duration // between a start and the next kill
	busyFor time.Duration // longest wait for a busy component
}

func (o Options) schedule() schedule {
	if o.Short {
		return schedule{pause: 2 * time.Second, gap: 2 * time.Second, busyFor: 10 * time.Second}
	}
	return schedule{pause: 2 * time.Second, gap: 3 * time.Second, busyFor: 10 * time.Second}
}

// modelOptions: the planner asks four sub-questions and the first two
// reflections two follow-ups each, so that a run makes about twelve model
// calls, seven of them one after the other. Answers stream over 0.5–1.5 s
// (2–4 s in the short variant, whose few runs must still outlast the kill
// schedule), so that kills land mid-call and runs stay in flight through
// the schedule.
func (o Options) modelOptions() ModelOptions {
	m := ModelOptions{SubQuestions: 4, FollowUps: 2, Rounds: depth, MinDelay: 500 * time.Millisecond, MaxDelay: 1500 * time.Millisecond}
	if o.Short {
		m.MinDelay, m.MaxDelay = 2*time.Second, 4*time.Second
	}
	return m
}

// depth is the runs' number of reflection rounds (ResearchInput.Depth).
const depth = 2

// webhookDelay is how long the receiver takes to answer a delivery.
const webhookDelay = 150 * time.Millisecond

// inferenceConcurrency is RESEARCHFLOW_INFERENCE_CONCURRENCY of the
// cluster's inference workers: a small pool, like a GPU pool, so that
// model calls queue and runs overlap.
func (o Options) inferenceConcurrency() int {
	if o.Short {
		return 1
	}
	return 2
}

// Run starts the cluster, runs the research runs through the kills, and
// returns the result. An error means the suite could not run (the cluster
// did not start, the warm-up run failed); the checks' verdict is
// Result.Failures.
func Run(ctx context.Context, o Options) (res *Result, err error) {
	o = o.withDefaults()
	logf := func(format string, args ...any) {
		fmt.Fprintf(o.Log, "%s chaos: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	res = &Result{Variant: "full", RunsWanted: o.Runs, StartedAt: time.Now(), Failures: []string{}}
	if o.Short {
		res.Variant = "short"
	}

	model := StartModelServer(o.modelOptions())
	defer model.Close()
	recv, err := StartReceiver(webhookDelay)
	if err != nil {
		return nil, fmt.Errorf("webhook receiver: %w", err)
	}
	defer recv.Close()

	set := scriptedEnv(model, recv)
	set["RESEARCHFLOW_INFERENCE_CONCURRENCY"] = strconv.Itoa(o.inferenceConcurrency())
	lc, err := newLocalCluster(o, set)
	if err != nil {
		return nil, err
	}
	defer lc.log.Close()
	res.ClusterDir, res.PortBase = lc.dir, lc.base

	logf("cluster up in %s, ports from %d (the first up builds the binaries)", lc.dir, lc.base)
	t0 := time.Now()
	err = lc.up(ctx)
	res.UpSeconds = secs(time.Since(t0))
	defer func() {
		if o.Keep {
			logf("cluster kept: RESEARCHFLOW_CLUSTER_DIR=%s RESEARCHFLOW_CLUSTER_PORT_BASE=%d %s env", lc.dir, lc.base, ClusterScript)
			return
		}
		if derr := lc.down(); derr != nil {
			logf("cluster down: %v", derr)
			if err == nil {
				err = derr
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	tc, ns, err := lc.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer tc.Close()
	runs := client.New(tc, ns)
	stamp := time.Now().Format("20060102-150405")

	// A warm-up run fills the go-docs corpus and proves the cluster works
	// before anything is killed; its calls count like the others.
	logf("warm-up run (ingests the go-docs corpus)")
	t0 = time.Now()
	if err := warmUp(ctx, runs, "chaos-"+stamp+"-warmup"); err != nil {
		return nil, fmt.Errorf("warm-up run: %w (logs: %s/logs)", err, lc.dir)
	}
	res.WarmUpSeconds = secs(time.Since(t0))
	if res.WarmUpWorkers, err = workerIdentities(ctx, tc, "chaos-"+stamp+"-warmup"); err != nil {
		return nil, fmt.Errorf("warm-up run's history: %w", err)
	}

	tr := newTracker(runs)
	runCtx, stopTracking := context.WithCancel(ctx)
	defer stopTracking()
	for i := range o.Runs {
		id := fmt.Sprintf("chaos-%s-%02d", stamp, i+1)
		q := question(i)
		d := depth
		if _, err := runs.Start(ctx, id, rf.ResearchInput{Question: q, Corpus: "go-docs", MaxSubQuestions: 4, Depth: &d}); err != nil {
			return nil, fmt.Errorf("start run %d: %w", i+1, err)
		}
		tr.add(runCtx, id, q, time.Now())
	}
	logf("%d runs started", o.Runs)

	k := &killer{cl: lc.Cluster, tr: tr, model: model, recv: recv, sched: o.schedule(), logf: logf}
	k.runAll(ctx)
	logf("kill schedule done: %d kills; waiting for the runs (at most %s from their start)", len(k.kills), o.Wait)

	wctx, cancel := context.WithDeadline(ctx, tr.firstStart().Add(o.Wait))
	tr.wait(wctx)
	cancel()
	// Reports are delivered off the run's critical path (by each run's
	// ResearchDelivery workflow), so a run can complete before its report
	// reaches the webhook, the more so after a kill of the notify pool.
	// Wait for the reports too, within the same bound plus the delivery
	// activity's start-to-close timeout that a killed delivery waits out.
	dctx, cancel := context.WithDeadline(ctx, tr.firstStart().Add(o.Wait+deliverySlack))
	waitForReports(dctx, tr, recv)
	cancel()
	// Late deliveries and calls (retries of events) still count.
	time.Sleep(3 * time.Second)
	stopTracking()
	tr.stop()
	tr.fetchResults(ctx)

	res.finish(tr, k.kills, model.Requests(), recv.Deliveries())
	res.EndedAt = time.Now()
	printExcerpt(o.Log, filepath.Join(lc.dir, "logs"), res.Model.RePaidCalls, tr.snapshot())
	return res, nil
}

func secs(d time.Duration) float64 {
	return float64(d.Round(10*time.Millisecond)) / float64(time.Second)
}

// warmUp runs one research run to its end.
// MinWorkers is how many worker processes must have completed tasks of one
// run (issue 13: "activities completed by at least three different worker
// processes").
const MinWorkers = 3

// workerIdentities returns the distinct identities of the workers that
// completed workflow tasks or activities of run id, sorted.
func workerIdentities(ctx context.Context, tc sdkclient.Client, id string) ([]string, error) {
	seen := map[string]bool{}
	it := tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil && a.GetIdentity() != "" {
			seen[a.GetIdentity()] = true
		}
		if a := ev.GetWorkflowTaskCompletedEventAttributes(); a != nil && a.GetIdentity() != "" {
			seen[a.GetIdentity()] = true
		}
	}
	ids := make([]string, 0, len(seen))
	for k := range seen {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	return ids, nil
}

func warmUp(ctx context.Context, runs *client.Client, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if _, err := runs.Start(ctx, id, rf.ResearchInput{Question: "How does the Go scheduler use goroutines? (warm-up)", Corpus: "go-docs", MaxSubQuestions: 1}); err != nil {
		return err
	}
	return waitCompleted(ctx, runs, id)
}

// waitCompleted returns nil when run id has completed, an error when it
// closed otherwise or ctx ended first.
func waitCompleted(ctx context.Context, runs *client.Client, id string) error {
	for {
		info, err := runs.Describe(ctx, id)
		if err == nil && info.Closed {
			if info.Status != rf.StatusCompleted {
				_, rerr := runs.Result(ctx, id)
				return fmt.Errorf("run %s %s: %s", id, info.Status, client.FailureMessage(rerr))
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("run %s did not finish: %w", id, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

var topics = []string{
	"What does the Go memory model guarantee about channel communication?",
	"How do goroutines and the Go scheduler interact?",
	"How does select choose among ready channel operations?",
	"What does the sync.Mutex documentation guarantee?",
	"How are Go modules versioned and selected?",
	"How does the Go garbage collector decide when to run?",
	"What does context cancellation propagate to?",
	"How do Go interfaces get satisfied implicitly?",
	"How does defer interact with panics and recover?",
	"What does the race detector report and how is it enabled?",
}

// question is the distinct question of run i.
func question(i int) string {
	return fmt.Sprintf("%s (chaos run %d)", topics[i%len(topics)], i+1)
}

// deliverySlack is how long past Options.Wait the suite waits for the
// reports of completed runs to be acknowledged: a delivery cut off by a
// kill is retried once its activity's start-to-close timeout (a minute)
// has passed.
const deliverySlack = 90 * time.Second

// waitForReports returns when the webhook receiver has acknowledged the
// report of every run that completed, or ctx is done.
func waitForReports(ctx context.Context, tr *tracker, recv *Receiver) {
	for {
		acked := CountDeliveries(recv.Deliveries()).ReportsAcked
		missing := 0
		for _, s := range tr.snapshot() {
			if s.Status == rf.StatusCompleted && !acked[s.ID] {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pollEvery):
		}
	}
}

// scriptedEnv is the cluster's settings that point its model at the scripted
// model server and its webhook at the receiver.
func scriptedEnv(model *ModelServer, recv *Receiver) map[string]string {
	return map[string]string{
		"RESEARCHFLOW_LLM_PROVIDER":   "openai",
		"RESEARCHFLOW_LLM_BASE_URL":   model.OpenAIURL(),
		"RESEARCHFLOW_LLM_API_KEY":    "chaos-key",
		"RESEARCHFLOW_LLM_MODEL":      "chaos-scripted",
		"RESEARCHFLOW_WEBHOOK_URL":    recv.URL,
		"RESEARCHFLOW_WEBHOOK_SECRET": recv.Secret,
	}
}
