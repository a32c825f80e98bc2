package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/researchflow/researchflow/internal/gateway"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

func research(t *testing.T, id string, in rf.ResearchInput) (rf.ResearchResult, client.WorkflowRun) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run, err := shared.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: rf.TaskQueueWorkflow},
		rf.ResearchWorkflowType, in)
	if err != nil {
		t.Fatal(err)
	}
	var res rf.ResearchResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("research %s: %v", id, err)
	}
	return res, run
}

// sourceFor returns the number of the source whose location ends in name.
func sourceFor(res rf.ResearchResult, name string) int {
	for _, s := range res.Sources {
		if strings.HasSuffix(s.Location, name) {
			return s.N
		}
	}
	return 0
}

func TestEndToEndFolderCorpus(t *testing.T) {
	endToEnd(t)
	dir := writeCorpus(t)
	res, run := research(t, "e2e-folder", rf.ResearchInput{
		Question:   "How do beekeepers find queen cells, and what do worker bees store?",
		CorpusPath: dir,
	})
	if err := report.CheckCitations(res.Report); err != nil {
		t.Errorf("report cites a number missing from its sources: %v\n%s", err, res.Report)
	}
	n := sourceFor(res, "beekeeping.txt")
	if n == 0 {
		t.Fatalf("beekeeping.txt is not among the sources: %+v\n%s", res.Sources, res.Report)
	}
	cited := report.Citations(res.Report)
	found := false
	for _, c := range cited {
		found = found || c == n
	}
	if !found {
		t.Errorf("the report never cites beekeeping.txt ([%d]):\n%s", n, res.Report)
	}
	if !strings.Contains(res.Report, "queen cells") || !strings.Contains(res.Report, "## Sources") {
		t.Errorf("report lacks the answer or the source list:\n%s", res.Report)
	}
	if res.Corpus != filepath.Base(dir) {
		t.Errorf("corpus = %q, want the folder's name %q", res.Corpus, filepath.Base(dir))
	}
	if _, err := os.Stat(res.ReportPath); err != nil {
		t.Errorf("the notify pool did not store the report: %v", err)
	}

	// The history shows activities on four task queues, besides the
	// workflow's own.
	queues := activityQueues(t, run)
	for _, q := range []string{workflows.TaskQueueIngest, workflows.TaskQueueSearch, workflows.TaskQueueInference, workflows.TaskQueueNotify} {
		if !queues[q] {
			t.Errorf("no activity ran on %s (queues: %v)", q, queues)
		}
	}
	if len(queues) < 4 {
		t.Errorf("activities ran on %d task queues, want 4", len(queues))
	}

	recordHistory(t, run, "research_%s.json")

	// No sink is configured on this stack and the run mails nobody: it
	// starts no delivery workflow (its notify pool said so).
	if res.DeliveryWorkflowID != "" {
		t.Errorf("delivery workflow %q started with no sink configured", res.DeliveryWorkflowID)
	}
	if scheduledActivities(context.Background(), t, shared.Client, run)[workflows.DeliverySinksActivity] != 1 {
		t.Errorf("the run did not ask its notify pool for its sinks")
	}

	// The run is visible, with its search attributes, to `temporal workflow list`.
	waitVisible(t, "WorkflowId = 'e2e-folder' AND ResearchStatus = 'completed'")

	// The corpus the run made of its folder is one of the caller's corpora
	// (the web app's picker lists GET /v1/corpora), as one that an upload
	// or `starter ingest` filled would be: no IngestWorkflow names it.
	corpusListed(t, filepath.Base(dir), "e2e-folder")
}

// corpusListed checks that GET /v1/corpora on the stack's gateway lists
// corpus name with passages and lastID as its last ingestion.
func corpusListed(t *testing.T, name, lastID string) {
	t.Helper()
	resp, err := http.Get("http://" + shared.Gateway.Addr + "/v1/corpora")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list gateway.CorporaResponse
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/corpora: %d %v", resp.StatusCode, err)
	}
	for _, c := range list.Corpora {
		if c.Name != name {
			continue
		}
		if c.Chunks == nil || *c.Chunks == 0 || c.LastIngestion.ID != lastID {
			t.Errorf("corpus %s listed as %+v (chunks %v), want passages and last ingestion %s", name, c, c.Chunks, lastID)
		}
		return
	}
	t.Errorf("GET /v1/corpora does not list the corpus %s: %+v", name, list.Corpora)
}

