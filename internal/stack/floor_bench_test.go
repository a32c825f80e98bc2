package stack

import (
	"context"
	"fmt"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/pools"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Task queues of the skeleton, one per pool as in a research run.
const (
	floorWorkflowQueue  = "floor-workflow"
	floorSearchQueue    = "floor-search"
	floorInferenceQueue = "floor-inference"
	floorNotifyQueue    = "floor-notify"
)

// floorNoop is the activity of every stage of the skeleton.
func floorNoop(context.Context) error { return nil }

func floorOptions(queue string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue: queue, StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1},
	}
}

// floorSkeleton has the shape of a research run with no work in it:
// prepare, plan, 4 searches at once, 4 analyses at once, reflect,
// synthesize, deliver.
// Its activities go to the skeleton's queues with suffix appended (one set
// of workers per suffix).
func floorSkeleton(ctx workflow.Context, suffix string) error {
	step := func(queue string) error {
		return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, floorOptions(queue+suffix)), "floorNoop").Get(ctx, nil)
	}
	fan := func(queue string) error {
		var fs []workflow.Future
		for range 4 {
			fs = append(fs, workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, floorOptions(queue+suffix)), "floorNoop"))
		}
		for _, f := range fs {
			if err := f.Get(ctx, nil); err != nil {
				return err
			}
		}
		return nil
	}
	for _, s := range []func() error{
		func() error { return step(floorSearchQueue) },    // prepare the corpus
		func() error { return step(floorInferenceQueue) }, // plan
		func() error { return fan(floorSearchQueue) },     // searches
		func() error { return fan(floorInferenceQueue) },  // analyses
		func() error { return step(floorInferenceQueue) }, // reflect
		func() error { return step(floorInferenceQueue) }, // synthesize
		func() error { return step(floorNotifyQueue) },    // deliver
	} {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// floorChain runs n no-op activities one after another.
func floorChain(ctx workflow.Context, n int) error {
	for range n {
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, floorOptions(floorInferenceQueue)), "floorNoop").Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// startFloorWorkers starts the skeleton's workers (on its queues with
// suffix appended) with the SDK's default options plus the given
// interceptors; the returned func stops them.
func startFloorWorkers(b *testing.B, c client.Client, suffix string, ics []interceptor.WorkerInterceptor) func() {
	var ws []worker.Worker
	for _, q := range []string{floorWorkflowQueue, floorSearchQueue, floorInferenceQueue, floorNotifyQueue} {
		w := worker.New(c, q+suffix, worker.Options{Interceptors: ics})
		if q == floorWorkflowQueue {
			w.RegisterWorkflowWithOptions(floorSkeleton, workflow.RegisterOptions{Name: "floorSkeleton"})
			w.RegisterWorkflowWithOptions(floorChain, workflow.RegisterOptions{Name: "floorChain"})
		} else {
			w.RegisterActivityWithOptions(floorNoop, activity.RegisterOptions{Name: "floorNoop"})
		}
		if err := w.Start(); err != nil {
			b.Fatal(err)
		}
		ws = append(ws, w)
	}
	return func() {
		for _, w := range ws {
			w.Stop()
		}
	}
}

// floorRuns runs the workflow b.N times one after another on c's server
// and reports the median, 90th and 99th percentile and the slowest run.
func floorRuns(b *testing.B, c client.Client, queue, wf string, args ...any) {
	ctx := context.Background()
	var lat []time.Duration
	i := 0
	cpu0 := processCPU()
	for b.Loop() {
		i++
		lat = append(lat, floorRun(ctx, b, c, i, queue, wf, args...))
	}
	cpu := processCPU() - cpu0
	slices.Sort(lat)
	// The process holds the server, the workers and the client: its CPU
	// time a run is what the run costs the machine, less noisy than the
	// latency on a shared machine.
	b.ReportMetric(ms(cpu)/float64(len(lat)), "cpu-ms/run")
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*9/10]), "p90-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// floorRun runs the workflow once and returns how long the client waited
// for its result (start to result).
func floorRun(ctx context.Context, b *testing.B, c client.Client, i int, queue, wf string, args ...any) time.Duration {
	t0 := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: fmt.Sprintf("floor-%s-%d-%d", wf, time.Now().UnixNano(), i), TaskQueue: queue,
	}, wf, args...)
	if err == nil {
		err = run.Get(ctx, nil)
	}
	if err != nil {
		b.Fatal(err)
	}
	d := time.Since(t0)
	if d > 2*time.Second {
		desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
		if err == nil {
			info := desc.GetWorkflowExecutionInfo()
			b.Logf("slow run %s: client %v, server start→close %v", run.GetID(), d, info.GetCloseTime().AsTime().Sub(info.GetStartTime().AsTime()))
		}
	}
	return d
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkStageFloor measures, on the embedded server the stack runs,
// one run at a time: the research run's shape with no work in its stages
// (with the SDK's default worker options, and with the confirm interceptor
// every pool adds), chains of 0, 1, 4 and 8 no-op activities (the cost of
// one sequential stage is the slope), and a real offline research run on
// a small ingested corpus.
func BenchmarkStageFloor(b *testing.B) {
	for _, tc := range []struct {
		name string
		ics  []interceptor.WorkerInterceptor
	}{
		{"skeleton/default-options", nil},
		{"skeleton/with-confirm", []interceptor.WorkerInterceptor{pools.ConfirmInterceptor(shared.Client)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			defer startFloorWorkers(b, shared.Client, "", tc.ics)()
			floorRuns(b, shared.Client, floorWorkflowQueue, "floorSkeleton", "")
		})
	}
	for _, n := range []int{0, 1, 4, 8} {
		b.Run(fmt.Sprintf("chain/activities=%d", n), func(b *testing.B) {
			defer startFloorWorkers(b, shared.Client, "", nil)()
			floorRuns(b, shared.Client, floorWorkflowQueue, "floorChain", n)
		})
	}
	b.Run("real-offline-run", func(b *testing.B) {
		dir := writeCorpus(b)
		in := rf.ResearchInput{Question: "How do beekeepers find queen cells?", CorpusPath: dir}
		ctx := context.Background()
		run, err := shared.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: rf.TaskQueueWorkflow}, rf.ResearchWorkflowType, in)
		if err == nil {
			err = run.Get(ctx, nil) // ingests the corpus once
		}
		if err != nil {
			b.Fatal(err)
		}
		floorRuns(b, shared.Client, rf.TaskQueueWorkflow, rf.ResearchWorkflowType, in)
	})
	// The same three side by side: each iteration runs the skeleton with
	// default options, the skeleton with the confirm interceptor and the
	// real run, one after another in a rotating order, so that all three
	// meet the same state of the server (its database grows with every run)
	// and the same load of the machine. Reports each one's median and the
	// real run's median over each skeleton's.
	b.Run("paired", func(b *testing.B) {
		dir := writeCorpus(b)
		in := rf.ResearchInput{Question: "How do beekeepers find queen cells?", CorpusPath: dir}
		defer startFloorWorkers(b, shared.Client, "-default", nil)()
		defer startFloorWorkers(b, shared.Client, "-confirm", []interceptor.WorkerInterceptor{pools.ConfirmInterceptor(shared.Client)})()
		ctx := context.Background()
		shapes := []func(i int) time.Duration{
			func(i int) time.Duration {
				return floorRun(ctx, b, shared.Client, i, floorWorkflowQueue+"-default", "floorSkeleton", "-default")
			},
			func(i int) time.Duration {
				return floorRun(ctx, b, shared.Client, i, floorWorkflowQueue+"-confirm", "floorSkeleton", "-confirm")
			},
			func(i int) time.Duration {
				return floorRun(ctx, b, shared.Client, i, rf.TaskQueueWorkflow, rf.ResearchWorkflowType, in)
			},
		}
		for j, f := range shapes { // warm up: ingests the corpus, fills caches
			f(-1 - j)
		}
		lat := make([][]time.Duration, len(shapes))
		i := 0
		for b.Loop() {
			for k := range shapes {
				j := (i + k) % len(shapes)
				lat[j] = append(lat[j], shapes[j](i))
			}
			i++
		}
		def, conf, real := median(lat[0]), median(lat[1]), median(lat[2])
		b.ReportMetric(ms(def), "skeleton-p50-ms")
		b.ReportMetric(ms(conf), "confirm-p50-ms")
		b.ReportMetric(ms(real), "real-p50-ms")
		b.ReportMetric(float64(real)/float64(def), "real/skeleton")
		b.ReportMetric(float64(real)/float64(conf), "real/confirm")
	})
	peer := os.Getenv("RESEARCHFLOW_FLOOR_PEER")
	if peer == "" {
		return
	}
	// The same skeleton and chains on another server, for example the
	// official development server (temporal server start-dev --headless
	// --port 7299), with the SDK's default worker options; start the peer
	// once as it comes and once with the embedded server's settings
	// (--dynamic-config-value, README "Latency per stage") to compare.
	c, err := client.Dial(client.Options{HostPort: peer, Logger: quietSDKLogger()})
	if err != nil {
		b.Fatalf("RESEARCHFLOW_FLOOR_PEER=%s: %v", peer, err)
	}
	defer c.Close()
	b.Run("peer/skeleton", func(b *testing.B) {
		defer startFloorWorkers(b, c, "", nil)()
		floorRuns(b, c, floorWorkflowQueue, "floorSkeleton", "")
	})
	for _, n := range []int{0, 1, 4, 8} {
		b.Run(fmt.Sprintf("peer/chain/activities=%d", n), func(b *testing.B) {
			defer startFloorWorkers(b, c, "", nil)()
			floorRuns(b, c, floorWorkflowQueue, "floorChain", n)
		})
	}
}
