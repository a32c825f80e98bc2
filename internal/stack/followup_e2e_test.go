package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/gateway"
	"github.com/researchflow/researchflow/internal/report"
)

// askFollowUp starts a follow-up of run id through the client package (as
// the starter does) and waits for its answer.
func askFollowUp(t *testing.T, id, question string) rf.FollowUpResult {
	t.Helper()
	return askFollowUpRecorded(t, id, question, "")
}

// askFollowUpRecorded is askFollowUp whose history is recorded under name
// (task replay-record; "" names it by whether the evidence answered).
func askFollowUpRecorded(t *testing.T, id, question, name string) rf.FollowUpResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run, err := shared.Runs.StartFollowUp(ctx, "", rf.FollowUpInput{ResearchID: id, Question: question})
	if err != nil {
		t.Fatalf("start follow-up of %s: %v", id, err)
	}
	res, err := shared.Runs.FollowUpResult(ctx, run.ID)
	if err != nil {
		t.Fatalf("follow-up %s: %v", run.ID, err)
	}
	// The replay test in package workflows replays these (task replay-record).
	switch {
	case name != "":
	case res.FromEvidence:
		name = "followup_%s_evidence.json"
	default:
		name = "followup_%s_search.json"
	}
	recordHistory(t, shared.Client.GetWorkflow(ctx, run.ID, run.RunID), name)
	return res
}

// lastSource is the highest source number of a run's report.
func lastSource(res rf.ResearchResult) int {
	n := 0
	for _, s := range res.Sources {
		n = max(n, s.N)
	}
	return n
}

