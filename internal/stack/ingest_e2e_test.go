package stack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"github.com/researchflow/researchflow/internal/temporalserver"

	rf "github.com/researchflow/researchflow"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/report"
)

// crafts are the topics of the generated folder; each file describes one
// craft in words no other file uses.
var crafts = []struct{ name, text string }{
	{"glassblowing", "A glassblower gathers molten glass on a blowpipe, shapes it on a marver, and anneals the finished piece in a lehr so that it cools slowly without cracking."},
	{"cooperage", "A cooper bends oak staves over a fire, drives hoops down the barrel, and chars the inside before the barrel holds whisky."},
	{"bookbinding", "A bookbinder folds printed sheets into signatures, sews them on linen tapes, and glues the spine before casing the book in boards."},
	{"blacksmithing", "A blacksmith heats iron in the forge until it glows orange, draws it out on the anvil, and quenches the blade in brine to harden it."},
	{"pottery", "A potter wedges the clay to remove air, throws a pot on the wheel, and fires the bisque in a kiln before glazing."},
	{"weaving", "A weaver threads the warp through the heddles, throws the shuttle across the shed, and beats each weft pick with the reed."},
}

// writeIngestFolder writes 30 small files (md, txt and html, five per
// craft, one chunk each), a corrupt PDF and an executable, and returns the
// folder and the supported files by base name.
func writeIngestFolder(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	var names []string
	for i := range 30 {
		c := crafts[i%len(crafts)]
		var name, text string
		body := fmt.Sprintf("%s Notebook %d of the %s workshop records this practice.", c.text, i, c.name)
		switch i % 3 {
		case 0:
			name, text = fmt.Sprintf("%s-%02d.md", c.name, i), fmt.Sprintf("# %s notes %d\n\n%s\n", c.name, i, body)
		case 1:
			name, text = fmt.Sprintf("%s-%02d.txt", c.name, i), fmt.Sprintf("%s notes %d\n\n%s\n", c.name, i, body)
		default:
			name = fmt.Sprintf("%s-%02d.html", c.name, i)
			text = fmt.Sprintf("<html><head><title>%s notes %d</title></head><body><h1>%s notes %d</h1><p>%s</p></body></html>", c.name, i, c.name, i, body)
		}
		names = append(names, name)
		writeFile(t, filepath.Join(dir, name), text)
	}
	writeFile(t, filepath.Join(dir, "broken.pdf"), "%PDF-1.7\nthis is not a PDF body\n")
	writeFile(t, filepath.Join(dir, "tool.exe"), "MZ\x90\x00\x03\x00\x00\x00")
	return dir, names
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// chunksOf is how many chunks ingestion makes of the file at path.
func chunksOf(t *testing.T, corpusName, path string) int {
	t.Helper()
	doc, err := corpus.LoadFile(context.Background(), corpusName, path)
	if err != nil {
		t.Fatalf("fixture %s: %v", path, err)
	}
	return len(corpus.Split(doc, corpusName, corpus.SplitOptions{}))
}

func ingestFolder(t *testing.T, c client.Client, id string, in rf.IngestInput) rf.IngestResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: rf.TaskQueueWorkflow},
		rf.IngestWorkflowType, in)
	if err != nil {
		t.Fatal(err)
	}
	var res rf.IngestResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("ingest %s: %v", id, err)
	}
	return res
}

