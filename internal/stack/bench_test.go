package stack

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/client"
)

// BenchmarkResearchRuns measures complete research runs on the embedded
// stack (SQLite in WAL mode, every pool in this process, offline engine, a
// small folder corpus already ingested), 20 clients at once. One iteration
// is one run.
func BenchmarkResearchRuns(b *testing.B) {
	endToEnd(b)
	dir := writeCorpus(b)
	ctx := context.Background()
	in := rf.ResearchInput{Question: "How do beekeepers find queen cells?", CorpusPath: dir}
	// Warm up: ingest the corpus once.
	run, err := shared.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: rf.TaskQueueWorkflow}, rf.ResearchWorkflowType, in)
	if err != nil {
		b.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		b.Fatal(err)
	}
	const clients = 20
	var mu sync.Mutex
	var lat []time.Duration
	next := make(chan int)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				run, err := shared.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID: fmt.Sprintf("bench-%d-%d", b.N, i), TaskQueue: rf.TaskQueueWorkflow,
				}, rf.ResearchWorkflowType, in)
				if err == nil {
					err = run.Get(ctx, nil)
				}
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < b.N; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "runs/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}