// A run over three notes; a follow-up its evidence answers is answered with
// no new search and no model call, citing the run's own numbers; a
// follow-up about a fact only in a fourth note, added after the run, makes
// exactly one targeted search and cites the new note as the next number.
// The thread lists both, over HTTP.
func TestFollowUpAnsweredFromEvidenceThenOneTargetedSearch(t *testing.T) {
	endToEnd(t)
	dir := writeCorpus(t)
	id := unique("e2e-followup")
	run, _ := research(t, id, rf.ResearchInput{
		Question:   "How is a sourdough starter fed, and how do beekeepers find queen cells?",
		CorpusPath: dir,
	})
	bees := sourceFor(run, "beekeeping.txt")
	if bees < 2 {
		t.Fatalf("want beekeeping.txt among the run's sources, after another one: %+v", run.Sources)
	}
	checkClaims(t, id, run)

	// 1. Answered by the run's own passages.
	first := askFollowUp(t, id, "What do worker bees build from wax?")
	t.Logf("run sources: %d; first follow-up:\n%s", len(run.Sources), first.Answer)
	if !first.FromEvidence || len(first.Searches) != 0 {
		t.Errorf("fromEvidence = %v, searches = %+v: want the run's evidence to answer it with no search", first.FromEvidence, first.Searches)
	}
	if first.Usage.Calls != 0 {
		t.Errorf("model calls = %d, want 0 (offline engine)", first.Usage.Calls)
	}
	if len(first.NewSources) != 0 {
		t.Errorf("new sources %+v, want none", first.NewSources)
	}
	if got := report.Citations(first.Answer); !containsInt(got, bees) {
		t.Errorf("answer cites %v, want the run's number of beekeeping.txt [%d]:\n%s", got, bees, first.Answer)
	}
	if !strings.Contains(first.Answer, "wax comb") {
		t.Errorf("answer lacks the note's statement:\n%s", first.Answer)
	}
	for _, s := range first.Sources {
		if want := sourceFor(run, filepath.Base(s.Location)); s.N != want {
			t.Errorf("source %s is [%d] in the answer, [%d] in the run", s.Location, s.N, want)
		}
	}
	if err := report.CheckCitations(first.Answer); err != nil {
		t.Errorf("answer cites a number it does not list: %v\n%s", err, first.Answer)
	}

	// 2. A fact only in a note added after the run.
	note := "# Pottery kilns\n\nA stoneware kiln is fired to about 1280 degrees Celsius so that the glaze melts.\nPotters wedge clay to push out air bubbles before throwing it on the wheel.\n"
	if err := os.WriteFile(filepath.Join(dir, "pottery.md"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
	second := askFollowUp(t, id, "To what temperature is a stoneware kiln fired?")
	t.Logf("second follow-up:\n%s", second.Answer)
	if second.FromEvidence {
		t.Errorf("fromEvidence = true, but no passage of the run mentions kilns:\n%s", second.Answer)
	}
	if len(second.Searches) != 1 || second.Searches[0].Source != rf.SourceCorpus || second.Searches[0].Passages == 0 {
		t.Fatalf("searches = %+v, want exactly one targeted search of the corpus that found passages", second.Searches)
	}
	next := lastSource(run) + 1
	if len(second.NewSources) != 1 || second.NewSources[0].N != next || !strings.HasSuffix(second.NewSources[0].Location, "pottery.md") {
		t.Fatalf("new sources = %+v, want pottery.md as [%d]", second.NewSources, next)
	}
	if got := report.Citations(second.Answer); !containsInt(got, next) || !strings.Contains(second.Answer, "1280") {
		t.Errorf("answer cites %v, want [%d] with the kiln's temperature:\n%s", got, next, second.Answer)
	}

	// 3. A follow-up of two parts: the run's passages answer the one on
	// bees, and only the one on the kiln is searched.
	third := askFollowUpRecorded(t, id, "What do worker bees build from wax and to what temperature is a stoneware kiln fired?", "followup_%s_parts.json")
	t.Logf("third follow-up:\n%s", third.Answer)
	if len(third.Searches) != 1 || third.Searches[0].SubQuestion != "To what temperature is a stoneware kiln fired?" || len(third.Gaps) != 0 {
		t.Errorf("searches %+v, gaps %+v: want one search, for the kiln, and no gap", third.Searches, third.Gaps)
	}
	if got := report.Citations(third.Answer); !containsInt(got, bees) || !strings.Contains(third.Answer, "wax comb") || !strings.Contains(third.Answer, "1280") {
		t.Errorf("answer cites %v, want the run's [%d] on wax comb and the kiln's temperature:\n%s", got, bees, third.Answer)
	}

	// 4. The thread, over HTTP, lists them with their answers, oldest first.
	base := "http://" + shared.Gateway.Addr + "/v1/research/" + url.PathEscape(id)
	var thread gateway.ThreadResponse
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		thread = getThread(t, base+"/thread")
		if len(thread.FollowUps) == 3 && thread.FollowUps[2].Result != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(thread.FollowUps) != 3 {
		t.Fatalf("thread has %d follow-ups, want 3: %+v", len(thread.FollowUps), thread)
	}
	for i, want := range []rf.FollowUpResult{first, second, third} {
		fu := thread.FollowUps[i]
		if fu.Result == nil || fu.Result.Answer != want.Answer || fu.Question != want.Question || fu.Status != rf.StatusCompleted {
			t.Errorf("thread[%d] = %+v, want the answer of %q", i, fu, want.Question)
		}
	}
	waitVisible(t, fmt.Sprintf("%s = '%s' AND WorkflowType = '%s'", rf.SearchAttrFollowUpOf, id, rf.ResearchFollowUpWorkflowType))
}

// POST /v1/research/{id}/followups starts a follow-up that joins the thread;
// bad input is a 400 and a run that is not a research run a 404.
func TestFollowUpOverHTTP(t *testing.T) {
	endToEnd(t)
	id := unique("e2e-followup-http")
	research(t, id, rf.ResearchInput{Question: "What does a lighthouse keeper do every evening?", CorpusPath: writeCorpus(t)})
	base := "http://" + shared.Gateway.Addr + "/v1/research/"
	post := func(path, body string) (*http.Response, []byte) {
		t.Helper()
		resp, err := patient.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&raw)
		return resp, raw
	}
	if resp, body := post(url.PathEscape(id)+"/followups", `{"question":"  "}`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty question: %d %s, want 400", resp.StatusCode, body)
	}
	if resp, body := post("no-such-run/followups", `{"question":"What does the lamp need?"}`); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown run: %d %s, want 404", resp.StatusCode, body)
	}
	resp, body := post(url.PathEscape(id)+"/followups", `{"question":"How far is the beam of the Fresnel lens visible?"}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST followups: %d %s", resp.StatusCode, body)
	}
	var created gateway.FollowUpResponse
	if err := json.Unmarshal(body, &created); err != nil || created.ResearchID != id || !strings.HasPrefix(created.ID, id+"-followup-") {
		t.Fatalf("created = %+v (%v)", created, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := shared.Runs.FollowUpResult(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.FromEvidence || !strings.Contains(res.Answer, "twenty nautical miles") {
		t.Errorf("answer (fromEvidence %v):\n%s", res.FromEvidence, res.Answer)
	}
}

func getThread(t *testing.T, u string) gateway.ThreadResponse {
	t.Helper()
	resp, err := patient.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	var th gateway.ThreadResponse
	if err := json.NewDecoder(resp.Body).Decode(&th); err != nil {
		t.Fatal(err)
	}
	return th
}

func containsInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

// A follow-up started with the Temporal CLI, by type name and JSON input
// only, answers and joins its run's thread (the workflow sets the search
// attribute itself).
func TestFollowUpStartedByTemporalCLI(t *testing.T) {
	endToEnd(t)
	bin, err := exec.LookPath("temporal")
	if err != nil {
		t.Skip("needs the temporal CLI on PATH (go install github.com/temporalio/cli/cmd/temporal@v1.5.1)")
	}
	id := unique("e2e-followup-cli")
	research(t, id, rf.ResearchInput{Question: "How is a sourdough starter kept active?", CorpusPath: writeCorpus(t)})
	fid := id + "-followup-cli"
	input := `{"researchId":"` + id + `","question":"What is a sourdough starter a culture of?"}`
	out, err := exec.Command(bin, "workflow", "start",
		"--address", shared.Server.FrontendAddress(), "--namespace", shared.Config.Namespace,
		"--task-queue", rf.TaskQueueWorkflow, "--type", rf.ResearchFollowUpWorkflowType,
		"--workflow-id", fid, "--input", input).CombinedOutput()
	if err != nil {
		t.Fatalf("temporal workflow start: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := shared.Runs.FollowUpResult(ctx, fid)
	if err != nil {
		t.Fatal(err)
	}
	if !res.FromEvidence || !strings.Contains(res.Answer, "wild yeast") {
		t.Errorf("answer (fromEvidence %v):\n%s", res.FromEvidence, res.Answer)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		thread, err := shared.Runs.Thread(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		// With its question, which the follow-up wrote into its memo.
		if len(thread) == 1 && thread[0].ID == fid && thread[0].Result != nil &&
			thread[0].Question == "What is a sourdough starter a culture of?" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("the CLI-started follow-up %s is not in the thread of %s with its question", fid, id)
}

// checkClaims: every cited statement of the report has a claim ID, in the
// result and, the same, in the audit.
func checkClaims(t *testing.T, id string, run rf.ResearchResult) {
	t.Helper()
	if len(run.Claims) == 0 {
		t.Fatalf("the result lists no claim:\n%s", run.Report)
	}
	for _, c := range run.Claims {
		if !strings.HasPrefix(c.ID, "claim-") || len(c.Cites) == 0 || lastSource(run) < slices.Max(c.Cites) {
			t.Errorf("claim %+v: want an ID and citations of the run's sources", c)
		}
		if !strings.Contains(run.Report, strings.TrimSuffix(c.Text, ".")) {
			t.Errorf("claim %q is not in the report", c.Text)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := shared.Client.QueryWorkflow(ctx, id, "", rf.AuditQuery)
	if err != nil {
		t.Fatal(err)
	}
	var audit rf.Audit
	if err := v.Get(&audit); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(audit.Claims, run.Claims) {
		t.Errorf("audit claims %+v, result claims %+v", audit.Claims, run.Claims)
	}
}