func countChunks(t *testing.T, s memory.Store, f memory.Filter) int {
	t.Helper()
	n, err := s.Count(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIngestWorkflowEndToEnd ingests a folder, ingests it again unchanged,
// changes one file, and researches the named corpus.
func TestIngestWorkflowEndToEnd(t *testing.T) {
	endToEnd(t)
	name := unique("e2e-ingest-crafts")
	dir, names := writeIngestFolder(t)
	wantChunks := 0
	for _, n := range names {
		wantChunks += chunksOf(t, name, filepath.Join(dir, n))
	}

	res := ingestFolder(t, shared.Client, "e2e-ingest-1", rf.IngestInput{Corpus: name, Path: dir})
	// The 30 texts and the PDF are supported files; the .exe is not looked at.
	if res.Corpus != name || res.Total != 31 || res.Files != 31 || res.Unchanged != 0 || res.Chunks != wantChunks || !res.Done {
		t.Errorf("first ingestion = %+v, want 31 files, 0 unchanged, %d chunks, done", res, wantChunks)
	}
	if len(res.Skipped) != 1 || filepath.Base(res.Skipped[0].Path) != "broken.pdf" || !strings.Contains(res.Skipped[0].Reason, "pdf") {
		t.Errorf("skipped = %+v, want only broken.pdf with a PDF reason", res.Skipped)
	}
	for _, s := range res.Skipped {
		if strings.HasSuffix(s.Path, ".exe") {
			t.Errorf("the executable was looked at: %+v", s)
		}
	}
	if got := countChunks(t, shared.Store, memory.Filter{Corpus: name}); got != wantChunks {
		t.Errorf("memory holds %d chunks of %s, want %d", got, name, wantChunks)
	}

	// The same folder again writes nothing.
	again := ingestFolder(t, shared.Client, "e2e-ingest-2", rf.IngestInput{Corpus: name, Path: dir})
	if again.Files != 31 || again.Unchanged != 30 || again.Chunks != 0 || len(again.Skipped) != 1 {
		t.Errorf("re-ingestion = %+v, want 31 files, 30 unchanged, 0 chunks, 1 skipped", again)
	}

	// One changed file is the only one written.
	changed := filepath.Join(dir, names[4])
	writeFile(t, changed, "pottery notes, revised\n\nA potter trims the leather-hard pot on the wheel with a loop tool before the first firing.\n")
	third := ingestFolder(t, shared.Client, "e2e-ingest-3", rf.IngestInput{Corpus: name, Path: dir})
	if want := chunksOf(t, name, changed); third.Files != 31 || third.Unchanged != 29 || third.Chunks != want {
		t.Errorf("after changing %s: %+v, want 31 files, 29 unchanged, %d chunks", names[4], third, want)
	}
	if got, want := countChunks(t, shared.Store, memory.Filter{Corpus: name}), wantChunks-chunksOf(t, name, changed)+third.Chunks; got != want {
		t.Errorf("memory holds %d chunks after the change, want %d (old version replaced)", got, want)
	}

	// Research the corpus by name only.
	rr, _ := research(t, "e2e-ingest-research", rf.ResearchInput{
		Question: "How does a glassblower anneal glass in a lehr?",
		Corpus:   name,
	})
	if rr.Corpus != name {
		t.Errorf("research corpus = %q, want %q", rr.Corpus, name)
	}
	cited := map[int]bool{}
	for _, n := range report.Citations(rr.Report) {
		cited[n] = true
	}
	found := false
	for _, s := range rr.Sources {
		found = found || (cited[s.N] && strings.HasPrefix(filepath.Base(s.Location), "glassblowing-") && strings.HasPrefix(s.Location, dir))
	}
	if !found {
		t.Errorf("the report cites no glassblowing file of the folder:\nsources %+v\n%s", rr.Sources, rr.Report)
	}
}

// ingestRecorder watches Ingest activities: the order they started in,
// their attempts and results, whether a retry found a checkpoint, and it
// can hold the second call mid-batch (its heartbeats block until the worker
// stops).
type ingestRecorder struct {
	interceptor.WorkerInterceptorBase
	mu       sync.Mutex
	order    []string // activity IDs in the order they first started
	started  map[string]int
	results  map[string]rf.IngestSummary
	resumed  map[string]map[string]any // checkpoint found by a retried attempt
	holdAt   int                       // block the 2nd call at this heartbeat (0: never)
	beats    int
	held     chan struct{}
	heldOnce sync.Once
}

func (r *ingestRecorder) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &ingestInbound{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, r: r}
}

type ingestInbound struct {
	interceptor.ActivityInboundInterceptorBase
	r *ingestRecorder
}

func (a *ingestInbound) Init(outbound interceptor.ActivityOutboundInterceptor) error {
	return a.Next.Init(&ingestOutbound{ActivityOutboundInterceptorBase: interceptor.ActivityOutboundInterceptorBase{Next: outbound}, r: a.r})
}

func (a *ingestInbound) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	if info.ActivityType.Name != workflows.IngestActivity {
		return a.Next.ExecuteActivity(ctx, in)
	}
	r := a.r
	r.mu.Lock()
	if r.started[info.ActivityID] == 0 {
		r.order = append(r.order, info.ActivityID)
	}
	r.started[info.ActivityID]++
	r.mu.Unlock()
	if info.Attempt > 1 && activity.HasHeartbeatDetails(ctx) {
		var cp map[string]any
		if err := activity.GetHeartbeatDetails(ctx, &cp); err == nil {
			r.mu.Lock()
			r.resumed[info.ActivityID] = cp
			r.mu.Unlock()
		}
	}
	res, err := a.Next.ExecuteActivity(ctx, in)
	if sum, ok := res.(rf.IngestSummary); ok && err == nil {
		r.mu.Lock()
		r.results[info.ActivityID] = sum
		r.mu.Unlock()
	}
	return res, err
}