// recordHistory saves the run's history for the replay test in package
// workflows when RESEARCHFLOW_RECORD_HISTORY names a folder (task replay-record).
func recordHistory(t *testing.T, run client.WorkflowRun, name string) {
	recordHistoryFrom(t, shared.Client, run.GetID(), run.GetRunID(), name)
}

// recordHistoryFrom is recordHistory for run id of c's cluster.
func recordHistoryFrom(t *testing.T, c client.Client, id, runID, name string) {
	dir := os.Getenv("RESEARCHFLOW_RECORD_HISTORY")
	if dir == "" {
		return
	}
	it := c.GetWorkflowHistory(context.Background(), id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	shape := os.Getenv("RESEARCHFLOW_RECORD_SHAPE")
	if shape == "" {
		t.Fatal("RESEARCHFLOW_RECORD_SHAPE names the workflow shape being recorded (v2, v3, …)")
	}
	path := filepath.Join(dir, fmt.Sprintf(name, shape))
	// One fixture per released shape, kept for good: never overwrite one.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatalf("%v: record a new shape under a new name", err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events to %s", len(h.Events), path)
}

func activityQueues(t *testing.T, run client.WorkflowRun) map[string]bool {
	t.Helper()
	it := shared.Client.GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	queues := map[string]bool{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			queues[a.GetTaskQueue().GetName()] = true
		}
	}
	return queues
}

func waitVisible(t *testing.T, query string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := shared.Client.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: shared.Config.Namespace, Query: query,
		})
		if err == nil && len(resp.GetExecutions()) > 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("no run matches %q in visibility", query)
}

// The acceptance question of the project, on the default corpus: the Go
// documentation of the installed Go.
func TestEndToEndGoDocs(t *testing.T) {
	endToEnd(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs a Go installation for the default corpus")
	}
	start := time.Now()
	res, _ := research(t, "e2e-godocs", rf.ResearchInput{
		Question: "What does the Go memory model guarantee about channel communication?",
	})
	t.Logf("researched the Go docs in %v", time.Since(start))
	if n := sourceFor(res, "go_mem.html"); n == 0 {
		t.Fatalf("the report does not cite go_mem.html:\n%s", res.Report)
	}
	if err := report.CheckCitations(res.Report); err != nil {
		t.Errorf("%v\n%s", err, res.Report)
	}
	if os.Getenv("RESEARCHFLOW_PRINT_REPORT") != "" {
		t.Log("\n" + res.Report)
	}
}

// The Temporal CLI starts a run on the dev stack with the documented JSON input.
func TestTemporalCLIStart(t *testing.T) {
	endToEnd(t)
	bin, err := exec.LookPath("temporal")
	if err != nil {
		t.Skip("needs the temporal CLI on PATH (go install github.com/temporalio/cli/cmd/temporal@v1.5.1)")
	}
	dir := writeCorpus(t)
	input := `{"question":"How is a sourdough starter kept active?","corpusPath":"` + dir + `"}`
	out, err := exec.Command(bin, "workflow", "start",
		"--address", shared.Server.FrontendAddress(), "--namespace", shared.Config.Namespace,
		"--task-queue", rf.TaskQueueWorkflow, "--type", rf.ResearchWorkflowType,
		"--workflow-id", "e2e-cli", "--input", input).CombinedOutput()
	if err != nil {
		t.Fatalf("temporal workflow start: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var res rf.ResearchResult
	if err := shared.Client.GetWorkflow(ctx, "e2e-cli", "").Get(ctx, &res); err != nil {
		t.Fatalf("the run started by the CLI failed: %v", err)
	}
	if sourceFor(res, "bread.html") == 0 {
		t.Errorf("the CLI-started run does not cite bread.html:\n%s", res.Report)
	}
	out, err = exec.Command(bin, "workflow", "list", "--address", shared.Server.FrontendAddress(),
		"--query", "WorkflowId = 'e2e-cli'").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "e2e-cli") {
		t.Errorf("temporal workflow list does not show the run: %v\n%s", err, out)
	}

	// The gateway's list of runs (the web app's Past runs, and what its
	// search looks in) has the run's question, as it has for runs the API
	// started: the run wrote its memo itself.
	listedQuestion(t, "e2e-cli", "How is a sourdough starter kept active?")
}

// listedQuestion checks that GET /v1/research on the stack's gateway lists
// run id with question, waiting a little for visibility to catch up.
func listedQuestion(t *testing.T, id, question string) {
	t.Helper()
	var got gateway.RunSummary
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get("http://" + shared.Gateway.Addr + "/v1/research?pageSize=100")
		if err != nil {
			t.Fatal(err)
		}
		var list gateway.RunList
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /v1/research: %d %v", resp.StatusCode, err)
		}
		for _, r := range list.Runs {
			if r.ID == id {
				got = r
			}
		}
		if got.Question == question {
			return
		}
	}
	t.Errorf("GET /v1/research lists %s as %+v, want the question %q", id, got, question)
}

