package stack

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/gateway"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/workflows"
)

// A run over notes; a reader disputes the claim of a note since edited to
// a new value: revision 2 corrects it, cites the note and says so in its
// changelog. A reader disputes the claim of a note since deleted: revision
// 3 withdraws it. Revision 1 stays readable, unchanged, in every format.
// An unknown claim is a 404 and a bad verdict a 400.
func TestDisputedClaimsAreCorrectedAndWithdrawnInNewRevisions(t *testing.T) {
	endToEnd(t)
	notes := map[string]string{
		"kilns.md":  "# Pottery kilns\n\nA stoneware kiln is fired to about 1280 degrees Celsius so that the glaze melts.\n",
		"bees.txt":  "Beekeeping basics\n\nWorker bees build wax comb and store nectar, which they evaporate into honey.\n",
		"bread.txt": "Sourdough bread\n\nA sourdough starter is fed with fresh flour and water every day to keep the yeast active.\n",
	}
	dir := namedNotes(t, "claims-notes", notes)
	id := unique("e2e-claims")
	run, _ := research(t, id, rf.ResearchInput{
		Question:   "How hot is a stoneware kiln fired, and what do worker bees build?",
		CorpusPath: dir,
	})
	kiln, bees := claimWith(t, run, run.Claims, "1280"), claimWith(t, run, run.Claims, "wax comb")
	base := "http://" + shared.Gateway.Addr + "/v1/research/" + url.PathEscape(id)
	post := func(claim, body string) (int, []byte) {
		t.Helper()
		resp, err := patient.Post(base+"/claims/"+claim+"/feedback", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, body := post(kiln.ID, `{"verdict":"maybe"}`); code != http.StatusBadRequest {
		t.Errorf("bad verdict: %d %s, want 400", code, body)
	}
	if code, body := post("claim-000000000000", `{"verdict":"dispute"}`); code != http.StatusNotFound {
		t.Errorf("unknown claim: %d %s, want 404", code, body)
	}
	dispute := func(claim rf.Claim, want int) claims.Review {
		t.Helper()
		code, body := post(claim.ID, `{"verdict":"dispute","reason":"the note says otherwise"}`)
		if code != http.StatusAccepted {
			t.Fatalf("dispute %s: %d %s", claim.ID, code, body)
		}
		var fb gateway.FeedbackResponse
		if err := json.Unmarshal(body, &fb); err != nil || fb.Revision != want || fb.ID != claims.RevisionWorkflowID(id, want) {
			t.Fatalf("dispute answered %+v (%v), want revision %d", fb, err, want)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		var rv claims.Review
		if err := shared.Client.GetWorkflow(ctx, fb.ID, "").Get(ctx, &rv); err != nil {
			t.Fatalf("review %s: %v", fb.ID, err)
		}
		recordHistory(t, shared.Client.GetWorkflow(ctx, fb.ID, ""), "claims_%s_"+rv.Check.Outcome+".json")
		return rv
	}
	get := func(query, accept string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/report"+query, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := patient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	_, html1 := get("?revision=1", "text/html")
	fu := askFollowUp(t, id, "What do worker bees build from wax?")

	// 1. Edited note: corrected.
	edited := strings.Replace(notes["kilns.md"], "1280", "1310", 1)
	if err := os.WriteFile(filepath.Join(dir, "kilns.md"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	rv := dispute(kiln, 2)
	t.Logf("revision 2 (%s; searches %+v):\n%s", rv.Check.Change, rv.Searches, rv.Report.Report)
	if rv.Check.Outcome != claims.OutcomeCorrected || !strings.Contains(rv.Check.Correction, "1310") || rv.Check.By != rf.LocalOwner {
		t.Fatalf("check = %+v, want corrected to 1310 by %s", rv.Check, rf.LocalOwner)
	}
	n := sourceFor(run, "kilns.md")
	if code, md := get("?revision=2", ""); code != http.StatusOK || !strings.Contains(md, "1310 degrees Celsius so that the glaze melts ["+strconv.Itoa(n)+"]") ||
		!strings.Contains(md, "## Changelog") || !strings.Contains(md, rv.Check.Change) {
		t.Errorf("revision 2: %d\n%s", code, md)
	}
	if err := report.CheckCitations(rv.Report.Report); err != nil {
		t.Errorf("revision 2 cites a number it does not list: %v", err)
	}
	if len(rv.Check.Cites) != 1 || rv.Check.Cites[0] != n {
		t.Errorf("correction cites %v, want the note's number [%d]", rv.Check.Cites, n)
	}
	if code, md := get("", ""); code != http.StatusOK || md != rv.Report.Report {
		t.Errorf("GET /report without a revision is not the latest (revision 2): %d", code)
	}

	// 2. Deleted note: withdrawn.
	if err := os.Remove(filepath.Join(dir, "bees.txt")); err != nil {
		t.Fatal(err)
	}
	rv3 := dispute(bees, 3)
	t.Logf("revision 3 (%s):\n%s", rv3.Check.Change, rv3.Report.Report)
	if rv3.Check.Outcome != claims.OutcomeWithdrawn {
		t.Fatalf("check = %+v, want withdrawn", rv3.Check)
	}
	code, md3 := get("?revision=3", "application/json")
	var rj gateway.ReportJSON
	if err := json.Unmarshal([]byte(md3), &rj); code != http.StatusOK || err != nil || rj.Revision != 3 || len(rj.Changelog) != 2 {
		t.Fatalf("revision 3 as JSON: %d %v %+v", code, err, rj)
	}
	body, changes, _ := strings.Cut(rj.Report, "## Changelog")
	if strings.Contains(body, "wax comb") || strings.Contains(body, "1280") || !strings.Contains(body, "1310") {
		t.Errorf("revision 3 still states the withdrawn claim or lost the correction:\n%s", rj.Report)
	}
	if !strings.Contains(changes, "Revision 2: Claim 2 corrected") && !strings.Contains(changes, "Revision 2: Claim 1 corrected") ||
		!strings.Contains(changes, "withdrawn: its source") || !strings.Contains(changes, "was not found in this re-check") {
		t.Errorf("changelog of revision 3:\n%s", changes)
	}
	for _, c := range rj.Claims {
		if c.ID == bees.ID || c.ID == kiln.ID {
			t.Errorf("revision 3 lists claim %s", c.ID)
		}
	}

	// 3. Revision 1 unchanged, in Markdown and HTML.
	if code, md := get("?revision=1", ""); code != http.StatusOK || md != run.Report {
		t.Errorf("revision 1 changed (%d):\n%s", code, md)
	}
	if _, html := get("?revision=1", "text/html"); html != html1 {
		t.Errorf("revision 1 as HTML changed")
	}
	if code, _ := get("?revision=9", ""); code != http.StatusNotFound {
		t.Errorf("revision 9: %d, want 404", code)
	}

	// 4. The run's event stream, asked to stay open after the run, sends
	// the follow-up's and the revisions' events.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events?afterRun=true", nil)
	resp, err := patient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{workflows.FollowUpEventID(fu.FollowUpID): false,
		claims.RevisedEventID(claims.RevisionWorkflowID(id, 2)): false, claims.RevisedEventID(claims.RevisionWorkflowID(id, 3)): false}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for missing := len(want); missing > 0 && sc.Scan(); {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ce struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		if json.Unmarshal([]byte(data), &ce) == nil {
			if seen, ok := want[ce.ID]; ok && !seen {
				want[ce.ID] = true
				missing--
			}
		}
	}
	resp.Body.Close()
	for id, seen := range want {
		if !seen {
			t.Errorf("the event stream did not send %s", id)
		}
	}

	// 5. The feedback is listed with what the re-checks found, also in the
	// audit.
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := patient.Get(base + "/feedback")
		if err != nil {
			t.Fatal(err)
		}
		var fl gateway.FeedbackListResponse
		_ = json.NewDecoder(resp.Body).Decode(&fl)
		resp.Body.Close()
		if len(fl.Reviews) == 2 && fl.Reviews[0].Result != nil && fl.Reviews[1].Result != nil {
			if fl.Reviews[0].Result.Check.Outcome != claims.OutcomeCorrected || fl.Reviews[1].Result.Check.Outcome != claims.OutcomeWithdrawn {
				t.Errorf("feedback %+v", fl.Reviews)
			}
			resp, err := patient.Get(base + "/audit")
			if err != nil {
				t.Fatal(err)
			}
			var audit gateway.AuditJSON
			_ = json.NewDecoder(resp.Body).Decode(&audit)
			resp.Body.Close()
			if len(audit.Feedback) != 2 || audit.Feedback[0].ClaimID != kiln.ID || audit.Feedback[0].By != rf.LocalOwner ||
				audit.Feedback[0].Reason != "the note says otherwise" || audit.Feedback[1].Outcome != claims.OutcomeWithdrawn {
				t.Errorf("audit feedback %+v", audit.Feedback)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("feedback lists %+v, want both reviews", fl.Reviews)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// patient is an HTTP client that waits out the shared gateway's rate limit
// (429 with Retry-After), which the tests of this binary share.
var patient = &http.Client{Transport: patientTransport{http.DefaultTransport}}

type patientTransport struct{ next http.RoundTripper }

func (p patientTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for i := 0; ; i++ {
		if i > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := p.next.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || i >= 30 {
			return resp, err
		}
		wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		resp.Body.Close()
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(time.Duration(max(wait, 1)) * time.Second):
		}
	}
}

// A dispute started with the Temporal CLI, by type name, workflow ID and
// JSON input only (as the README shows), writes revision 2.
func TestClaimReviewStartedByTemporalCLI(t *testing.T) {
	endToEnd(t)
	bin, err := exec.LookPath("temporal")
	if err != nil {
		t.Skip("needs the temporal CLI on PATH (go install github.com/temporalio/cli/cmd/temporal@v1.5.1)")
	}
	id := unique("e2e-claims-cli")
	run, _ := research(t, id, rf.ResearchInput{Question: "How is a sourdough starter kept active?", CorpusPath: writeCorpus(t)})
	if len(run.Claims) == 0 {
		t.Fatalf("no claim:\n%s", run.Report)
	}
	wid := claims.RevisionWorkflowID(id, 2)
	input := `{"researchId":"` + id + `","claimId":"` + run.Claims[0].ID + `","verdict":"dispute","revision":2}`
	out, err := exec.Command(bin, "workflow", "start",
		"--address", shared.Server.FrontendAddress(), "--namespace", shared.Config.Namespace,
		"--task-queue", rf.TaskQueueWorkflow, "--type", claims.WorkflowType,
		"--workflow-id", wid, "--input", input).CombinedOutput()
	if err != nil {
		t.Fatalf("temporal workflow start: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var rv claims.Review
	if err := shared.Client.GetWorkflow(ctx, wid, "").Get(ctx, &rv); err != nil {
		t.Fatal(err)
	}
	if rv.Report == nil || rv.Report.Revision != 2 || rv.Check.Outcome != claims.OutcomeKept || !strings.Contains(rv.Report.Report, "## Changelog") {
		t.Errorf("review %+v", rv)
	}
}

// namedNotes writes notes into a folder of its own name (prefix made
// unique): a corpus is named after its folder, and t.TempDir's folders are
// all named 001.
func namedNotes(t *testing.T, prefix string, notes map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), unique(prefix))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range notes {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// claimWith is the claim of list whose text holds word; the test fails,
// showing run's report, when none does.
func claimWith(t *testing.T, run rf.ResearchResult, list []rf.Claim, word string) rf.Claim {
	t.Helper()
	for _, c := range list {
		if strings.Contains(c.Text, word) {
			return c
		}
	}
	t.Fatalf("no claim mentions %q: %+v\n%s", word, list, run.Report)
	return rf.Claim{}
}