type ingestOutbound struct {
	interceptor.ActivityOutboundInterceptorBase
	r *ingestRecorder
}

func (o *ingestOutbound) RecordHeartbeat(ctx context.Context, details ...any) {
	r := o.r
	info := activity.GetInfo(ctx)
	r.mu.Lock()
	hold := false
	if r.holdAt > 0 && info.ActivityType.Name == workflows.IngestActivity && len(r.order) == 2 && r.order[1] == info.ActivityID {
		r.beats++
		hold = r.beats >= r.holdAt
	}
	r.mu.Unlock()
	if hold {
		r.heldOnce.Do(func() { close(r.held) })
		<-ctx.Done() // the worker is being stopped
		return
	}
	o.Next.RecordHeartbeat(ctx, details...)
}

// TestIngestResumesAfterRestart stops the whole stack while the second of
// three batches is running, starts it again on the same data dir, and checks
// that the ingestion finishes without redoing the first batch nor the files
// of the second that were done.
func TestIngestResumesAfterRestart(t *testing.T) {
	endToEnd(t)
	const name, files, holdAt = "e2e-ingest-resume", 600, 40
	dir := t.TempDir()
	for i := range files {
		c := crafts[i%len(crafts)]
		writeFile(t, filepath.Join(dir, fmt.Sprintf("page-%04d.md", i)), fmt.Sprintf("# Page %d\n\n%s Page %d.\n", i, c.text, i))
	}
	if n := chunksOf(t, name, filepath.Join(dir, "page-0000.md")); n != 1 {
		t.Fatalf("fixture files should make one chunk each, got %d", n)
	}
	cfg, err := config.Load(func(k string) (string, bool) {
		if k == "RESEARCHFLOW_DATA_DIR" {
			return t.TempDir(), true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.EmbeddedFrontendPort = -1 // the server binds a free port; the restart takes the same
	cfg.EmbeddedUIPort = 0
	all, _ := pools.Parse(pools.All)
	rec := &ingestRecorder{started: map[string]int{}, results: map[string]rf.IngestSummary{},
		resumed: map[string]map[string]any{}, holdAt: holdAt, held: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	first, err := Start(ctx, cfg, Options{Pools: all, Logger: testLogger(), DevServer: temporalserver.StartDev, NoUI: true, Interceptors: []interceptor.WorkerInterceptor{rec}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.EmbeddedFrontendPort = frontendPort(t, first)
	const id = "ingest-resume"
	if _, err := first.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: rf.TaskQueueWorkflow},
		rf.IngestWorkflowType, rf.IngestInput{Corpus: name, Path: dir}); err != nil {
		first.Close()
		t.Fatal(err)
	}
	select {
	case <-rec.held:
	case <-ctx.Done():
		first.Close()
		t.Fatal("the second batch never started")
	}
	// Mid-run, the progress query shows the first batch done.
	if resp, err := first.Client.QueryWorkflow(ctx, id, "", rf.ProgressQuery); err != nil {
		t.Errorf("progress query: %v", err)
	} else {
		var p rf.IngestResult
		if err := resp.Get(&p); err != nil || p.Files != 200 || p.Total != files || p.Done {
			t.Errorf("progress while the second batch runs = %+v (%v), want 200 of %d files", p, err, files)
		}
	}
	first.Pools.Stop()
	waitActivityRetry(ctx, t, first.Client, id, workflows.IngestActivity)
	first.Close()

	rec.mu.Lock()
	rec.holdAt = 0
	rec.mu.Unlock()
	second, err := Start(ctx, cfg, Options{Pools: all, Logger: testLogger(), DevServer: temporalserver.StartDev, NoUI: true, Interceptors: []interceptor.WorkerInterceptor{rec}})
	if err != nil {
		t.Fatalf("restart on the same data dir: %v", err)
	}
	defer second.Close()
	var res rf.IngestResult
	if err := second.Client.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		t.Fatalf("the ingestion did not complete after the restart: %v", err)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.order) != 3 {
		t.Fatalf("Ingest calls = %v, want 3 batches", rec.order)
	}
	batch1, batch2 := rec.order[0], rec.order[1]
	if rec.started[batch1] != 1 {
		t.Errorf("the first batch ran %d times, want once", rec.started[batch1])
	}
	if rec.started[batch2] != 2 {
		t.Errorf("the interrupted batch ran %d times, want 2 (interrupted, resumed)", rec.started[batch2])
	}
	cp, ok := rec.resumed[batch2]
	if !ok {
		t.Fatalf("the retried batch found no checkpoint to resume from")
	}
	if cursor, _ := cp["cursor"].(string); filepath.Base(cursor) <= "page-0199.md" || filepath.Base(cursor) >= "page-0399.md" {
		t.Errorf("checkpoint = %v, want a cursor inside the second batch", cp)
	}
	sumFiles, sumChunks, sumUnchanged := 0, 0, 0
	for _, s := range rec.results {
		sumFiles += s.Files
		sumChunks += s.Chunks
		sumUnchanged += s.Unchanged
	}
	// Every file is counted once: written by one attempt, or (done by the
	// interrupted attempt after its last recorded checkpoint) found unchanged.
	if sumFiles != files || sumChunks+sumUnchanged != files || sumUnchanged >= holdAt {
		t.Errorf("completed batches counted %d files, %d chunks, %d unchanged; want %d files, chunks+unchanged = %d, unchanged < %d",
			sumFiles, sumChunks, sumUnchanged, files, files, holdAt)
	}
	if res.Files != files || res.Total != files || res.Chunks != sumChunks || res.Unchanged != sumUnchanged || !res.Done {
		t.Errorf("result = %+v, want %d files and the batches' counts", res, files)
	}
	if got := countChunks(t, second.Store, memory.Filter{Corpus: name}); got != files {
		t.Errorf("memory holds %d chunks, want %d", got, files)
	}
	t.Logf("resumed from %v; %d files found unchanged after the restart", cp, sumUnchanged)
}

// waitActivityRetry waits (bounded) until the server has recorded the failed
// attempt of the held activity, so the restart finds a retry to run.
func waitActivityRetry(ctx context.Context, t *testing.T, c client.Client, id, activityType string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		d, err := c.DescribeWorkflowExecution(ctx, id, "")
		if err == nil {
			for _, pa := range d.GetPendingActivities() {
				if pa.GetActivityType().GetName() == activityType &&
					(pa.GetAttempt() > 1 || pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_SCHEDULED) {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Log("the interrupted attempt was not reported before the server stopped; its heartbeat timeout will retry it")
}

// With prune, a document deleted from a folder is dropped from memory on the
// next ingestion, so research never cites it again.
func TestIngestDropsRemovedDocuments(t *testing.T) {
	endToEnd(t)
	dir := writeCorpus(t)
	name := unique("e2e-prune")
	first := ingestFolder(t, shared.Client, unique("e2e-prune-1"), rf.IngestInput{Corpus: name, Path: dir, Prune: true})
	if first.Files != 3 || first.Removed != 0 {
		t.Fatalf("first ingestion = %+v", first)
	}
	gone := filepath.Join(dir, "bread.html")
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	second := ingestFolder(t, shared.Client, unique("e2e-prune-2"), rf.IngestInput{Corpus: name, Path: dir, Prune: true})
	if second.Files != 2 || second.Unchanged != 2 || second.Removed == 0 {
		t.Errorf("second ingestion = %+v, want 2 unchanged files and the deleted one's chunks removed", second)
	}
	if n := countChunks(t, shared.Store, memory.Filter{SourceID: memory.SourceID(name, gone)}); n != 0 {
		t.Errorf("%d chunks of the deleted bread.html remain", n)
	}
	if n := countChunks(t, shared.Store, memory.Filter{Corpus: name}); n == 0 {
		t.Errorf("the remaining documents were dropped too")
	}
}

// An IngestWorkflow started as the Temporal CLI would, with a relative
// folder, fails at once with "path must be absolute" (the search worker
// read it from its own working directory before), and ingests nothing.
func TestIngestWorkflowRefusesARelativePath(t *testing.T) {
	endToEnd(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := unique("relative")
	run, err := shared.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "ingest-" + name, TaskQueue: rf.TaskQueueWorkflow},
		rf.IngestWorkflowType, rf.IngestInput{Corpus: name, Path: "notes"})
	if err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), `path must be absolute: "notes"`) || !strings.Contains(err.Error(), workflows.ErrInvalidInput) {
		t.Fatalf("IngestWorkflow with path notes: %v, want it to fail with %s: path must be absolute", err, workflows.ErrInvalidInput)
	}
	if n := countChunks(t, shared.Store, memory.Filter{Corpus: name}); n != 0 {
		t.Errorf("%d chunks ingested from a relative path", n)
	}
}
