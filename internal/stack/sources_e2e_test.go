package stack

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/researchflow/researchflow/activities"
	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/report"
)

// The end-to-end tests' providers: "web" finds two pages, "arxiv" one, and
// fails with 503s while arxivDown is set. Pages are served by testPages,
// without network.
var arxivDown atomic.Bool

type testProvider struct {
	name    string
	results []activities.WebResult
}

func (p testProvider) Search(ctx context.Context, q activities.WebQuery) ([]activities.WebResult, error) {
	if p.name == "arxiv" && arxivDown.Load() {
		return nil, fault.Transient(egress.KindUnavailable, errors.New("arxiv: 503 Service Unavailable"), 0)
	}
	return p.results, nil
}

var e2ePageTime = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

type testPages map[string]activities.WebPage

func (p testPages) Fetch(ctx context.Context, url string) (activities.WebPage, error) {
	if page, ok := p[url]; ok {
		return page, nil
	}
	return activities.WebPage{}, errors.New("refused: not a test page")
}

// installTestSources gives the shared stack's search pool the test
// providers (Options.SetUpSearch).
func installTestSources(a *activities.Search) {
	pages := testPages{
		"https://logs.example/retention": {URL: "https://logs.example/retention", Title: "Log retention at Example Corp", Site: "logs.example", AccessedAt: e2ePageTime,
			Text: "Log retention\n\nExample Corp keeps application logs for 30 days. Application logs are kept in a central store."},
		"https://logs.example/encryption": {URL: "https://logs.example/encryption", Title: "Log encryption", Site: "logs.example", AccessedAt: e2ePageTime,
			Text: "Log encryption\n\nApplication logs are encrypted at rest with AES-256. Logs are encrypted in transit with TLS."},
		"https://arxiv.example/abs/2401.00001": {URL: "https://arxiv.example/abs/2401.00001", Title: "A study of log retention", Site: "arxiv.example", AccessedAt: e2ePageTime,
			ArxivID: "2401.00001", Text: "Abstract\n\nApplication logs at Example Corp are retained for 90 days according to our audit of application logs."},
	}
	a.Searchers = map[string]activities.WebSearcher{
		"web": testProvider{name: "web", results: []activities.WebResult{
			{URL: "https://logs.example/retention", Title: "Log retention"}, {URL: "https://logs.example/encryption", Title: "Log encryption"},
			{URL: "http://10.1.2.3/internal", Title: "Internal page", Snippet: "Application logs are kept 7 days."},
		}},
		"arxiv": testProvider{name: "arxiv", results: []activities.WebResult{{URL: "https://arxiv.example/abs/2401.00001", ArxivID: "2401.00001"}}},
	}
	a.Fetcher = pages
	if w, ok := a.Store.(activities.ChunkWriter); ok {
		a.Pages = w
	}
}

// scheduled lists the activities a run scheduled, with their inputs.
func scheduled(t *testing.T, run client.WorkflowRun) (types []string, inputs [][]byte) {
	t.Helper()
	it := shared.Client.GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			types = append(types, a.GetActivityType().GetName())
			inputs = append(inputs, a.GetInput().GetPayloads()[0].GetData())
		}
	}
	return types, inputs
}

// TestEndToEndSourcesDeadLettersAndRedrive runs on the real server: a
// provider that answers 503 exhausts its retries, the run completes with
// dead letters, and a redrive after the provider recovers writes revision 2
// with the provider's page while its history holds no step that had
// succeeded.
func TestEndToEndSourcesDeadLettersAndRedrive(t *testing.T) {
	endToEnd(t)
	arxivDown.Store(true)
	defer arxivDown.Store(false)
	depth := 0
	id := unique("e2e-sources")
	res, run := research(t, id, rf.ResearchInput{
		Question: "How long does Example Corp keep application logs?", Sources: []string{"web", "arxiv"},
		MaxSubQuestions: 1, Depth: &depth,
	})
	if len(res.DeadLetters) == 0 {
		t.Fatalf("no dead letter with arxiv down: %+v", res)
	}
	for _, d := range res.DeadLetters {
		if d.Provider != "arxiv" || d.Attempts != 4 || !strings.Contains(d.LastError, "503") {
			t.Errorf("dead letter %+v, want arxiv after 4 attempts", d)
		}
	}
	if !strings.Contains(res.Report, "](https://logs.example/retention)") || !strings.Contains(res.Report, "accessed 2026-11-29") {
		t.Errorf("the report does not cite the web page with its link and access date:\n%s", res.Report)
	}
	if strings.Contains(res.Report, "7 days") || strings.Contains(res.Report, "10.1.2.3") {
		t.Errorf("an unfetched result was cited:\n%s", res.Report)
	}
	if bad := report.ForeignLinks(res.Report, res.Sources); len(bad) != 0 {
		t.Errorf("foreign links %q", bad)
	}
	recordHistory(t, run, "research_%s_sources.json")

	arxivDown.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rev, err := shared.Runs.Redrive(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rev.ID != id+"-rev2" {
		t.Errorf("revision ID %q", rev.ID)
	}
	run2 := shared.Client.GetWorkflow(ctx, rev.ID, "")
	var res2 rf.ResearchResult
	if err := run2.Get(ctx, &res2); err != nil {
		t.Fatal(err)
	}
	if len(res2.DeadLetters) != 0 || res2.Revision != 2 || res2.RedriveOf != id {
		t.Errorf("revision 2: dead letters %+v, revision %d of %q", res2.DeadLetters, res2.Revision, res2.RedriveOf)
	}
	if !strings.Contains(res2.Report, "](https://arxiv.example/abs/2401.00001)") || !strings.Contains(res2.Report, "](https://logs.example/retention)") {
		t.Errorf("revision 2 does not cite both the old and the new page:\n%s", res2.Report)
	}
	if !strings.Contains(res2.Report, "## Where sources disagree") || !strings.Contains(res2.Report, "30 days") || !strings.Contains(res2.Report, "90 days") {
		t.Errorf("revision 2 does not say where the sources disagree:\n%s", res2.Report)
	}

	// The revision's history: only the dead-lettered searches, the analysis
	// of what they added, the writing and the storing of the report, and
	// the question to the notify pool whether it has a sink for the events
	// (never paid for: no model, no search).
	types, inputs := scheduled(t, run2)
	for _, typ := range types {
		if !slices.Contains([]string{workflows.SearchSourceActivity, workflows.AnalyzeActivity, workflows.SynthesizeActivity, workflows.StoreReportActivity, workflows.DeliverySinksActivity}, typ) {
			t.Errorf("the redrive ran %s", typ)
		}
	}
	searches := 0
	for i, typ := range types {
		if typ != workflows.SearchSourceActivity {
			continue
		}
		searches++
		if !strings.Contains(string(inputs[i]), `"source":"arxiv"`) {
			t.Errorf("the redrive searched %s", inputs[i])
		}
	}
	if searches != len(res.DeadLetters) {
		t.Errorf("the redrive ran %d searches for %d dead letters", searches, len(res.DeadLetters))
	}
	types1, inputs1 := scheduled(t, run)
	for i, typ := range types1 {
		if typ == workflows.AnalyzeActivity {
			for j, typ2 := range types {
				if typ2 == workflows.AnalyzeActivity && string(inputs1[i]) == string(inputs[j]) {
					t.Errorf("the redrive repeated an analysis: %s", inputs[j])
				}
			}
		}
	}
}