// The Temporal CLI's JSON with a misspelt field fails the run by the
// field's name; before, the key was dropped and the run went on without it.
func TestTemporalCLIStartRefusesUnknownField(t *testing.T) {
	endToEnd(t)
	bin, err := exec.LookPath("temporal")
	if err != nil {
		t.Skip("needs the temporal CLI on PATH (go install github.com/temporalio/cli/cmd/temporal@v1.5.1)")
	}
	input := `{"question":"How is a sourdough starter kept active?","maxSource":3}`
	out, err := exec.Command(bin, "workflow", "start",
		"--address", shared.Server.FrontendAddress(), "--namespace", shared.Config.Namespace,
		"--task-queue", rf.TaskQueueWorkflow, "--type", rf.ResearchWorkflowType,
		"--workflow-id", "e2e-cli-unknown", "--input", input).CombinedOutput()
	if err != nil {
		t.Fatalf("temporal workflow start: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var res rf.ResearchResult
	err = shared.Client.GetWorkflow(ctx, "e2e-cli-unknown", "").Get(ctx, &res)
	if err == nil || !strings.Contains(err.Error(), "maxSource: unknown field") {
		t.Errorf("run with a misspelt field: error %v, want it named as an unknown field", err)
	}
}

// The starter's --id: the same ID twice is one run, also after it finished.
func TestStartResearchIsIdempotent(t *testing.T) {
	endToEnd(t)
	dir := writeCorpus(t)
	in := rf.ResearchInput{Question: "What does a lighthouse keeper trim?", CorpusPath: dir}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := unique("idem-run")
	first, err := startIdempotent(ctx, id, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := startIdempotent(ctx, id, in)
	if err != nil || again.GetRunID() != first.GetRunID() {
		t.Fatalf("second start while running: run %s, %v; want run %s", again.GetRunID(), err, first.GetRunID())
	}
	var res rf.ResearchResult
	if err := first.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	after, err := startIdempotent(ctx, id, in)
	if err != nil {
		t.Fatal(err)
	}
	var res2 rf.ResearchResult
	if err := after.Get(ctx, &res2); err != nil || res2.Report != res.Report {
		t.Errorf("start after completion did not attach to the finished run: %v", err)
	}
	d, err := shared.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil || d.GetWorkflowExecutionInfo().GetExecution().GetRunId() != first.GetRunID() {
		t.Errorf("latest run is %s, want the first run %s", d.GetWorkflowExecutionInfo().GetExecution().GetRunId(), first.GetRunID())
	}
}

// Two processes never open the same Temporal database.
func TestSecondServerOnSameDatabaseIsRefused(t *testing.T) {
	endToEnd(t)
	db := filepath.Join(t.TempDir(), "temporal.db")
	ctx := context.Background()
	first, err := temporalserver.Start(ctx, temporalserver.Options{DatabaseFile: db, FrontendPort: -1, NoUI: true, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Stop()
	second, err := temporalserver.Start(ctx, temporalserver.Options{DatabaseFile: db, FrontendPort: -1, NoUI: true, Logger: testLogger()})
	if err == nil {
		second.Stop()
		t.Fatal("a second server opened the same database")
	}
	if !errors.Is(err, temporalserver.ErrLocked) {
		t.Errorf("error = %v, want ErrLocked", err)
	}
}

// A run that waits for plan approval (approved with an edited plan over the
// Update), leaves a sub-question unanswered, reflects, and reports the gap.
func TestEndToEndApprovalReflectionAndGaps(t *testing.T) {
	endToEnd(t)
	dir := writeCorpus(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, err := shared.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "e2e-approval", TaskQueue: rf.TaskQueueWorkflow},
		rf.ResearchWorkflowType, rf.ResearchInput{
			Question: "How do beekeepers find queen cells?", CorpusPath: dir, RequireApproval: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the run asks for approval.
	for {
		v, err := shared.Client.QueryWorkflow(ctx, run.GetID(), "", rf.ProgressQuery)
		if err == nil {
			var p rf.Progress
			if v.Get(&p) == nil && p.Status == rf.StatusAwaitingApproval {
				break
			}
		}
		if ctx.Err() != nil {
			t.Fatal("the run never waited for approval")
		}
		time.Sleep(50 * time.Millisecond)
	}
	h, err := shared.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: run.GetID(), UpdateName: rf.ApprovePlanUpdate, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{rf.PlanApproval{Approved: new(true), By: "e2e", SubQuestions: []string{
			"How do beekeepers find queen cells?", "What is the boiling point of mercury?",
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Get(ctx, nil); err != nil {
		t.Fatalf("approval: %v", err)
	}
	// A second approval is refused by the validator.
	if h2, err := shared.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: run.GetID(), UpdateName: rf.ApprovePlanUpdate, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{rf.PlanApproval{Approved: new(true)}},
	}); err == nil && h2.Get(ctx, nil) == nil {
		t.Error("a second approval was accepted")
	}
	var res rf.ResearchResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Gaps) == 0 || !strings.Contains(res.Report, "## Gaps") || !strings.Contains(res.Report, "mercury") {
		t.Errorf("the unanswerable sub-question is not reported as a gap:\n%s", res.Report)
	}
	if sourceFor(res, "beekeeping.txt") == 0 {
		t.Errorf("the answerable sub-question lost its source:\n%s", res.Report)
	}
	recordHistory(t, run, "research_%s_approval.json")
}

// A run of a folder says what it read of it: the files, and each file it
// left out with why (`starter --corpus DIR` printed nothing of it; only
// `starter ingest` did).
func TestFolderRunShowsWhatItRead(t *testing.T) {
	endToEnd(t)
	dir := writeCorpus(t)
	if err := os.WriteFile(filepath.Join(dir, "broken.pdf"), []byte("not a PDF at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	// More files read in another format than a result lists (100): the
	// count is all of them ("100 skipped" was printed for git-doc's 163).
	const twins = 105
	for i := range twins {
		name := filepath.Join(dir, fmt.Sprintf("page%03d", i))
		if err := os.WriteFile(name+".html", []byte("<p>Page of the tide tables.</p>"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name+".txt", []byte("Page of the tide tables."), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	id := unique("e2e-folder-ingest")
	research(t, id, rf.ResearchInput{Question: "What does a lighthouse keeper trim?", CorpusPath: dir, MaxSubQuestions: 1})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := shared.Runs.Progress(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Ingest == nil || p.Ingest.Files == 0 {
		t.Fatalf("progress.ingest = %+v, want the files read", p.Ingest)
	}
	skipped := false
	for _, s := range p.Ingest.Skipped {
		skipped = skipped || strings.HasSuffix(s.Path, "broken.pdf") && s.Reason != ""
	}
	if !skipped {
		t.Errorf("progress.ingest.skipped = %+v, want broken.pdf with its reason", p.Ingest.Skipped)
	}
	if got := p.Ingest.SkippedCount(); got != twins+1 {
		t.Errorf("progress.ingest counts %d skipped files (%d listed), want %d", got, len(p.Ingest.Skipped), twins+1)
	}
	// A note deleted since is dropped at the next run of the folder, through
	// the store the stack wires (the embedder's wrapper must let ingestion
	// list the corpus's documents): it is not cited any more.
	if err := os.Remove(filepath.Join(dir, "bread.html")); err != nil {
		t.Fatal(err)
	}
	again := unique("e2e-folder-deleted")
	res, _ := research(t, again, rf.ResearchInput{Question: "How often is a sourdough starter fed?", CorpusPath: dir, MaxSubQuestions: 1})
	if p, err := shared.Runs.Progress(ctx, again); err != nil || p.Ingest == nil || p.Ingest.Removed == 0 {
		t.Errorf("progress of the run after a deletion: ingest %v, %v; want the deleted note's chunks removed", p.Ingest != nil && p.Ingest.Removed > 0, err)
	}
	if sourceFor(res, "bread.html") != 0 {
		t.Errorf("the deleted note is still cited:\n%s", res.Report)
	}
	// A run of a named corpus read no folder.
	named := unique("e2e-named-ingest")
	research(t, named, rf.ResearchInput{Question: "What does a lighthouse keeper trim?", Corpus: filepath.Base(dir), MaxSubQuestions: 1})
	if p, err := shared.Runs.Progress(ctx, named); err != nil || p.Ingest != nil {
		t.Errorf("progress of a named corpus: ingest %+v, %v; want none", p.Ingest, err)
	}
}
